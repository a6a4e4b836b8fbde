import { afterEach, describe, expect, it } from 'vitest';
import type { SimController } from '../../../device-sim/index.js';
import { sweep } from '../../../src/app/sweeper.js';
import { until, type TestGateway } from '../../helpers/gateway.js';
import { GatewayPool } from '../../helpers/gateway-pool.js';
import { latestCode, smsEnv, startSmsInbox, type SmsInbox } from '../../helpers/inbox.js';
import { addCarrier, alarmsOf, compartment, Courier, onlineLocker, residentPickup, type LockerFixture, type TestCarrier } from '../../helpers/parcels.js';
import { stopAllSims } from '../../helpers/sim.js';
import { TcpRelay } from '../../helpers/tcp-relay.js';

const pool = new GatewayPool();
afterEach(async () => {
  await stopAllSims();
  await pool.cleanup();
});

interface Scene {
  sms: SmsInbox;
  relay: TcpRelay;
  first: TestGateway;
  fx: LockerFixture;
  sim: SimController;
  carrier: TestCarrier;
}

/**
 * A gateway (ManualClock) with a locker whose controller reaches it through a relay, so the
 * controller keeps its address across the restart. `openWaitS` bounds how long API opens wait.
 */
async function scene(openWaitS = '10'): Promise<Scene> {
  const sms = await startSmsInbox();
  pool.defer(() => sms.close());
  const env = { ...smsEnv(sms), LOCKERGATE_OPERATOR_OPEN_WAIT_S: openWaitS };
  const first = await pool.start({ manualClock: true, env });
  const relay = await TcpRelay.start(first.mqttPort);
  pool.defer(() => relay.close());
  const { fx, sim } = await onlineLocker(first, 'S:2', { url: relay.url, sim: { clock: pool.clock } });
  const carrier = await addCarrier(first, fx.operatorToken);
  return { sms, relay, first, fx, sim, carrier };
}

/** Stops the gateway, waits until the controller has noticed, and starts a new one on the same data. */
async function restart(s: Scene): Promise<TestGateway> {
  await pool.stopKeepingData(s.first);
  await until(() => s.sim.connected, (c) => !c, 5000, 'controller to notice the gateway is gone');
  const second = await pool.start({ manualClock: true, dataDir: s.first.dataDir, env: { ...smsEnv(s.sms), LOCKERGATE_OPERATOR_OPEN_WAIT_S: '10' } });
  // The restart took a second: the new gateway's time line continues the old one's.
  second.clock!.set(s.first.clock!.now() + 1000);
  s.relay.retarget(second.mqttPort);
  return second;
}

const online = (gw: TestGateway, fx: LockerFixture) => until(() => gw.mqtt.isConnected(fx.deviceId), Boolean, 5000, 'controller online');

describe('gateway restart during a deposit', () => {
  it('door open at the stop, parcel in and door closed while down: deposited after the restart, and the code works', async () => {
    const s = await scene();
    const open = await new Courier(s.first, s.carrier).openDeposit(s.fx.lockerId);
    const second = await restart(s);
    {
      // While the gateway was down the courier finished; the controller queued what it saw.
      s.sim.placeParcel(open.compartment);
      s.sim.closeDoor(open.compartment);
      expect(s.sim.queued.map((m) => [m.channel, (m.body as { type?: string }).type])).toEqual([['events', 'occupancy'], ['events', 'door']]);
      await s.sim.reconnect();
      const c = new Courier(second, s.carrier);
      expect(await c.waitDeposit(open.depositId, 'deposited')).toMatchObject({ compartment: open.compartment, reason: null });
      expect(s.sim.queued).toEqual([]);
      expect(await compartment(second, s.fx, open.compartment)).toMatchObject({ state: 'occupied', door: 'closed', occupancy: 'present' });
      expect((await c.getParcel(open.parcelId)).json().parcel.state).toBe('deposited');

      await second.dispatchNotifications();
      const code = latestCode(s.sms, open.parcelId);
      // Time moves on: nothing about this deposit is left for the sweeper to end or alarm on.
      second.clock!.advance(10 * 60_000);
      expect(await sweep(second.ctx)).toEqual({ ended: 0, resent: 0, alarms: 0 });
      expect(await alarmsOf(second, s.fx.lockerId)).toEqual([]);
      expect(await s.sim.typeCode(code)).toMatchObject({ result: 'open', compartment: open.compartment });
      await until(async () => (await c.getParcel(open.parcelId)).json().parcel.state, (st) => st === 'picked_up');
    }
  });
});

describe('gateway restart with a deposit still opening', () => {
  it('the open caught in flight is delivered after the restart: the door opens and the deposit completes', async () => {
    const s = await scene();
    const c1 = new Courier(s.first, s.carrier);
    s.relay.freeze();
    const res = await c1.deposit(c1.body(s.fx.lockerId));
    expect(res.json()).toMatchObject({ compartment: 1, state: 'opening' });
    const second = await restart(s);
    s.relay.thaw();
    expect(s.sim.physical(1).door).toBe('closed');
    await s.sim.reconnect();
    const c = new Courier(second, s.carrier);
    await c.waitDeposit(res.json().depositId, 'open');
    s.sim.placeParcel(1);
    s.sim.closeDoor(1);
    expect(await c.waitDeposit(res.json().depositId, 'deposited')).toMatchObject({ compartment: 1 });
  });

  it('a controller that rebooted meanwhile never got it: failed/interrupted_by_reboot and the compartment is free', async () => {
    const s = await scene();
    const c1 = new Courier(s.first, s.carrier);
    s.relay.freeze();
    const res = await c1.deposit(c1.body(s.fx.lockerId));
    const second = await restart(s);
    s.relay.thaw();
    await s.sim.powerCycle();
    const c = new Courier(second, s.carrier);
    expect(await c.waitDeposit(res.json().depositId, 'failed')).toMatchObject({ reason: 'interrupted_by_reboot' });
    expect(s.sim.physical(1).door).toBe('closed');
    expect((await compartment(second, s.fx, 1)).state).toBe('available');
    expect((await c.getParcel(res.json().parcelId)).json().parcel.state).toBe('cancelled');
    // The courier tries again and gets the same compartment.
    expect((await c.deposit(c.body(s.fx.lockerId))).json()).toMatchObject({ compartment: 1, state: 'opening' });
  });
});

describe('gateway restart during a pickup', () => {
  /** A deposited parcel, then an app pickup whose open command is stuck on a frozen link (202 opening). */
  async function pickupInFlight() {
    const s = await scene('0.2');
    const d = await new Courier(s.first, s.carrier).depositParcel(s.sim, s.fx.lockerId);
    await s.first.dispatchNotifications();
    const code = latestCode(s.sms, d.parcelId);
    s.relay.freeze();
    const res = await residentPickup(s.first, s.fx.lockerId, code);
    expect(res.statusCode).toBe(202);
    expect(res.json()).toMatchObject({ compartment: d.compartment, state: 'opening', reason: null });
    const second = await restart(s);
    s.relay.thaw();
    expect(s.sim.executedCommands).toHaveLength(1); // the deposit's open only
    return { s, d, code, second, pickupId: res.json().pickupId as string, c: new Courier(second, s.carrier) };
  }

  const pickupOf = (gw: TestGateway, id: string) => gw.ctx.store.read((tx) => tx.pickups.get(id));
  const parcelState = async (c: Courier, id: string) => (await c.getParcel(id)).json().parcel.state as string;

  it('resolves: the controller comes back with the same boot, the command is delivered again and the parcel is picked up', async () => {
    const { s, d, second, pickupId, c } = await pickupInFlight();
    await s.sim.reconnect();
    await until(() => parcelState(c, d.parcelId), (st) => st === 'picked_up');
    expect(s.sim.physical(d.compartment).door).toBe('open');
    expect(s.sim.executedCommands).toHaveLength(2);
    expect(await pickupOf(second, pickupId)).toMatchObject({ state: 'done', reason: null });
    second.clock!.advance(2 * 60_000);
    await sweep(second.ctx);
    expect(await pickupOf(second, pickupId)).toMatchObject({ state: 'done' });
    expect(await parcelState(c, d.parcelId)).toBe('picked_up');
  });

  it('fails cleanly when the controller rebooted: pickup failed/interrupted_by_reboot, parcel still waiting, the code still works', async () => {
    const { s, d, code, second, pickupId, c } = await pickupInFlight();
    await s.sim.powerCycle();
    await online(second, s.fx);
    await until(() => pickupOf(second, pickupId), (p) => p?.state !== 'opening');
    expect(await pickupOf(second, pickupId)).toMatchObject({ state: 'failed', reason: 'interrupted_by_reboot' });
    expect(s.sim.physical(d.compartment).door).toBe('closed');
    expect(await parcelState(c, d.parcelId)).toBe('deposited');
    expect((await residentPickup(second, s.fx.lockerId, code)).json()).toMatchObject({ compartment: d.compartment, state: 'done' });
    expect(await parcelState(c, d.parcelId)).toBe('picked_up');
  });

  it('fails cleanly when the controller stays away: the sweeper ends it at the command expiry, never stuck opening', async () => {
    const { s, d, code, second, pickupId, c } = await pickupInFlight();
    second.clock!.advance(58_000);
    await sweep(second.ctx);
    expect(await pickupOf(second, pickupId)).toMatchObject({ state: 'opening' });
    second.clock!.advance(2_000); // past the 60 s command TTL
    await sweep(second.ctx);
    expect(await pickupOf(second, pickupId)).toMatchObject({ state: 'failed', reason: 'expired_unacknowledged' });
    expect(await parcelState(c, d.parcelId)).toBe('deposited');

    // When it does come back, the dead command is not executed; the resident simply tries again.
    await s.sim.reconnect();
    await online(second, s.fx);
    expect(s.sim.executedCommands).toHaveLength(1);
    expect((await residentPickup(second, s.fx.lockerId, code)).json()).toMatchObject({ state: 'done' });
    expect(s.sim.executedCommands).toHaveLength(2);
  });
});
