import type { LockerKind } from './locker.js';

/** The plan's locker share target, used for a region when neither it nor an ancestor has one as data. */
export const DEFAULT_SHARE_TARGET_PCT = 10;

export const SHARE_STATUSES = ['met', 'behind', 'no_data'] as const;
export type ShareStatus = (typeof SHARE_STATUSES)[number];

export type ChannelCounts = Record<LockerKind, number> & { total: number };

export interface ShareFigures {
  lockerDeliveries: ChannelCounts;
  reportedTotal: number;
  /** Locker deliveries ÷ reported deliveries, in percent (2 decimals); null without reports. */
  sharePct: number | null;
  targetPct: number;
  status: ShareStatus;
  /** Extra locker deliveries per day that would have met the target; null without reports. */
  neededPerDay: number | null;
}

export const round2 = (x: number): number => Math.round(x * 100) / 100;

/** A percentage with 2 decimals, or null when there is nothing to divide by. */
export function pct(part: number, whole: number): number | null {
  return whole > 0 ? round2((100 * part) / whole) : null;
}

/**
 * Share arithmetic for one region and period. Moving a delivery into a locker does not change how
 * many parcels were delivered, so the shortfall is target × reported − locker deliveries, spread
 * over the days of the period and rounded up (a fraction of a parcel meets nothing).
 */
export function shareFigures(smart: number, mailbox: number, reportedTotal: number, targetPct: number, days: number): ShareFigures {
  const total = smart + mailbox;
  const lockerDeliveries = { total, smart_locker: smart, mailbox_bank: mailbox };
  if (reportedTotal <= 0) {
    return { lockerDeliveries, reportedTotal: 0, sharePct: null, targetPct, status: 'no_data', neededPerDay: null };
  }
  // Compare in whole numbers (total × 100 vs target × reported) so 10.00% of 1,230 is met by 123.
  const met = total * 100 >= targetPct * reportedTotal - 1e-9;
  const shortfall = Math.max(0, Math.ceil((targetPct * reportedTotal) / 100 - 1e-9) - total);
  return {
    lockerDeliveries,
    reportedTotal,
    sharePct: pct(total, reportedTotal),
    targetPct,
    status: met ? 'met' : 'behind',
    neededPerDay: met ? 0 : Math.ceil(shortfall / Math.max(1, days)),
  };
}

/** The plan's delivery-time targets: ≥80% within 24 h in cities, ≥90% within 72 h in the province. */
export const DELIVERY_TARGET_24H_PCT = 80;
export const DELIVERY_TARGET_72H_PCT = 90;
