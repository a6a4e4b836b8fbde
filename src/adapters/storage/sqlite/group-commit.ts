import type Database from 'better-sqlite3';

interface Pending {
  work: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit (docs/adr/0002): transactions requested in the same turn of the event loop run
 * back to back inside one SQLite transaction, each in its own savepoint, and share one fsync.
 * Each caller's promise settles only after COMMIT returned, so nothing is acknowledged before
 * it is durable; a failing unit rolls back to its savepoint alone and rejects alone.
 */
export class GroupCommitter {
  private queue: Pending[] = [];
  private scheduled = false;
  /** When the last COMMIT returned (ms, monotonic). */
  private lastCommitAt = 0;
  private readonly begin: Database.Statement;
  private readonly commit: Database.Statement;
  private readonly rollback: Database.Statement;
  private readonly savepoint: Database.Statement;
  private readonly release: Database.Statement;
  private readonly rollbackTo: Database.Statement;

  /** Units per SQLite transaction; bounds how long one batch holds the event loop. */
  constructor(private readonly db: Database.Database, private readonly maxBatch = 512, private readonly loadWindowMs = 2) {
    this.begin = db.prepare('BEGIN IMMEDIATE');
    this.commit = db.prepare('COMMIT');
    this.rollback = db.prepare('ROLLBACK');
    this.savepoint = db.prepare('SAVEPOINT unit');
    this.release = db.prepare('RELEASE unit');
    this.rollbackTo = db.prepare('ROLLBACK TO unit');
  }

  run<T>(work: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve: resolve as (v: unknown) => void, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        // Under load (the previous fsync just ended) wait a moment for more units to share the
        // next one: fewer fsyncs blocking the event loop; idle, commit at the next turn.
        const sinceLast = performance.now() - this.lastCommitAt;
        if (sinceLast < this.loadWindowMs) setTimeout(() => this.flush(), this.loadWindowMs - sinceLast);
        else setImmediate(() => this.flush());
      }
    });
  }

  /** Runs everything queued now; used at shutdown. */
  flush(): void {
    this.scheduled = false;
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      this.runBatch(batch);
    }
  }

  private runBatch(batch: Pending[]): void {
    const results: Array<{ ok: true; value: unknown } | { ok: false; error: unknown }> = [];
    try {
      this.begin.run();
    } catch (error) {
      for (const p of batch) p.reject(error);
      return;
    }
    for (const p of batch) {
      this.savepoint.run();
      try {
        const value = p.work();
        this.release.run();
        results.push({ ok: true, value });
      } catch (error) {
        this.rollbackTo.run();
        this.release.run();
        results.push({ ok: false, error });
      }
    }
    try {
      this.commit.run();
      this.lastCommitAt = performance.now();
    } catch (error) {
      if (this.db.inTransaction) this.rollback.run();
      for (const p of batch) p.reject(error);
      return;
    }
    batch.forEach((p, i) => {
      const r = results[i]!;
      if (r.ok) p.resolve(r.value);
      else p.reject(r.error);
    });
  }
}
