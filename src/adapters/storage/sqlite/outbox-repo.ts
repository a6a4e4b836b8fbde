import type Database from 'better-sqlite3';
import type { OutboxChannel, OutboxMessage, OutboxRepo, OutboxState } from '../../../app/notification-ports.js';

interface OutboxRow {
  id: string;
  channel: string;
  carrier_id: string | null;
  event: string;
  body_sealed: string | null;
  state: string;
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
  created_at: number;
  delivered_at: number | null;
}

const toMessage = (r: OutboxRow): OutboxMessage => ({
  id: r.id,
  channel: r.channel as OutboxChannel,
  carrierId: r.carrier_id,
  event: r.event,
  bodySealed: r.body_sealed,
  state: r.state as OutboxState,
  attempts: r.attempts,
  nextAttemptAt: r.next_attempt_at,
  lastError: r.last_error,
  createdAt: r.created_at,
  deliveredAt: r.delivered_at,
});

export class SqliteOutboxRepo implements OutboxRepo {
  private readonly insertStmt: Database.Statement;
  private readonly getStmt: Database.Statement<[string], OutboxRow>;
  private readonly dueStmt: Database.Statement<[number, number], OutboxRow>;
  private readonly updateStmt: Database.Statement;
  private readonly purgeStmt: Database.Statement;

  constructor(private readonly db: Database.Database) {
    this.insertStmt = db.prepare(
      `INSERT INTO outbox (id, channel, carrier_id, event, body_sealed, state, attempts, next_attempt_at, last_error, created_at, delivered_at)
       VALUES (@id, @channel, @carrierId, @event, @bodySealed, @state, @attempts, @nextAttemptAt, @lastError, @createdAt, @deliveredAt)`,
    );
    this.getStmt = db.prepare('SELECT * FROM outbox WHERE id = ?');
    this.dueStmt = db.prepare(`SELECT * FROM outbox WHERE state = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at, created_at LIMIT ?`);
    this.updateStmt = db.prepare(
      `UPDATE outbox SET body_sealed = @bodySealed, state = @state, attempts = @attempts, next_attempt_at = @nextAttemptAt,
       last_error = @lastError, delivered_at = @deliveredAt WHERE id = @id`,
    );
    this.purgeStmt = db.prepare(`UPDATE outbox SET body_sealed = NULL WHERE state != 'pending' AND body_sealed IS NOT NULL AND created_at < ?`);
  }

  add(m: OutboxMessage): void {
    this.insertStmt.run(m);
  }
  get(id: string): OutboxMessage | undefined {
    const r = this.getStmt.get(id);
    return r && toMessage(r);
  }
  due(now: number, limit: number): OutboxMessage[] {
    return this.dueStmt.all(now, limit).map(toMessage);
  }
  update(m: OutboxMessage): void {
    this.updateStmt.run(m);
  }
  purgeBodies(before: number): number {
    return this.purgeStmt.run(before).changes;
  }
  list(filter: { carrierId?: string | undefined; state?: OutboxState | undefined; limit: number }): OutboxMessage[] {
    const where: string[] = [];
    const args: Array<string | number> = [];
    if (filter.carrierId) (where.push('carrier_id = ?'), args.push(filter.carrierId));
    if (filter.state) (where.push('state = ?'), args.push(filter.state));
    const sql = `SELECT * FROM outbox ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at DESC LIMIT ?`;
    return (this.db.prepare(sql).all(...args, filter.limit) as OutboxRow[]).map(toMessage);
  }
}
