import type { LockerKind } from '../../domain/locker.js';
import type { Region, RegionTarget, TargetMetric } from '../../domain/region.js';
import type { VolumeReport } from '../../domain/volume.js';

/**
 * Ports of the operator reports (regions, volume reports, rollups, fleet figures); part of `Tx`
 * (src/app/ports.ts). Rollup rows are written for the locker's region *and each ancestor*, so a
 * report for any region reads its own rows only (docs/adr/0005).
 */
export type UpsertResult = 'created' | 'updated' | 'unchanged';

export interface RegionRepo {
  upsert(r: Region): UpsertResult;
  get(code: string): Region | undefined;
  list(): Region[];
  children(code: string): Region[];
  /** Regions without a parent (the province when the Jilin seed is loaded). */
  roots(): Region[];
  upsertTarget(t: RegionTarget): UpsertResult;
  targets(regionCode: string, metric: TargetMetric): RegionTarget[];
  /** Distinct region codes that sites stand in. */
  siteRegionCodes(): string[];
}

export interface RollupKey {
  regionCode: string;
  parentCode: string | null;
  /** Asia/Shanghai day. */
  day: string;
  channel: LockerKind;
}

export interface ChannelCount {
  channel: LockerKind;
  count: number;
}

export interface OutcomeTotals {
  pickedUp: number;
  dwellHoursSum: number;
  within24h: number;
  within72h: number;
  expired: number;
  histogram: number[];
}

export interface RollupRepo {
  addDeliveries(key: RollupKey, carrierId: string, n: number): void;
  /** The carrier's locker deliveries in a region (its whole subtree) on a day, over both channels. */
  carrierDeliveries(carrierId: string, regionCode: string, day: string): number;
  deliveriesByDay(regionCode: string, from: string, to: string): Array<ChannelCount & { day: string }>;
  deliveriesOfChildren(parentCode: string, from: string, to: string): Array<ChannelCount & { regionCode: string }>;
  deliveriesByRegion(from: string, to: string): Array<{ regionCode: string; count: number }>;
  addPickup(key: RollupKey, dwellMs: number): void;
  addExpiry(key: RollupKey): void;
  outcomes(regionCode: string, from: string, to: string): OutcomeTotals;
}

/** Reported deliveries; the *Base fields are the totals of the reports that gave that count. */
export interface VolumeFigures {
  total: number;
  within24h: number;
  within24hBase: number;
  within72h: number;
  within72hBase: number;
}

export interface VolumeRepo {
  get(carrierId: string, regionCode: string, day: string): VolumeReport | undefined;
  upsert(r: VolumeReport): void;
  /** Flags the carrier's report for that region and day if it is below the carrier's locker deliveries there. */
  flagIfBelowLockerDeliveries(carrierId: string, regionCode: string, day: string): void;
  /** Sets the carrier's counted deliveries of a region and day (and moves the all-carrier total by the difference). */
  setRollup(regionCode: string, parentCode: string | null, day: string, carrierId: string, f: VolumeFigures): void;
  childRollupSum(parentCode: string, day: string, carrierId: string): VolumeFigures;
  totalsByDay(regionCode: string, from: string, to: string): Array<VolumeFigures & { day: string }>;
  totalsOfChildren(parentCode: string, from: string, to: string): Array<VolumeFigures & { regionCode: string }>;
  totalsByRegion(from: string, to: string): Array<{ regionCode: string; total: number }>;
}

export interface FleetCounts {
  lockers: number;
  online: number;
  /** Sleepy controllers (mailbox banks) between wakes, not yet overdue. */
  asleep: number;
  compartments: number;
  occupied: number;
  openAlarms: number;
}

export interface FleetRepo {
  /** Lockers that are not retired, on sites in these regions. */
  counts(regionCodes: readonly string[], asleepAfter: number): FleetCounts;
  /** Active lockers commissioned in [fromMs, toMs); every active locker when there is no window. */
  commissioned(regionCodes: readonly string[], window: { fromMs: number; toMs: number } | null): number;
  /** Public pickup stations (sites) with at least one active locker. */
  publicStations(regionCodes: readonly string[]): number;
}
