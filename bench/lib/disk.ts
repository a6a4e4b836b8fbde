import { closeSync, fdatasyncSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { percentile } from './stats.js';

/**
 * The disk under the data dir, with nothing else running: `writes` times a `bytes` write (at
 * sequential offsets, wrapping in 4 MB, as a WAL does) followed by fdatasync. The floor under the
 * gateway's WAL fsync, so its fsync figures under load can be read against it.
 */
export function diskSyncLatency(bytes = 64 * 1024, writes = 500): { p50: number; p99: number } {
  const dir = mkdtempSync(join(tmpdir(), 'lockergate-bench-disk-'));
  const fd = openSync(join(dir, 'wal-like'), 'w+');
  try {
    const chunk = Buffer.alloc(bytes, 7);
    const ms: number[] = [];
    let offset = 0;
    for (let i = 0; i < writes; i++) {
      writeSync(fd, chunk, 0, bytes, offset);
      offset = (offset + bytes) % (4 * 1024 * 1024);
      const t = performance.now();
      fdatasyncSync(fd);
      ms.push(performance.now() - t);
    }
    ms.sort((a, b) => a - b);
    return { p50: percentile(ms, 50), p99: percentile(ms, 99) };
  } finally {
    closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  }
}
