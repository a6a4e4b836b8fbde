import { chmodSync, copyFileSync, existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Config } from '../config.js';
import { LockergateError } from '../domain/errors.js';

export interface BackupResult {
  database: string;
  keys: string | null;
  bytes: number;
  ms: number;
}

/**
 * `lockergate backup <file>` while the gateway runs: SQLite's online backup API copies a
 * consistent snapshot of the database, and keys.json (without it, encrypted phone numbers and
 * active pickup codes are unreadable) is copied next to it as `<file>.keys.json`.
 * Restore is: stop, copy both back, start (deploy/README.md).
 */
export async function backupDataDir(config: Config, target: string): Promise<BackupResult> {
  const source = join(config.LOCKERGATE_DATA_DIR, 'lockergate.db');
  if (!existsSync(source)) throw new LockergateError('VALIDATION_FAILED', `no database at ${source} (check LOCKERGATE_DATA_DIR)`);
  const keysTarget = `${target}.keys.json`;
  for (const f of [target, keysTarget]) {
    // A backup never overwrites: an older good copy must not be lost to a typo.
    if (existsSync(f)) throw new LockergateError('VALIDATION_FAILED', `${f} already exists`);
  }
  const started = Date.now();
  const db = new Database(source, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    // All pages in one step: the step reads one WAL snapshot, so the copy is consistent and never
    // restarts because the running gateway committed in between (it would with small steps).
    await db.backup(target, { progress: () => 0x7fffffff });
  } finally {
    db.close();
  }
  chmodSync(target, 0o600);
  const check = new Database(target, { readonly: true });
  try {
    const result = check.pragma('quick_check', { simple: true });
    if (result !== 'ok') throw new LockergateError('INTERNAL', `the backup failed its integrity check: ${String(result)}`);
  } finally {
    check.close();
  }
  const keysFile = join(config.LOCKERGATE_DATA_DIR, 'keys.json');
  const keys = existsSync(keysFile) ? keysTarget : null;
  if (keys !== null) {
    copyFileSync(keysFile, keys);
    chmodSync(keys, 0o600);
  }
  return { database: target, keys, bytes: statSync(target).size, ms: Date.now() - started };
}
