import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulate, startSimRig, testOptions, unexplained, type SimRig } from '../helpers/sim-rig.js';

let rig: SimRig;
beforeAll(async () => {
  rig = await startSimRig();
});
afterAll(async () => rig.stop());

describe('steady scenario against a real gateway', () => {
  it('deposits through the courier API, pickups at keypads and in the app with SMS codes; the oracle agrees', async () => {
    const fleet = await rig.fleet(6);
    const summary = await simulate(rig, fleet, testOptions({ durationS: 3 }));
    expect(unexplained(summary)).toEqual([]);
    expect(summary.oracle?.mismatches).toEqual([]);
    expect(summary.verdict).toBe('ok');
    expect(summary.controllers.online).toBe(6);
    expect(summary.operations.deposits.done).toBeGreaterThan(5);
    expect(summary.operations.pickups.done).toBeGreaterThan(3);
    // Every collected parcel was opened with the code its recipient received by SMS.
    expect(summary.sms?.pickupCodes).toBeGreaterThanOrEqual(summary.operations.pickups.done);
    expect(summary.sms?.badSignature).toBe(0);
    expect(summary.errors).toEqual({});
  });
});
