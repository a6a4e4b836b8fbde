import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../../src/adapters/storage/sqlite/db.js';

/**
 * Every statement the store prepares, planned by SQLite itself: none may walk a whole table that
 * grows with parcels, commands or time. (Found this way: the every-minute purge and offline-code
 * pruning walked every finished parcel and every code, 12 and 65 ms at realistic sizes.)
 */
const GROWING = ['parcels', 'parcel_events', 'deposits', 'pickups', 'pickup_codes', 'code_attempts', 'commands', 'outbox', 'audit_log', 'local_opens', 'offline_codes', 'alarms'];
/** Whole-index walks that are bounded all the same: partial indexes of live rows only. */
const BOUNDED_INDEXES = ['commands_unfinished_locker'];

const dir = mkdtempSync(join(tmpdir(), 'lockergate-plans-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The SQL of every statement a fresh store prepares. */
function preparedBy(open: () => { close(): Promise<void> }): Promise<string[]> {
  const sqls = new Set<string>();
  const prepare = Database.prototype.prepare;
  Database.prototype.prepare = function (this: Database.Database, sql: string) {
    sqls.add(sql);
    return prepare.call(this, sql);
  } as typeof prepare;
  try {
    const store = open();
    return store.close().then(() => [...sqls]);
  } finally {
    Database.prototype.prepare = prepare;
  }
}

/** EXPLAIN QUERY PLAN with every parameter bound to null (positional `?` and named `@x`). */
function plan(db: Database.Database, sql: string): string[] {
  const named = [...new Set([...sql.matchAll(/[@:$]([A-Za-z_]\w*)/g)].map((m) => m[1]!))];
  const args: unknown[] = Array.from({ length: (sql.match(/\?/g) ?? []).length }, () => null);
  if (named.length > 0) args.push(Object.fromEntries(named.map((n) => [n, null])));
  return (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...args) as Array<{ detail: string }>).map((r) => r.detail);
}

describe('query plans', () => {
  it('no prepared statement walks a whole growing table', async () => {
    const file = join(dir, 'lockergate.db');
    const sqls = await preparedBy(() => new SqliteStore({ file }));
    const db = new Database(file, { readonly: true });
    try {
      const queries = sqls.filter((s) => /^\s*(SELECT|UPDATE|DELETE|WITH)\b/i.test(s));
      expect(queries.length).toBeGreaterThan(100);
      const walks = queries.flatMap((sql) =>
        plan(db, sql)
          .filter((d) => GROWING.some((t) => new RegExp(`^SCAN ${t}\\b`).test(d)) && !BOUNDED_INDEXES.some((i) => d.includes(`INDEX ${i}`)))
          .map((d) => `${d} ← ${sql.replace(/\s+/g, ' ').slice(0, 100)}`),
      );
      expect(walks).toEqual([]);
    } finally {
      db.close();
    }
  });
});
