import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { addCarrier, alarmsOf, compartment, Courier, expectError, lockerFixture, MASKED_PHONE, mentionsNumber, onlineLocker, PHONE, PHONE_DIGITS } from '../../helpers/parcels.js';
import { latestCode, SignedInbox, smsEnv, startSmsInbox, type CarrierHooks, type CarrierEvent, type SmsInbox } from '../../helpers/inbox.js';
import { startTestGateway, type TestGateway } from '../../helpers/gateway.js';
import { stopAllSims } from '../../helpers/sim.js';

let gw: TestGateway;
let sms: SmsInbox;
let hooks: CarrierHooks;

beforeAll(async () => {
  sms = await startSmsInbox();
  hooks = await SignedInbox.start<CarrierEvent>();
  gw = await startTestGateway({ env: smsEnv(sms) });
});
afterEach(async () => stopAllSims());
afterAll(async () => {
  await gw.stop();
  await sms.close();
  await hooks.close();
});

/** A courier of a carrier whose webhook is the `hooks` receiver. */
async function courierWithHook(operatorToken: string): Promise<Courier> {
  const path = `/hooks/${Math.random().toString(36).slice(2)}`;
  const carrier = await addCarrier(gw, operatorToken, hooks.url(path));
  hooks.pathSecrets.set(path, carrier.webhookSecret!);
  return new Courier(gw, carrier);
}

describe('deposit happy path', () => {
  it('opens the reserved compartment, completes on parcel + closed door, texts a signed code and tells the carrier', async () => {
    const { fx, sim } = await onlineLocker(gw, 'S:2,M:1');
    const courier = await courierWithHook(fx.operatorToken);

    const res = await courier.deposit(courier.body(fx.lockerId, { size: 'S', trackingNumber: 'SF1234567890' }));
    expect(res.statusCode).toBe(202);
    const started = res.json();
    expect(started).toMatchObject({ depositId: expect.stringMatching(/^dep-[a-z0-9]{17}$/), parcelId: expect.stringMatching(/^pcl-/), lockerId: fx.lockerId, compartment: 1, size: 'S', state: 'opening', reason: null });
    expect(res.headers['location']).toBe(`/v1/deposits/${started.depositId}`);
    expect((await compartment(gw, fx, 1)).state).toBe('reserved');

    await courier.waitDeposit(started.depositId, 'open');
    expect(sim.physical(1)).toMatchObject({ door: 'open', parcel: false });
    sim.placeParcel(1);
    sim.closeDoor(1);
    const done = await courier.waitDeposit(started.depositId, 'deposited');
    expect(done).toMatchObject({ depositId: started.depositId, compartment: 1, state: 'deposited', reason: null });
    expect(await compartment(gw, fx, 1)).toMatchObject({ state: 'occupied', door: 'closed', occupancy: 'present' });

    const view = (await courier.getParcel(started.parcelId)).json();
    expect(view.depositId).toBe(started.depositId);
    expect(view.parcel).toMatchObject({ parcelId: started.parcelId, trackingNumber: 'SF1234567890', compartment: 1, size: 'S', state: 'deposited', recipientPhone: MASKED_PHONE });
    expect(view.parcel.holdUntil).toBe(view.parcel.depositedAt + 72 * 3_600_000);
    expect(view.timeline.map((e: { type: string }) => e.type)).toEqual(['reserved', 'deposited']);
    expect(view.timeline[1].details).toEqual({ compartment: 1, confirmedBy: 'sensor' });

    expect(await gw.dispatchNotifications()).toMatchObject({ delivered: 2, failed: 0 });
    const texts = sms.about(started.parcelId);
    expect(texts).toHaveLength(1);
    const [text] = texts;
    expect(text).toMatchObject({ signed: true, event: 'pickup_code', body: { to: PHONE, kind: 'pickup_code', parcelId: started.parcelId } });
    const code = latestCode(sms, started.parcelId);
    expect(code).toMatch(/^\d{6}$/);
    expect(text!.body.text).toContain(`取件码 ${code}`);

    const events = hooks.about(started.parcelId, 'data.parcelId');
    expect(events.map((e) => [e.event, e.signed])).toEqual([['parcel.deposited', true]]);
    expect(events[0]!.body.data).toMatchObject({ trackingNumber: 'SF1234567890', state: 'deposited', recipientPhone: MASKED_PHONE, compartment: 1 });
    expect(mentionsNumber(JSON.stringify(events[0]!.body), code)).toBe(false);

    // The full number and the code reach only the SMS provider: not the courier, not the logs.
    expect(courier.seen.length).toBeGreaterThan(3);
    for (const body of courier.seen) {
      expect(body).not.toContain(PHONE_DIGITS);
      expect(mentionsNumber(body, code)).toBe(false);
    }
    expect(gw.logLines.length).toBeGreaterThan(0);
    expect(gw.logLines.filter((l) => l.includes(PHONE_DIGITS))).toEqual([]);
    expect(gw.logLines.filter((l) => mentionsNumber(l, code))).toEqual([]);
  });

  it('caps the hold time at LOCKERGATE_MAX_HOLD_HOURS (168 h by default)', async () => {
    const { fx, sim } = await onlineLocker(gw, 'S:1');
    const courier = await courierWithHook(fx.operatorToken);
    const d = await courier.depositParcel(sim, fx.lockerId, { holdHours: 720 });
    const { parcel } = (await courier.getParcel(d.parcelId)).json();
    expect(parcel.holdUntil - parcel.depositedAt).toBe(168 * 3_600_000);
  });

  it('picks the best fit: the smallest free size that fits, lowest index first', async () => {
    const { fx } = await onlineLocker(gw, 'S:1,M:2,L:1');
    const courier = await courierWithHook(fx.operatorToken);
    const into = async (size: 'S' | 'M' | 'L') => (await courier.deposit(courier.body(fx.lockerId, { size }))).json().compartment;
    expect(await into('M')).toBe(2); // M, not L
    expect(await into('S')).toBe(1); // S is free: the S compartment
    expect(await into('S')).toBe(3); // S is full: the next M
    expect(await into('S')).toBe(4); // then L
    expectError(await courier.deposit(courier.body(fx.lockerId, { size: 'XS' })), 409, 'NO_COMPARTMENT_AVAILABLE');
  });
});

describe('deposit failures, each with its reason', () => {
  it('door closed on an empty compartment → failed/door_closed_empty, compartment available again', async () => {
    const { fx, sim } = await onlineLocker(gw, 'S:1');
    const courier = await courierWithHook(fx.operatorToken);
    const open = await courier.openDeposit(fx.lockerId);
    sim.closeDoor(open.compartment);
    expect(await courier.waitDeposit(open.depositId, 'failed')).toMatchObject({ state: 'failed', reason: 'door_closed_empty' });
    expect((await compartment(gw, fx, 1)).state).toBe('available');
    expect((await courier.getParcel(open.parcelId)).json().parcel.state).toBe('cancelled');

    await gw.dispatchNotifications();
    expect(sms.about(open.parcelId)).toEqual([]);
    const events = hooks.about(open.parcelId, 'data.parcelId');
    expect(events.map((e) => e.event)).toEqual(['deposit.failed']);
    expect(events[0]!.body.data).toMatchObject({ depositId: open.depositId, reason: 'door_closed_empty' });
    // The next courier gets the compartment.
    expect((await courier.deposit(courier.body(fx.lockerId))).json()).toMatchObject({ compartment: 1, state: 'opening' });
  });

  it('jammed door → failed/jammed, compartment out_of_service with a door_jammed alarm, next deposit elsewhere', async () => {
    const { fx, sim } = await onlineLocker(gw, 'S:2');
    const courier = await courierWithHook(fx.operatorToken);
    sim.jam(1, true);
    const res = await courier.deposit(courier.body(fx.lockerId));
    expect(res.json()).toMatchObject({ compartment: 1, state: 'opening' });
    expect(await courier.waitDeposit(res.json().depositId, 'failed')).toMatchObject({ reason: 'jammed' });
    expect(sim.physical(1).door).toBe('closed');
    expect((await compartment(gw, fx, 1)).state).toBe('out_of_service');
    expect(await alarmsOf(gw, fx.lockerId)).toEqual([['door_jammed', 1]]);
    expect((await courier.getParcel(res.json().parcelId)).json().parcel.state).toBe('cancelled');
    expect((await courier.deposit(courier.body(fx.lockerId))).json().compartment).toBe(2);
  });

  it('locker offline → 503 LOCKER_OFFLINE and nothing reserved', async () => {
    const fx = await lockerFixture(gw, 'S:2');
    const courier = await courierWithHook(fx.operatorToken);
    const body = courier.body(fx.lockerId);
    expectError(await courier.deposit(body), 503, 'LOCKER_OFFLINE');
    for (const i of [1, 2]) expect((await compartment(gw, fx, i)).state).toBe('available');
    expect(await gw.ctx.store.read((tx) => tx.parcels.liveByTracking(courier.carrier.id, body.trackingNumber))).toBeUndefined();
    expectError(await courier.deposit(courier.body('lkr-nope')), 404, 'LOCKER_NOT_FOUND');
  });

  it('locker in maintenance → 409 LOCKER_NOT_ACTIVE with its status', async () => {
    const fx = await lockerFixture(gw, 'S:1', { status: 'maintenance' });
    const courier = await courierWithHook(fx.operatorToken);
    const res = await courier.deposit(courier.body(fx.lockerId));
    expectError(res, 409, 'LOCKER_NOT_ACTIVE');
    expect(res.json().error.details).toEqual({ status: 'maintenance' });
  });

  it('full locker → 409 NO_COMPARTMENT_AVAILABLE listing online lockers of the same site first, then the same region', async () => {
    const region = '770001';
    const { fx } = await onlineLocker(gw, 'S:1', { regionCode: region, lockerId: 'lkr-alt-home' });
    // Same site: one with a fitting free compartment, one too small, one offline; same region, other site; other region.
    const sameSite = (await onlineLocker(gw, 'M:2', { siteId: fx.siteId, lockerId: 'lkr-alt-b' })).fx;
    await onlineLocker(gw, 'XS:3', { siteId: fx.siteId, lockerId: 'lkr-alt-a' });
    await lockerFixture(gw, 'L:4', { siteId: fx.siteId, lockerId: 'lkr-alt-offline' });
    const sameRegion = (await onlineLocker(gw, 'S:1,L:1', { regionCode: region, lockerId: 'lkr-alt-c' })).fx;
    await onlineLocker(gw, 'S:5', { regionCode: '770002', lockerId: 'lkr-alt-d' });
    const courier = await courierWithHook(fx.operatorToken);
    expect((await courier.deposit(courier.body(fx.lockerId))).statusCode).toBe(202);

    const full = await courier.deposit(courier.body(fx.lockerId));
    expectError(full, 409, 'NO_COMPARTMENT_AVAILABLE');
    expect(full.json().error.details).toEqual({
      size: 'S',
      alternatives: [
        { lockerId: sameSite.lockerId, name: expect.any(String), siteId: fx.siteId, scope: 'same_site', freeFitting: 2 },
        { lockerId: sameRegion.lockerId, name: expect.any(String), siteId: sameRegion.siteId, scope: 'same_region', freeFitting: 2 },
      ],
    });
  });
});
