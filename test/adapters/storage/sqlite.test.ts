import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe } from 'vitest';
import type { Store } from '../../../src/app/ports.js';
import { SqliteStore } from '../../../src/adapters/storage/sqlite/db.js';
import {
  alarmRepoContract,
  auditRepoContract,
  commandRepoContract,
  deviceRepoContract,
  lockerRepoContract,
  siteRepoContract,
  storeContract,
  tokenRepoContract,
  type StoreHandle,
} from './contract/index.js';

/** A real database file in a fresh temp dir, removed afterwards. */
async function makeSqliteStore(): Promise<StoreHandle> {
  const dir = mkdtempSync(join(tmpdir(), 'lockergate-sqlite-'));
  const file = join(dir, 'lockergate.db');
  const opened: Store[] = [new SqliteStore({ file })];
  return {
    store: opened[0]!,
    async reopen() {
      const again = new SqliteStore({ file });
      opened.push(again);
      return again;
    },
    async cleanup() {
      for (const s of opened) await s.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

describe('SqliteStore', () => {
  storeContract(makeSqliteStore);
  siteRepoContract(makeSqliteStore);
  lockerRepoContract(makeSqliteStore);
  deviceRepoContract(makeSqliteStore);
  commandRepoContract(makeSqliteStore);
  alarmRepoContract(makeSqliteStore);
  tokenRepoContract(makeSqliteStore);
  auditRepoContract(makeSqliteStore);
});
