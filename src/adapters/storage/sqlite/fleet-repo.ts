import type Database from 'better-sqlite3';
import type { FleetCounts, FleetRepo } from '../../../app/reports/ports.js';

/**
 * Fleet figures over a set of region codes. The codes go in as one JSON array (json_each), so each
 * query is prepared once whatever the number of regions.
 */
const LOCKERS_IN = `SELECT l.id FROM lockers l JOIN sites s ON s.id = l.site_id
  WHERE s.region_code IN (SELECT value FROM json_each(@codes)) AND l.status != 'retired'`;

export class SqliteFleetRepo implements FleetRepo {
  private readonly lockersStmt: Database.Statement<[{ codes: string; asleepAfter: number }], { lockers: number; online: number | null; asleep: number | null }>;
  private readonly compartmentsStmt: Database.Statement<[{ codes: string }], { total: number; occupied: number | null }>;
  private readonly alarmsStmt: Database.Statement<[{ codes: string }], { n: number }>;
  private readonly commissionedStmt: Database.Statement<[{ codes: string; fromMs: number; toMs: number }], { n: number }>;
  private readonly stationsStmt: Database.Statement<[{ codes: string }], { n: number }>;

  constructor(db: Database.Database) {
    this.lockersStmt = db.prepare(
      `SELECT COUNT(*) AS lockers, SUM(CASE WHEN d.online = 1 THEN 1 ELSE 0 END) AS online,
       SUM(CASE WHEN d.online = 0 AND d.asleep_until IS NOT NULL AND d.asleep_until > @asleepAfter THEN 1 ELSE 0 END) AS asleep
       FROM (${LOCKERS_IN}) l LEFT JOIN devices d ON d.locker_id = l.id`,
    );
    this.compartmentsStmt = db.prepare(
      `SELECT COUNT(*) AS total, SUM(CASE WHEN c.state = 'occupied' THEN 1 ELSE 0 END) AS occupied
       FROM compartments c WHERE c.locker_id IN (${LOCKERS_IN})`,
    );
    this.alarmsStmt = db.prepare(`SELECT COUNT(*) AS n FROM alarms WHERE state = 'open' AND locker_id IN (${LOCKERS_IN})`);
    this.commissionedStmt = db.prepare(
      `SELECT COUNT(*) AS n FROM lockers l JOIN sites s ON s.id = l.site_id
       WHERE s.region_code IN (SELECT value FROM json_each(@codes)) AND l.status = 'active'
         AND l.commissioned_at >= @fromMs AND l.commissioned_at < @toMs`,
    );
    this.stationsStmt = db.prepare(
      `SELECT COUNT(*) AS n FROM sites s WHERE s.kind = 'public_station' AND s.region_code IN (SELECT value FROM json_each(@codes))
       AND EXISTS (SELECT 1 FROM lockers l WHERE l.site_id = s.id AND l.status = 'active')`,
    );
  }

  counts(regionCodes: readonly string[], asleepAfter: number): FleetCounts {
    const codes = JSON.stringify(regionCodes);
    const lockers = this.lockersStmt.get({ codes, asleepAfter });
    const compartments = this.compartmentsStmt.get({ codes });
    return {
      lockers: lockers?.lockers ?? 0,
      online: lockers?.online ?? 0,
      asleep: lockers?.asleep ?? 0,
      compartments: compartments?.total ?? 0,
      occupied: compartments?.occupied ?? 0,
      openAlarms: this.alarmsStmt.get({ codes })?.n ?? 0,
    };
  }
  commissioned(regionCodes: readonly string[], window: { fromMs: number; toMs: number } | null): number {
    const w = window ?? { fromMs: Number.MIN_SAFE_INTEGER, toMs: Number.MAX_SAFE_INTEGER };
    return this.commissionedStmt.get({ codes: JSON.stringify(regionCodes), ...w })?.n ?? 0;
  }
  publicStations(regionCodes: readonly string[]): number {
    return this.stationsStmt.get({ codes: JSON.stringify(regionCodes) })?.n ?? 0;
  }
}
