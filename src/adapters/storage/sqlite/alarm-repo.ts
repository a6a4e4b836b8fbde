import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { AlarmFilter, AlarmRepo } from '../../../app/ports.js';
import { ALARM_SEVERITY, type Alarm, type AlarmDraft, type AlarmKind, type AlarmSeverity, type AlarmState } from '../../../domain/alarm.js';

interface AlarmRow {
  id: string;
  kind: string;
  severity: string;
  locker_id: string;
  compartment: number | null;
  state: string;
  details: string;
  raised_at: number;
  last_seen_at: number;
  occurrences: number;
  acknowledged_at: number | null;
  acknowledged_by: string | null;
  cleared_at: number | null;
}

const toAlarm = (r: AlarmRow): Alarm => ({
  id: r.id,
  kind: r.kind as AlarmKind,
  severity: r.severity as AlarmSeverity,
  lockerId: r.locker_id,
  compartment: r.compartment,
  state: r.state as AlarmState,
  details: JSON.parse(r.details) as Record<string, unknown>,
  raisedAt: r.raised_at,
  lastSeenAt: r.last_seen_at,
  occurrences: r.occurrences,
  acknowledgedAt: r.acknowledged_at,
  acknowledgedBy: r.acknowledged_by,
  clearedAt: r.cleared_at,
});

export class SqliteAlarmRepo implements AlarmRepo {
  private readonly findLive: Database.Statement<[string, number, string], AlarmRow>;
  private readonly insertStmt: Database.Statement;
  private readonly bumpStmt: Database.Statement;
  private readonly getStmt: Database.Statement<[string], AlarmRow>;
  private readonly ackStmt: Database.Statement;
  private readonly clearStmt: Database.Statement;
  private readonly clearCompartmentsStmt: Database.Statement;
  private readonly countOpenStmt: Database.Statement<[], { n: number }>;
  private readonly db: Database.Database;

  constructor(db: Database.Database) {
    this.db = db;
    this.findLive = db.prepare(
      `SELECT * FROM alarms WHERE locker_id = ? AND ifnull(compartment, -1) = ? AND kind = ? AND state != 'cleared'`,
    );
    this.insertStmt = db.prepare(
      `INSERT INTO alarms (id, kind, severity, locker_id, compartment, state, details, raised_at, last_seen_at, occurrences)
       VALUES (@id, @kind, @severity, @lockerId, @compartment, 'open', @details, @now, @now, 1)`,
    );
    this.bumpStmt = db.prepare('UPDATE alarms SET occurrences = occurrences + 1, last_seen_at = ?, details = ?, state = ? WHERE id = ?');
    this.getStmt = db.prepare('SELECT * FROM alarms WHERE id = ?');
    this.ackStmt = db.prepare(
      `UPDATE alarms SET state = 'acknowledged', acknowledged_at = ?, acknowledged_by = ? WHERE id = ? AND state = 'open'`,
    );
    this.clearCompartmentsStmt = db.prepare(
      `UPDATE alarms SET state = 'cleared', cleared_at = ? WHERE locker_id = ? AND kind = ? AND state != 'cleared'
       AND compartment IN (SELECT value FROM json_each(?))`,
    );
    this.clearStmt = db.prepare(
      `UPDATE alarms SET state = 'cleared', cleared_at = ? WHERE locker_id = ? AND ifnull(compartment, -1) = ?
       AND kind = ? AND state != 'cleared'`,
    );
    this.countOpenStmt = db.prepare(`SELECT count(*) AS n FROM alarms WHERE state = 'open'`);
  }

  raise(draft: AlarmDraft, now: number): { alarm: Alarm; isNew: boolean } {
    const live = this.findLive.get(draft.lockerId, draft.compartment ?? -1, draft.kind);
    const details = JSON.stringify(draft.details);
    if (live) {
      // A new occurrence after an operator acknowledged the alarm needs their attention again.
      const reopened = live.state === 'acknowledged';
      this.bumpStmt.run(now, details, reopened ? 'open' : live.state, live.id);
      const alarm = toAlarm({ ...live, occurrences: live.occurrences + 1, last_seen_at: now, details, state: 'open' });
      return { alarm, isNew: reopened };
    }
    const id = randomUUID();
    this.insertStmt.run({ id, kind: draft.kind, severity: ALARM_SEVERITY[draft.kind], lockerId: draft.lockerId, compartment: draft.compartment, details, now });
    return { alarm: this.get(id)!, isNew: true };
  }
  get(id: string): Alarm | undefined {
    const r = this.getStmt.get(id);
    return r && toAlarm(r);
  }
  live(lockerId: string, compartment: number | null, kind: AlarmKind): Alarm | undefined {
    const r = this.findLive.get(lockerId, compartment ?? -1, kind);
    return r && toAlarm(r);
  }
  list(filter: AlarmFilter): Alarm[] {
    // The filter combinations are few and the table is indexed by state; build the WHERE once per call.
    const where: string[] = [];
    const args: Array<string | number> = [];
    if (filter.state) (where.push('state = ?'), args.push(filter.state));
    if (filter.lockerId) (where.push('locker_id = ?'), args.push(filter.lockerId));
    if (filter.kind) (where.push('kind = ?'), args.push(filter.kind));
    if (filter.siteRegionCodes) {
      where.push('locker_id IN (SELECT l.id FROM lockers l JOIN sites s ON s.id = l.site_id WHERE s.region_code IN (SELECT value FROM json_each(?)))');
      args.push(JSON.stringify(filter.siteRegionCodes));
    }
    const sql = `SELECT * FROM alarms ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY raised_at DESC LIMIT ?`;
    return (this.db.prepare(sql).all(...args, filter.limit) as AlarmRow[]).map(toAlarm);
  }
  acknowledge(id: string, by: string, now: number): void {
    this.ackStmt.run(now, by, id);
  }
  clear(lockerId: string, compartment: number | null, kind: AlarmKind, now: number): number {
    return this.clearStmt.run(now, lockerId, compartment ?? -1, kind).changes;
  }
  clearCompartments(lockerId: string, compartments: readonly number[], kind: AlarmKind, now: number): number {
    if (compartments.length === 0) return 0;
    return this.clearCompartmentsStmt.run(now, lockerId, kind, JSON.stringify(compartments)).changes;
  }
  countOpen(): number {
    return this.countOpenStmt.get()?.n ?? 0;
  }
}
