import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaultOptions } from '../../device-sim/run/faults.js';
import { simulate, startSimRig, testOptions, unexplained, type SimRig } from '../helpers/sim-rig.js';

let rig: SimRig;
beforeAll(async () => {
  rig = await startSimRig();
});
afterAll(async () => rig.stop());

/**
 * Physical faults (and reordering, which the protocol cannot repair): they may leave the
 * gateway's view different from the truth, and then every difference is explained by the
 * fault injected at that compartment or locker; none is unexplained.
 */
const PHYSICAL: Array<[string, Partial<FaultOptions>, string]> = [
  ['jammed doors', { jam: 0.4 }, 'jam'],
  ['sensor faults', { sensorFaults: 0.4 }, 'sensor_fault'],
  ['doors left open', { leaveOpen: 0.4, leftOpenS: 0.5 }, 'door_left_open'],
  ['forced doors (and thefts)', { forceDoors: 0.5 }, 'forced_door'],
  // High enough that a short run on a loaded CI machine still cuts power at least once (it did not once at 0.3).
  ['power loss in the middle of a deposit or pickup', { powerLoss: 0.6 }, 'power_loss'],
  ['reordered messages', { reorder: 0.15 }, 'reorder'],
];

describe('physical faults: every mismatch explained', () => {
  it.each(PHYSICAL)('%s', async (_name, faults, kind) => {
    const fleet = await rig.fleet(5);
    const summary = await simulate(rig, fleet, testOptions({ faults: faults as FaultOptions, seed: 11 }));
    expect(summary.faults[kind]).toBeGreaterThan(0);
    expect(unexplained(summary)).toEqual([]);
    expect(summary.verdict).toBe('ok');
  }, 60_000);
});
