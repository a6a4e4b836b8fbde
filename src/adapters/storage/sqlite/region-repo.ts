import type Database from 'better-sqlite3';
import type { RegionRepo, UpsertResult } from '../../../app/reports/ports.js';
import type { CodeSource, Region, RegionLevel, RegionTarget, TargetMetric } from '../../../domain/region.js';

interface RegionRow {
  code: string;
  parent_code: string | null;
  level: string;
  name_zh: string;
  name_en: string;
  code_source: string;
}

interface TargetRow {
  region_code: string;
  metric: string;
  period_from: string;
  period_to: string;
  value: number;
}

const toRegion = (r: RegionRow): Region => ({
  code: r.code,
  parentCode: r.parent_code,
  level: r.level as RegionLevel,
  nameZh: r.name_zh,
  nameEn: r.name_en,
  codeSource: r.code_source as CodeSource,
});

const toTarget = (r: TargetRow): RegionTarget => ({
  regionCode: r.region_code,
  metric: r.metric as TargetMetric,
  from: r.period_from,
  to: r.period_to,
  value: r.value,
});

const sameRegion = (a: Region, b: Region): boolean =>
  a.parentCode === b.parentCode && a.level === b.level && a.nameZh === b.nameZh && a.nameEn === b.nameEn && a.codeSource === b.codeSource;

export class SqliteRegionRepo implements RegionRepo {
  private readonly upsertStmt: Database.Statement;
  private readonly getStmt: Database.Statement<[string], RegionRow>;
  private readonly listStmt: Database.Statement<[], RegionRow>;
  private readonly childrenStmt: Database.Statement<[string], RegionRow>;
  private readonly rootsStmt: Database.Statement<[], RegionRow>;
  private readonly upsertTargetStmt: Database.Statement;
  private readonly getTargetStmt: Database.Statement<[string, string, string], TargetRow>;
  private readonly targetsStmt: Database.Statement<[string, string], TargetRow>;
  private readonly siteCodesStmt: Database.Statement<[], { region_code: string }>;

  constructor(db: Database.Database) {
    this.upsertStmt = db.prepare(
      `INSERT INTO regions (code, parent_code, level, name_zh, name_en, code_source)
       VALUES (@code, @parentCode, @level, @nameZh, @nameEn, @codeSource)
       ON CONFLICT (code) DO UPDATE SET parent_code = excluded.parent_code, level = excluded.level,
         name_zh = excluded.name_zh, name_en = excluded.name_en, code_source = excluded.code_source`,
    );
    this.getStmt = db.prepare('SELECT * FROM regions WHERE code = ?');
    this.listStmt = db.prepare('SELECT * FROM regions ORDER BY code');
    this.childrenStmt = db.prepare('SELECT * FROM regions WHERE parent_code = ? ORDER BY code');
    this.rootsStmt = db.prepare('SELECT * FROM regions WHERE parent_code IS NULL ORDER BY code');
    this.upsertTargetStmt = db.prepare(
      `INSERT INTO region_targets (region_code, metric, period_from, period_to, value)
       VALUES (@regionCode, @metric, @from, @to, @value)
       ON CONFLICT (region_code, metric, period_from) DO UPDATE SET period_to = excluded.period_to, value = excluded.value`,
    );
    this.getTargetStmt = db.prepare('SELECT * FROM region_targets WHERE region_code = ? AND metric = ? AND period_from = ?');
    this.targetsStmt = db.prepare('SELECT * FROM region_targets WHERE region_code = ? AND metric = ? ORDER BY period_from');
    this.siteCodesStmt = db.prepare('SELECT DISTINCT region_code FROM sites');
  }

  upsert(r: Region): UpsertResult {
    const before = this.get(r.code);
    if (before && sameRegion(before, r)) return 'unchanged';
    this.upsertStmt.run(r);
    return before ? 'updated' : 'created';
  }
  get(code: string): Region | undefined {
    const r = this.getStmt.get(code);
    return r && toRegion(r);
  }
  list(): Region[] {
    return this.listStmt.all().map(toRegion);
  }
  children(code: string): Region[] {
    return this.childrenStmt.all(code).map(toRegion);
  }
  roots(): Region[] {
    return this.rootsStmt.all().map(toRegion);
  }
  upsertTarget(t: RegionTarget): UpsertResult {
    const row = this.getTargetStmt.get(t.regionCode, t.metric, t.from);
    const before = row && toTarget(row);
    if (before && before.to === t.to && before.value === t.value) return 'unchanged';
    this.upsertTargetStmt.run(t);
    return before ? 'updated' : 'created';
  }
  targets(regionCode: string, metric: TargetMetric): RegionTarget[] {
    return this.targetsStmt.all(regionCode, metric).map(toTarget);
  }
  siteRegionCodes(): string[] {
    return this.siteCodesStmt.all().map((r) => r.region_code);
  }
}
