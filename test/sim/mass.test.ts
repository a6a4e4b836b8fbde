import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metric, until } from '../helpers/gateway.js';
import { simulate, startSimRig, testOptions, type SimRig } from '../helpers/sim-rig.js';

let rig: SimRig;
beforeAll(async () => {
  // The sweeper and dispatcher every 500 ms: with 2,000 devices a sweep is not free.
  rig = await startSimRig({}, { jobsEveryMs: 500 });
}, 60_000);
afterAll(async () => rig.stop());

describe('mass mode', () => {
  it('holds 2,000 raw-socket controllers from 2 worker processes, with heartbeats, deposits and pickups; the oracle agrees', async () => {
    const fleet = await rig.fleet(2000, { mailboxShare: 0.1 });
    const summary = await simulate(rig, fleet, testOptions({ engine: 'raw', durationS: 3, rate: 20, keepaliveS: 2, telemetryS: 3, connectConcurrency: 100 }), { workers: 2 });
    expect(summary.verdict, JSON.stringify(summary.oracle?.mismatches.slice(0, 5))).toBe('ok');
    expect(summary.controllers.online).toBe(2000);
    expect(summary.controllers.allOnlineAfterS).not.toBeNull();
    expect(summary.oracle).toMatchObject({ lockers: 2000, unexplained: 0, explained: 0 });
    expect(summary.oracle!.compartments).toBeGreaterThan(2000 * 16);
    // Keepalive: idle controllers sent PINGREQ and got PINGRESP; telemetry went out on its period.
    expect(summary.heartbeats.pingreq).toBeGreaterThan(1000);
    expect(summary.heartbeats.pingresp).toBeGreaterThan(summary.heartbeats.pingreq * 0.9);
    expect(summary.heartbeats.telemetry).toBeGreaterThan(2000);
    // Both workers carried load and reported their own CPU.
    expect(summary.simulator.processes).toHaveLength(2);
    for (const p of summary.simulator.processes) expect(p.cpuPct).toBeGreaterThan(0);
    expect(new Set(summary.simulator.processes.map((p) => p.pid)).size).toBe(2);
    expect(summary.operations.deposits.done).toBeGreaterThan(20);
    expect(summary.operations.pickups.done).toBeGreaterThan(5);
    // Everyone said goodbye (offline status, DISCONNECT) at the end.
    await until(() => metric(rig.gw.metrics.connectedDevices), (n) => n === 0, 10_000, 'all disconnected');
  }, 90_000);
});
