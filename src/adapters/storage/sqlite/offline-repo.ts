import type Database from 'better-sqlite3';
import type {
  CodeSyncState,
  Household,
  HouseholdRepo,
  LocalOpen,
  LocalOpenRepo,
  OfflineCode,
  OfflineCodeRepo,
} from '../../../app/offline/ports.js';

interface CodeRow {
  locker_id: string;
  hash: string;
  compartment: number;
  kind: 'pickup' | 'household';
  parcel_id: string | null;
  household_id: string | null;
  expires_at: number | null;
  added_version: number;
  revoked_version: number | null;
  revoked_at: number | null;
  revoke_reason: string | null;
}

const CODE_COLUMNS = 'locker_id, hash, compartment, kind, parcel_id, household_id, expires_at, added_version, revoked_version, revoked_at, revoke_reason';

const toCode = (r: CodeRow): OfflineCode => ({
  lockerId: r.locker_id,
  hash: r.hash,
  compartment: r.compartment,
  kind: r.kind,
  parcelId: r.parcel_id,
  householdId: r.household_id,
  expiresAt: r.expires_at,
  addedVersion: r.added_version,
  revokedVersion: r.revoked_version,
  revokedAt: r.revoked_at,
  revokeReason: r.revoke_reason,
});

interface SyncRow {
  locker_id: string;
  version: number;
  reported_version: number | null;
  reported_at: number | null;
  sent_version: number | null;
  floor_version: number;
}

export class SqliteOfflineCodeRepo implements OfflineCodeRepo {
  private readonly stateStmt: Database.Statement<[string], SyncRow>;
  private readonly saveStmt: Database.Statement;
  private readonly insertStmt: Database.Statement;
  private readonly liveStmt: Database.Statement<[string, string], CodeRow>;
  private readonly historyStmt: Database.Statement<[string, string, number], CodeRow>;
  private readonly parcelStmt: Database.Statement<[string], CodeRow>;
  private readonly householdStmt: Database.Statement<[string], CodeRow>;
  private readonly revokeStmt: Database.Statement;
  private readonly setStmt: Database.Statement<[string], CodeRow>;
  private readonly addedStmt: Database.Statement<[string, number], CodeRow>;
  private readonly revokedStmt: Database.Statement<[string, number, number], CodeRow>;
  private readonly floorStmt: Database.Statement;
  private readonly pruneStmt: Database.Statement;

  constructor(db: Database.Database) {
    this.stateStmt = db.prepare('SELECT * FROM code_sync WHERE locker_id = ?');
    this.saveStmt = db.prepare(
      `INSERT INTO code_sync (locker_id, version, reported_version, reported_at, sent_version, floor_version)
       VALUES (@lockerId, @version, @reportedVersion, @reportedAt, @sentVersion, @floorVersion)
       ON CONFLICT (locker_id) DO UPDATE SET version = excluded.version, reported_version = excluded.reported_version,
       reported_at = excluded.reported_at, sent_version = excluded.sent_version, floor_version = excluded.floor_version`,
    );
    this.insertStmt = db.prepare(
      `INSERT INTO offline_codes (locker_id, hash, compartment, kind, parcel_id, household_id, expires_at, added_version)
       VALUES (@lockerId, @hash, @compartment, @kind, @parcelId, @householdId, @expiresAt, @addedVersion)`,
    );
    this.liveStmt = db.prepare(`SELECT ${CODE_COLUMNS} FROM offline_codes WHERE locker_id = ? AND hash = ? AND revoked_version IS NULL`);
    this.historyStmt = db.prepare(
      `SELECT ${CODE_COLUMNS} FROM offline_codes WHERE locker_id = ? AND hash = ? AND added_version <= ? ORDER BY added_version DESC`,
    );
    this.parcelStmt = db.prepare(`SELECT ${CODE_COLUMNS} FROM offline_codes WHERE parcel_id = ? AND revoked_version IS NULL`);
    this.householdStmt = db.prepare(`SELECT ${CODE_COLUMNS} FROM offline_codes WHERE household_id = ? AND revoked_version IS NULL`);
    this.revokeStmt = db.prepare(
      `UPDATE offline_codes SET revoked_version = @version, revoked_at = @now, revoke_reason = @reason
       WHERE locker_id = @lockerId AND hash = @hash AND revoked_version IS NULL`,
    );
    this.setStmt = db.prepare(`SELECT ${CODE_COLUMNS} FROM offline_codes WHERE locker_id = ? AND revoked_version IS NULL ORDER BY added_version, id`);
    this.addedStmt = db.prepare(
      `SELECT ${CODE_COLUMNS} FROM offline_codes WHERE locker_id = ? AND added_version > ? AND revoked_version IS NULL ORDER BY added_version, id`,
    );
    this.revokedStmt = db.prepare(
      `SELECT ${CODE_COLUMNS} FROM offline_codes WHERE locker_id = ? AND revoked_version > ? AND added_version <= ? ORDER BY revoked_version, id`,
    );
    // INDEXED BY: left to itself SQLite walks offline_codes_added (every code of every locker) for
    // the DISTINCT, each minute, even with nothing to prune: 65 ms at 300,000 codes.
    this.floorStmt = db.prepare(
      `UPDATE code_sync SET floor_version = max(floor_version, (SELECT max(o.revoked_version) FROM offline_codes o
       WHERE o.locker_id = code_sync.locker_id AND o.revoked_at < @before))
       WHERE locker_id IN (SELECT DISTINCT locker_id FROM offline_codes INDEXED BY offline_codes_pruning WHERE revoked_at < @before)`,
    );
    this.pruneStmt = db.prepare('DELETE FROM offline_codes WHERE revoked_at < ?');
  }

  state(lockerId: string): CodeSyncState {
    const r = this.stateStmt.get(lockerId);
    if (!r) return { lockerId, version: 0, reportedVersion: null, reportedAt: null, sentVersion: null, floorVersion: 0 };
    return {
      lockerId: r.locker_id,
      version: r.version,
      reportedVersion: r.reported_version,
      reportedAt: r.reported_at,
      sentVersion: r.sent_version,
      floorVersion: r.floor_version,
    };
  }
  saveState(s: CodeSyncState): void {
    this.saveStmt.run(s);
  }
  insert(c: Omit<OfflineCode, 'revokedVersion' | 'revokedAt' | 'revokeReason'>): void {
    this.insertStmt.run(c);
  }
  live(lockerId: string, hash: string): OfflineCode | undefined {
    const r = this.liveStmt.get(lockerId, hash);
    return r && toCode(r);
  }
  history(lockerId: string, hash: string, upToVersion: number): OfflineCode[] {
    return this.historyStmt.all(lockerId, hash, upToVersion).map(toCode);
  }
  liveForParcel(parcelId: string): OfflineCode[] {
    return this.parcelStmt.all(parcelId).map(toCode);
  }
  liveForHousehold(householdId: string): OfflineCode[] {
    return this.householdStmt.all(householdId).map(toCode);
  }
  revoke(id: { lockerId: string; hash: string }, version: number, now: number, reason: string): void {
    this.revokeStmt.run({ ...id, version, now, reason });
  }
  liveSet(lockerId: string): OfflineCode[] {
    return this.setStmt.all(lockerId).map(toCode);
  }
  changesSince(lockerId: string, fromVersion: number): { added: OfflineCode[]; revoked: OfflineCode[] } {
    return {
      added: this.addedStmt.all(lockerId, fromVersion).map(toCode),
      revoked: this.revokedStmt.all(lockerId, fromVersion, fromVersion).map(toCode),
    };
  }
  prune(before: number): number {
    this.floorStmt.run({ before });
    return this.pruneStmt.run(before).changes;
  }
}

interface HouseholdRow {
  id: string;
  locker_id: string;
  compartment: number;
  label: string;
  created_at: number;
  removed_at: number | null;
}

const toHousehold = (r: HouseholdRow): Household => ({
  id: r.id,
  lockerId: r.locker_id,
  compartment: r.compartment,
  label: r.label,
  createdAt: r.created_at,
  removedAt: r.removed_at,
});

const HOUSEHOLD_COLUMNS = 'id, locker_id, compartment, label, created_at, removed_at';

export class SqliteHouseholdRepo implements HouseholdRepo {
  private readonly insertStmt: Database.Statement;
  private readonly getStmt: Database.Statement<[string], HouseholdRow>;
  private readonly tokenStmt: Database.Statement<[Buffer], HouseholdRow>;
  private readonly atStmt: Database.Statement<[string, number], HouseholdRow>;
  private readonly compartmentsStmt: Database.Statement<[string], { compartment: number }>;
  private readonly listStmt: Database.Statement<[string], HouseholdRow>;
  private readonly removeStmt: Database.Statement;

  constructor(db: Database.Database) {
    this.insertStmt = db.prepare(
      `INSERT INTO households (id, locker_id, compartment, label, app_token_hash, created_at, removed_at)
       VALUES (@id, @lockerId, @compartment, @label, @appTokenHash, @createdAt, @removedAt)`,
    );
    this.getStmt = db.prepare(`SELECT ${HOUSEHOLD_COLUMNS} FROM households WHERE id = ?`);
    this.tokenStmt = db.prepare(`SELECT ${HOUSEHOLD_COLUMNS} FROM households WHERE app_token_hash = ? AND removed_at IS NULL`);
    this.atStmt = db.prepare(`SELECT ${HOUSEHOLD_COLUMNS} FROM households WHERE locker_id = ? AND compartment = ? AND removed_at IS NULL`);
    this.compartmentsStmt = db.prepare('SELECT compartment FROM households WHERE locker_id = ? AND removed_at IS NULL');
    this.listStmt = db.prepare(`SELECT ${HOUSEHOLD_COLUMNS} FROM households WHERE locker_id = ? AND removed_at IS NULL ORDER BY compartment`);
    this.removeStmt = db.prepare('UPDATE households SET removed_at = ? WHERE id = ? AND removed_at IS NULL');
  }

  insert(h: Household, appTokenHash: Buffer): void {
    this.insertStmt.run({ ...h, appTokenHash });
  }
  get(id: string): Household | undefined {
    const r = this.getStmt.get(id);
    return r && toHousehold(r);
  }
  byAppToken(hash: Buffer): Household | undefined {
    const r = this.tokenStmt.get(hash);
    return r && toHousehold(r);
  }
  atCompartment(lockerId: string, compartment: number): Household | undefined {
    const r = this.atStmt.get(lockerId, compartment);
    return r && toHousehold(r);
  }
  compartmentsOf(lockerId: string): Set<number> {
    return new Set(this.compartmentsStmt.all(lockerId).map((r) => r.compartment));
  }
  listForLocker(lockerId: string): Household[] {
    return this.listStmt.all(lockerId).map(toHousehold);
  }
  remove(id: string, now: number): void {
    this.removeStmt.run(now, id);
  }
}

interface LocalOpenRow {
  locker_id: string;
  open_id: string;
  compartment: number;
  kind: 'pickup' | 'household';
  device_ts: number;
  applied_at: number;
  outcome: string;
  parcel_id: string | null;
  household_id: string | null;
}

const toLocalOpen = (r: LocalOpenRow): LocalOpen => ({
  lockerId: r.locker_id,
  openId: r.open_id,
  compartment: r.compartment,
  kind: r.kind,
  deviceTs: r.device_ts,
  appliedAt: r.applied_at,
  outcome: r.outcome,
  parcelId: r.parcel_id,
  householdId: r.household_id,
});

export class SqliteLocalOpenRepo implements LocalOpenRepo {
  private readonly insertStmt: Database.Statement;
  private readonly getStmt: Database.Statement<[string, string], LocalOpenRow>;
  private readonly sinceStmt: Database.Statement<[string, number], { compartment: number }>;
  private readonly listStmt: Database.Statement<[string, number], LocalOpenRow>;

  constructor(db: Database.Database) {
    this.insertStmt = db.prepare(
      `INSERT INTO local_opens (locker_id, open_id, compartment, kind, device_ts, applied_at, outcome, parcel_id, household_id)
       VALUES (@lockerId, @openId, @compartment, @kind, @deviceTs, @appliedAt, @outcome, @parcelId, @householdId)`,
    );
    this.getStmt = db.prepare('SELECT * FROM local_opens WHERE locker_id = ? AND open_id = ?');
    this.sinceStmt = db.prepare('SELECT DISTINCT compartment FROM local_opens INDEXED BY local_opens_since WHERE locker_id = ? AND applied_at >= ?');
    this.listStmt = db.prepare('SELECT * FROM local_opens WHERE locker_id = ? ORDER BY applied_at DESC LIMIT ?');
  }

  insert(o: LocalOpen): void {
    this.insertStmt.run(o);
  }
  get(lockerId: string, openId: string): LocalOpen | undefined {
    const r = this.getStmt.get(lockerId, openId);
    return r && toLocalOpen(r);
  }
  compartmentsSince(lockerId: string, since: number): Set<number> {
    return new Set(this.sinceStmt.all(lockerId, since).map((r) => r.compartment));
  }
  listForLocker(lockerId: string, limit: number): LocalOpen[] {
    return this.listStmt.all(lockerId, limit).map(toLocalOpen);
  }
}
