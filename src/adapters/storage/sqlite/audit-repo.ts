import type Database from 'better-sqlite3';
import type { AuditEntry, AuditRepo } from '../../../app/ports.js';

interface AuditRow {
  at: number;
  actor: string;
  action: string;
  target: string;
  details: string;
}

export class SqliteAuditRepo implements AuditRepo {
  private readonly insertStmt: Database.Statement;
  private readonly listStmt: Database.Statement<[string, number], AuditRow>;

  constructor(db: Database.Database) {
    this.insertStmt = db.prepare('INSERT INTO audit_log (at, actor, action, target, details) VALUES (?, ?, ?, ?, ?)');
    this.listStmt = db.prepare('SELECT at, actor, action, target, details FROM audit_log WHERE target = ? ORDER BY id DESC LIMIT ?');
  }

  append(e: AuditEntry): void {
    this.insertStmt.run(e.at, e.actor, e.action, e.target, JSON.stringify(e.details));
  }
  list(target: string, limit: number): AuditEntry[] {
    return this.listStmt.all(target, limit).map((r) => ({ ...r, details: JSON.parse(r.details) as Record<string, unknown> }));
  }
}
