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

/**
 * An O(1) fingerprint for long runs: temporary triggers (on the store's own connection, so they
 * vanish with it) count every row inserted, updated or deleted in any table but `skip`.
 */
export function changeCounter(db: Database.Database, skip: readonly string[]): () => number {
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").pluck().all() as string[];
  db.exec('CREATE TEMP TABLE IF NOT EXISTS fuzz_changes (n INTEGER NOT NULL); INSERT INTO fuzz_changes SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM fuzz_changes)');
  for (const table of tables.filter((t) => !skip.includes(t))) {
    for (const op of ['INSERT', 'UPDATE', 'DELETE']) {
      db.exec(`CREATE TEMP TRIGGER IF NOT EXISTS "fuzz_${table}_${op}" AFTER ${op} ON main."${table}" BEGIN UPDATE fuzz_changes SET n = n + 1; END`);
    }
  }
  const read = db.prepare('SELECT n FROM fuzz_changes').pluck();
  return () => read.get() as number;
}
