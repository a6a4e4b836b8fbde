import type Database from 'better-sqlite3';
import type { DeviceCredentials, DeviceRepo } from '../../../app/ports.js';
import type { Device } from '../../../domain/device.js';

interface DeviceRow {
  id: string;
  locker_id: string;
  model: string | null;
  firmware: string | null;
  protocol: string | null;
  boot_id: string | null;
  last_seq: number;
  online: number;
  last_seen_at: number | null;
  connected_at: number | null;
  revoked_at: number | null;
  created_at: number;
  telemetry: string | null;
  wake_interval_s: number | null;
  asleep_until: number | null;
}

const COLUMNS = 'id, locker_id, model, firmware, protocol, boot_id, last_seq, online, last_seen_at, connected_at, revoked_at, created_at, telemetry, wake_interval_s, asleep_until';

const toDevice = (r: DeviceRow): Device => ({
  id: r.id,
  lockerId: r.locker_id,
  model: r.model,
  firmware: r.firmware,
  protocol: r.protocol,
  bootId: r.boot_id,
  lastSeq: r.last_seq,
  online: r.online === 1,
  lastSeenAt: r.last_seen_at,
  connectedAt: r.connected_at,
  revokedAt: r.revoked_at,
  createdAt: r.created_at,
  telemetry: r.telemetry === null ? null : (JSON.parse(r.telemetry) as Record<string, unknown>),
  wakeIntervalS: r.wake_interval_s,
  asleepUntil: r.asleep_until,
});

const params = (d: Device) => ({ ...d, online: d.online ? 1 : 0, telemetry: d.telemetry === null ? null : JSON.stringify(d.telemetry) });

export class SqliteDeviceRepo implements DeviceRepo {
  private readonly insertStmt: Database.Statement;
  private readonly getStmt: Database.Statement<[string], DeviceRow>;
  private readonly byLockerStmt: Database.Statement<[string], DeviceRow>;
  private readonly credentialsStmt: Database.Statement<[string], DeviceCredentials>;
  private readonly updateStmt: Database.Statement;
  private readonly sequenceStmt: Database.Statement<[number, number, string]>;
  private readonly secretStmt: Database.Statement;
  private readonly linkStmt: Database.Statement<[{ id: string; online: number; now: number }], { lockerId: string }>;
  private readonly offlineStmt: Database.Statement;
  private readonly offlineSinceStmt: Database.Statement<[number], DeviceRow>;
  private readonly countOnlineStmt: Database.Statement<[], { n: number }>;

  constructor(db: Database.Database) {
    this.insertStmt = db.prepare(
      `INSERT INTO devices (${COLUMNS}, secret_hash) VALUES (@id, @lockerId, @model, @firmware, @protocol, @bootId,
       @lastSeq, @online, @lastSeenAt, @connectedAt, @revokedAt, @createdAt, @telemetry, @wakeIntervalS, @asleepUntil, @secretHash)`,
    );
    this.getStmt = db.prepare(`SELECT ${COLUMNS} FROM devices WHERE id = ?`);
    this.byLockerStmt = db.prepare(`SELECT ${COLUMNS} FROM devices WHERE locker_id = ?`);
    this.credentialsStmt = db.prepare('SELECT locker_id AS lockerId, revoked_at AS revokedAt, secret_hash AS secretHash FROM devices WHERE id = ?');
    this.updateStmt = db.prepare(
      `UPDATE devices SET model = @model, firmware = @firmware, protocol = @protocol, boot_id = @bootId,
       last_seq = @lastSeq, online = @online, last_seen_at = @lastSeenAt, connected_at = @connectedAt,
       revoked_at = @revokedAt, telemetry = @telemetry, wake_interval_s = @wakeIntervalS,
       asleep_until = @asleepUntil WHERE id = @id`,
    );
    this.sequenceStmt = db.prepare('UPDATE devices SET last_seq = ?, last_seen_at = ? WHERE id = ?');
    this.secretStmt = db.prepare('UPDATE devices SET secret_hash = ? WHERE id = ?');
    this.offlineStmt = db.prepare('UPDATE devices SET online = 0 WHERE online = 1');
    this.linkStmt = db.prepare(
      `UPDATE devices SET online = @online, last_seen_at = @now, connected_at = CASE WHEN @online = 1 THEN @now ELSE connected_at END
       WHERE id = @id RETURNING locker_id AS lockerId`,
    );
    this.offlineSinceStmt = db.prepare(
      `SELECT ${COLUMNS} FROM devices WHERE online = 0 AND revoked_at IS NULL AND last_seen_at IS NOT NULL AND last_seen_at < ?`,
    );
    this.countOnlineStmt = db.prepare('SELECT count(*) AS n FROM devices WHERE online = 1');
  }

  insert(device: Device, secretHash: Buffer): void {
    this.insertStmt.run({ ...params(device), secretHash });
  }
  get(id: string): Device | undefined {
    const r = this.getStmt.get(id);
    return r && toDevice(r);
  }
  byLocker(lockerId: string): Device | undefined {
    const r = this.byLockerStmt.get(lockerId);
    return r && toDevice(r);
  }
  credentials(id: string): DeviceCredentials | undefined {
    return this.credentialsStmt.get(id);
  }
  update(device: Device): void {
    this.updateStmt.run(params(device));
  }
  recordSequence(id: string, lastSeq: number, lastSeenAt: number): void {
    this.sequenceStmt.run(lastSeq, lastSeenAt, id);
  }
  setSecret(id: string, secretHash: Buffer): void {
    this.secretStmt.run(secretHash, id);
  }
  recordLink(id: string, online: boolean, now: number): string | undefined {
    return this.linkStmt.get({ id, online: online ? 1 : 0, now })?.lockerId;
  }
  markAllOffline(): number {
    return this.offlineStmt.run().changes;
  }
  offlineSince(before: number): Device[] {
    return this.offlineSinceStmt.all(before).map(toDevice);
  }
  countOnline(): number {
    return this.countOnlineStmt.get()?.n ?? 0;
  }
}
