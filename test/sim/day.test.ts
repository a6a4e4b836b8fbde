import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runHoldRules } from '../../src/app/parcels/expiry.js';
import { simulate, startSimRig, testOptions, unexplained, type SimRig } from '../helpers/sim-rig.js';

let rig: SimRig;
beforeAll(async () => {
  rig = await startSimRig();
});
afterAll(async () => rig.stop());

describe('day in the life', () => {
  it('courier waves, pickups through the day, and parcels that expire are retrieved; the oracle agrees', async () => {
    const fleet = await rig.fleet(6, { mailboxShare: 0.3 });
    // 07:00–23:00 at 8,000×: the simulated day lasts 7.2 s.
    const options = testOptions({ scenario: 'day', speed: 8000, days: 1, fill: 0.4, noShow: 0.3, holdHours: 1, appShare: 0.2 });
    let expiredByGateway = 0;
    const summary = await simulate(rig, fleet, options, {
      onStart: () => {
        // After the morning wave (≈ 12:30 simulated), the gateway's clock jumps 2 h: every hold
        // so far has ended, and the hold rules expire those parcels.
        setTimeout(() => {
          rig.clock.offsetMs += 2 * 3_600_000;
          void runHoldRules(rig.gw.ctx).then((r) => (expiredByGateway = r.expired));
        }, 2500);
      },
    });
    expect(unexplained(summary)).toEqual([]);
    expect(summary.verdict).toBe('ok');
    expect(summary.operations.deposits.done).toBeGreaterThan(10);
    expect(summary.operations.pickups.done).toBeGreaterThan(0);
    expect(expiredByGateway).toBeGreaterThan(0);
    // Each retrieved parcel is `returned` at the gateway: the oracle checked every parcel's state.
    expect(summary.operations.retrievals.done).toBeGreaterThan(0);
    expect(summary.oracle?.parcels).toBeGreaterThanOrEqual(summary.operations.deposits.done);
  }, 60_000);
});
