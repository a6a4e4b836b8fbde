import { addDays, dayNumber, shanghaiDay, type Granularity } from '../../domain/calendar.js';
import { LockergateError } from '../../domain/errors.js';

/** Longest range a report answers (about ten years): bounds the rows of a day-granularity report. */
export const MAX_RANGE_DAYS = 3_660;
export const DEFAULT_RANGE_DAYS = 30;

export interface RangeQuery {
  from?: string | undefined;
  to?: string | undefined;
  granularity?: Granularity | undefined;
}

export interface Range {
  from: string;
  to: string;
}

/** Defaults: to = today in Asia/Shanghai, from = 30 days before `to`. */
export function resolveRange(now: number, q: RangeQuery): Range {
  const to = q.to ?? shanghaiDay(now);
  const from = q.from ?? addDays(to, -DEFAULT_RANGE_DAYS);
  if (from > to) throw new LockergateError('VALIDATION_FAILED', `from (${from}) is after to (${to}).`);
  if (dayNumber(to) - dayNumber(from) + 1 > MAX_RANGE_DAYS) {
    throw new LockergateError('VALIDATION_FAILED', `A report covers at most ${MAX_RANGE_DAYS} days.`);
  }
  return { from, to };
}
