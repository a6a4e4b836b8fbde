import type Database from 'better-sqlite3';

interface Pending {
  /** When the unit was requested (ms, monotonic). */
  requestedAt: number;
  work: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

type Settled = { p: Pending; ok: true; value: unknown } | { p: Pending; ok: false; error: unknown };

/**
 * Makes committed WAL frames durable without blocking the event loop: an fsync of the WAL file
 * on the libuv thread pool (docs/adr/0002, addendum "the fsync off the event loop").
 */
export type WalSync = (done: (error: Error | null) => void) => void;

/** What the committer reports, for metrics (times in ms). */
export interface CommitObserver {
  /** A batch committed: its units, and how long it held the event loop (BEGIN to COMMIT). */
  batch(units: number, ms: number): void;
  /** A WAL fsync returned (successfully or not). */
  fsync(ms: number): void;
  /** A unit was acknowledged: from its request to its durable commit (queue + batch + fsync). */
  acknowledged(ms: number): void;
}

export interface GroupCommitOptions {
  /** Units per SQLite transaction at most: bounds how long one batch holds the event loop (512). */
  maxBatch?: number;
  /** Right after a commit, how long the next batch waits for more units to share it, ms (2). */
  loadWindowMs?: number;
  observer?: CommitObserver | null;
}

/**
 * Group commit (docs/adr/0002): transactions requested in the same turn of the event loop run
 * back to back inside one SQLite transaction, each in its own savepoint. Each caller's promise
 * settles only once its transaction is durable, so nothing is acknowledged before it would
 * survive a power cut; a failing unit rolls back to its savepoint alone and rejects alone.
 *
 * With a `walSync`, COMMIT does not fsync (synchronous=NORMAL) and durability comes from one
 * WAL fsync on the thread pool shared by every batch committed while the previous one ran;
 * without it, COMMIT fsyncs itself (synchronous=FULL) and settles at once.
 */
export class GroupCommitter {
  private queue: Pending[] = [];
  private scheduled = false;
  /** When the last COMMIT returned (ms, monotonic). */
  private lastCommitAt = 0;
  /** Committed, waiting for the next WAL fsync to start. */
  private awaitingSync: Settled[] = [];
  private syncing = false;
  private syncIdle: Array<() => void> = [];
  /** Once a WAL fsync failed nothing more is acknowledged: the process must restart and recover. */
  private syncFailure: Error | null = null;
  private readonly begin: Database.Statement;
  private readonly commit: Database.Statement;
  private readonly rollback: Database.Statement;
  private readonly savepoint: Database.Statement;
  private readonly release: Database.Statement;
  private readonly rollbackTo: Database.Statement;

  private readonly maxBatch: number;
  private readonly loadWindowMs: number;
  private readonly observer: CommitObserver | null;

  constructor(
    private readonly db: Database.Database,
    private readonly walSync: WalSync | null = null,
    options: GroupCommitOptions = {},
  ) {
    this.maxBatch = options.maxBatch ?? 512;
    this.loadWindowMs = options.loadWindowMs ?? 2;
    this.observer = options.observer ?? null;
    this.begin = db.prepare('BEGIN IMMEDIATE');
    this.commit = db.prepare('COMMIT');
    this.rollback = db.prepare('ROLLBACK');
    this.savepoint = db.prepare('SAVEPOINT unit');
    this.release = db.prepare('RELEASE unit');
    this.rollbackTo = db.prepare('ROLLBACK TO unit');
  }

  run<T>(work: () => T): Promise<T> {
    if (this.syncFailure) return Promise.reject(this.syncFailure);
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ requestedAt: performance.now(), work, resolve: resolve as (v: unknown) => void, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        // Under load (the previous commit just ended) wait a moment for more units to share the
        // next one; idle, commit at the next turn.
        const sinceLast = performance.now() - this.lastCommitAt;
        if (sinceLast < this.loadWindowMs) setTimeout(() => this.flush(), this.loadWindowMs - sinceLast);
        else setImmediate(() => this.flush());
      }
    });
  }

  /** Commits everything queued now (used at shutdown); `durable()` then waits for its fsync. */
  flush(): void {
    this.scheduled = false;
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      this.runBatch(batch);
    }
  }

  /** Resolves once every committed batch has been fsynced (or failed to be). */
  durable(): Promise<void> {
    if (!this.syncing && this.awaitingSync.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.syncIdle.push(resolve));
  }

  private runBatch(batch: Pending[]): void {
    const results: Settled[] = [];
    const began = performance.now();
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
        results.push({ p, ok: true, value });
      } catch (error) {
        this.rollbackTo.run();
        this.release.run();
        results.push({ p, ok: false, error });
      }
    }
    try {
      this.commit.run();
      this.lastCommitAt = performance.now();
      this.observer?.batch(batch.length, this.lastCommitAt - began);
    } catch (error) {
      if (this.db.inTransaction) this.rollback.run();
      for (const p of batch) p.reject(error);
      return;
    }
    if (this.walSync === null) return this.settle(results);
    for (const r of results) this.awaitingSync.push(r);
    this.startSync();
  }

  /**
   * One fsync at a time; batches committed while it runs wait for the next one, which starts
   * after they committed and so covers them (classic group commit: one fsync, many commits).
   */
  private startSync(): void {
    if (this.syncing || this.awaitingSync.length === 0) return;
    const covered = this.awaitingSync;
    this.awaitingSync = [];
    this.syncing = true;
    const started = performance.now();
    this.walSync!((error) => {
      this.syncing = false;
      this.observer?.fsync(performance.now() - started);
      if (error) {
        // Committed but not known to be durable: never acknowledge it, nor anything after it.
        this.syncFailure ??= new Error(`WAL fsync failed, restart to recover: ${error.message}`);
        for (const r of [...covered, ...this.awaitingSync.splice(0)]) r.p.reject(this.syncFailure);
      } else {
        this.settle(covered);
      }
      this.startSync();
      if (!this.syncing) for (const wake of this.syncIdle.splice(0)) wake();
    });
  }

  private settle(results: Settled[]): void {
    const now = performance.now();
    for (const r of results) {
      if (r.ok) {
        this.observer?.acknowledged(now - r.p.requestedAt);
        r.p.resolve(r.value);
      } else {
        r.p.reject(r.error);
      }
    }
  }
}
