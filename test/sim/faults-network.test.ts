import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaultOptions } from '../../device-sim/run/faults.js';
import { simulate, startSimRig, testOptions, type SimRig } from '../helpers/sim-rig.js';

let rig: SimRig;
beforeAll(async () => {
  rig = await startSimRig();
});
afterAll(async () => rig.stop());

/**
 * Faults the gateway must absorb completely: after each, the oracle finds no mismatch at all,
 * explained or not (the fault explains nothing, see EXPLAINS in device-sim/run/oracle.ts).
 */
const ABSORBED: Array<[string, Partial<FaultOptions>, string]> = [
  ['connection drops', { dropRate: 20 }, 'drop'],
  ['reconnect storms', { stormEveryS: 1, stormFraction: 0.6 }, 'storm'],
  ['duplicated messages and commands', { duplicate: 0.4 }, 'duplicate'],
  ['lost acks', { loseAcks: 0.5 }, 'lost_ack'],
  ['late acks (after the gateway resent the command)', { lateAcks: 0.5, lateAckMs: 800 }, 'late_ack'],
  ['stale commands (arriving after their expiry)', { staleCommands: 0.4 }, 'stale_command'],
];

describe('faults the gateway absorbs: zero mismatches', () => {
  it.each(ABSORBED)('%s', async (_name, faults, kind) => {
    const fleet = await rig.fleet(5);
    const summary = await simulate(rig, fleet, testOptions({ faults: faults as FaultOptions, seed: 7 }));
    expect(summary.faults[kind]).toBeGreaterThan(0);
    expect(summary.oracle?.mismatches, JSON.stringify({ ops: summary.operations, faults: summary.faults, unsettled: summary.unsettled })).toEqual([]);
    expect(summary.verdict).toBe('ok');
    expect(summary.operations.deposits.done).toBeGreaterThan(0);
  });
});
