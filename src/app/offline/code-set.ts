import type { Parcel } from '../../domain/parcel.js';
import type { AppContext } from '../context.js';
import type { Tx } from '../ports.js';
import type { CodeSyncState, OfflineCode } from './ports.js';
import { deviceCodeKey, offlineCodeHash } from './code-key.js';

/**
 * The code set each controller should hold (protocol §12), kept beside the gateway's own code
 * hashes: every add or revoke is one new version of the locker's set, in the caller's transaction;
 * the controller is brought up to date after the commit (a nudge, see sync.ts).
 */

function bump(tx: Tx, lockerId: string): CodeSyncState {
  const state = tx.offlineCodes.state(lockerId);
  const next = { ...state, version: state.version + 1 };
  tx.offlineCodes.saveState(next);
  return next;
}

/**
 * How a locker's controller hashes codes: derive its key once, then hash each candidate code.
 * `hash` is null when the locker has no device yet (its codes then work online only).
 */
export interface ControllerHasher {
  hash(code: string): string | null;
}

export function controllerHasher(ctx: AppContext, tx: Tx, lockerId: string): ControllerHasher {
  const device = tx.devices.byLocker(lockerId);
  const key = device ? deviceCodeKey(ctx.keys.pickupCode, device.id) : null;
  return { hash: (code) => (key ? offlineCodeHash(key, code) : null) };
}

/** Whether a code with this controller hash may be handed out: no live entry of the locker has it. */
export function isFreeOffline(tx: Tx, lockerId: string, hash: string | null): boolean {
  return hash === null || tx.offlineCodes.live(lockerId, hash) === undefined;
}

type NewEntry = Pick<OfflineCode, 'compartment' | 'kind' | 'parcelId' | 'householdId' | 'expiresAt'>;

function addEntry(ctx: AppContext, tx: Tx, lockerId: string, hash: string | null, entry: NewEntry): void {
  if (hash === null) return; // no controller to hold it: the code works online only
  const { version } = bump(tx, lockerId);
  tx.offlineCodes.insert({ lockerId, hash, addedVersion: version, ...entry });
  ctx.codeSync.nudge(lockerId);
}

/** A fresh pickup code goes to the controller too, expiring with the parcel's hold. */
export function addPickupCode(ctx: AppContext, tx: Tx, parcel: Parcel, hash: string | null): void {
  addEntry(ctx, tx, parcel.lockerId, hash, {
    compartment: parcel.compartment,
    kind: 'pickup',
    parcelId: parcel.id,
    householdId: null,
    expiresAt: parcel.holdUntil,
  });
}

export function addHouseholdCode(ctx: AppContext, tx: Tx, household: { id: string; lockerId: string; compartment: number }, hash: string | null): void {
  addEntry(ctx, tx, household.lockerId, hash, {
    compartment: household.compartment,
    kind: 'household',
    parcelId: null,
    householdId: household.id,
    expiresAt: null,
  });
}

function revokeEntries(ctx: AppContext, tx: Tx, entries: readonly OfflineCode[], now: number, reason: string): void {
  for (const e of entries) {
    const { version } = bump(tx, e.lockerId);
    tx.offlineCodes.revoke(e, version, now, reason);
    ctx.codeSync.nudge(e.lockerId);
  }
}

/**
 * Revokes a parcel's codes everywhere (used, expired, reissued, retrieved): the gateway's own
 * hashes and its controller's entry, which is pushed at once when the controller is online.
 */
export function revokeParcelCodes(ctx: AppContext, tx: Tx, parcelId: string, now: number, reason: string): void {
  tx.codes.revokeForParcel(parcelId, now, reason);
  revokeEntries(ctx, tx, tx.offlineCodes.liveForParcel(parcelId), now, reason);
}

export function revokeHouseholdCodes(ctx: AppContext, tx: Tx, householdId: string, now: number, reason: string): void {
  revokeEntries(ctx, tx, tx.offlineCodes.liveForHousehold(householdId), now, reason);
}
