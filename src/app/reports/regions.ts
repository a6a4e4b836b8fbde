import { LockergateError } from '../../domain/errors.js';
import { structuralParent, targetOn, type Region, type TargetMetric } from '../../domain/region.js';
import { DEFAULT_SHARE_TARGET_PCT } from '../../domain/share.js';
import type { AppContext } from '../context.js';
import type { Tx } from '../ports.js';

/** [code, parent, grandparent, …]: parents from the regions table, else from the code itself. */
export function regionChain(tx: Tx, code: string): string[] {
  const chain: string[] = [];
  let current: string | null = code;
  // The length cap guards against a parent cycle typed into the data.
  while (current !== null && !chain.includes(current) && chain.length < 8) {
    chain.push(current);
    const known = tx.regions.get(current);
    current = known ? known.parentCode : structuralParent(current);
  }
  return chain;
}

/** Region codes that sites stand in and that lie in `code`'s subtree (itself included). */
export function siteCodesUnder(tx: Tx, code: string): string[] {
  return tx.regions.siteRegionCodes().filter((c) => regionChain(tx, c).includes(code));
}

/** The region asked for, or the root (the province) when none is named. */
export function requireRegion(tx: Tx, code: string | undefined): Region {
  if (code === undefined) {
    const [root] = tx.regions.roots();
    if (!root) throw new LockergateError('REGION_NOT_FOUND', 'No regions are loaded; run "lockergate seed --regions-only".');
    return root;
  }
  const region = tx.regions.get(code);
  if (!region) throw new LockergateError('REGION_NOT_FOUND', `No region "${code}".`);
  return region;
}

/**
 * The share target of a region on a day: its own target, else the nearest ancestor's, else the
 * plan's default. Loads the targets once so that a report with many rows asks the store once.
 */
export function shareTargetResolver(tx: Tx, code: string): (day: string) => number {
  const levels = regionChain(tx, code).map((c) => tx.regions.targets(c, 'locker_share_pct'));
  return (day) => {
    for (const targets of levels) {
      const t = targetOn(targets, day);
      if (t) return t.value;
    }
    return DEFAULT_SHARE_TARGET_PCT;
  };
}

/** A count target (locker groups, stations) of the region itself on a day; counts are not inherited. */
export function countTarget(tx: Tx, code: string, metric: Exclude<TargetMetric, 'locker_share_pct'>, day: string) {
  return targetOn(tx.regions.targets(code, metric), day);
}

export async function listRegions(ctx: AppContext): Promise<Region[]> {
  return ctx.store.read((tx) => tx.regions.list());
}
