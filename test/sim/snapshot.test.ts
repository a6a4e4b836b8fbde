import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatewayApi } from '../../device-sim/api/gateway-api.js';
import { SimController, openRawSession } from '../../device-sim/index.js';
import { parseLayout } from '../../device-sim/fleet/layout.js';
import { until } from '../helpers/gateway.js';
import { startSimRig, type SimRig } from '../helpers/sim-rig.js';

let rig: SimRig;
let api: GatewayApi;
beforeAll(async () => {
  rig = await startSimRig();
  api = new GatewayApi(rig.httpUrl);
});
afterAll(async () => {
  api.close();
  await rig.stop();
});

/** A controller of `protocol` whose compartment 3 is forced open while its link is down; `check` runs after it reconnected. */
async function forcedWhileOffline(protocol: '1.0' | '1.1', check: (sim: SimController, lockerId: string) => Promise<void>): Promise<void> {
  const fleet = await rig.fleet(1, { mailboxShare: 0 });
  const l = fleet.lockers[0]!;
  const sim = new SimController({ url: rig.mqttUrl, deviceId: l.deviceId, secret: l.secret, compartments: parseLayout(l.layout), session: openRawSession, protocol });
  try {
    await sim.start();
    await until(() => api.locker(rig.token, l.lockerId), (v) => v.device?.online === true, 5000, 'online');
    await sim.dropConnection();
    sim.forceOpen(3);
    await sim.reconnect();
    await check(sim, l.lockerId);
  } finally {
    await sim.stop();
  }
}

describe('mass-mode controller: reconnect snapshot against the gateway (protocol §3.5, §7)', () => {
  it('v1.0: a door forced while offline is in the snapshot (snapshot_mismatch); the replayed event after it raises nothing twice', async () => {
    await forcedWhileOffline('1.0', async (sim, lockerId) => {
      const alarms = await until(() => api.alarms(rig.token, `lockerId=${lockerId}&kind=snapshot_mismatch`), (a) => a.length >= 1, 5000, 'alarm');
      expect(alarms.map((a) => [a.kind, a.compartment])).toEqual([['snapshot_mismatch', 3]]);
      await until(() => Promise.resolve(sim.queued.length), (n) => n === 0, 5000, 'replay acknowledged');
      expect((await api.alarms(rig.token, `lockerId=${lockerId}&kind=door_forced`))).toEqual([]);
      const view = await api.locker(rig.token, lockerId);
      expect(view.compartments[2]).toMatchObject({ index: 3, door: 'open', state: 'available' });
      expect(sim.stats.replayed).toBe(1);
    });
  });

  it('v1.1: queued events come before the snapshot, so the forced door is reported as door_forced and the snapshot then agrees', async () => {
    await forcedWhileOffline('1.1', async (sim, lockerId) => {
      await until(() => Promise.resolve(sim.queued.length), (n) => n === 0, 5000, 'replay acknowledged');
      const forced = await until(() => api.alarms(rig.token, `lockerId=${lockerId}&kind=door_forced`), (a) => a.length >= 1, 5000, 'door_forced');
      expect(forced.map((a) => a.compartment)).toEqual([3]);
      const view = await until(() => api.locker(rig.token, lockerId), (v) => v.compartments[2]?.door === 'open', 5000, 'snapshot applied');
      expect(view.compartments[2]).toMatchObject({ index: 3, door: 'open', state: 'available' });
      expect(await api.alarms(rig.token, `lockerId=${lockerId}&kind=snapshot_mismatch`)).toEqual([]);
    });
  });
});
