/**
 * Administrative regions (GB/T 2260 six-digit codes) and the plan's targets, both kept as data.
 * A region's parent comes from the regions table; when a code is not there (no seed loaded, or a
 * site in a region nobody listed), the code's own structure gives it: 220102 → 220100 → 220000.
 */
export const REGION_LEVELS = ['province', 'city', 'district', 'zone'] as const;
export type RegionLevel = (typeof REGION_LEVELS)[number];

/** Where a code comes from: the national standard, the NBS statistical division codes, or us. */
export const CODE_SOURCES = ['gb2260', 'nbs', 'local'] as const;
export type CodeSource = (typeof CODE_SOURCES)[number];

export interface Region {
  code: string;
  parentCode: string | null;
  level: RegionLevel;
  nameZh: string;
  nameEn: string;
  codeSource: CodeSource;
}

export const TARGET_METRICS = ['locker_share_pct', 'locker_groups', 'public_stations'] as const;
export type TargetMetric = (typeof TARGET_METRICS)[number];

/** A target for a region over [from, to] (Asia/Shanghai days, inclusive). */
export interface RegionTarget {
  regionCode: string;
  metric: TargetMetric;
  from: string;
  to: string;
  value: number;
}

export const REGION_CODE = /^\d{6}$/;

/** The parent implied by the code alone: county level → prefecture level → province. */
export function structuralParent(code: string): string | null {
  if (!REGION_CODE.test(code) || code.endsWith('0000')) return null;
  if (code.endsWith('00')) return `${code.slice(0, 2)}0000`;
  return `${code.slice(0, 4)}00`;
}

/** The target that applies on `day`: the one whose window holds it, the latest-starting if several do. */
export function targetOn(targets: readonly RegionTarget[], day: string): RegionTarget | undefined {
  let best: RegionTarget | undefined;
  for (const t of targets) {
    if (t.from <= day && day <= t.to && (!best || t.from > best.from)) best = t;
  }
  return best;
}
