/** Small statistics for benchmark tables: percentiles of samples, median and range of runs. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export interface Summary {
  median: number;
  min: number;
  max: number;
  runs: number[];
}

export function summarize(runs: readonly number[]): Summary {
  const s = [...runs].sort((a, b) => a - b);
  return { median: percentile(s, 50), min: s[0] ?? Number.NaN, max: s[s.length - 1] ?? Number.NaN, runs: [...runs] };
}

export function fmt(x: number, digits = 1): string {
  if (!Number.isFinite(x)) return 'n/a';
  return x >= 100 ? Math.round(x).toLocaleString('en-US') : x.toFixed(digits);
}

/** "median (min–max)" as printed in every table cell. */
export function cell(s: Summary, digits = 1): string {
  return `${fmt(s.median, digits)} (${fmt(s.min, digits)}–${fmt(s.max, digits)})`;
}

/** A Prometheus histogram's cumulative buckets: [upper bound, observations ≤ it], ascending, +Inf last. */
export type Buckets = Array<[number, number]>;

/**
 * The q-quantile (0–1) of the observations made between two readings of one histogram, by
 * linear interpolation inside the bucket it falls in (as Prometheus' histogram_quantile does).
 * NaN when nothing was observed; the last finite bound when it falls in the +Inf bucket.
 */
export function bucketQuantile(before: Buckets, after: Buckets, q: number): number {
  const counts = after.map(([le, n], i): [number, number] => [le, n - (before[i]?.[1] ?? 0)]);
  const total = counts.at(-1)?.[1] ?? 0;
  if (total <= 0) return Number.NaN;
  const rank = q * total;
  let lowerBound = 0;
  let lowerCount = 0;
  for (const [le, n] of counts) {
    if (n >= rank) {
      if (!Number.isFinite(le)) return lowerBound;
      return lowerBound + ((le - lowerBound) * (rank - lowerCount)) / Math.max(1, n - lowerCount);
    }
    lowerBound = le;
    lowerCount = n;
  }
  return lowerBound;
}
