import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, until, type TestGateway } from '../../helpers/gateway.js';
import { latestCode, SignedInbox, smsEnv, startSmsInbox, type CarrierEvent, type CarrierHooks, type SmsInbox } from '../../helpers/inbox.js';
import { addCarrier, compartment, Courier, expectError, onlineLocker } from '../../helpers/parcels.js';
import { stopAllSims } from '../../helpers/sim.js';
import { sweep } from '../../../src/app/sweeper.js';

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

async function courier(operatorToken: string): Promise<Courier> {
  const path = `/hooks/${Math.random().toString(36).slice(2)}`;
  const carrier = await addCarrier(gw, operatorToken, hooks.url(path));
  hooks.pathSecrets.set(path, carrier.webhookSecret!);
  return new Courier(gw, carrier);
}

describe('compartments without an occupancy sensor', () => {
  it('stay open after the door closes until the courier confirms; then deposited and a code is sent', async () => {
    const { fx, sim } = await onlineLocker(gw, 'M:2:nosensor');
    const c = await courier(fx.operatorToken);
    const open = await c.openDeposit(fx.lockerId, { size: 'M' });
    expect(open.compartment).toBe(1);

    sim.placeParcel(1);
    sim.closeDoor(1);
    await until(() => compartment(gw, fx, 1), (x) => x.door === 'closed');
    expect((await compartment(gw, fx, 1)).occupancy).toBe('unknown');
    expect((await c.getDeposit(open.depositId)).json().state).toBe('open');

    const confirmed = await c.confirm(open.depositId);
    expect(confirmed.statusCode).toBe(200);
    expect(confirmed.json()).toMatchObject({ depositId: open.depositId, compartment: 1, state: 'deposited', reason: null });
    expect((await compartment(gw, fx, 1)).state).toBe('occupied');
    const view = (await c.getParcel(open.parcelId)).json();
    expect(view.parcel.state).toBe('deposited');
    expect(view.timeline.at(-1)).toMatchObject({ type: 'deposited', details: { compartment: 1, confirmedBy: 'courier' } });
    await gw.dispatchNotifications();
    expect(latestCode(sms, open.parcelId)).toMatch(/^\d{6}$/);

    const again = await c.confirm(open.depositId);
    expectError(again, 409, 'DEPOSIT_NOT_OPEN');
    expect(again.json().error.details).toEqual({ state: 'deposited' });
  });

  it('a confirmation while the door still reads open is kept: the deposit completes when the door is reported shut', async () => {
    const { fx, sim } = await onlineLocker(gw, 'M:2:nosensor');
    const c = await courier(fx.operatorToken);
    const open = await c.openDeposit(fx.lockerId, { size: 'M' });
    const early = await c.confirm(open.depositId);
    expect(early.statusCode).toBe(200);
    expect(early.json()).toMatchObject({ depositId: open.depositId, state: 'open', reason: null });
    expect(early.json().confirmedAt).toEqual(expect.any(Number));
    // Asking again changes nothing: the first confirmation counts.
    expect((await c.confirm(open.depositId)).json().confirmedAt).toBe(early.json().confirmedAt);

    sim.placeParcel(1);
    sim.closeDoor(1);
    expect(await c.waitDeposit(open.depositId, 'deposited')).toMatchObject({ compartment: 1, state: 'deposited' });
    expect((await compartment(gw, fx, 1)).state).toBe('occupied');
    expect((await c.getParcel(open.parcelId)).json().timeline.at(-1)).toMatchObject({ type: 'deposited', details: { confirmedBy: 'courier' } });
  });

  it('confirming a deposit whose compartment senses occupancy → 409 CONFIRMATION_NOT_NEEDED', async () => {
    const { fx, sim } = await onlineLocker(gw, 'S:1,M:1:nosensor');
    const c = await courier(fx.operatorToken);
    const open = await c.openDeposit(fx.lockerId, { size: 'S' });
    expect(open.compartment).toBe(1);
    expectError(await c.confirm(open.depositId), 409, 'CONFIRMATION_NOT_NEEDED');
    // The sensor completes it by itself.
    sim.placeParcel(1);
    sim.closeDoor(1);
    expect((await c.waitDeposit(open.depositId, 'deposited')).compartment).toBe(1);
  });
});

describe('a deposit nobody confirms', () => {
  it('door shut, parcel neither sensed nor confirmed for 15 minutes → deposit_unconfirmed once; confirming clears it and delivers', async () => {
    const clocked = await startTestGateway({ manualClock: true, env: smsEnv(sms) });
    try {
      const { fx, sim } = await onlineLocker(clocked, 'M:1:nosensor');
      const path = `/hooks/${Math.random().toString(36).slice(2)}`;
      const carrier = await addCarrier(clocked, fx.operatorToken, hooks.url(path));
      hooks.pathSecrets.set(path, carrier.webhookSecret!);
      const c = new Courier(clocked, carrier);
      const open = await c.openDeposit(fx.lockerId, { size: 'M' });
      sim.placeParcel(1);
      sim.closeDoor(1);
      await until(() => compartment(clocked, fx, 1), (x) => x.door === 'closed');
      const live = () => clocked.ctx.store.read((tx) => tx.alarms.live(fx.lockerId, 1, 'deposit_unconfirmed'));

      clocked.clock!.advance(14 * 60_000);
      await sweep(clocked.ctx);
      expect(await live()).toBeUndefined();
      clocked.clock!.advance(2 * 60_000);
      expect((await sweep(clocked.ctx)).alarms).toBe(1);
      expect(await live()).toMatchObject({ kind: 'deposit_unconfirmed', state: 'open', details: { depositId: open.depositId, parcelId: open.parcelId } });
      expect((await sweep(clocked.ctx)).alarms).toBe(0); // once, not every sweep

      expect((await c.confirm(open.depositId)).json()).toMatchObject({ state: 'deposited' });
      expect(await live()).toBeUndefined();
    } finally {
      await clocked.stop();
    }
  });
});

describe('cancel', () => {
  it('before the door closes: deposit cancelled, parcel cancelled, compartment available, no code sent', async () => {
    const { fx, sim } = await onlineLocker(gw, 'S:1');
    const c = await courier(fx.operatorToken);
    const open = await c.openDeposit(fx.lockerId);
    const res = await c.cancel(open.depositId);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ depositId: open.depositId, state: 'cancelled' });
    expect((await compartment(gw, fx, 1)).state).toBe('available');
    expect((await c.getParcel(open.parcelId)).json().parcel.state).toBe('cancelled');
    sim.closeDoor(1);
    await until(() => compartment(gw, fx, 1), (x) => x.door === 'closed');
    expect((await c.getDeposit(open.depositId)).json()).toMatchObject({ state: 'cancelled', reason: null });
    await gw.dispatchNotifications();
    expect(sms.about(open.parcelId)).toEqual([]);
    expectError(await c.cancel(open.depositId), 409, 'DEPOSIT_NOT_CANCELLABLE');
  });

  it('tells the carrier: parcel.cancelled', async () => {
    const { fx } = await onlineLocker(gw, 'S:1');
    const c = await courier(fx.operatorToken);
    const open = await c.openDeposit(fx.lockerId);
    expect((await c.cancel(open.depositId)).statusCode).toBe(200);
    await gw.dispatchNotifications();
    expect(hooks.about(open.parcelId, 'data.parcelId').map((e) => [e.event, e.body.data['state']])).toEqual([['parcel.cancelled', 'cancelled']]);
  });

  it('after deposited → 409 DEPOSIT_NOT_CANCELLABLE, the parcel stays deposited', async () => {
    const { fx, sim } = await onlineLocker(gw, 'S:1');
    const c = await courier(fx.operatorToken);
    const d = await c.depositParcel(sim, fx.lockerId);
    const res = await c.cancel(d.depositId);
    expectError(res, 409, 'DEPOSIT_NOT_CANCELLABLE');
    expect(res.json().error.details).toEqual({ state: 'deposited' });
    expect((await c.getParcel(d.parcelId)).json().parcel.state).toBe('deposited');
    expect((await compartment(gw, fx, 1)).state).toBe('occupied');
  });

  it('does not hand a compartment that still holds the cancelled parcel to the next courier', async () => {
    const { fx, sim } = await onlineLocker(gw, 'S:2');
    const c = await courier(fx.operatorToken);
    const open = await c.openDeposit(fx.lockerId);
    sim.placeParcel(open.compartment);
    expect((await c.cancel(open.depositId)).statusCode).toBe(200);
    // The courier changes their mind once more and shuts the door with the parcel inside.
    sim.closeDoor(open.compartment);
    await until(() => compartment(gw, fx, open.compartment), (x) => x.door === 'closed' && x.occupancy === 'present');
    const next = await c.deposit(c.body(fx.lockerId));
    expect(next.statusCode).toBe(202);
    expect(next.json().compartment).toBe(2);
  });
});

describe('resize', () => {
  it('opens a larger compartment, frees the first, and keeps the deposit id', async () => {
    const { fx, sim } = await onlineLocker(gw, 'S:1,M:1');
    const c = await courier(fx.operatorToken);
    const open = await c.openDeposit(fx.lockerId, { size: 'S' });
    expect(open.compartment).toBe(1);

    const res = await c.resize(open.depositId);
    expect(res.statusCode).toBe(202);
    // The parcel keeps its declared size S; it now sits in the M compartment 2.
    expect(res.json()).toMatchObject({ depositId: open.depositId, parcelId: open.parcelId, compartment: 2, size: 'S', state: 'opening' });
    await c.waitDeposit(open.depositId, 'open');
    expect(sim.physical(2).door).toBe('open');
    expect((await compartment(gw, fx, 1)).state).toBe('available');
    expect((await compartment(gw, fx, 2)).state).toBe('reserved');

    sim.closeDoor(1);
    sim.placeParcel(2);
    sim.closeDoor(2);
    expect(await c.waitDeposit(open.depositId, 'deposited')).toMatchObject({ compartment: 2, size: 'S' });
    const view = (await c.getParcel(open.parcelId)).json();
    expect(view.parcel).toMatchObject({ compartment: 2, state: 'deposited' });
    expect(view.timeline.map((e: { type: string }) => e.type)).toEqual(['reserved', 'resized', 'deposited']);
    expect(view.timeline[1].details).toEqual({ from: 1, to: 2, size: 'M' });
    expect(await compartment(gw, fx, 1)).toMatchObject({ state: 'available', door: 'closed', occupancy: 'absent' });

    expectError(await c.resize(open.depositId), 409, 'DEPOSIT_NOT_OPEN');
  });

  it('→ 409 NO_LARGER_COMPARTMENT when no larger one is free; the deposit stays where it is', async () => {
    const { fx, sim } = await onlineLocker(gw, 'S:1,M:1');
    const c = await courier(fx.operatorToken);
    await c.depositParcel(sim, fx.lockerId, { size: 'M' });
    const open = await c.openDeposit(fx.lockerId, { size: 'S' });
    const res = await c.resize(open.depositId);
    expectError(res, 409, 'NO_LARGER_COMPARTMENT');
    expect(res.json().error.details).toEqual({ from: 'S' });
    expect((await c.getDeposit(open.depositId)).json()).toMatchObject({ compartment: 1, state: 'open' });
    expect((await compartment(gw, fx, 1)).state).toBe('reserved');
  });
});
