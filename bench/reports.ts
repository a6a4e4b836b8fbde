/**
 * Share-report latency over a synthetic year of 10 million locker deliveries (bench, not a test).
 *
 *   npx tsx bench/reports.ts
 *
 * Fills a real SQLite store (temp dir, seeded Jilin regions) with the rollup rows that 10M
 * deposits, their carriers' daily volume reports and their pickups leave behind, then times the
 * reports through the same use cases the HTTP routes call. Rollup rows carry counts, so a year of
 * 10M parcels is as many rows as a year of 10k; the fill writes the counts directly (the deposit
 * path is timed separately below, on real recordLockerDelivery calls).
 */
import { CodeSyncPump } from '../src/app/offline/sync.js';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AppContext } from '../src/app/context.js';
import { AppEventBus } from '../src/app/events.js';
import type { CommandTransport } from '../src/app/ports.js';
import { createLocker, createSite } from '../src/app/provisioning.js';
import { buildFleetReport } from '../src/app/reports/fleet-report.js';
import { regionChain } from '../src/app/reports/regions.js';
import { recordLockerDelivery } from '../src/app/reports/rollups.js';
import { applySeed } from '../src/app/reports/seed.js';
import { buildShareReport } from '../src/app/reports/share-report.js';
import { upsertVolumeReportInTx } from '../src/app/reports/volume-reports.js';
import { DEFAULT_SETTINGS } from '../src/app/settings.js';
import { SqliteStore } from '../src/adapters/storage/sqlite/db.js';
import { defaultSeedsDir, loadSeedFiles } from '../src/cli/seed-files.js';
import { addDays, shanghaiDayStart } from '../src/domain/calendar.js';
import { ManualClock } from '../src/domain/clock.js';
import type { Parcel } from '../src/domain/parcel.js';

const PARCELS = 10_000_000;
const YEAR_START = '2026-01-01';
const DAYS = 365;
const CARRIERS = Array.from({ length: 8 }, (_, i) => `car-${i + 1}`);
const RUNS = 200;
/** `--json`: also time the province-by-day share report in ROUNDS rounds of RUNS and print them as JSON (npm run bench). */
const JSON_OUT = process.argv.includes('--json');
const ROUNDS = 3;

const noTransport: CommandTransport = { isConnected: () => false, send: async () => undefined, disconnect: () => undefined };
const dir = mkdtempSync(join(tmpdir(), 'lockergate-bench-'));
const store = new SqliteStore({ file: join(dir, 'lockergate.db') });
const clock = new ManualClock(shanghaiDayStart(addDays(YEAR_START, DAYS)));
const ctx: AppContext = { store, clock, random: randomBytes, transport: noTransport, events: new AppEventBus(), settings: DEFAULT_SETTINGS, startedAt: clock.now(), keys: { pickupCode: randomBytes(32), data: randomBytes(32) }, codeSync: new CodeSyncPump() };

const seed = loadSeedFiles(defaultSeedsDir());
await applySeed(ctx, seed, { regionsOnly: true });
const leaves = seed.regions.filter((r) => !seed.regions.some((c) => c.parentCode === r.code)).map((r) => r.code);
await store.transact((tx) => CARRIERS.forEach((id) => tx.carriers.insert({ id, name: id, webhookUrl: null, createdAt: 0, disabledAt: null }, randomBytes(32), null)));

// Fill: per day, leaf region and carrier a share of the 10M, 10% of it through mailbox banks.
const perCell = PARCELS / (DAYS * leaves.length * CARRIERS.length);
const t0 = performance.now();
let delivered = 0;
for (let d = 0; d < DAYS; d++) {
  const day = addDays(YEAR_START, d);
  await store.transact((tx) => {
    for (const leaf of leaves) {
      const chain = regionChain(tx, leaf);
      for (const carrier of CARRIERS) {
        const n = Math.round(perCell * (0.6 + 0.8 * Math.random()));
        const mailbox = Math.round(n * 0.1);
        delivered += n;
        chain.forEach((regionCode, i) => {
          const key = { regionCode, parentCode: chain[i + 1] ?? null, day };
          tx.rollups.addDeliveries({ ...key, channel: 'smart_locker' }, carrier, n - mailbox);
          tx.rollups.addDeliveries({ ...key, channel: 'mailbox_bank' }, carrier, mailbox);
          // A few real pickups per row give the dwell histogram rows their real size.
          for (let p = 0; p < 3; p++) tx.rollups.addPickup({ ...key, channel: 'smart_locker' }, Math.random() * 96 * 3_600_000);
        });
        upsertVolumeReportInTx(tx, carrier, { regionCode: leaf, date: day, deliveredTotal: n * 9, deliveredWithin24h: n * 7, deliveredWithin72h: n * 9 }, clock.now());
      }
    }
  });
}
const fillS = (performance.now() - t0) / 1000;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function time(name: string, run: () => Promise<unknown>): Promise<string> {
  for (let i = 0; i < 50; i++) await run(); // warm up JIT, prepared statements and the page cache
  const ms: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const s = performance.now();
    await run();
    ms.push(performance.now() - s);
  }
  ms.sort((a, b) => a - b);
  return `| ${name} | ${percentile(ms, 50).toFixed(2)} | ${percentile(ms, 99).toFixed(2)} |`;
}

const from = YEAR_START;
const to = addDays(YEAR_START, DAYS - 1);
// With --json only the province-by-day report is timed (below), in rounds.
const rows = JSON_OUT ? [] : [
  await time('share, province, year by day (365 rows + 10 children)', () => buildShareReport(ctx, { region: '220000', from, to, granularity: 'day' })),
  await time('share, province, year by week', () => buildShareReport(ctx, { region: '220000', from, to, granularity: 'week' })),
  await time('share, province, year by month', () => buildShareReport(ctx, { region: '220000', from, to, granularity: 'month' })),
  await time('share, Changchun, year by quarter', () => buildShareReport(ctx, { region: '220100', from, to, granularity: 'quarter' })),
  await time('share, Nanguan district, year by day', () => buildShareReport(ctx, { region: '220102', from, to, granularity: 'day' })),
  await time('fleet, province, year (dwell median, delivery times)', () => buildFleetReport(ctx, { region: '220000', from, to })),
];

if (JSON_OUT) {
  const rounds: Array<{ p50: number; p99: number }> = [];
  for (let i = 0; i < 50; i++) await buildShareReport(ctx, { region: '220000', from, to, granularity: 'day' });
  for (let r = 0; r < ROUNDS; r++) {
    const ms: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const s = performance.now();
      await buildShareReport(ctx, { region: '220000', from, to, granularity: 'day' });
      ms.push(performance.now() - s);
    }
    ms.sort((a, b) => a - b);
    rounds.push({ p50: percentile(ms, 50), p99: percentile(ms, 99) });
  }
  console.log(`BENCH_JSON ${JSON.stringify({ parcels: delivered, fillS, rounds })}`);
}

// The write side: what the rollup adds to each deposit's transaction (real recordLockerDelivery).
const site = await createSite(ctx, { name: 'Bench', kind: 'residential', regionCode: '220102', address: 'x' }, 'bench');
const { locker } = await createLocker(ctx, { siteId: site.id, name: 'Bench', kind: 'smart_locker', layout: 'S:4' }, 'bench');
const parcel = { id: 'pcl-bench', carrierId: 'car-1', lockerId: locker.id } as Parcel;
const DEPOSITS = 20_000;
const w0 = performance.now();
await store.transact((tx) => {
  for (let i = 0; i < DEPOSITS; i++) recordLockerDelivery(tx, parcel, clock.now());
});
const perDepositUs = ((performance.now() - w0) * 1000) / DEPOSITS;

const rowCount = store.db.prepare('SELECT (SELECT COUNT(*) FROM locker_rollups) AS l, (SELECT COUNT(*) FROM volume_rollups) AS v, (SELECT COUNT(*) FROM outcome_rollups) AS o').get() as { l: number; v: number; o: number };
console.log(`\nsynthetic year: ${delivered.toLocaleString('en')} locker deliveries in ${leaves.length} leaf regions × ${CARRIERS.length} carriers × ${DAYS} days (fill ${fillS.toFixed(1)} s)`);
console.log(`rollup rows: ${rowCount.l.toLocaleString('en')} locker, ${rowCount.v.toLocaleString('en')} volume, ${rowCount.o.toLocaleString('en')} outcome\n`);
console.log(`| report (${RUNS} runs) | p50 ms | p99 ms |\n|---|---|---|\n${rows.join('\n')}`);
console.log(`\nrecordLockerDelivery inside a deposit transaction: ${perDepositUs.toFixed(1)} µs per deposit (${DEPOSITS.toLocaleString('en')} in one transaction)`);
await store.close();
rmSync(dir, { recursive: true, force: true });
