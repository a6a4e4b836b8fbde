import type { Alarm, AlarmDraft, AlarmKind, AlarmState } from '../domain/alarm.js';
import type { Command } from '../domain/command.js';
import type { Device } from '../domain/device.js';
import type { Compartment, Locker, LockerStatus, Site } from '../domain/locker.js';
import type { OperatorToken } from '../domain/token.js';
import type { Carrier, Parcel, ParcelEvent } from '../domain/parcel.js';
import type { Deposit, Pickup } from '../domain/deposit.js';
import type { CommandT } from '../../protocol/schemas/commands.js';
import type { FleetRepo, RegionRepo, RollupRepo, VolumeRepo } from './reports/ports.js';

/**
 * Ports: what the use cases need from the outside world. Repositories are synchronous inside a
 * transaction; the Store makes each transaction a Promise that resolves only once the commit is
 * durable, so a caller never acknowledges a change that a crash could undo (docs/adr/0002).
 */
export interface SiteRepo {
  insert(site: Site): void;
  get(id: string): Site | undefined;
  list(): Site[];
}

export interface LockerRepo {
  insert(locker: Locker, compartments: readonly Compartment[]): void;
  get(id: string): Locker | undefined;
  list(filter?: { siteId?: string | undefined }): Locker[];
  setStatus(id: string, status: LockerStatus, commissionedAt: number | null): void;
  compartments(lockerId: string): Compartment[];
  compartment(lockerId: string, index: number): Compartment | undefined;
  updateCompartment(c: Compartment): void;
  /** Compartments whose door has been open since before `openedBefore`. */
  openDoorsSince(openedBefore: number): Compartment[];
}

export interface DeviceRepo {
  insert(device: Device, secretHash: Buffer): void;
  get(id: string): Device | undefined;
  byLocker(lockerId: string): Device | undefined;
  secretHash(id: string): Buffer | undefined;
  update(device: Device): void;
  /** The last applied message of the device (protocol README §5); touches nothing else of the row. */
  recordSequence(id: string, lastSeq: number, lastSeenAt: number): void;
  setSecret(id: string, secretHash: Buffer): void;
  markAllOffline(): number;
  /** Devices offline since before `before` (by last seen). */
  offlineSince(before: number): Device[];
  countOnline(): number;
}

export interface CommandRepo {
  insert(c: Command): void;
  get(id: string): Command | undefined;
  update(c: Command): void;
  /** queued or sent commands of a device, oldest first. */
  undelivered(deviceId: string): Command[];
  /** Every command not yet done, failed or expired. */
  unfinished(): Command[];
  /** Open (or keypad open) commands on a compartment that are in flight or ended after `since`. */
  recentOpens(lockerId: string, compartment: number, since: number): Command[];
  /** Whether `recentOpens` would find any: the question every door report asks, without reading the rows. */
  hasRecentOpen(lockerId: string, compartment: number, since: number): boolean;
  listForLocker(lockerId: string, limit: number): Command[];
}

export interface AlarmFilter {
  state?: AlarmState | undefined;
  lockerId?: string | undefined;
  kind?: AlarmKind | undefined;
  limit: number;
}

export interface AlarmRepo {
  /**
   * Raises an alarm, or counts one more occurrence of the same live alarm. An acknowledged alarm
   * that occurs again is reopened and reported as new (`isNew`), so someone looks again.
   */
  raise(draft: AlarmDraft, now: number): { alarm: Alarm; isNew: boolean };
  get(id: string): Alarm | undefined;
  /** The open or acknowledged alarm of this kind on this compartment (null: the locker), if any. */
  live(lockerId: string, compartment: number | null, kind: AlarmKind): Alarm | undefined;
  list(filter: AlarmFilter): Alarm[];
  acknowledge(id: string, by: string, now: number): void;
  /** Clears open or acknowledged alarms of a kind on a compartment; returns how many. */
  clear(lockerId: string, compartment: number | null, kind: AlarmKind, now: number): number;
  countOpen(): number;
}

export interface TokenRepo {
  insert(token: OperatorToken, hash: Buffer): void;
  byHash(hash: Buffer): OperatorToken | undefined;
  list(): OperatorToken[];
  revoke(id: string, now: number): boolean;
}

export interface AuditEntry {
  at: number;
  actor: string;
  action: string;
  target: string;
  details: Record<string, unknown>;
}

export interface AuditRepo {
  append(entry: AuditEntry): void;
  list(target: string, limit: number): AuditEntry[];
}

export interface CarrierRepo {
  insert(c: Carrier, apiKeyHash: Buffer, webhookSecretSealed: string | null): void;
  get(id: string): Carrier | undefined;
  byApiKeyHash(hash: Buffer): Carrier | undefined;
  list(): Carrier[];
  /** The sealed (encrypted) webhook signing secret, for the notification dispatcher. */
  webhookSecretSealed(id: string): string | undefined;
  setQuota(carrierId: string, lockerId: string, maxCompartments: number | null): void;
  quota(carrierId: string, lockerId: string): number | undefined;
}

export interface ParcelRepo {
  insert(p: Parcel): void;
  get(id: string): Parcel | undefined;
  update(p: Parcel): void;
  /** The carrier's live parcel (reserved, deposited, expired) with this tracking number. */
  liveByTracking(carrierId: string, trackingNumber: string): Parcel | undefined;
  /** Compartments of a locker held by the carrier's live parcels. */
  countHeld(carrierId: string, lockerId: string): number;
  addEvent(e: ParcelEvent): void;
  events(parcelId: string): ParcelEvent[];
  /** Deposited parcels whose hold time has run out at `now`. */
  dueForExpiry(now: number, limit: number): Parcel[];
  /** Deposited parcels whose hold ends before `before` and that got no reminder yet. */
  dueForReminder(before: number, limit: number): Parcel[];
  /** Completed parcels (picked up, returned, cancelled) that still hold personal data and completed before `before`. */
  purgeable(before: number, limit: number): Parcel[];
  /** The live parcel in a compartment, if any. */
  liveInCompartment(lockerId: string, compartment: number): Parcel | undefined;
  /** Mail waiting in a household's compartment, oldest first. */
  depositedForHousehold(householdId: string): Parcel[];
}

export interface DepositRepo {
  insert(d: Deposit): void;
  get(id: string): Deposit | undefined;
  update(d: Deposit): void;
  byIdempotencyKey(carrierId: string, key: string): Deposit | undefined;
  byCommand(commandId: string): Deposit | undefined;
  liveForCompartment(lockerId: string, compartment: number): Deposit | undefined;
  byParcel(parcelId: string): Deposit | undefined;
}

export interface PickupRepo {
  insert(p: Pickup): void;
  get(id: string): Pickup | undefined;
  update(p: Pickup): void;
  byCommand(commandId: string): Pickup | undefined;
  /** The latest completed pickup of a compartment after `since` (for the left-behind check). */
  recentDone(lockerId: string, compartment: number, since: number): Pickup | undefined;
}

export interface ActiveCode {
  parcelId: string;
  expiresAt: number;
}

export interface PickupCodeRepo {
  insert(parcelId: string, lockerId: string, codeHash: Buffer, createdAt: number, expiresAt: number): void;
  /** The unrevoked code with this hash in this locker (it may have expired). */
  findActive(lockerId: string, codeHash: Buffer): ActiveCode | undefined;
  /** The newest code with this hash in this locker, revoked or not (to tell "expired" from "invalid"). */
  findLatest(lockerId: string, codeHash: Buffer): (ActiveCode & { revokeReason: string | null }) | undefined;
  /** Revokes every live code of the parcel; returns how many. */
  revokeForParcel(parcelId: string, now: number, reason: string): number;
  recordAttempt(lockerId: string, at: number, channel: 'keypad' | 'api', ok: boolean): void;
  failuresSince(lockerId: string, since: number): number;
  lockedUntil(lockerId: string): number | undefined;
  lockOut(lockerId: string, until: number): void;
}

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
  /** Whether a local open of this compartment was applied since `since` (a door open is expected). */
  recent(lockerId: string, compartment: number, since: number): boolean;
  listForLocker(lockerId: string, limit: number): LocalOpen[];
}

export type OutboxChannel = 'carrier_webhook' | 'recipient_message';
export type OutboxState = 'pending' | 'delivered' | 'failed' | 'logged';

/** A notification written in the same transaction as the change it reports (transactional outbox). */
export interface OutboxMessage {
  id: string;
  channel: OutboxChannel;
  /** The carrier for carrier webhooks; null for recipient messages. */
  carrierId: string | null;
  /** e.g. `parcel.deposited`, `pickup_code`, `parcel.expiring`. */
  event: string;
  /** Sealed JSON body (it may hold a pickup code and a phone number). */
  bodySealed: string | null;
  state: OutboxState;
  attempts: number;
  nextAttemptAt: number;
  lastError: string | null;
  createdAt: number;
  deliveredAt: number | null;
}

export interface OutboxRepo {
  add(m: OutboxMessage): void;
  get(id: string): OutboxMessage | undefined;
  /** Pending messages due at `now`, oldest first. */
  due(now: number, limit: number): OutboxMessage[];
  update(m: OutboxMessage): void;
  /** Drops the bodies of finished messages older than `before` (personal data retention); returns how many. */
  purgeBodies(before: number): number;
  list(filter: { carrierId?: string | undefined; state?: OutboxState | undefined; limit: number }): OutboxMessage[];
}

/** Sends one signed notification over HTTP; resolves with the status, rejects (with a `code`) when no response came. */
export interface WebhookPoster {
  post(url: string, body: string, headers: Record<string, string>, timeoutMs: number): Promise<{ status: number }>;
}

/** The demo/dev channel for recipient messages when no SMS provider is configured: never the code, never the full phone. */
export interface NotificationLog {
  recipient(entry: { id: string; kind: string; to: string; parcelId: string }): void;
}

export interface Tx {
  sites: SiteRepo;
  lockers: LockerRepo;
  devices: DeviceRepo;
  commands: CommandRepo;
  alarms: AlarmRepo;
  tokens: TokenRepo;
  audit: AuditRepo;
  carriers: CarrierRepo;
  parcels: ParcelRepo;
  deposits: DepositRepo;
  pickups: PickupRepo;
  codes: PickupCodeRepo;
  offlineCodes: OfflineCodeRepo;
  households: HouseholdRepo;
  localOpens: LocalOpenRepo;
  outbox: OutboxRepo;
  /** Operator reports (src/app/reports/ports.ts). */
  regions: RegionRepo;
  rollups: RollupRepo;
  volumes: VolumeRepo;
  fleet: FleetRepo;
}

export interface Store {
  /** Runs `work` as one transaction; resolves after the commit is durable (fsynced). */
  transact<T>(work: (tx: Tx) => T): Promise<T>;
  /** Runs read-only work against committed state. */
  read<T>(work: (tx: Tx) => T): Promise<T>;
  close(): Promise<void>;
}

/** Delivers a command to a device over whatever transport the device uses. */
export interface CommandTransport {
  /** True when the device has a live, authenticated connection. */
  isConnected(deviceId: string): boolean;
  send(deviceId: string, command: CommandT): Promise<void>;
  /** Closes the device's live session (used when its secret is rotated or revoked). */
  disconnect(deviceId: string): void;
}

/** Randomness is injected so ids and secrets are reproducible in tests when needed. */
export type RandomBytes = (n: number) => Buffer;
