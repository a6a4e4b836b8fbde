import type { AppContext } from '../context.js';
import { notifyCarrier, notifyRecipient } from '../notifications.js';
import { decrypt } from '../personal-data.js';
import { moveParcel, parcelSummary } from './lifecycle.js';
import { recordExpiry } from '../reports/rollups.js';
import { revokeParcelCodes } from '../offline/code-set.js';

export interface HoldReport {
  reminded: number;
  expired: number;
  purged: number;
  /** Revoked controller code entries forgotten (older than OFFLINE_CODE_HISTORY_MS). */
  prunedCodes: number;
  /** Pickup-code attempts forgotten (older than codeAttemptHistoryMs). */
  prunedAttempts: number;
}

/**
 * How long a revoked controller code is remembered: an offline pickup replayed later than this
 * cannot be told from an unknown code. Controllers whose set is older get a full set.
 */
export const OFFLINE_CODE_HISTORY_MS = 30 * 24 * 3_600_000;

const BATCH = 500;

/**
 * How long pickup-code attempts are kept: they only feed the brute-force counts (the lockout
 * window and the hourly guessing alarm), so a day — or the lockout window, if configured longer.
 */
export function codeAttemptHistoryMs(settings: { codeFailureWindowMs: number }): number {
  return Math.max(24 * 3_600_000, settings.codeFailureWindowMs);
}

/** Attempts forgotten per pass at most (a first pass over a long history must not hold the loop). */
const ATTEMPT_PRUNE_BATCH = 5000;

/**
 * The hold-time rules, run by a job every minute (and by tests with a moved clock), in steps:
 * remind recipients before the hold ends; expire parcels whose hold ended (their code stops
 * working, the carrier is told to retrieve them); purge phone numbers of parcels finished longer
 * ago than the retention period; forget controller code history and pickup-code attempts past
 * their use.
 */
export async function runHoldRules(ctx: AppContext): Promise<HoldReport> {
  const now = ctx.clock.now();
  const { settings } = ctx;
  return ctx.store.transact((tx) => {
    const report: HoldReport = { reminded: 0, expired: 0, purged: 0, prunedCodes: 0, prunedAttempts: 0 };
    for (const p of tx.parcels.dueForReminder(now + settings.reminderBeforeMs, BATCH)) {
      if (p.holdUntil === null || p.holdUntil <= now) continue; // about to expire: no reminder
      tx.parcels.update({ ...p, reminderSentAt: now });
      tx.parcels.addEvent({ parcelId: p.id, at: now, type: 'reminder_sent', details: {} });
      const locker = tx.lockers.get(p.lockerId);
      const site = locker ? tx.sites.get(locker.siteId) : undefined;
      if (p.recipientPhoneSealed) {
        notifyRecipient(ctx, tx, { kind: 'reminder', phone: decrypt(ctx.keys.data, p.recipientPhoneSealed), parcelId: p.id, lockerName: locker?.name ?? p.lockerId, address: site?.address ?? '', holdUntil: p.holdUntil }, now);
      }
      notifyCarrier(ctx, tx, p.carrierId, 'parcel.expiring', parcelSummary(p), now);
      report.reminded++;
    }
    for (const p of tx.parcels.dueForExpiry(now, BATCH)) {
      const expired = moveParcel(tx, p, 'expired', now);
      recordExpiry(tx, expired, now);
      revokeParcelCodes(ctx, tx, p.id, now, 'expired');
      notifyCarrier(ctx, tx, p.carrierId, 'parcel.expired', parcelSummary(expired), now);
      report.expired++;
    }
    for (const p of tx.parcels.purgeable(now - settings.personalDataRetentionMs, BATCH)) {
      tx.parcels.update({ ...p, recipientPhoneSealed: null, recipientPhoneMasked: null });
      tx.parcels.addEvent({ parcelId: p.id, at: now, type: 'personal_data_purged', details: {} });
      report.purged++;
    }
    report.prunedCodes = tx.offlineCodes.prune(now - OFFLINE_CODE_HISTORY_MS);
    report.prunedAttempts = tx.codes.pruneAttempts(now - codeAttemptHistoryMs(settings), ATTEMPT_PRUNE_BATCH);
    return report;
  });
}
