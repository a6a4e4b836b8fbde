import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';

/**
 * A fingerprint of the whole store: every table's row count and a hash of its rows. Two equal snapshots mean no request in between changed anything.
 * `code_attempts` and `keypad_lockouts` are left out on purpose: a wrong pickup code is a
 * failed request that must leave a trace (it counts toward the lockout).
 */
export const CHANGES_ON_FAILURE = new Set(['code_attempts', 'keypad_lockouts']);

export function snapshotDb(db: Database.Database, alsoSkip: readonly string[] = []): Record<string, string> {
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").pluck().all() as string[];
  const out: Record<string, string> = {};
  for (const table of tables) {
    if (CHANGES_ON_FAILURE.has(table) || alsoSkip.includes(table)) continue;
    // Sorted in JS: some tables are WITHOUT ROWID, so there is no common ORDER BY.
    const rows = (db.prepare(`SELECT * FROM "${table}"`).raw().all() as unknown[][]).map((row) => JSON.stringify(row, (_k, v: unknown) => (Buffer.isBuffer(v) ? v.toString('hex') : v))).sort();
    const hash = createHash('sha256');
    for (const row of rows) hash.update(row);
    out[table] = `${rows.length}:${hash.digest('hex').slice(0, 16)}`;
  }
  return out;
}
