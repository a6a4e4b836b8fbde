import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import type { CheckpointReport, CheckpointWorkerData } from './checkpointer.js';

/**
 * The WAL checkpointer's thread (ADR 0002, "checkpoints off the event loop"): its own connection
 * to the gateway's database copies committed WAL frames into the database file (PASSIVE: never
 * waits for, nor blocks, the gateway's writer) and does the fsyncs that takes, off the main thread.
 */
const port = parentPort;
if (!port) throw new Error('checkpoint-worker runs as a worker thread');
const { file, everyMs } = workerData as CheckpointWorkerData;
const db = new Database(file);
db.pragma('synchronous = FULL');
db.pragma('busy_timeout = 0');
const post = (r: CheckpointReport) => port.postMessage(r);
post({ kind: 'ready' });

const timer = setInterval(() => {
  try {
    const [r] = db.pragma('wal_checkpoint(PASSIVE)') as Array<{ busy: number; log: number; checkpointed: number }>;
    if (r && r.log > 0) post({ kind: 'checkpoint', frames: r.log, copied: r.checkpointed });
  } catch (error) {
    // SQLITE_BUSY (another checkpoint running) is harmless: the next tick tries again.
    post({ kind: 'error', message: error instanceof Error ? error.message : String(error) });
  }
}, everyMs);

port.on('message', (m: unknown) => {
  if (m !== 'stop') return;
  clearInterval(timer);
  db.close();
  port.close();
});
