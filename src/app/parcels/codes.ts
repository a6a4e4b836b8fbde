import { LockergateError } from '../../domain/errors.js';
import type { Parcel } from '../../domain/parcel.js';
import type { AppContext } from '../context.js';
import type { Effects } from '../effects.js';
import { hashPickupCode } from '../personal-data.js';
import type { Tx } from '../ports.js';
import { addPickupCode, controllerHasher, isFreeOffline, revokeParcelCodes } from '../offline/code-set.js';

/**
 * Issues a fresh pickup code for a deposited parcel: numeric (keypad-friendly), unique among the
 * locker's active codes, stored only as a keyed hash, expiring with the parcel's hold. Earlier
 * codes of the parcel are revoked. Returns the plain code for the recipient message only.
 */
export function issuePickupCode(ctx: AppContext, tx: Tx, parcel: Parcel, now: number): string {
  revokeParcelCodes(ctx, tx, parcel.id, now, 'reissued');
  const digits = ctx.settings.pickupCodeDigits;
  // Unique among the gateway's codes of the locker and among its controller's (household codes too).
  const controller = controllerHasher(ctx, tx, parcel.lockerId);
  for (let attempt = 0; attempt < 50; attempt++) {
    const code = String(ctx.random(4).readUInt32BE(0) % 10 ** digits).padStart(digits, '0');
    const hash = hashPickupCode(ctx.keys.pickupCode, parcel.lockerId, code);
    if (tx.codes.findActive(parcel.lockerId, hash)) continue;
    const offlineHash = controller.hash(code);
    if (!isFreeOffline(tx, parcel.lockerId, offlineHash)) continue;
    tx.codes.insert(parcel.id, parcel.lockerId, hash, now, parcel.holdUntil ?? now);
    addPickupCode(ctx, tx, parcel, offlineHash);
    return code;
  }
  // 50 collisions in a row means the locker's code space is nearly full: a configuration problem.
  throw new LockergateError('INTERNAL', 'Could not find a free pickup code for this locker.');
}

export type CodeVerdict =
  | { ok: true; parcel: Parcel }
  | { ok: false; reason: 'invalid' | 'expired' | 'locked_out' };

/**
 * Checks a typed code at a locker, in steps: lockout first (a locked keypad does not even look at
 * the code), then the keyed hash among the locker's unrevoked codes, then expiry. Every wrong code
 * counts against the locker; too many within the window lock it out and raise an alarm.
 */
export function verifyPickupCode(
  ctx: AppContext,
  tx: Tx,
  effects: Effects,
  input: { lockerId: string; code: string; channel: 'keypad' | 'api' },
  now: number,
): CodeVerdict {
  const { settings } = ctx;
  const lockedUntil = tx.codes.lockedUntil(input.lockerId);
  if (lockedUntil !== undefined && lockedUntil > now) return { ok: false, reason: 'locked_out' };
  const hash = hashPickupCode(ctx.keys.pickupCode, input.lockerId, input.code);
  const found = tx.codes.findActive(input.lockerId, hash);
  const parcel = found ? tx.parcels.get(found.parcelId) : undefined;
  if (found && parcel?.state === 'deposited' && found.expiresAt > now) {
    tx.codes.recordAttempt(input.lockerId, now, input.channel, true);
    return { ok: true, parcel };
  }
  tx.codes.recordAttempt(input.lockerId, now, input.channel, false);
  const failures = tx.codes.failuresSince(input.lockerId, now - settings.codeFailureWindowMs);
  if (failures >= settings.codeMaxFailures) {
    tx.codes.lockOut(input.lockerId, now + settings.codeLockoutMs);
    effects.raise(tx, { kind: 'keypad_lockout', lockerId: input.lockerId, compartment: null, details: { failures, channel: input.channel, until: now + settings.codeLockoutMs } }, now);
  }
  // A patient guesser stays under the lockout window; the hourly count still gives them away.
  const hourly = tx.codes.failuresSince(input.lockerId, now - 3_600_000);
  if (hourly >= settings.codeGuessingAlarmPerHour) {
    effects.raise(tx, { kind: 'code_guessing', lockerId: input.lockerId, compartment: null, details: { failuresLastHour: hourly } }, now);
  }
  // A code that was real but ran out says so (the resident needs a new one, not another guess).
  const latest = tx.codes.findLatest(input.lockerId, hash);
  const expired = latest !== undefined && (latest.revokeReason === 'expired' || (latest.revokeReason === null && latest.expiresAt <= now));
  return { ok: false, reason: expired ? 'expired' : 'invalid' };
}
