import type { Alarm, AlarmDraft, AlarmKind, AlarmState } from '../domain/alarm.js';
import type { Command } from '../domain/command.js';
import type { Device } from '../domain/device.js';
import type { Compartment, Locker, LockerStatus, Site } from '../domain/locker.js';
import type { OperatorToken } from '../domain/token.js';
import type { CommandT } from '../../protocol/schemas/commands.js';

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

export interface Tx {
  sites: SiteRepo;
  lockers: LockerRepo;
  devices: DeviceRepo;
  commands: CommandRepo;
  alarms: AlarmRepo;
  tokens: TokenRepo;
  audit: AuditRepo;
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
