import { dayNumber, periodsBetween, shanghaiDay, type Granularity } from '../../domain/calendar.js';
import type { LockerKind } from '../../domain/locker.js';
import { shareFigures, type ShareFigures } from '../../domain/share.js';
import type { AppContext } from '../context.js';
import type { Tx } from '../ports.js';
import { resolveRange, type RangeQuery } from './range.js';
import { requireRegion, shareTargetResolver } from './regions.js';

export interface ShareQuery extends RangeQuery {
  region?: string | undefined;
}

export interface ShareRow extends ShareFigures {
  /** First and last day of the period, clipped to [from, to]. */
  period: string;
  periodEnd: string;
}

export interface ShareChild extends ShareFigures {
  code: string;
  nameZh: string;
  nameEn: string;
}

export interface ShareReport {
  region: { code: string; nameZh: string; nameEn: string };
  granularity: Granularity;
  from: string;
  to: string;
  rows: ShareRow[];
  children: ShareChild[];
}

interface Tally {
  smart_locker: number;
  mailbox_bank: number;
  reported: number;
}

const emptyTally = (): Tally => ({ smart_locker: 0, mailbox_bank: 0, reported: 0 });

/**
 * Locker share of a region per period, and of each direct child over the whole range. Reads the
 * region's own all-carrier daily rows only (one per day and channel), never parcels: a year of any
 * volume is under a thousand rows, its children's under ten thousand (docs/adr/0005).
 */
export function shareReportInTx(tx: Tx, q: ShareQuery, now: number): ShareReport {
  const region = requireRegion(tx, q.region);
  const { from, to } = resolveRange(now, q);
  const granularity = q.granularity ?? 'day';
  const periods = periodsBetween(from, to, granularity);
  const first = dayNumber(from);
  // Day offset → period index, so each rollup row lands in its period with one array lookup.
  const periodOf: number[] = [];
  periods.forEach((p, i) => {
    for (let d = p.startDay; d <= p.endDay; d++) periodOf[d - first] = i;
  });
  const tallies = periods.map(emptyTally);
  const tallyOf = (day: string) => tallies[periodOf[dayNumber(day) - first] ?? -1];
  for (const r of tx.rollups.deliveriesByDay(region.code, from, to)) {
    const t = tallyOf(r.day);
    if (t) t[r.channel] += r.count;
  }
  for (const v of tx.volumes.totalsByDay(region.code, from, to)) {
    const t = tallyOf(v.day);
    if (t) t.reported += v.total;
  }
  const targetOn = shareTargetResolver(tx, region.code);
  const rows = periods.map((p, i): ShareRow => {
    const t = tallies[i]!;
    return { period: p.start, periodEnd: p.end, ...shareFigures(t.smart_locker, t.mailbox_bank, t.reported, targetOn(p.start), p.days) };
  });
  const days = dayNumber(to) - first + 1;
  return {
    region: { code: region.code, nameZh: region.nameZh, nameEn: region.nameEn },
    granularity,
    from,
    to,
    rows,
    children: childRows(tx, region.code, from, to, days),
  };
}

/** Direct children: the known ones (even without data) and any code the rollups hold under the region. */
function childRows(tx: Tx, code: string, from: string, to: string, days: number): ShareChild[] {
  const byCode = new Map<string, Tally>();
  const tally = (c: string) => byCode.get(c) ?? byCode.set(c, emptyTally()).get(c)!;
  const known = tx.regions.children(code);
  for (const child of known) tally(child.code);
  for (const r of tx.rollups.deliveriesOfChildren(code, from, to)) tally(r.regionCode)[r.channel as LockerKind] += r.count;
  for (const v of tx.volumes.totalsOfChildren(code, from, to)) tally(v.regionCode).reported += v.total;
  const names = new Map(known.map((k) => [k.code, k]));
  return [...byCode.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([childCode, t]) => {
      const region = names.get(childCode);
      return {
        code: childCode,
        nameZh: region?.nameZh ?? childCode,
        nameEn: region?.nameEn ?? childCode,
        ...shareFigures(t.smart_locker, t.mailbox_bank, t.reported, shareTargetResolver(tx, childCode)(from), days),
      };
    });
}

export async function buildShareReport(ctx: AppContext, q: ShareQuery): Promise<ShareReport> {
  const now = ctx.clock.now();
  return ctx.store.read((tx) => shareReportInTx(tx, q, now));
}

/**
 * Month-to-date locker share (Asia/Shanghai) of every region with reports, as a ratio: what the
 * Prometheus gauge shows. Month-to-date rather than today: a day is noisy and half-reported until
 * carriers send their counts; the month is what the plan's target is read against.
 */
export async function lockerShareRatios(ctx: AppContext): Promise<Array<{ region: string; ratio: number }>> {
  const today = shanghaiDay(ctx.clock.now());
  const monthStart = `${today.slice(0, 8)}01`;
  return ctx.store.read((tx) => {
    const lockers = new Map(tx.rollups.deliveriesByRegion(monthStart, today).map((r) => [r.regionCode, r.count]));
    return tx.volumes
      .totalsByRegion(monthStart, today)
      .filter((v) => v.total > 0)
      .map((v) => ({ region: v.regionCode, ratio: (lockers.get(v.regionCode) ?? 0) / v.total }));
  });
}
