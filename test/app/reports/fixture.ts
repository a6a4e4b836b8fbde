import { CodeSyncPump } from '../../../src/app/offline/sync.js';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AppContext } from '../../../src/app/context.js';
import { AppEventBus } from '../../../src/app/events.js';
import { newId } from '../../../src/app/ids.js';
import { completeDeposit, completePickup } from '../../../src/app/parcels/lifecycle.js';
import { createLocker, createSite } from '../../../src/app/provisioning.js';
import { applySeed } from '../../../src/app/reports/seed.js';
import { DEFAULT_SETTINGS } from '../../../src/app/settings.js';
import { SqliteStore } from '../../../src/adapters/storage/sqlite/db.js';
import { defaultSeedsDir, loadSeedFiles } from '../../../src/cli/seed-files.js';
import { ManualClock } from '../../../src/domain/clock.js';
import type { Deposit, Pickup } from '../../../src/domain/deposit.js';
import type { LockerKind } from '../../../src/domain/locker.js';
import type { Parcel } from '../../../src/domain/parcel.js';
import { FakeTransport } from '../fakes.js';

/**
 * A real SQLite store in a temp dir with the seeded Jilin regions and targets, a ManualClock, and
 * helpers that run the real lifecycle transitions (completeDeposit, completePickup), so the
 * rollups are fed exactly as in production.
 */
export interface ReportFixture {
  ctx: AppContext;
  clock: ManualClock;
  store: SqliteStore;
  carrier(id: string): Promise<string>;
  locker(regionCode: string, kind?: LockerKind): Promise<string>;
  deposit(lockerId: string, carrierId: string, at: number): Promise<Parcel>;
  pickup(parcel: Parcel, at: number): Promise<void>;
  cleanup(): Promise<void>;
}

export async function startReportFixture(): Promise<ReportFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'lockergate-reports-'));
  const store = new SqliteStore({ file: join(dir, 'lockergate.db') });
  const clock = new ManualClock(Date.UTC(2026, 10, 28, 2, 0));
  const ctx: AppContext = {
    store, clock, random: randomBytes, transport: new FakeTransport(), events: new AppEventBus(), settings: DEFAULT_SETTINGS, startedAt: clock.now(),
    keys: { pickupCode: Buffer.alloc(32, 1), data: Buffer.alloc(32, 2) }, codeSync: new CodeSyncPump(),
  };
  await applySeed(ctx, loadSeedFiles(defaultSeedsDir()), { regionsOnly: true });
  let n = 0;
  return {
    ctx,
    clock,
    store,
    async carrier(id) {
      await store.transact((tx) => tx.carriers.insert({ id, name: id, webhookUrl: null, createdAt: clock.now(), disabledAt: null }, randomBytes(32), null));
      return id;
    },
    async locker(regionCode, kind = 'smart_locker') {
      const site = await createSite(ctx, { name: `Site ${++n}`, kind: 'residential', regionCode, address: 'x' }, 'test');
      return (await createLocker(ctx, { siteId: site.id, name: `Locker ${n}`, kind, layout: 'S:4' }, 'test')).locker.id;
    },
    async deposit(lockerId, carrierId, at) {
      clock.set(at);
      return store.transact((tx) => {
        const parcel: Parcel = {
          id: newId(randomBytes, 'pcl', 12), carrierId, trackingNumber: `TN-${++n}`, lockerId, compartment: 1, size: 'S', state: 'reserved',
          recipientPhoneSealed: null, recipientPhoneMasked: null, holdHours: 72, holdUntil: null, reminderSentAt: null, createdAt: at, depositedAt: null, completedAt: null, householdId: null,
        };
        tx.parcels.insert(parcel);
        const deposit: Deposit = {
          id: newId(randomBytes, 'dep', 12), parcelId: parcel.id, carrierId, lockerId, compartment: 1, size: 'S', state: 'open',
          reason: null, commandId: null, idempotencyKey: null,
          confirmedAt: null, createdAt: at, updatedAt: at,
        };
        tx.deposits.insert(deposit);
        completeDeposit(ctx, tx, deposit, at, 'courier');
        return tx.parcels.get(parcel.id)!;
      });
    },
    async pickup(parcel, at) {
      clock.set(at);
      await store.transact((tx) => {
        const pickup: Pickup = {
          id: newId(randomBytes, 'pku', 12), kind: 'resident', channel: 'api', parcelId: parcel.id, lockerId: parcel.lockerId, compartment: 1,
          state: 'opening', reason: null, commandId: null, createdAt: at, completedAt: null,
        };
        tx.pickups.insert(pickup);
        completePickup(ctx, tx, pickup, at);
      });
    },
    async cleanup() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** An instant on a Shanghai calendar day: `at('2026-11-02', 9)` is 09:00 +08:00. */
export function at(day: string, hour = 12, minute = 0): number {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return Date.UTC(y, m - 1, d, hour - 8, minute);
}
