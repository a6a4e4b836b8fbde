/**
 * Ports of offline operation (protocol §12–13): the code set each controller should hold, the
 * openings controllers decided themselves, and mailbox-bank households. Part of `Tx` (../ports.ts).
 */

/** A code as a controller holds it (protocol §12): keyed with the device's code key. */
export interface OfflineCode {
  lockerId: string;
  hash: string;
  compartment: number;
  kind: 'pickup' | 'household';
  parcelId: string | null;
  householdId: string | null;
  expiresAt: number | null;
  addedVersion: number;
  revokedVersion: number | null;
  revokedAt: number | null;
  revokeReason: string | null;
}

/** Desired vs reported code-set version of a locker's controller, like a device shadow. */
export interface CodeSyncState {
  lockerId: string;
  /** The version the controller should hold. */
  version: number;
  /** The version it last reported (hello) or acknowledged (code_sync ack); null: never. */
  reportedVersion: number | null;
  reportedAt: number | null;
  /** The version the last code_sync in flight builds up to; null: nothing in flight. */
  sentVersion: number | null;
  /** Deltas can start from this version on; older sets need a full resync. */
  floorVersion: number;
}

export interface OfflineCodeRepo {
  state(lockerId: string): CodeSyncState;
  saveState(s: CodeSyncState): void;
  insert(c: Omit<OfflineCode, 'revokedVersion' | 'revokedAt' | 'revokeReason'>): void;
  /** The live entry with this hash, if any. */
  live(lockerId: string, hash: string): OfflineCode | undefined;
  /** Every entry with this hash that was added at or before `version`, newest first. */
  history(lockerId: string, hash: string, upToVersion: number): OfflineCode[];
  liveForParcel(parcelId: string): OfflineCode[];
  liveForHousehold(householdId: string): OfflineCode[];
  revoke(id: { lockerId: string; hash: string }, version: number, now: number, reason: string): void;
  /** The locker's live entries, for a full set. */
  liveSet(lockerId: string): OfflineCode[];
  /** Entries added after `fromVersion` and still live; entries revoked after it (added at or before it). */
  changesSince(lockerId: string, fromVersion: number): { added: OfflineCode[]; revoked: OfflineCode[] };
  /** Forgets revoked entries revoked before `before` and raises each touched locker's floor; returns how many. */
  prune(before: number): number;
}

export interface Household {
  id: string;
  lockerId: string;
  compartment: number;
  label: string;
  createdAt: number;
  removedAt: number | null;
}

export interface HouseholdRepo {
  insert(h: Household, appTokenHash: Buffer): void;
  get(id: string): Household | undefined;
  byAppToken(hash: Buffer): Household | undefined;
  atCompartment(lockerId: string, compartment: number): Household | undefined;
  /** Indexes of the locker's compartments that belong to households. */
  compartmentsOf(lockerId: string): Set<number>;
  listForLocker(lockerId: string): Household[];
  remove(id: string, now: number): void;
}

/** An opening a controller decided on its own (offline pickup, household code), as applied. */
export interface LocalOpen {
  lockerId: string;
  openId: string;
  compartment: number;
  kind: 'pickup' | 'household';
  deviceTs: number;
  appliedAt: number;
  /** What the gateway made of it: picked_up, household, conflict:<why>, unknown_code. */
  outcome: string;
  parcelId: string | null;
  householdId: string | null;
}

export interface LocalOpenRepo {
  insert(o: LocalOpen): void;
  get(lockerId: string, openId: string): LocalOpen | undefined;
  /** Compartments of a locker with a local open applied at or after `since` (a door open there is expected). */
  compartmentsSince(lockerId: string, since: number): Set<number>;
  listForLocker(lockerId: string, limit: number): LocalOpen[];
}
