import { describe, expect, it } from 'vitest';
import { isIsoDate, periodsBetween, shanghaiDay, shanghaiDayStart } from '../../src/domain/calendar.js';
import { medianHours, dwellBucket, emptyHistogram } from '../../src/domain/dwell.js';
import { structuralParent, targetOn } from '../../src/domain/region.js';
import { shareFigures } from '../../src/domain/share.js';

const span = (from: string, to: string, g: Parameters<typeof periodsBetween>[2]) => periodsBetween(from, to, g).map((p) => [p.start, p.end, p.days]);

describe('Asia/Shanghai days', () => {
  it('puts 23:30 UTC on the next Shanghai day and 15:59:59 UTC on the same one', () => {
    expect(shanghaiDay(Date.UTC(2026, 10, 28, 23, 30))).toBe('2026-11-29');
    expect(shanghaiDay(Date.UTC(2026, 10, 28, 15, 59, 59, 999))).toBe('2026-11-28');
    expect(shanghaiDay(Date.UTC(2026, 10, 28, 16, 0))).toBe('2026-11-29');
    expect(shanghaiDayStart('2026-11-29')).toBe(Date.UTC(2026, 10, 28, 16, 0));
    expect(shanghaiDay(Date.UTC(2026, 11, 31, 16, 0))).toBe('2027-01-01');
  });

  it('accepts only real dates', () => {
    expect(isIsoDate('2028-02-29')).toBe(true);
    expect(isIsoDate('2026-02-29')).toBe(false);
    expect(isIsoDate('2026-13-01')).toBe(false);
    expect(isIsoDate('2026-1-01')).toBe(false);
  });
});

describe('periods', () => {
  it('cuts ISO weeks on Mondays and clips the first and last to the range', () => {
    // 2026-11-25 is a Wednesday; 2026-11-30 a Monday.
    expect(span('2026-11-25', '2026-12-08', 'week')).toEqual([
      ['2026-11-25', '2026-11-29', 5],
      ['2026-11-30', '2026-12-06', 7],
      ['2026-12-07', '2026-12-08', 2],
    ]);
    // A week across the new year stays one ISO week (2026-12-28 is a Monday).
    expect(span('2026-12-28', '2027-01-03', 'week')).toEqual([['2026-12-28', '2027-01-03', 7]]);
  });

  it('cuts months (including February of a leap year), quarters and years on their first day', () => {
    expect(span('2028-01-15', '2028-03-01', 'month')).toEqual([
      ['2028-01-15', '2028-01-31', 17],
      ['2028-02-01', '2028-02-29', 29],
      ['2028-03-01', '2028-03-01', 1],
    ]);
    expect(span('2026-03-31', '2026-10-01', 'quarter')).toEqual([
      ['2026-03-31', '2026-03-31', 1],
      ['2026-04-01', '2026-06-30', 91],
      ['2026-07-01', '2026-09-30', 92],
      ['2026-10-01', '2026-10-01', 1],
    ]);
    expect(span('2026-12-31', '2027-01-01', 'year')).toEqual([['2026-12-31', '2026-12-31', 1], ['2027-01-01', '2027-01-01', 1]]);
    expect(span('2026-11-28', '2026-11-30', 'day')).toHaveLength(3);
  });
});

describe('share arithmetic', () => {
  it('computes share, status and the extra locker deliveries per day that would meet the target', () => {
    // 100 of 1,500 over 30 days at 10%: 150 needed, 50 short → 2 a day (1.67 rounded up).
    expect(shareFigures(80, 20, 1500, 10, 30)).toEqual({
      lockerDeliveries: { total: 100, smart_locker: 80, mailbox_bank: 20 },
      reportedTotal: 1500,
      sharePct: 6.67,
      targetPct: 10,
      status: 'behind',
      neededPerDay: 2,
    });
    expect(shareFigures(123, 0, 1230, 10, 1)).toMatchObject({ sharePct: 10, status: 'met', neededPerDay: 0 });
    expect(shareFigures(122, 0, 1230, 10, 1)).toMatchObject({ status: 'behind', neededPerDay: 1 });
    expect(shareFigures(5, 0, 0, 10, 7)).toMatchObject({ sharePct: null, status: 'no_data', neededPerDay: null, reportedTotal: 0 });
  });
});

describe('dwell histogram', () => {
  it('finds the median inside the bucket holding the middle parcel', () => {
    const h = emptyHistogram();
    for (const hours of [0.5, 1.5, 2.5, 3.5]) h[dwellBucket(hours)]! += 1;
    expect(medianHours(h)).toBe(2); // between the 2nd and 3rd parcel: the top of bucket [1, 2)
    expect(medianHours(emptyHistogram())).toBeNull();
    expect(dwellBucket(71.9)).toBe(71);
    expect(dwellBucket(80)).toBe(72);
    expect(dwellBucket(1000)).toBe(76);
  });
});

describe('regions', () => {
  it('derives parents from the code when the table does not know a region', () => {
    expect([structuralParent('220102'), structuralParent('220100'), structuralParent('220000')]).toEqual(['220100', '220000', null]);
  });

  it('picks the target whose window holds the day', () => {
    const t = [
      { regionCode: '220000', metric: 'locker_share_pct' as const, from: '2025-01-01', to: '2027-12-31', value: 10 },
      { regionCode: '220000', metric: 'locker_share_pct' as const, from: '2027-01-01', to: '2027-12-31', value: 12 },
    ];
    expect(targetOn(t, '2026-06-01')?.value).toBe(10);
    expect(targetOn(t, '2027-06-01')?.value).toBe(12);
    expect(targetOn(t, '2028-01-01')).toBeUndefined();
  });
});
