import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, until, type TestGateway } from '../../helpers/gateway.js';
import { latestCode, smsEnv, startSmsInbox, type SmsInbox } from '../../helpers/inbox.js';
import { addCarrier, alarmsOf, compartment, Courier, expectError, lockerFixture, onlineLocker, residentPickup, wrongCode } from '../../helpers/parcels.js';
import { stopAllSims } from '../../helpers/sim.js';

let gw: TestGateway;
let sms: SmsInbox;

beforeAll(async () => {
  sms = await startSmsInbox();
  gw = await startTestGateway({ env: smsEnv(sms) });
});
afterEach(async () => stopAllSims());
afterAll(async () => {
  await gw.stop();
  await sms.close();
});

async function parcelWaiting(target: TestGateway = gw, layout = 'S:2') {
  const { fx, sim } = await onlineLocker(target, layout);
  const c = new Courier(target, await addCarrier(target, fx.operatorToken));
  const d = await c.depositParcel(sim, fx.lockerId);
  await target.dispatchNotifications();
  return { fx, sim, c, d, code: latestCode(sms, d.parcelId) };
}

const parcelState = async (c: Courier, id: string) => (await c.getParcel(id)).json().parcel.state as string;

describe('POST /v1/pickups', () => {
  it('opens the parcel’s door and answers 200 with the compartment; the code is then used up', async () => {
    const { fx, sim, c, d, code } = await parcelWaiting();
    const res = await residentPickup(gw, fx.lockerId, code, '203.0.113.1');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ pickupId: expect.stringMatching(/^pck-/), lockerId: fx.lockerId, compartment: d.compartment, state: 'done', reason: null });
    expect(sim.physical(d.compartment).door).toBe('open');
    expect(await parcelState(c, d.parcelId)).toBe('picked_up');
    expect((await c.getParcel(d.parcelId)).json().timeline.at(-1)).toMatchObject({ type: 'picked_up', details: { channel: 'api', pickupId: res.json().pickupId } });
    expectError(await residentPickup(gw, fx.lockerId, code, '203.0.113.1'), 403, 'PICKUP_CODE_INVALID');
  });

  it('a wrong code, or the right code at another locker, is 403 PICKUP_CODE_INVALID and opens nothing', async () => {
    const { fx, sim, c, d, code } = await parcelWaiting();
    const elsewhere = await onlineLocker(gw, 'S:1');
    expectError(await residentPickup(gw, fx.lockerId, wrongCode(code), '203.0.113.2'), 403, 'PICKUP_CODE_INVALID');
    expectError(await residentPickup(gw, elsewhere.fx.lockerId, code, '203.0.113.2'), 403, 'PICKUP_CODE_INVALID');
    expect(sim.physical(d.compartment).door).toBe('closed');
    expect(elsewhere.sim.executedCommands).toEqual([]);
    expect(await parcelState(c, d.parcelId)).toBe('deposited');
  });

  it('refuses an offline locker (503 LOCKER_OFFLINE), an unknown one (404) and a malformed code (400)', async () => {
    const { fx, sim, code } = await parcelWaiting();
    await sim.dropConnection();
    await until(() => gw.mqtt.isConnected(fx.deviceId), (c) => !c);
    expectError(await residentPickup(gw, fx.lockerId, code, '203.0.113.3'), 503, 'LOCKER_OFFLINE');
    expectError(await residentPickup(gw, 'lkr-nope', code, '203.0.113.3'), 404, 'LOCKER_NOT_FOUND');
    expectError(await residentPickup(gw, fx.lockerId, 'abc', '203.0.113.3'), 400, 'VALIDATION_FAILED');
    // The code was not burnt by the failed tries.
    await sim.reconnect();
    await until(() => gw.mqtt.isConnected(fx.deviceId), Boolean);
    expect((await residentPickup(gw, fx.lockerId, code, '203.0.113.3')).json().state).toBe('done');
  });

  it('a jammed door answers state failed/jammed; the parcel waits and the code still works', async () => {
    const { fx, sim, c, d, code } = await parcelWaiting();
    sim.jam(d.compartment, true);
    const jammed = await residentPickup(gw, fx.lockerId, code, '203.0.113.4');
    expect(jammed.statusCode).toBe(200);
    expect(jammed.json()).toMatchObject({ compartment: d.compartment, state: 'failed', reason: 'jammed' });
    expect(await parcelState(c, d.parcelId)).toBe('deposited');
    sim.jam(d.compartment, false);
    expect((await residentPickup(gw, fx.lockerId, code, '203.0.113.4')).json()).toMatchObject({ state: 'done' });
    expect(await parcelState(c, d.parcelId)).toBe('picked_up');
  });
});

describe('parcel left behind', () => {
  it('a door closed on the parcel right after its pickup raises parcel_left_behind and takes the compartment out of service', async () => {
    const { fx, sim, c, d, code } = await parcelWaiting();
    expect((await residentPickup(gw, fx.lockerId, code, '203.0.113.5')).json().state).toBe('done');
    sim.closeDoor(d.compartment); // the parcel is still inside
    await until(() => compartment(gw, fx, d.compartment), (x) => x.state === 'out_of_service');
    expect(await alarmsOf(gw, fx.lockerId)).toEqual([['parcel_left_behind', d.compartment]]);
    const alarm = await gw.ctx.store.read((tx) => tx.alarms.live(fx.lockerId, d.compartment, 'parcel_left_behind'));
    expect(alarm?.details).toMatchObject({ parcelId: d.parcelId });
    // The next courier is not sent to it.
    const next = await c.deposit(c.body(fx.lockerId));
    expect(next.json().compartment).not.toBe(d.compartment);
  });

  it('a door closed after the parcel was taken out raises nothing', async () => {
    const { fx, sim, d, code } = await parcelWaiting();
    expect((await residentPickup(gw, fx.lockerId, code, '203.0.113.6')).json().state).toBe('done');
    sim.removeParcel(d.compartment);
    sim.closeDoor(d.compartment);
    await until(() => compartment(gw, fx, d.compartment), (x) => x.door === 'closed');
    expect(await compartment(gw, fx, d.compartment)).toMatchObject({ state: 'available', occupancy: 'absent' });
    expect(await alarmsOf(gw, fx.lockerId)).toEqual([]);
  });
});

describe('per-client rate limit', () => {
  it('answers 429 RATE_LIMITED after LOCKERGATE_PICKUP_RATE_PER_MIN requests from one client, even with the right code', async () => {
    const limited = await startTestGateway({ env: { ...smsEnv(sms), LOCKERGATE_PICKUP_RATE_PER_MIN: '3' } });
    try {
      const { fx, sim, c, d, code } = await parcelWaiting(limited);
      for (let i = 0; i < 3; i++) expectError(await residentPickup(limited, fx.lockerId, wrongCode(code), '198.51.100.7'), 403, 'PICKUP_CODE_INVALID');
      expectError(await residentPickup(limited, fx.lockerId, code, '198.51.100.7'), 429, 'RATE_LIMITED');
      expect(sim.physical(d.compartment).door).toBe('closed');
      // The limit is per client: someone else is served.
      expect((await residentPickup(limited, fx.lockerId, code, '198.51.100.8')).json()).toMatchObject({ state: 'done' });
      expect(await parcelState(c, d.parcelId)).toBe('picked_up');
    } finally {
      await stopAllSims();
      await limited.stop();
    }
  });

  it('counts every request whatever its answer: the 11th within a minute is 429 at the default limit', async () => {
    const fx = await lockerFixture(gw, 'S:1');
    for (let i = 0; i < 10; i++) expectError(await residentPickup(gw, fx.lockerId, '123456', '198.51.100.9'), 503, 'LOCKER_OFFLINE');
    expectError(await residentPickup(gw, fx.lockerId, '123456', '198.51.100.9'), 429, 'RATE_LIMITED');
  });
});
