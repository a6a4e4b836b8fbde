import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';

export interface CheckpointWorkerData {
  file: string;
  everyMs: number;
}

export type CheckpointReport =
  | { kind: 'ready' }
  | { kind: 'checkpoint'; frames: number; copied: number }
  | { kind: 'error'; message: string };

/**
 * The thread runs checkpoint-worker.js from dist/; from the TypeScript sources (tests, `tsx`) a
 * small bootstrap registers tsx inside the thread first (Node 20 does not pass `--import tsx` on).
 */
function startWorker(data: CheckpointWorkerData): Worker {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return new Worker(fileURLToPath(new URL('./checkpoint-worker.js', here)), { workerData: data });
  const entry = new URL('./checkpoint-worker.ts', here).href;
  const tsx = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(bootstrap, { eval: true, workerData: data });
}

/** SQLite's own default: the writer checkpoints after a commit leaves this many frames in the WAL. */
const INLINE_AUTOCHECKPOINT = 1000;
/**
 * While the thread checkpoints, the writer does so only if the WAL grew this far anyway (the
 * thread fell behind or stalled): a bound on the WAL's size, ~80 MB at 4 KiB pages.
 */
const FALLBACK_AUTOCHECKPOINT = 20_000;

/**
 * Moves WAL checkpoints off the event loop (ADR 0002): a worker thread with its own connection
 * checkpoints every `everyMs`; the gateway's connection then checkpoints inline only past
 * FALLBACK_AUTOCHECKPOINT frames, and again at SQLite's default if the thread stops.
 */
export class WalCheckpointer {
  private readonly worker: Worker;
  private running = false;
  private stopped: Promise<void>;
  /** Checkpoints done and frames copied by the thread, for the curious (tests, metrics). */
  readonly stats = { checkpoints: 0, copied: 0, errors: 0 };

  constructor(private readonly db: Database.Database, file: string, everyMs = 100) {
    this.worker = startWorker({ file, everyMs });
    this.worker.unref();
    this.worker.on('message', (r: CheckpointReport) => this.onReport(r));
    this.stopped = new Promise((resolve) => {
      this.worker.once('exit', () => {
        this.fallBack();
        resolve();
      });
    });
    this.worker.on('error', () => this.fallBack());
  }

  /** Whether the thread is doing the checkpoints now. */
  get active(): boolean {
    return this.running;
  }

  async stop(): Promise<void> {
    this.worker.ref(); // the process waits for the thread's connection to close
    this.worker.postMessage('stop');
    await this.stopped;
  }

  private onReport(r: CheckpointReport): void {
    if (r.kind === 'ready') {
      this.running = true;
      this.db.pragma(`wal_autocheckpoint = ${FALLBACK_AUTOCHECKPOINT}`);
    } else if (r.kind === 'checkpoint') {
      this.stats.checkpoints += 1;
      this.stats.copied += r.copied;
    } else {
      this.stats.errors += 1;
    }
  }

  private fallBack(): void {
    if (!this.running) return;
    this.running = false;
    if (this.db.open) this.db.pragma(`wal_autocheckpoint = ${INLINE_AUTOCHECKPOINT}`);
  }
}
