import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { codeAttemptHistoryMs, runHoldRules } from '../../src/app/parcels/expiry.js';
import { pickupByCode } from '../../src/app/parcels/pickups.js';
import { connect, startHarness, type Harness } from './harness.js';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
  await connect(h); // codes are checked only while the locker's controller is online
});
afterEach(async () => h.cleanup());

/** A wrong code typed through the API (no parcel has it); the answer is a refusal either way. */
const guess = (code: string) => pickupByCode(h.ctx, { lockerId: h.lockerId, code, waitMs: 0 }).catch((err: unknown) => err);
const failuresSince = (since: number) => h.store.read((tx) => tx.codes.failuresSince(h.lockerId, since));

describe('pickup-code attempts are kept only as long as the brute-force counts read them', () => {
  it('the hold-rules pass forgets attempts older than a day and keeps the newer ones', async () => {
    const t0 = h.clock.now();
    for (const code of ['111111', '222222']) await guess(code);
    h.clock.advance(codeAttemptHistoryMs(h.ctx.settings) - 60_000);
    await guess('333333');
    expect(await failuresSince(0)).toBe(3);

    h.clock.advance(120_000); // the first two are now older than a day, the third is not
    const report = await runHoldRules(h.ctx);
    expect(report.prunedAttempts).toBe(2);
    expect(await failuresSince(0)).toBe(1);
    expect(await failuresSince(t0 + 1)).toBe(1); // the one kept is the newest
    expect((await runHoldRules(h.ctx)).prunedAttempts).toBe(0);
  });

  it('keeps attempts for the whole lockout window when it is configured longer than a day', () => {
    expect(codeAttemptHistoryMs({ codeFailureWindowMs: 60_000 })).toBe(24 * 3_600_000);
    expect(codeAttemptHistoryMs({ codeFailureWindowMs: 3 * 24 * 3_600_000 })).toBe(3 * 24 * 3_600_000);
  });
});
