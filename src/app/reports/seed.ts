import type { LockerKind, SiteKind } from '../../domain/locker.js';
import type { Region, RegionTarget } from '../../domain/region.js';
import { addCarrier } from '../carriers.js';
import type { AppContext } from '../context.js';
import { createLocker, createSite } from '../provisioning.js';
import type { UpsertResult } from './ports.js';

/** The demo data set (seeds/): reference data (regions, targets) and sample carriers, sites, lockers. */
export interface SeedData {
  regions: Region[];
  targets: RegionTarget[];
  carriers: Array<{ id: string; name: string }>;
  sites: SeedSite[];
}

export interface SeedSite {
  id: string;
  name: string;
  kind: SiteKind;
  regionCode: string;
  address: string;
  lockers: Array<{ kind: LockerKind; layout: string; count: number }>;
}

type Tally = Record<UpsertResult, number>;

export interface SeedResult {
  regions: Tally;
  targets: Tally;
  /** Carriers created now, with their API keys (shown once; only hashes are stored). */
  newCarriers: Array<{ id: string; name: string; apiKey: string }>;
  carriersExisting: number;
  sites: { created: number; existing: number };
  lockers: { created: number; existing: number };
}

const tally = (): Tally => ({ created: 0, updated: 0, unchanged: 0 });

/** Locker ids follow the site id: site-cc-ng-01 → lkr-cc-ng-01-1, -2, … (so a re-run finds them). */
export const seedLockerId = (siteId: string, n: number) => `lkr-${siteId.replace(/^site-/, '')}-${n}`;

/**
 * Loads the seed idempotently: regions and targets are upserted (data may be corrected), carriers,
 * sites and lockers are created only when their id is not there yet. `regionsOnly` loads the
 * reference data alone, which is all a production install needs for its reports.
 */
export async function applySeed(ctx: AppContext, data: SeedData, opts: { regionsOnly?: boolean } = {}): Promise<SeedResult> {
  const result: SeedResult = { regions: tally(), targets: tally(), newCarriers: [], carriersExisting: 0, sites: { created: 0, existing: 0 }, lockers: { created: 0, existing: 0 } };
  await ctx.store.transact((tx) => {
    for (const r of data.regions) result.regions[tx.regions.upsert(r)]++;
    for (const t of data.targets) result.targets[tx.regions.upsertTarget(t)]++;
  });
  if (opts.regionsOnly) return result;

  for (const c of data.carriers) {
    if (await ctx.store.read((tx) => tx.carriers.get(c.id))) {
      result.carriersExisting++;
      continue;
    }
    const { apiKey } = await addCarrier(ctx, { id: c.id, name: c.name }, 'seed');
    result.newCarriers.push({ id: c.id, name: c.name, apiKey });
  }
  for (const s of data.sites) {
    if (await ctx.store.read((tx) => tx.sites.get(s.id))) result.sites.existing++;
    else {
      await createSite(ctx, { id: s.id, name: s.name, kind: s.kind, regionCode: s.regionCode, address: s.address }, 'seed');
      result.sites.created++;
    }
    const specs = s.lockers.flatMap((group) => Array.from({ length: group.count }, () => group));
    // Started together, the site's lockers share one group commit instead of one fsync each.
    await Promise.all(
      specs.map(async (spec, i) => {
        const id = seedLockerId(s.id, i + 1);
        if (await ctx.store.read((tx) => tx.lockers.get(id))) {
          result.lockers.existing++;
          return;
        }
        await createLocker(ctx, { id, siteId: s.id, name: `${s.name} ${i + 1}号柜`, kind: spec.kind, layout: spec.layout }, 'seed');
        result.lockers.created++;
      }),
    );
  }
  return result;
}
