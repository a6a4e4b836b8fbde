import type Database from 'better-sqlite3';
import type { CommandRepo } from '../../../app/ports.js';
import type { Command, CommandOutcome, CommandState, CommandType } from '../../../domain/command.js';

interface CommandRow {
  id: string;
  device_id: string;
  locker_id: string;
  type: string;
  params: string;
  state: string;
  outcome: string | null;
  created_at: number;
  expires_at: number;
  sent_at: number | null;
  accepted_at: number | null;
  completed_at: number | null;
  attempts: number;
  actor: string;
}

const toCommand = (r: CommandRow): Command => ({
  id: r.id,
  deviceId: r.device_id,
  lockerId: r.locker_id,
  type: r.type as CommandType,
  params: JSON.parse(r.params) as Record<string, unknown>,
  state: r.state as CommandState,
  outcome: r.outcome as CommandOutcome | null,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  sentAt: r.sent_at,
  acceptedAt: r.accepted_at,
  completedAt: r.completed_at,
  attempts: r.attempts,
  actor: r.actor,
});

const toParams = (c: Command) => {
  const compartment = c.params['compartment'];
  return {
    ...c,
    params: JSON.stringify(c.params),
    compartment: typeof compartment === 'number' ? compartment : null,
  };
};

export class SqliteCommandRepo implements CommandRepo {
  private readonly insertStmt: Database.Statement;
  private readonly getStmt: Database.Statement<[string], CommandRow>;
  private readonly updateStmt: Database.Statement;
  private readonly undeliveredStmt: Database.Statement<[string], CommandRow>;
  private readonly unfinishedStmt: Database.Statement<[], CommandRow>;
  private readonly recentOpenCompartmentsStmt: Database.Statement<[string, number, string], { compartment: number }>;
  private readonly forLockerStmt: Database.Statement<[string, number], CommandRow>;

  constructor(db: Database.Database) {
    this.insertStmt = db.prepare(
      `INSERT INTO commands (id, device_id, locker_id, type, params, state, outcome, created_at, expires_at, sent_at,
       accepted_at, completed_at, attempts, actor, compartment)
       VALUES (@id, @deviceId, @lockerId, @type, @params, @state, @outcome, @createdAt, @expiresAt, @sentAt,
       @acceptedAt, @completedAt, @attempts, @actor, @compartment)`,
    );
    this.getStmt = db.prepare('SELECT * FROM commands WHERE id = ?');
    this.updateStmt = db.prepare(
      `UPDATE commands SET state = @state, outcome = @outcome, sent_at = @sentAt, accepted_at = @acceptedAt,
       completed_at = @completedAt, attempts = @attempts WHERE id = @id`,
    );
    // The repeated state term lets SQLite use the partial index commands_unfinished (it only
    // picks a partial index whose WHERE appears verbatim in the query); without it every hello
    // scanned the whole commands table.
    this.undeliveredStmt = db.prepare(
      `SELECT * FROM commands WHERE device_id = ? AND state IN ('queued', 'sent', 'accepted') AND state IN ('queued', 'sent')
       ORDER BY created_at, id`,
    );
    this.unfinishedStmt = db.prepare(`SELECT * FROM commands WHERE state IN ('queued', 'sent', 'accepted')`);
    // Two indexed halves (migration 007), never the locker's whole history.
    this.recentOpenCompartmentsStmt = db.prepare(
      `SELECT compartment FROM commands INDEXED BY commands_open_ended WHERE locker_id = ? AND type IN ('open', 'keypad_reply') AND completed_at >= ?
       UNION
       SELECT compartment FROM commands INDEXED BY commands_unfinished_locker WHERE locker_id = ? AND state IN ('queued', 'sent', 'accepted') AND type IN ('open', 'keypad_reply')`,
    );
    this.forLockerStmt = db.prepare('SELECT * FROM commands WHERE locker_id = ? ORDER BY created_at DESC LIMIT ?');
  }

  insert(c: Command): void {
    this.insertStmt.run(toParams(c));
  }
  get(id: string): Command | undefined {
    const r = this.getStmt.get(id);
    return r && toCommand(r);
  }
  update(c: Command): void {
    this.updateStmt.run(toParams(c));
  }
  undelivered(deviceId: string): Command[] {
    return this.undeliveredStmt.all(deviceId).map(toCommand);
  }
  unfinished(): Command[] {
    return this.unfinishedStmt.all().map(toCommand);
  }
  compartmentsWithRecentOpens(lockerId: string, since: number): Set<number> {
    const out = new Set<number>();
    for (const r of this.recentOpenCompartmentsStmt.all(lockerId, since, lockerId)) if (r.compartment !== null) out.add(r.compartment);
    return out;
  }
  listForLocker(lockerId: string, limit: number): Command[] {
    return this.forLockerStmt.all(lockerId, limit).map(toCommand);
  }
}
