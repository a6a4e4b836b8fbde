import type Database from 'better-sqlite3';
import type { ChannelCount, OutcomeTotals, RollupKey, RollupRepo } from '../../../app/reports/ports.js';
import { DWELL_BUCKETS, dwellBucket, emptyHistogram } from '../../../domain/dwell.js';
import type { LockerKind } from '../../../domain/locker.js';

const HOUR_MS = 3_600_000;

interface OutcomeRow {
  picked_up: number;
  dwell_hours_sum: number;
  within_24h: number;
  within_72h: number;
  expired: number;
  dwell_histogram: Buffer | null;
}

/** The histogram is stored as little-endian uint32 counts, one per bucket (308 bytes a row). */
function decode(blob: Buffer | null): number[] {
  const hist = emptyHistogram();
  if (!blob) return hist;
  for (let i = 0; i < DWELL_BUCKETS && i * 4 < blob.length; i++) hist[i] = blob.readUInt32LE(i * 4);
  return hist;
}

function encode(hist: readonly number[]): Buffer {
  const buf = Buffer.alloc(DWELL_BUCKETS * 4);
  hist.forEach((n, i) => buf.writeUInt32LE(n, i * 4));
  return buf;
}

export class SqliteRollupRepo implements RollupRepo {
  private readonly addStmt: Database.Statement;
  private readonly addDailyStmt: Database.Statement;
  private readonly carrierStmt: Database.Statement<[string, string, string], { n: number | null }>;
  private readonly byDayStmt: Database.Statement<[string, string, string], { day: string; channel: string; count: number }>;
  private readonly childrenStmt: Database.Statement<[string, string, string], { region_code: string; channel: string; count: number }>;
  private readonly byRegionStmt: Database.Statement<[string, string], { region_code: string; count: number }>;
  private readonly outcomeStmt: Database.Statement<[string, string, string], OutcomeRow>;
  private readonly pickupStmt: Database.Statement;
  private readonly expiryStmt: Database.Statement;
  private readonly outcomesStmt: Database.Statement<[string, string, string], OutcomeRow>;

  constructor(db: Database.Database) {
    this.addStmt = db.prepare(
      `INSERT INTO locker_rollups (region_code, day, channel, carrier_id, parent_code, deliveries)
       VALUES (@regionCode, @day, @channel, @carrierId, @parentCode, @n)
       ON CONFLICT (region_code, day, channel, carrier_id) DO UPDATE SET deliveries = deliveries + excluded.deliveries`,
    );
    this.addDailyStmt = db.prepare(
      `INSERT INTO locker_daily (region_code, day, channel, parent_code, deliveries) VALUES (@regionCode, @day, @channel, @parentCode, @n)
       ON CONFLICT (region_code, day, channel) DO UPDATE SET deliveries = deliveries + excluded.deliveries`,
    );
    this.carrierStmt = db.prepare('SELECT SUM(deliveries) AS n FROM locker_rollups WHERE region_code = ? AND day = ? AND carrier_id = ?');
    this.byDayStmt = db.prepare(
      'SELECT day, channel, deliveries AS count FROM locker_daily WHERE region_code = ? AND day BETWEEN ? AND ?',
    );
    this.childrenStmt = db.prepare(
      `SELECT region_code, channel, SUM(deliveries) AS count FROM locker_daily
       WHERE parent_code = ? AND day BETWEEN ? AND ? GROUP BY region_code, channel`,
    );
    this.byRegionStmt = db.prepare('SELECT region_code, SUM(deliveries) AS count FROM locker_daily WHERE day BETWEEN ? AND ? GROUP BY region_code');
    this.outcomeStmt = db.prepare('SELECT * FROM outcome_rollups WHERE region_code = ? AND day = ? AND channel = ?');
    this.pickupStmt = db.prepare(
      `INSERT INTO outcome_rollups (region_code, day, channel, parent_code, picked_up, dwell_hours_sum, within_24h, within_72h, dwell_histogram)
       VALUES (@regionCode, @day, @channel, @parentCode, 1, @hours, @w24, @w72, @hist)
       ON CONFLICT (region_code, day, channel) DO UPDATE SET picked_up = picked_up + 1, dwell_hours_sum = dwell_hours_sum + excluded.dwell_hours_sum,
         within_24h = within_24h + excluded.within_24h, within_72h = within_72h + excluded.within_72h, dwell_histogram = excluded.dwell_histogram`,
    );
    this.expiryStmt = db.prepare(
      `INSERT INTO outcome_rollups (region_code, day, channel, parent_code, expired) VALUES (@regionCode, @day, @channel, @parentCode, 1)
       ON CONFLICT (region_code, day, channel) DO UPDATE SET expired = expired + 1`,
    );
    this.outcomesStmt = db.prepare('SELECT * FROM outcome_rollups WHERE region_code = ? AND day BETWEEN ? AND ?');
  }

  addDeliveries(key: RollupKey, carrierId: string, n: number): void {
    this.addStmt.run({ ...key, carrierId, n });
    this.addDailyStmt.run({ ...key, n });
  }
  carrierDeliveries(carrierId: string, regionCode: string, day: string): number {
    return this.carrierStmt.get(regionCode, day, carrierId)?.n ?? 0;
  }
  deliveriesByDay(regionCode: string, from: string, to: string): Array<ChannelCount & { day: string }> {
    return this.byDayStmt.all(regionCode, from, to).map((r) => ({ day: r.day, channel: r.channel as LockerKind, count: r.count }));
  }
  deliveriesOfChildren(parentCode: string, from: string, to: string): Array<ChannelCount & { regionCode: string }> {
    return this.childrenStmt.all(parentCode, from, to).map((r) => ({ regionCode: r.region_code, channel: r.channel as LockerKind, count: r.count }));
  }
  deliveriesByRegion(from: string, to: string): Array<{ regionCode: string; count: number }> {
    return this.byRegionStmt.all(from, to).map((r) => ({ regionCode: r.region_code, count: r.count }));
  }
  addPickup(key: RollupKey, dwellMs: number): void {
    const hours = Math.max(0, dwellMs) / HOUR_MS;
    const hist = decode(this.outcomeStmt.get(key.regionCode, key.day, key.channel)?.dwell_histogram ?? null);
    hist[dwellBucket(hours)]! += 1;
    this.pickupStmt.run({ ...key, hours, w24: hours <= 24 ? 1 : 0, w72: hours <= 72 ? 1 : 0, hist: encode(hist) });
  }
  addExpiry(key: RollupKey): void {
    this.expiryStmt.run(key);
  }
  outcomes(regionCode: string, from: string, to: string): OutcomeTotals {
    const totals: OutcomeTotals = { pickedUp: 0, dwellHoursSum: 0, within24h: 0, within72h: 0, expired: 0, histogram: emptyHistogram() };
    for (const r of this.outcomesStmt.all(regionCode, from, to)) {
      totals.pickedUp += r.picked_up;
      totals.dwellHoursSum += r.dwell_hours_sum;
      totals.within24h += r.within_24h;
      totals.within72h += r.within_72h;
      totals.expired += r.expired;
      decode(r.dwell_histogram).forEach((n, i) => (totals.histogram[i]! += n));
    }
    return totals;
  }
}
