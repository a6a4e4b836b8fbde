import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runHoldRules } from '../../../src/app/parcels/expiry.js';
import { startTestGateway, until, type TestGateway } from '../../helpers/gateway.js';
import { latestCode, smsEnv, startSmsInbox, type SmsInbox } from '../../helpers/inbox.js';
import { addCarrier, compartment, Courier, expectError, mentionsNumber, onlineLocker, PHONE_DIGITS, residentPickup, wrongCode, type DepositBody } from '../../helpers/parcels.js';
import { stopAllSims } from '../../helpers/sim.js';

let gw: TestGateway;
let sms: SmsInbox;
const MINUTE = 60_000;

beforeAll(async () => {
  sms = await startSmsInbox();
  gw = await startTestGateway({ manualClock: true, env: smsEnv(sms) });
  sms.now = () => gw.clock!.now();
});
afterEach(async () => stopAllSims());
afterAll(async () => {
  await gw.stop();
  await sms.close();
});

/** A locker online with one deposited parcel whose code reached the recipient's phone. */
async function parcelWaiting(over: Partial<DepositBody> = {}) {
  const { fx, sim } = await onlineLocker(gw, 'S:2');
  const c = new Courier(gw, await addCarrier(gw, fx.operatorToken));
  const d = await c.depositParcel(sim, fx.lockerId, over);
  await gw.dispatchNotifications();
  return { fx, sim, c, d, code: latestCode(sms, d.parcelId) };
}

const parcelState = async (c: Courier, id: string) => (await c.getParcel(id)).json().parcel.state as string;

describe('keypad pickup', () => {
  it('the right code opens the parcel’s door, the parcel is picked up and the code stops working', async () => {
    const { fx, sim, c, d, code } = await parcelWaiting();
    const reply = await sim.typeCode(code);
    expect(reply).toMatchObject({ type: 'keypad_reply', result: 'open', compartment: d.compartment });
    await until(() => sim.physical(d.compartment).door, (door) => door === 'open');
    await until(() => parcelState(c, d.parcelId), (s) => s === 'picked_up');
    const view = (await c.getParcel(d.parcelId)).json();
    expect(view.timeline.map((e: { type: string }) => e.type)).toEqual(['reserved', 'deposited', 'picked_up']);
    expect(view.timeline[2].details).toMatchObject({ channel: 'keypad' });
    expect(view.parcel.completedAt).toBe(gw.clock!.now());

    sim.removeParcel(d.compartment);
    sim.closeDoor(d.compartment);
    await until(() => compartment(gw, fx, d.compartment), (x) => x.door === 'closed');
    expect(await compartment(gw, fx, d.compartment)).toMatchObject({ state: 'available', occupancy: 'absent' });
    expect(await sim.typeCode(code)).toMatchObject({ result: 'deny', reason: 'invalid' });
    expect(sim.lastKeypadDisplay).toBe('invalid');
    // The code went over MQTT twice; it is in no log line and not in the operator's view of the
    // locker (its recent commands include the keypad replies), and neither is the phone number.
    expect(gw.logLines.filter((l) => mentionsNumber(l, code) || l.includes(PHONE_DIGITS))).toEqual([]);
    const operatorView = (await gw.http.inject({ url: `/v1/lockers/${fx.lockerId}`, headers: { authorization: `Bearer ${fx.viewerToken}` } })).body;
    expect(operatorView).toContain('keypad_reply');
    expect(mentionsNumber(operatorView, code) || operatorView.includes(PHONE_DIGITS)).toBe(false);
  });

  it('a wrong code is denied as invalid and opens nothing', async () => {
    const { sim, c, d, code } = await parcelWaiting();
    expect(await sim.typeCode(wrongCode(code))).toMatchObject({ type: 'keypad_reply', result: 'deny', reason: 'invalid' });
    expect(sim.physical(d.compartment).door).toBe('closed');
    expect(await parcelState(c, d.parcelId)).toBe('deposited');
  });

  it('resend-code texts a new code; the old one is denied, the new one opens', async () => {
    const { sim, c, d, code: old } = await parcelWaiting();
    const res = await c.resendCode(d.parcelId);
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ parcelId: d.parcelId, codeSent: true });
    await gw.dispatchNotifications();
    const codes = sms.about(d.parcelId).filter((m) => m.body.kind === 'pickup_code');
    expect(codes).toHaveLength(2);
    expect(codes.every((m) => m.signed)).toBe(true);
    const fresh = latestCode(sms, d.parcelId);
    expect(fresh).not.toBe(old);
    expect((await c.getParcel(d.parcelId)).json().timeline.map((e: { type: string }) => e.type)).toEqual(['reserved', 'deposited', 'code_reissued']);

    expect(await sim.typeCode(old)).toMatchObject({ result: 'deny', reason: 'invalid' });
    expect(await sim.typeCode(fresh)).toMatchObject({ result: 'open', compartment: d.compartment });
    await until(() => parcelState(c, d.parcelId), (s) => s === 'picked_up');
    // No new code for a parcel that is gone.
    const late = await c.resendCode(d.parcelId);
    expectError(late, 409, 'PARCEL_NOT_COLLECTABLE');
    expect(late.json().error.details).toEqual({ state: 'picked_up' });
  });

  it('after the hold time the code is denied as expired at the keypad and 410 PICKUP_CODE_EXPIRED in the app', async () => {
    const { fx, sim, c, d, code } = await parcelWaiting({ holdHours: 1 });
    gw.clock!.advance(60 * MINUTE + 1000);
    // Even before the hold rules have run, a code past its hold is not accepted.
    expect(await sim.typeCode(code)).toMatchObject({ result: 'deny', reason: 'expired' });
    expect(await runHoldRules(gw.ctx)).toMatchObject({ expired: 1 });
    expect(await parcelState(c, d.parcelId)).toBe('expired');
    expect(await sim.typeCode(code)).toMatchObject({ result: 'deny', reason: 'expired' });
    expect(sim.lastKeypadDisplay).toBe('expired');
    expectError(await residentPickup(gw, fx.lockerId, code, '203.0.113.81'), 410, 'PICKUP_CODE_EXPIRED');
    expect(sim.physical(d.compartment).door).toBe('closed');
  });
});

describe('keypad lockout', () => {
  it('5 wrong codes within 10 minutes lock the locker: even the right code is denied, API pickups get 429, an alarm is raised', async () => {
    const { fx, sim, c, d, code } = await parcelWaiting();
    for (let i = 0; i < 5; i++) {
      expect(await sim.typeCode(wrongCode(code))).toMatchObject({ result: 'deny', reason: 'invalid' });
      gw.clock!.advance(2 * MINUTE - 1000); // all five inside the 10-minute window
    }
    expect(await sim.typeCode(code)).toMatchObject({ result: 'deny', reason: 'locked_out' });
    expect(sim.lastKeypadDisplay).toBe('locked_out');
    expect(sim.physical(d.compartment).door).toBe('closed');
    const alarm = await gw.ctx.store.read((tx) => tx.alarms.live(fx.lockerId, null, 'keypad_lockout'));
    expect(alarm).toMatchObject({ kind: 'keypad_lockout', state: 'open', details: { failures: 5, channel: 'keypad' } });
    expectError(await residentPickup(gw, fx.lockerId, code, '203.0.113.91'), 429, 'PICKUP_LOCKED_OUT');

    // Another locker is not affected.
    const other = await parcelWaiting();
    expect(await other.sim.typeCode(other.code)).toMatchObject({ result: 'open' });

    gw.clock!.advance(15 * MINUTE + 1000);
    expect(await sim.typeCode(code)).toMatchObject({ result: 'open', compartment: d.compartment });
    await until(() => parcelState(c, d.parcelId), (s) => s === 'picked_up');
  });

  it('wrong codes tried through the app count too and lock the keypad', async () => {
    const { fx, sim, code } = await parcelWaiting();
    for (let i = 0; i < 5; i++) expectError(await residentPickup(gw, fx.lockerId, wrongCode(code), `203.0.113.${100 + i}`), 403, 'PICKUP_CODE_INVALID');
    expectError(await residentPickup(gw, fx.lockerId, code, '203.0.113.110'), 429, 'PICKUP_LOCKED_OUT');
    expect(await sim.typeCode(code)).toMatchObject({ result: 'deny', reason: 'locked_out' });
    const alarm = await gw.ctx.store.read((tx) => tx.alarms.live(fx.lockerId, null, 'keypad_lockout'));
    expect(alarm?.details).toMatchObject({ failures: 5, channel: 'api' });
  });

  it('wrong codes spread over more than the window do not lock', async () => {
    const { sim, code } = await parcelWaiting();
    for (let i = 0; i < 4; i++) expect(await sim.typeCode(wrongCode(code))).toMatchObject({ reason: 'invalid' });
    gw.clock!.advance(10 * MINUTE + 1000);
    expect(await sim.typeCode(wrongCode(code))).toMatchObject({ reason: 'invalid' });
    expect(await sim.typeCode(code)).toMatchObject({ result: 'open' });
  });
});
