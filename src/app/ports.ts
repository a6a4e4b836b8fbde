import type { Alarm, AlarmDraft, AlarmKind, AlarmState } from '../domain/alarm.js';
import type { Command } from '../domain/command.js';
import type { Device } from '../domain/device.js';
import type { Compartment, Locker, LockerStatus, Site } from '../domain/locker.js';
import type { OperatorToken } from '../domain/token.js';
import type { Carrier, Parcel, ParcelEvent } from '../domain/parcel.js';
import type { Deposit, Pickup } from '../domain/deposit.js';
import type { CommandT } from '../../protocol/schemas/commands.js';
import type { FleetRepo, RegionRepo, RollupRepo, VolumeRepo } from './reports/ports.js';
import type { HouseholdRepo, LocalOpenRepo, OfflineCodeRepo } from './offline/ports.js';
import type { OutboxRepo } from './notification-ports.js';

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

/** A locker as the fleet list shows it: its controller's presence and how many compartments it has. */
export interface LockerListing extends Locker {
  deviceId: string | null;
  online: boolean;
  lastSeenAt: number | null;
  compartmentCount: number;
}

export interface LockerRepo {
  insert(locker: Locker, compartments: readonly Compartment[]): void;
  get(id: string): Locker | undefined;
  list(filter?: { siteId?: string | undefined }): Locker[];
  /** `list` with each locker's controller and compartment count, in one query (the fleet list). */
  listings(filter?: { siteId?: string | undefined }): LockerListing[];
  setStatus(id: string, status: LockerStatus, commissionedAt: number | null): void;
  compartments(lockerId: string): Compartment[];
  compartment(lockerId: string, index: number): Compartment | undefined;
  updateCompartment(c: Compartment): void;
  /** Compartments whose door has been open since before `openedBefore`. */
  openDoorsSince(openedBefore: number): Compartment[];
}

export interface DeviceCredentials {
  lockerId: string;
  revokedAt: number | null;
  secretHash: Buffer;
}

export interface DeviceRepo {
  insert(device: Device, secretHash: Buffer): void;
  get(id: string): Device | undefined;
  byLocker(lockerId: string): Device | undefined;
  /** What a CONNECT is checked against, in one lookup (revoked devices included, so they can be told so). */
  credentials(id: string): DeviceCredentials | undefined;
  update(device: Device): void;
  /** The last applied message of the device (protocol README §5); touches nothing else of the row. */
  recordSequence(id: string, lastSeq: number, lastSeenAt: number): void;
  setSecret(id: string, secretHash: Buffer): void;
  /** A connection came or went (online, last seen; connected at when it came): the device's locker, if the device exists. */
  recordLink(id: string, online: boolean, now: number): string | undefined;
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
  /** Compartments of a locker with an open (or keypad open) in flight or ended at or after `since`. */
  compartmentsWithRecentOpens(lockerId: string, since: number): Set<number>;
  listForLocker(lockerId: string, limit: number): Command[];
}

export interface AlarmFilter {
  state?: AlarmState | undefined;
  lockerId?: string | undefined;
  kind?: AlarmKind | undefined;
  /** Only alarms of lockers whose site stands in one of these region codes. */
  siteRegionCodes?: readonly string[] | undefined;
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
  /** `clear` for several compartments of a locker in one statement; returns how many. */
  clearCompartments(lockerId: string, compartments: readonly number[], kind: AlarmKind, now: number): number;
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
  /** The compartments of a locker with a live deposit (opening or open): one statement for a whole locker. */
  liveCompartments(lockerId: string): Set<number>;
  byParcel(parcelId: string): Deposit | undefined;
  /** Deposits `open` (door opened, parcel not yet sensed or confirmed) since before `before`. */
  openBefore(before: number): Deposit[];
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
  /** Forgets up to `limit` of the oldest attempts made before `before` (all lockers); returns how many. */
  pruneAttempts(before: number, limit: number): number;
  lockedUntil(lockerId: string): number | undefined;
  lockOut(lockerId: string, until: number): void;
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
