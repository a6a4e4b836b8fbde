import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runHoldRules } from '../../../src/app/parcels/expiry.js';
import { startTestGateway, until, type TestGateway } from '../../helpers/gateway.js';
import { latestCode, SignedInbox, smsEnv, startSmsInbox, type CarrierEvent, type CarrierHooks, type SmsInbox } from '../../helpers/inbox.js';
import { addCarrier, compartment, Courier, expectError, MASKED_PHONE, onlineLocker, PHONE } from '../../helpers/parcels.js';
import { stopAllSims } from '../../helpers/sim.js';

let gw: TestGateway;
let sms: SmsInbox;
let hooks: CarrierHooks;
const HOUR = 3_600_000;

beforeAll(async () => {
  sms = await startSmsInbox();
  hooks = await SignedInbox.start<CarrierEvent>();
  gw = await startTestGateway({ manualClock: true, env: { ...smsEnv(sms), LOCKERGATE_REMINDER_BEFORE_H: '2' } });
  sms.now = hooks.now = () => gw.clock!.now();
});
afterEach(async () => stopAllSims());
afterAll(async () => {
  await gw.stop();
  await sms.close();
  await hooks.close();
});

async function parcelWaiting(holdHours = 24) {
  const { fx, sim } = await onlineLocker(gw, 'S:2');
  const path = `/hooks/${Math.random().toString(36).slice(2)}`;
  const carrier = await addCarrier(gw, fx.operatorToken, hooks.url(path));
  hooks.pathSecrets.set(path, carrier.webhookSecret!);
  const c = new Courier(gw, carrier);
  const d = await c.depositParcel(sim, fx.lockerId, { holdHours });
  await gw.dispatchNotifications();
  return { fx, sim, c, d, code: latestCode(sms, d.parcelId) };
}

const eventsAbout = (parcelId: string) => hooks.about(parcelId, 'data.parcelId').map((e) => e.event);

describe('hold time', () => {
  it('reminds the recipient and tells the carrier before the hold ends, once', async () => {
    const { c, d } = await parcelWaiting(24);
    gw.clock!.advance(22 * HOUR - 1000);
    expect(await runHoldRules(gw.ctx)).toMatchObject({ reminded: 0, expired: 0, purged: 0 });
    gw.clock!.advance(2000); // now inside the last 2 hours
    expect(await runHoldRules(gw.ctx)).toMatchObject({ reminded: 1, expired: 0, purged: 0 });
    expect(await runHoldRules(gw.ctx)).toMatchObject({ reminded: 0, expired: 0, purged: 0 });

    await gw.dispatchNotifications();
    const reminders = sms.about(d.parcelId).filter((m) => m.body.kind === 'reminder');
    expect(reminders).toHaveLength(1);
    expect(reminders[0]).toMatchObject({ signed: true, event: 'reminder', body: { to: PHONE, parcelId: d.parcelId } });
    expect(reminders[0]!.body).not.toHaveProperty('code');
    expect(reminders[0]!.body.text).toContain('提醒');
    expect(eventsAbout(d.parcelId)).toEqual(['parcel.deposited', 'parcel.expiring']);
    expect(hooks.about(d.parcelId, 'data.parcelId')[1]!.body.data).toMatchObject({ state: 'deposited', recipientPhone: MASKED_PHONE });
    expect((await c.getParcel(d.parcelId)).json().timeline.map((e: { type: string }) => e.type)).toEqual(['reserved', 'deposited', 'reminder_sent']);
  });

  it('at the end the parcel expires: code revoked, carrier told; a retrieval opens the door and returns it', async () => {
    const { fx, sim, c, d, code } = await parcelWaiting(24);
    gw.clock!.advance(24 * HOUR);
    await runHoldRules(gw.ctx);
    const view = (await c.getParcel(d.parcelId)).json();
    expect(view.parcel.state).toBe('expired');
    expect(view.timeline.map((e: { type: string }) => e.type)).toEqual(['reserved', 'deposited', 'expired']);
    expect(await sim.typeCode(code)).toMatchObject({ result: 'deny', reason: 'expired' });
    expect((await compartment(gw, fx, d.compartment)).state).toBe('occupied');
    await gw.dispatchNotifications();
    expect(eventsAbout(d.parcelId)).toEqual(['parcel.deposited', 'parcel.expired']);
    expect(hooks.about(d.parcelId, 'data.parcelId').every((e) => e.signed)).toBe(true);

    const res = await c.retrieve(d.parcelId);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ retrievalId: expect.stringMatching(/^pck-/), parcelId: d.parcelId, compartment: d.compartment, state: 'done' });
    expect(sim.physical(d.compartment).door).toBe('open');
    expect((await c.getParcel(d.parcelId)).json().parcel.state).toBe('returned');
    sim.removeParcel(d.compartment);
    sim.closeDoor(d.compartment);
    await until(() => compartment(gw, fx, d.compartment), (x) => x.door === 'closed');
    expect((await compartment(gw, fx, d.compartment)).state).toBe('available');
    await gw.dispatchNotifications();
    expect(eventsAbout(d.parcelId)).toEqual(['parcel.deposited', 'parcel.expired', 'parcel.returned']);
    expectError(await c.retrieve(d.parcelId), 409, 'PARCEL_NOT_RETRIEVABLE');
  });

  it('a carrier may recall a parcel still waiting; its code stops working', async () => {
    const { sim, c, d, code } = await parcelWaiting(24);
    expect((await c.retrieve(d.parcelId)).json()).toMatchObject({ state: 'done' });
    expect((await c.getParcel(d.parcelId)).json().parcel.state).toBe('returned');
    sim.removeParcel(d.compartment);
    sim.closeDoor(d.compartment);
    expect(await sim.typeCode(code)).toMatchObject({ result: 'deny', reason: 'invalid' });
  });

  it('drops the phone number 30 days after the parcel left; the courier then sees none', async () => {
    const { sim, c, d, code } = await parcelWaiting(24);
    expect(await sim.typeCode(code)).toMatchObject({ result: 'open' });
    await until(async () => (await c.getParcel(d.parcelId)).json().parcel.state, (s) => s === 'picked_up');
    gw.clock!.advance(30 * 24 * HOUR - 1000);
    await runHoldRules(gw.ctx);
    expect((await c.getParcel(d.parcelId)).json().parcel.recipientPhone).toBe(MASKED_PHONE);
    gw.clock!.advance(2000);
    await runHoldRules(gw.ctx);
    const view = (await c.getParcel(d.parcelId)).json();
    expect(view.parcel.recipientPhone).toBeNull();
    expect(view.timeline.at(-1).type).toBe('personal_data_purged');
    const stored = await gw.ctx.store.read((tx) => tx.parcels.get(d.parcelId));
    expect(stored?.recipientPhoneSealed).toBeNull();
  });

  it('a picked-up parcel is not retrievable: 409 PARCEL_NOT_RETRIEVABLE', async () => {
    const { sim, c, d, code } = await parcelWaiting(24);
    expect(await sim.typeCode(code)).toMatchObject({ result: 'open' });
    await until(async () => (await c.getParcel(d.parcelId)).json().parcel.state, (s) => s === 'picked_up');
    const res = await c.retrieve(d.parcelId);
    expectError(res, 409, 'PARCEL_NOT_RETRIEVABLE');
    expect(res.json().error.details).toEqual({ state: 'picked_up' });
    expect(sim.executedCommands).toHaveLength(2); // the deposit's open and the keypad's, no third
  });
});
