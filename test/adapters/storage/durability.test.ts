import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, SqliteStore } from '../../../src/adapters/storage/sqlite/db.js';
import { GroupCommitter } from '../../../src/adapters/storage/sqlite/group-commit.js';
import { loadMigrations, migrate } from '../../../src/adapters/storage/sqlite/migrate.js';
import { site } from './contract/fixtures.js';

let dir: string;
let file: string;
const toClose: Array<{ close(): unknown }> = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lockergate-durability-'));
  file = join(dir, 'lockergate.db');
});

afterEach(async () => {
  for (const c of toClose.splice(0).reverse()) await c.close();
  rmSync(dir, { recursive: true, force: true });
});

function openStore(): SqliteStore {
  const s = new SqliteStore({ file });
  toClose.push(s);
  return s;
}

/** A second, independent connection: it sees only what has been committed. */
function openReader(): Database.Database {
  const db = new Database(file, { readonly: true });
  toClose.push(db);
  return db;
}

const countSites = (db: Database.Database) => (db.prepare('SELECT count(*) AS n FROM sites').get() as { n: number }).n;

describe('SQLite durability settings', () => {
  it('opens the database in WAL mode with foreign keys on; COMMIT leaves the fsync to the group committer (synchronous=NORMAL)', () => {
    const { db } = openStore();
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(1);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
  });

  it('other connections (CLI, tools) keep synchronous=FULL', () => {
    const db = openDatabase(file);
    toClose.push(db);
    expect(db.pragma('synchronous', { simple: true })).toBe(2);
  });

  it('a commit that resolved survives the process being killed (SIGKILL) right after', () => {
    const script = join(dir, 'writer.mts');
    const dbModule = fileURLToPath(new URL('../../../src/adapters/storage/sqlite/db.ts', import.meta.url));
    writeFileSync(
      script,
      `import { SqliteStore } from ${JSON.stringify(dbModule)};
const store = new SqliteStore({ file: ${JSON.stringify(file)} });
const site = (id) => ({ id, name: id, kind: 'residential', regionCode: '1', address: 'a', createdAt: 1 });
await Promise.all(Array.from({ length: 25 }, (_, i) => store.transact((tx) => tx.sites.insert(site('site-' + i)))));
process.kill(process.pid, 'SIGKILL');
`,
    );
    const tsx = fileURLToPath(new URL('../../../node_modules/tsx/dist/loader.mjs', import.meta.url));
    expect(() => execFileSync(process.execPath, ['--import', tsx, script], { stdio: 'pipe' })).toThrow(
      expect.objectContaining({ signal: 'SIGKILL' }),
    );
    const store = openStore();
    return expect(store.read((tx) => tx.sites.list().length)).resolves.toBe(25);
  });
});

describe('migrations', () => {
  it('records every applied migration in schema_migrations', () => {
    const { db } = openStore();
    const rows = db.prepare('SELECT version, name FROM schema_migrations ORDER BY version').all();
    expect(rows).toEqual(loadMigrations().map((m) => ({ version: m.version, name: m.name })));
    expect(rows[0]).toEqual({ version: 1, name: 'initial' });
  });

  it('re-opening the same file applies nothing twice and keeps the data', async () => {
    const first = openStore();
    const before = first.db.prepare('SELECT version, name, applied_at FROM schema_migrations ORDER BY version').all();
    await first.transact((tx) => tx.sites.insert(site('site-kept')));
    await first.close();

    const second = openStore();
    expect(second.db.prepare('SELECT version, name, applied_at FROM schema_migrations ORDER BY version').all()).toEqual(before);
    expect(migrate(second.db)).toEqual([]);
    expect(await second.read((tx) => tx.sites.get('site-kept')?.id)).toBe('site-kept');
  });

  it('applies a new migration once, in its own transaction, and not again', () => {
    const { db } = openStore();
    const extra = [{ version: 900, name: 'add_notes', sql: 'ALTER TABLE sites ADD COLUMN notes TEXT;' }];
    expect(migrate(db, extra)).toEqual([900]);
    expect(migrate(db, extra)).toEqual([]);
    const cols = (db.prepare('PRAGMA table_info(sites)').all() as Array<{ name: string }>).map((c) => c.name);
    expect(cols.filter((c) => c === 'notes')).toHaveLength(1);
  });

  it('a failing migration leaves no partial schema and is not recorded', () => {
    const { db } = openStore();
    const broken = [{ version: 901, name: 'broken', sql: 'CREATE TABLE half_done (id TEXT); SELECT * FROM no_such_table;' }];
    expect(() => migrate(db, broken)).toThrow();
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'half_done'").get()).toBeUndefined();
    expect(db.prepare('SELECT version FROM schema_migrations WHERE version = 901').get()).toBeUndefined();
  });
});

describe('group commit', () => {
  it('units issued in the same tick share one transaction: no unit is visible to another connection before the last one ran', async () => {
    const store = openStore();
    const reader = openReader();
    const units = 40;
    const seenByReader: number[] = [];
    const work = Array.from({ length: units }, (_, i) =>
      store.transact((tx) => {
        tx.sites.insert(site(`site-${String(i).padStart(2, '0')}`));
        seenByReader.push(countSites(reader));
      }),
    );
    await Promise.all(work);
    // Had each unit been its own transaction, unit i would see i committed sites.
    expect(seenByReader).toEqual(Array.from({ length: units }, () => 0));
    expect(countSites(reader)).toBe(units);
  });

  it('units issued one after another commit separately (the check above can tell the difference)', async () => {
    const store = openStore();
    const reader = openReader();
    const seenByReader: number[] = [];
    for (let i = 0; i < 3; i++) {
      await store.transact((tx) => {
        tx.sites.insert(site(`site-${i}`));
        seenByReader.push(countSites(reader));
      });
    }
    expect(seenByReader).toEqual([0, 1, 2]);
  });

  it('no unit of a batch resolves before the whole batch is committed', async () => {
    const store = openStore();
    const reader = openReader();
    const seenAtResolve: number[] = [];
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        store.transact((tx) => tx.sites.insert(site(`site-${i}`))).then(() => seenAtResolve.push(countSites(reader))),
      ),
    );
    expect(seenAtResolve).toEqual(Array.from({ length: 10 }, () => 10));
  });

  it('a failing unit in a batch does not hide the others from another connection', async () => {
    const store = openStore();
    const reader = openReader();
    const results = await Promise.allSettled([
      store.transact((tx) => tx.sites.insert(site('site-1'))),
      store.transact((tx) => {
        tx.sites.insert(site('site-2'));
        throw new Error('unit failed');
      }),
      store.transact((tx) => tx.sites.insert(site('site-3'))),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((reader.prepare('SELECT id FROM sites ORDER BY id').all() as Array<{ id: string }>).map((r) => r.id)).toEqual(['site-1', 'site-3']);
  });
});

describe('group commit with the WAL fsync off the event loop', () => {
  /** The WAL fsync as the committer sees it, completed by the test: it decides when the disk answers. */
  function heldSync() {
    const calls: Array<(error: Error | null) => void> = [];
    return { sync: (done: (error: Error | null) => void) => void calls.push(done), calls };
  }
  const settledYet = async (p: Promise<unknown>) => {
    let done = false;
    void p.then(() => (done = true), () => (done = true));
    await new Promise((r) => setImmediate(r));
    return done;
  };

  it('a committed unit resolves only after the fsync that started after its commit; commits made meanwhile share the next fsync', async () => {
    const db = openDatabase(file);
    toClose.push(db);
    const wal = heldSync();
    const committer = new GroupCommitter(db, wal.sync, { loadWindowMs: 0 });
    const insert = (id: string) => committer.run(() => db.prepare('INSERT INTO sites (id, name, kind, region_code, address, created_at) VALUES (?, ?, ?, ?, ?, ?)').run(id, id, 'residential', '1', 'a', 1));
    const first = insert('a');
    await new Promise((r) => setImmediate(r));
    expect(wal.calls).toHaveLength(1);
    expect(await settledYet(first)).toBe(false);
    // Two more batches commit while the first fsync is still running: no second fsync yet.
    const second = insert('b');
    await new Promise((r) => setImmediate(r));
    const third = insert('c');
    await new Promise((r) => setImmediate(r));
    expect(wal.calls).toHaveLength(1);
    wal.calls[0]!(null);
    await first;
    expect(await settledYet(second)).toBe(false);
    expect(wal.calls).toHaveLength(2);
    wal.calls[1]!(null);
    await Promise.all([second, third]);
    expect(wal.calls).toHaveLength(2);
    await expect(committer.durable()).resolves.toBeUndefined();
  });

  it('a failed fsync acknowledges nothing it covered, nor anything after', async () => {
    const db = openDatabase(file);
    toClose.push(db);
    const wal = heldSync();
    const committer = new GroupCommitter(db, wal.sync, { loadWindowMs: 0 });
    const unit = committer.run(() => 1);
    await new Promise((r) => setImmediate(r));
    wal.calls[0]!(new Error('EIO'));
    await expect(unit).rejects.toThrow(/WAL fsync failed/);
    await expect(committer.run(() => 2)).rejects.toThrow(/WAL fsync failed/);
  });

  it('reports each batch, each fsync and each acknowledgement to its observer, the wait covering the fsync', async () => {
    const db = openDatabase(file);
    toClose.push(db);
    const wal = heldSync();
    const seen = { batches: [] as number[], fsyncs: [] as number[], acks: [] as number[] };
    const committer = new GroupCommitter(db, wal.sync, {
      loadWindowMs: 0,
      observer: {
        batch: (units) => seen.batches.push(units),
        fsync: (ms) => seen.fsyncs.push(ms),
        acknowledged: (ms) => seen.acks.push(ms),
      },
    });
    const units = [committer.run(() => 1), committer.run(() => 2), committer.run(() => { throw new Error('rolled back alone'); })];
    await new Promise((r) => setImmediate(r));
    expect(seen).toEqual({ batches: [3], fsyncs: [], acks: [] });
    const heldFor = 30;
    await new Promise((r) => setTimeout(r, heldFor)); // the disk takes its time
    wal.calls[0]!(null);
    const results = await Promise.allSettled(units);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected']);
    expect(seen.fsyncs).toHaveLength(1);
    expect(seen.fsyncs[0]).toBeGreaterThanOrEqual(heldFor - 1);
    // Only what was acknowledged, each waiting at least as long as the fsync it waited for.
    expect(seen.acks).toHaveLength(2);
    for (const ms of seen.acks) expect(ms).toBeGreaterThanOrEqual(seen.fsyncs[0]!);
  });

  it('close() waits for the last fsync: everything acknowledged is in the file for the next process', async () => {
    const store = openStore();
    const acks = Array.from({ length: 50 }, (_, i) => store.transact((tx) => tx.sites.insert(site(`site-${i}`))));
    await store.close();
    await Promise.all(acks);
    expect(countSites(openReader())).toBe(50);
  });
});
