import type Database from 'better-sqlite3';
import type { ActiveCode, PickupCodeRepo } from '../../../app/ports.js';

export class SqlitePickupCodeRepo implements PickupCodeRepo {
  private readonly insertStmt: Database.Statement;
  private readonly findStmt: Database.Statement<[string, Buffer], { parcel_id: string; expires_at: number }>;
  private readonly latestStmt: Database.Statement<[string, Buffer], { parcel_id: string; expires_at: number; revoke_reason: string | null }>;
  private readonly revokeStmt: Database.Statement;
  private readonly attemptStmt: Database.Statement;
  private readonly failuresStmt: Database.Statement<[string, number], { n: number }>;
  private readonly pruneAttemptsStmt: Database.Statement<[number, number]>;
  private readonly lockedStmt: Database.Statement<[string], { until: number }>;
  private readonly lockStmt: Database.Statement;

  constructor(db: Database.Database) {
    this.insertStmt = db.prepare('INSERT INTO pickup_codes (parcel_id, locker_id, code_hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?)');
    this.findStmt = db.prepare('SELECT parcel_id, expires_at FROM pickup_codes WHERE locker_id = ? AND code_hash = ? AND revoked_at IS NULL');
    this.latestStmt = db.prepare(
      'SELECT parcel_id, expires_at, revoke_reason FROM pickup_codes WHERE locker_id = ? AND code_hash = ? ORDER BY id DESC LIMIT 1',
    );
    this.revokeStmt = db.prepare('UPDATE pickup_codes SET revoked_at = ?, revoke_reason = ? WHERE parcel_id = ? AND revoked_at IS NULL');
    this.attemptStmt = db.prepare('INSERT INTO code_attempts (locker_id, at, channel, ok) VALUES (?, ?, ?, ?)');
    this.failuresStmt = db.prepare('SELECT count(*) AS n FROM code_attempts WHERE locker_id = ? AND at >= ? AND ok = 0');
    this.pruneAttemptsStmt = db.prepare('DELETE FROM code_attempts WHERE rowid IN (SELECT rowid FROM code_attempts INDEXED BY code_attempts_at WHERE at < ? LIMIT ?)');
    this.lockedStmt = db.prepare('SELECT until FROM keypad_lockouts WHERE locker_id = ?');
    this.lockStmt = db.prepare(
      'INSERT INTO keypad_lockouts (locker_id, until) VALUES (?, ?) ON CONFLICT (locker_id) DO UPDATE SET until = excluded.until',
    );
  }

  insert(parcelId: string, lockerId: string, codeHash: Buffer, createdAt: number, expiresAt: number): void {
    this.insertStmt.run(parcelId, lockerId, codeHash, createdAt, expiresAt);
  }
  findActive(lockerId: string, codeHash: Buffer): ActiveCode | undefined {
    const r = this.findStmt.get(lockerId, codeHash);
    return r && { parcelId: r.parcel_id, expiresAt: r.expires_at };
  }
  findLatest(lockerId: string, codeHash: Buffer): (ActiveCode & { revokeReason: string | null }) | undefined {
    const r = this.latestStmt.get(lockerId, codeHash);
    return r && { parcelId: r.parcel_id, expiresAt: r.expires_at, revokeReason: r.revoke_reason };
  }
  revokeForParcel(parcelId: string, now: number, reason: string): number {
    return this.revokeStmt.run(now, reason, parcelId).changes;
  }
  recordAttempt(lockerId: string, at: number, channel: 'keypad' | 'api', ok: boolean): void {
    this.attemptStmt.run(lockerId, at, channel, ok ? 1 : 0);
  }
  failuresSince(lockerId: string, since: number): number {
    return this.failuresStmt.get(lockerId, since)?.n ?? 0;
  }
  pruneAttempts(before: number, limit: number): number {
    return this.pruneAttemptsStmt.run(before, limit).changes;
  }
  lockedUntil(lockerId: string): number | undefined {
    return this.lockedStmt.get(lockerId)?.until;
  }
  lockOut(lockerId: string, until: number): void {
    this.lockStmt.run(lockerId, until);
  }
}
