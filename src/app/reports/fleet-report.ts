import { addDays, shanghaiDay, shanghaiDayStart } from '../../domain/calendar.js';
import { medianHours } from '../../domain/dwell.js';
import { DELIVERY_TARGET_24H_PCT, DELIVERY_TARGET_72H_PCT, pct } from '../../domain/share.js';
import type { AppContext } from '../context.js';
import type { Tx } from '../ports.js';
import { resolveRange, type RangeQuery } from './range.js';
import { countTarget, regionChain, requireRegion } from './regions.js';

export interface DeploymentRow {
  code: string;
  nameZh: string;
  nameEn: string;
  /** Active locker groups commissioned within the target's window (all active ones without a target). */
  lockerGroups: { commissioned: number; target: number | null; pct: number | null };
  publicStations: { count: number; target: number | null };
}

export interface FleetReport {
  /** `asleep`: mailbox banks between their wakes (protocol §13), counted apart from `offline`. */
  lockers: { total: number; online: number; asleep: number; offline: number };
  alarms: { open: number };
  compartments: { total: number; occupied: number; utilisationPct: number | null };
  dwell: { medianHours: number | null; within24hPct: number | null; within72hPct: number | null };
  expiredRatePct: number | null;
  deliveryTime: { within24hPct: number | null; within72hPct: number | null; target24hPct: number; target72hPct: number };
}

/** Site region codes grouped under each region of the tree they roll up to, computed once per request. */
function siteCodesByAncestor(tx: Tx): Map<string, string[]> {
  const under = new Map<string, string[]>();
  for (const code of tx.regions.siteRegionCodes()) {
    for (const ancestor of regionChain(tx, code)) (under.get(ancestor) ?? under.set(ancestor, []).get(ancestor)!).push(code);
  }
  return under;
}

/** The region and its direct children: locker groups and public stations against their targets. */
export async function buildDeploymentReport(ctx: AppContext, regionCode: string | undefined): Promise<{ rows: DeploymentRow[] }> {
  const today = shanghaiDay(ctx.clock.now());
  return ctx.store.read((tx) => {
    const region = requireRegion(tx, regionCode);
    const under = siteCodesByAncestor(tx);
    const rows = [region, ...tx.regions.children(region.code)].map((r): DeploymentRow => {
      const codes = under.get(r.code) ?? [];
      const groups = countTarget(tx, r.code, 'locker_groups', today);
      const window = groups ? { fromMs: shanghaiDayStart(groups.from), toMs: shanghaiDayStart(addDays(groups.to, 1)) } : null;
      const commissioned = tx.fleet.commissioned(codes, window);
      return {
        code: r.code,
        nameZh: r.nameZh,
        nameEn: r.nameEn,
        lockerGroups: { commissioned, target: groups?.value ?? null, pct: groups ? pct(commissioned, groups.value) : null },
        publicStations: { count: tx.fleet.publicStations(codes), target: countTarget(tx, r.code, 'public_stations', today)?.value ?? null },
      };
    });
    return { rows };
  });
}

/**
 * Fleet figures of a region: lockers and compartments now; dwell, expiries and delivery times
 * over [from, to] (default the last 30 days), from the daily rollups and carriers' reports.
 * The expired rate is expiries ÷ (pickups + expiries): of the parcels whose wait ended in the
 * range, how many were never collected — no lag from parcels still waiting.
 */
export async function buildFleetReport(ctx: AppContext, q: RangeQuery & { region?: string | undefined }): Promise<FleetReport> {
  const now = ctx.clock.now();
  return ctx.store.read((tx) => {
    const region = requireRegion(tx, q.region);
    const { from, to } = resolveRange(now, q);
    // A bank asleep past its announced wake by the offline-alarm margin counts as offline.
    const counts = tx.fleet.counts(siteCodesByAncestor(tx).get(region.code) ?? [], now - ctx.settings.deviceOfflineAlarmMs);
    const outcomes = tx.rollups.outcomes(region.code, from, to);
    const volumes = tx.volumes.totalsByDay(region.code, from, to).reduce(
      (a, v) => ({ w24: a.w24 + v.within24h, b24: a.b24 + v.within24hBase, w72: a.w72 + v.within72h, b72: a.b72 + v.within72hBase }),
      { w24: 0, b24: 0, w72: 0, b72: 0 },
    );
    return {
      lockers: { total: counts.lockers, online: counts.online, asleep: counts.asleep, offline: counts.lockers - counts.online - counts.asleep },
      alarms: { open: counts.openAlarms },
      compartments: { total: counts.compartments, occupied: counts.occupied, utilisationPct: pct(counts.occupied, counts.compartments) },
      dwell: {
        medianHours: medianHours(outcomes.histogram),
        within24hPct: pct(outcomes.within24h, outcomes.pickedUp),
        within72hPct: pct(outcomes.within72h, outcomes.pickedUp),
      },
      expiredRatePct: pct(outcomes.expired, outcomes.pickedUp + outcomes.expired),
      deliveryTime: {
        within24hPct: pct(volumes.w24, volumes.b24),
        within72hPct: pct(volumes.w72, volumes.b72),
        target24hPct: DELIVERY_TARGET_24H_PCT,
        target72hPct: DELIVERY_TARGET_72H_PCT,
      },
    };
  });
}
