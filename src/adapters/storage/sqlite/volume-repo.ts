import type Database from 'better-sqlite3';
import type { VolumeFigures, VolumeRepo } from '../../../app/reports/ports.js';
import type { VolumeReport } from '../../../domain/volume.js';

interface ReportRow {
  carrier_id: string;
  region_code: string;
  day: string;
  delivered_total: number;
  delivered_within_24h: number | null;
  delivered_within_72h: number | null;
  inconsistent: number;
  created_at: number;
  updated_at: number;
}

interface FigureRow {
  total: number | null;
  w24: number | null;
  w24b: number | null;
  w72: number | null;
  w72b: number | null;
}

const toReport = (r: ReportRow): VolumeReport => ({
  carrierId: r.carrier_id,
  regionCode: r.region_code,
  date: r.day,
  deliveredTotal: r.delivered_total,
  deliveredWithin24h: r.delivered_within_24h,
  deliveredWithin72h: r.delivered_within_72h,
  inconsistent: r.inconsistent === 1,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

const toFigures = (r: FigureRow | undefined): VolumeFigures => ({
  total: r?.total ?? 0,
  within24h: r?.w24 ?? 0,
  within24hBase: r?.w24b ?? 0,
  within72h: r?.w72 ?? 0,
  within72hBase: r?.w72b ?? 0,
});

const SUMS = `SUM(delivered_total) AS total, SUM(within_24h) AS w24, SUM(within_24h_base) AS w24b,
  SUM(within_72h) AS w72, SUM(within_72h_base) AS w72b`;

export class SqliteVolumeRepo implements VolumeRepo {
  private readonly getStmt: Database.Statement<[string, string, string], ReportRow>;
  private readonly upsertStmt: Database.Statement;
  private readonly flagStmt: Database.Statement;
  private readonly rollupStmt: Database.Statement;
  private readonly rollupGetStmt: Database.Statement<[string, string, string], FigureRow>;
  private readonly dailyStmt: Database.Statement;
  private readonly childSumStmt: Database.Statement<[string, string, string], FigureRow>;
  private readonly byDayStmt: Database.Statement<[string, string, string], FigureRow & { day: string }>;
  private readonly childrenStmt: Database.Statement<[string, string, string], FigureRow & { region_code: string }>;
  private readonly byRegionStmt: Database.Statement<[string, string], { region_code: string; total: number }>;

  constructor(db: Database.Database) {
    this.getStmt = db.prepare('SELECT * FROM volume_reports WHERE carrier_id = ? AND region_code = ? AND day = ?');
    this.upsertStmt = db.prepare(
      `INSERT INTO volume_reports (carrier_id, region_code, day, delivered_total, delivered_within_24h, delivered_within_72h, inconsistent, created_at, updated_at)
       VALUES (@carrierId, @regionCode, @date, @deliveredTotal, @deliveredWithin24h, @deliveredWithin72h, @inconsistent, @createdAt, @updatedAt)
       ON CONFLICT (carrier_id, region_code, day) DO UPDATE SET delivered_total = excluded.delivered_total,
         delivered_within_24h = excluded.delivered_within_24h, delivered_within_72h = excluded.delivered_within_72h,
         inconsistent = excluded.inconsistent, updated_at = excluded.updated_at`,
    );
    // The sum is only evaluated when the carrier has a report there (the primary key finds none otherwise).
    this.flagStmt = db.prepare(
      `UPDATE volume_reports SET inconsistent = 1
       WHERE carrier_id = @carrierId AND region_code = @regionCode AND day = @day AND inconsistent = 0
         AND delivered_total < (SELECT COALESCE(SUM(deliveries), 0) FROM locker_rollups
                                WHERE region_code = @regionCode AND day = @day AND carrier_id = @carrierId)`,
    );
    this.rollupGetStmt = db.prepare(
      `SELECT delivered_total AS total, within_24h AS w24, within_24h_base AS w24b, within_72h AS w72, within_72h_base AS w72b
       FROM volume_rollups WHERE region_code = ? AND day = ? AND carrier_id = ?`,
    );
    this.dailyStmt = db.prepare(
      `INSERT INTO volume_daily (region_code, day, parent_code, delivered_total, within_24h, within_24h_base, within_72h, within_72h_base)
       VALUES (@regionCode, @day, @parentCode, @total, @within24h, @within24hBase, @within72h, @within72hBase)
       ON CONFLICT (region_code, day) DO UPDATE SET delivered_total = delivered_total + excluded.delivered_total,
         within_24h = within_24h + excluded.within_24h, within_24h_base = within_24h_base + excluded.within_24h_base,
         within_72h = within_72h + excluded.within_72h, within_72h_base = within_72h_base + excluded.within_72h_base`,
    );
    this.rollupStmt = db.prepare(
      `INSERT INTO volume_rollups (region_code, day, carrier_id, parent_code, delivered_total, within_24h, within_24h_base, within_72h, within_72h_base)
       VALUES (@regionCode, @day, @carrierId, @parentCode, @total, @within24h, @within24hBase, @within72h, @within72hBase)
       ON CONFLICT (region_code, day, carrier_id) DO UPDATE SET delivered_total = excluded.delivered_total,
         within_24h = excluded.within_24h, within_24h_base = excluded.within_24h_base,
         within_72h = excluded.within_72h, within_72h_base = excluded.within_72h_base`,
    );
    this.childSumStmt = db.prepare(`SELECT ${SUMS} FROM volume_rollups WHERE parent_code = ? AND day = ? AND carrier_id = ?`);
    this.byDayStmt = db.prepare(`SELECT day, ${SUMS} FROM volume_daily WHERE region_code = ? AND day BETWEEN ? AND ? GROUP BY day`);
    this.childrenStmt = db.prepare(`SELECT region_code, ${SUMS} FROM volume_daily WHERE parent_code = ? AND day BETWEEN ? AND ? GROUP BY region_code`);
    this.byRegionStmt = db.prepare('SELECT region_code, SUM(delivered_total) AS total FROM volume_daily WHERE day BETWEEN ? AND ? GROUP BY region_code');
  }

  get(carrierId: string, regionCode: string, day: string): VolumeReport | undefined {
    const r = this.getStmt.get(carrierId, regionCode, day);
    return r && toReport(r);
  }
  upsert(r: VolumeReport): void {
    this.upsertStmt.run({ ...r, inconsistent: r.inconsistent ? 1 : 0 });
  }
  flagIfBelowLockerDeliveries(carrierId: string, regionCode: string, day: string): void {
    this.flagStmt.run({ carrierId, regionCode, day });
  }
  setRollup(regionCode: string, parentCode: string | null, day: string, carrierId: string, f: VolumeFigures): void {
    const old = toFigures(this.rollupGetStmt.get(regionCode, day, carrierId));
    this.rollupStmt.run({ regionCode, parentCode, day, carrierId, ...f });
    this.dailyStmt.run({
      regionCode, parentCode, day,
      total: f.total - old.total,
      within24h: f.within24h - old.within24h,
      within24hBase: f.within24hBase - old.within24hBase,
      within72h: f.within72h - old.within72h,
      within72hBase: f.within72hBase - old.within72hBase,
    });
  }
  childRollupSum(parentCode: string, day: string, carrierId: string): VolumeFigures {
    return toFigures(this.childSumStmt.get(parentCode, day, carrierId));
  }
  totalsByDay(regionCode: string, from: string, to: string): Array<VolumeFigures & { day: string }> {
    return this.byDayStmt.all(regionCode, from, to).map((r) => ({ day: r.day, ...toFigures(r) }));
  }
  totalsOfChildren(parentCode: string, from: string, to: string): Array<VolumeFigures & { regionCode: string }> {
    return this.childrenStmt.all(parentCode, from, to).map((r) => ({ regionCode: r.region_code, ...toFigures(r) }));
  }
  totalsByRegion(from: string, to: string): Array<{ regionCode: string; total: number }> {
    return this.byRegionStmt.all(from, to).map((r) => ({ regionCode: r.region_code, total: r.total }));
  }
}
