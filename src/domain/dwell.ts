/**
 * Dwell time (deposit → pickup) kept as a histogram in the daily rollups, so a median over a year
 * costs one row per day instead of a scan of every parcel. Buckets are hourly up to 72 h, where
 * the plan's 24 h / 72 h thresholds and the default hold time lie, then coarser; the last is open.
 */
export const DWELL_BUCKET_UPPER_HOURS: readonly number[] = [...Array.from({ length: 72 }, (_, i) => i + 1), 96, 120, 168, 336];
export const DWELL_BUCKETS = DWELL_BUCKET_UPPER_HOURS.length + 1;

export function dwellBucket(hours: number): number {
  if (hours < 72) return Math.max(0, Math.floor(hours)); // the hourly buckets
  for (let i = 72; i < DWELL_BUCKET_UPPER_HOURS.length; i++) {
    if (hours < DWELL_BUCKET_UPPER_HOURS[i]!) return i;
  }
  return DWELL_BUCKET_UPPER_HOURS.length;
}

export function emptyHistogram(): number[] {
  return new Array<number>(DWELL_BUCKETS).fill(0);
}

/** Median hours, interpolated inside the bucket that holds the middle parcel (1 decimal); null when empty. */
export function medianHours(histogram: readonly number[]): number | null {
  const n = histogram.reduce((a, b) => a + b, 0);
  if (n === 0) return null;
  const half = n / 2;
  let before = 0;
  for (let i = 0; i < histogram.length; i++) {
    const c = histogram[i] ?? 0;
    if (c > 0 && before + c >= half) {
      const lo = i === 0 ? 0 : DWELL_BUCKET_UPPER_HOURS[i - 1]!;
      const hi = DWELL_BUCKET_UPPER_HOURS[i];
      if (hi === undefined) return lo; // open-ended last bucket: its lower bound is all we know
      return Math.round((lo + ((half - before) / c) * (hi - lo)) * 10) / 10;
    }
    before += c;
  }
  return null;
}
