import type { LocalOpenEventT } from '../../../protocol/schemas/events.js';
import type { Pickup } from '../../domain/deposit.js';
import type { UplinkVerdict } from '../device-session.js';
import type { EventScope } from '../event-scope.js';
import { collectHouseholdMail } from '../households.js';
import { newTimeOrderedId } from '../ids.js';
import { completePickup } from '../parcels/lifecycle.js';
import type { LocalOpen, OfflineCode } from './ports.js';

/**
 * A controller opened on a code it checked itself (protocol §12.4, §12.7): an offline pickup, or a
 * household opening its own mailbox. The reconciliation rule, in steps:
 *   1. the code must be one the controller held at the version it names (`codeVersion`) and for
 *      that compartment; otherwise `offline_code_unknown` (critical: tampering or broken firmware);
 *   2. a code revoked at or before that version must never have opened: `offline_code_unknown`;
 *   3. a household code: the household's waiting mail is collected;
 *   4. a pickup code whose parcel is deposited — or expired, or whose code was reissued while the
 *      locker was offline — is picked up at the controller's time of the event: the parcel is
 *      physically gone, the carrier is told, every code of it is revoked everywhere;
 *   5. a parcel that had already left (picked up, returned, cancelled, incident): nothing changes,
 *      `offline_pickup_conflict` asks a person to look.
 */
export function handleLocalOpen(scope: EventScope, e: LocalOpenEventT): UplinkVerdict | void {
  const { tx, device, now } = scope;
  if (tx.localOpens.get(device.lockerId, e.openId)) return 'duplicate';
  if (!tx.lockers.compartment(device.lockerId, e.compartment)) return 'unknown_compartment';
  const entry = tx.offlineCodes.history(device.lockerId, e.h, e.codeVersion)[0];
  // The controller's clock may drift: its time of the event, but never in the future.
  const at = Math.min(now, e.ts);
  const record = (outcome: string, extra: Partial<LocalOpen> = {}): void =>
    tx.localOpens.insert({
      lockerId: device.lockerId, openId: e.openId, compartment: e.compartment, kind: e.kind, deviceTs: e.ts, appliedAt: now,
      outcome, parcelId: null, householdId: null, ...extra,
    });
  const problem = codeProblem(entry, e);
  if (problem) {
    record('unknown_code');
    scope.effects.raise(tx, { kind: 'offline_code_unknown', lockerId: device.lockerId, compartment: e.compartment, details: { openId: e.openId, problem, codeVersion: e.codeVersion } }, now);
    return;
  }
  if (entry!.kind === 'household') {
    const household = tx.households.get(entry!.householdId!);
    if (household) collectHouseholdMail(scope.ctx, tx, household, at, { channel: 'keypad', openId: e.openId, local: true });
    record('household', { householdId: entry!.householdId });
    return;
  }
  pickUpOffline(scope, e, entry!, at, record);
}

function codeProblem(entry: OfflineCode | undefined, e: LocalOpenEventT): string | null {
  if (!entry) return 'never_given';
  if (entry.compartment !== e.compartment || entry.kind !== e.kind) return 'other_compartment';
  if (entry.revokedVersion !== null && entry.revokedVersion <= e.codeVersion) return 'revoked_before';
  return null;
}

function pickUpOffline(scope: EventScope, e: LocalOpenEventT, entry: OfflineCode, at: number, record: (outcome: string, extra?: Partial<LocalOpen>) => void): void {
  const { ctx, tx, device, now } = scope;
  const parcel = tx.parcels.get(entry.parcelId!);
  if (!parcel || (parcel.state !== 'deposited' && parcel.state !== 'expired')) {
    const state = parcel?.state ?? 'missing';
    record(`conflict:parcel_${state}`, { parcelId: entry.parcelId });
    scope.effects.raise(tx, { kind: 'offline_pickup_conflict', lockerId: device.lockerId, compartment: e.compartment, details: { openId: e.openId, parcelId: entry.parcelId, parcelState: state } }, now);
    return;
  }
  const when = Math.max(at, parcel.depositedAt ?? 0);
  const pickup: Pickup = {
    id: newTimeOrderedId(ctx.random, 'pck', now), kind: 'resident', channel: 'keypad', parcelId: parcel.id, lockerId: parcel.lockerId,
    compartment: parcel.compartment, state: 'opening', reason: null, commandId: null, createdAt: when, completedAt: null,
  };
  tx.pickups.insert(pickup);
  completePickup(ctx, tx, pickup, when, { offline: true, openId: e.openId, ...(parcel.state === 'expired' ? { afterExpiry: true } : {}), ...(entry.revokeReason === 'reissued' ? { codeReissued: true } : {}) });
  record(parcel.state === 'expired' ? 'picked_up_after_expiry' : 'picked_up', { parcelId: parcel.id });
}
