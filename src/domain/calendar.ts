/**
 * Days, weeks, months, quarters and years as operators in Jilin count them: in Asia/Shanghai.
 * China Standard Time has been UTC+8 all year since 1991 (no daylight saving), so a fixed offset
 * is exact for every date the gateway can meet, and needs no time-zone database.
 * Dates are ISO strings (YYYY-MM-DD); "day numbers" count days since 1970-01-01.
 */
const DAY_MS = 86_400_000;
const SHANGHAI_OFFSET_MS = 8 * 3_600_000;

export const GRANULARITIES = ['day', 'week', 'month', 'quarter', 'year'] as const;
export type Granularity = (typeof GRANULARITIES)[number];

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function dayNumber(iso: string): number {
  const m = ISO_DATE.exec(iso);
  if (!m) throw new RangeError(`not a YYYY-MM-DD date: ${iso}`);
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) / DAY_MS;
}

export function isoOfDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** True for a real calendar date written YYYY-MM-DD (2026-02-30 is not one). */
export function isIsoDate(s: string): boolean {
  return ISO_DATE.test(s) && isoOfDay(dayNumber(s)) === s;
}

/** The Asia/Shanghai calendar day of an instant: 2026-11-28T23:30Z is 2026-11-29 there. */
export function shanghaiDay(ms: number): string {
  return isoOfDay(Math.floor((ms + SHANGHAI_OFFSET_MS) / DAY_MS));
}

/** The instant an Asia/Shanghai day begins (00:00 +08:00). */
export function shanghaiDayStart(iso: string): number {
  return dayNumber(iso) * DAY_MS - SHANGHAI_OFFSET_MS;
}

export function addDays(iso: string, n: number): string {
  return isoOfDay(dayNumber(iso) + n);
}

/** First day (day number) of the period that contains `day`; weeks are ISO weeks (Monday start). */
export function periodStart(day: number, g: Granularity): number {
  if (g === 'day') return day;
  // 1970-01-01 was a Thursday: (day + 3) mod 7 is 0 on Mondays.
  if (g === 'week') return day - ((((day + 3) % 7) + 7) % 7);
  const d = new Date(day * DAY_MS);
  const y = d.getUTCFullYear();
  const month = g === 'month' ? d.getUTCMonth() : g === 'quarter' ? d.getUTCMonth() - (d.getUTCMonth() % 3) : 0;
  return Date.UTC(y, month, 1) / DAY_MS;
}

export function nextPeriodStart(start: number, g: Granularity): number {
  if (g === 'day') return start + 1;
  if (g === 'week') return start + 7;
  const d = new Date(start * DAY_MS);
  const months = g === 'month' ? 1 : g === 'quarter' ? 3 : 12;
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months, 1) / DAY_MS;
}

export interface Period {
  /** First and last day (inclusive) of the calendar period, clipped to the asked range. */
  start: string;
  end: string;
  startDay: number;
  endDay: number;
  days: number;
}

/** The calendar periods of granularity `g` that cover [from, to], each clipped to that range. */
export function periodsBetween(from: string, to: string, g: Granularity): Period[] {
  const first = dayNumber(from);
  const last = dayNumber(to);
  const periods: Period[] = [];
  for (let p = periodStart(first, g); p <= last; p = nextPeriodStart(p, g)) {
    const startDay = Math.max(p, first);
    const endDay = Math.min(nextPeriodStart(p, g) - 1, last);
    periods.push({ start: isoOfDay(startDay), end: isoOfDay(endDay), startDay, endDay, days: endDay - startDay + 1 });
  }
  return periods;
}
