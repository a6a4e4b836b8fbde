import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runHoldRules } from '../../../src/app/parcels/expiry.js';
import { buildDeploymentReport, buildFleetReport } from '../../../src/app/reports/fleet-report.js';
import { buildShareReport, lockerShareRatios } from '../../../src/app/reports/share-report.js';
import { submitVolumeReport } from '../../../src/app/reports/volume-reports.js';
import { at, startReportFixture, type ReportFixture } from './fixture.js';

let f: ReportFixture;
let A: string;
let B: string;
let nanguan: string;
let nanguanMailbox: string;
let chaoyang: string;
let changyi: string;
let changbai: string;

beforeEach(async () => {
  f = await startReportFixture();
  [A, B] = [await f.carrier('car-a'), await f.carrier('car-b')];
  nanguan = await f.locker('220102');
  nanguanMailbox = await f.locker('220102', 'mailbox_bank');
  chaoyang = await f.locker('220104');
  changyi = await f.locker('220202');
  changbai = await f.locker('229800');
});
afterEach(async () => f.cleanup());

const report = (body: { regionCode: string; date: string; deliveredTotal: number; deliveredWithin24h?: number; deliveredWithin72h?: number }, carrier = A) =>
  submitVolumeReport(f.ctx, carrier, body);
const share = (region: string, from: string, to: string, granularity: 'day' | 'week' | 'month' | 'quarter' | 'year' = 'day') =>
  buildShareReport(f.ctx, { region, from, to, granularity });

/** Monday 2026-11-02: deposits across two cities, both channels, and a zone without a GB code. */
async function busyMonday(): Promise<void> {
  for (let i = 0; i < 3; i++) await f.deposit(nanguan, A, at('2026-11-02', 10 + i));
  await f.deposit(nanguanMailbox, A, at('2026-11-02', 9));
  await f.deposit(nanguan, A, Date.UTC(2026, 10, 1, 23, 30)); // 07:30 on 2 Nov in Shanghai
  await f.deposit(nanguan, A, Date.UTC(2026, 10, 1, 15, 59)); // 23:59 on 1 Nov in Shanghai
  for (let i = 0; i < 2; i++) await f.deposit(chaoyang, B, at('2026-11-02', 14 + i));
  await f.deposit(changyi, B, at('2026-11-02', 11));
  await f.deposit(changbai, A, at('2026-11-02', 12));
}

describe('locker share from deposits and volume reports', () => {
  it('counts each deposit on its Asia/Shanghai day, by channel, and rolls districts up to city and province', async () => {
    await busyMonday();
    f.clock.set(at('2026-11-03'));
    await report({ regionCode: '220102', date: '2026-11-02', deliveredTotal: 30 });
    await report({ regionCode: '220100', date: '2026-11-02', deliveredTotal: 50 }); // A's city report covers its districts
    await report({ regionCode: '220104', date: '2026-11-02', deliveredTotal: 20 }, B);
    await report({ regionCode: '220200', date: '2026-11-02', deliveredTotal: 10 }, B);

    const district = await share('220102', '2026-11-01', '2026-11-02');
    expect(district.rows).toEqual([
      { period: '2026-11-01', periodEnd: '2026-11-01', lockerDeliveries: { total: 1, smart_locker: 1, mailbox_bank: 0 }, reportedTotal: 0, sharePct: null, targetPct: 10, status: 'no_data', neededPerDay: null },
      { period: '2026-11-02', periodEnd: '2026-11-02', lockerDeliveries: { total: 5, smart_locker: 4, mailbox_bank: 1 }, reportedTotal: 30, sharePct: 16.67, targetPct: 10, status: 'met', neededPerDay: 0 },
    ]);
    // City: A counts its city report (50, not 50 + 30), B the sum of its district reports (20).
    const city = await share('220100', '2026-11-02', '2026-11-02');
    expect(city.rows[0]).toMatchObject({ lockerDeliveries: { total: 7, smart_locker: 6, mailbox_bank: 1 }, reportedTotal: 70, sharePct: 10, status: 'met', neededPerDay: 0 });
    const cityChildren = Object.fromEntries(city.children.map((c) => [c.code, [c.lockerDeliveries.total, c.reportedTotal, c.status]]));
    expect(cityChildren).toMatchObject({ '220102': [5, 30, 'met'], '220104': [2, 20, 'met'], '220105': [0, 0, 'no_data'] });

    const province = await share('220000', '2026-11-02', '2026-11-02');
    expect(province.region).toEqual({ code: '220000', nameZh: '吉林省', nameEn: 'Jilin Province' });
    expect(province.rows[0]).toMatchObject({ lockerDeliveries: { total: 9 }, reportedTotal: 80, sharePct: 11.25, status: 'met' });
    const byCode = new Map(province.children.map((c) => [c.code, c]));
    expect([...byCode.keys()]).toEqual(['220100', '220200', '220300', '220400', '220500', '220600', '220700', '220800', '222400', '229800']);
    expect(byCode.get('220200')).toMatchObject({ nameEn: 'Jilin City', lockerDeliveries: { total: 1 }, reportedTotal: 10, sharePct: 10, status: 'met' });
    expect(byCode.get('229800')).toMatchObject({ nameZh: '长白山保护开发区', lockerDeliveries: { total: 1 }, reportedTotal: 0, status: 'no_data' });
  });

  it('says how many more locker deliveries per day would have met the target', async () => {
    await f.deposit(nanguan, A, at('2026-11-02'));
    await f.deposit(nanguan, A, at('2026-11-03'));
    f.clock.set(at('2026-11-04'));
    await report({ regionCode: '220102', date: '2026-11-02', deliveredTotal: 100 });
    await report({ regionCode: '220102', date: '2026-11-03', deliveredTotal: 100 });
    // 2 of 200 over 2 days against 10%: 18 short → 9 a day.
    const [row] = (await share('220102', '2026-11-02', '2026-11-03', 'week')).rows;
    expect(row).toMatchObject({ period: '2026-11-02', periodEnd: '2026-11-03', sharePct: 1, status: 'behind', neededPerDay: 9 });
  });

  it('aggregates by ISO week, month, quarter and year across their boundaries', async () => {
    for (const day of ['2026-09-30', '2026-10-01', '2026-10-31', '2026-11-01', '2026-11-02']) await f.deposit(nanguan, A, at(day));
    f.clock.set(at('2026-11-10'));
    const rowsOf = async (g: 'week' | 'month' | 'quarter' | 'year') =>
      (await share('220000', '2026-09-28', '2026-11-08', g)).rows.map((r) => [r.period, r.periodEnd, r.lockerDeliveries.total]);
    expect(await rowsOf('week')).toEqual([
      ['2026-09-28', '2026-10-04', 2], ['2026-10-05', '2026-10-11', 0], ['2026-10-12', '2026-10-18', 0], ['2026-10-19', '2026-10-25', 0],
      ['2026-10-26', '2026-11-01', 2], ['2026-11-02', '2026-11-08', 1],
    ]);
    expect(await rowsOf('month')).toEqual([['2026-09-28', '2026-09-30', 1], ['2026-10-01', '2026-10-31', 2], ['2026-11-01', '2026-11-08', 2]]);
    expect(await rowsOf('quarter')).toEqual([['2026-09-28', '2026-09-30', 1], ['2026-10-01', '2026-11-08', 4]]);
    expect(await rowsOf('year')).toEqual([['2026-09-28', '2026-11-08', 5]]);
  });

  it('defaults to the province and the 30 days up to today (Asia/Shanghai), one row a day', async () => {
    f.clock.set(Date.UTC(2026, 10, 28, 20, 0)); // already 29 Nov in Shanghai
    const r = await buildShareReport(f.ctx, {});
    expect([r.region.code, r.granularity, r.from, r.to, r.rows.length]).toEqual(['220000', 'day', '2026-10-30', '2026-11-29', 31]);
  });
});

describe('volume reports', () => {
  it('upsert per carrier, region and day: a repeat replaces, and the report rolls up', async () => {
    f.clock.set(at('2026-11-03'));
    const first = await report({ regionCode: '220102', date: '2026-11-02', deliveredTotal: 40, deliveredWithin24h: 30 });
    const again = await report({ regionCode: '220102', date: '2026-11-02', deliveredTotal: 45, deliveredWithin24h: 35 });
    expect([first.created, again.created]).toEqual([true, false]);
    expect(again.report).toMatchObject({ deliveredTotal: 45, deliveredWithin24h: 35, deliveredWithin72h: null, inconsistent: false, createdAt: first.report.createdAt });
    expect((await share('220000', '2026-11-02', '2026-11-02')).rows[0]?.reportedTotal).toBe(45);
  });

  it('accepts a report below the carrier\'s own locker deposits but flags it, also when deposits come later', async () => {
    await busyMonday();
    f.clock.set(at('2026-11-02', 20));
    const low = await report({ regionCode: '220102', date: '2026-11-02', deliveredTotal: 3 });
    expect([low.report.inconsistent, low.lockerDeliveries]).toEqual([true, 5]);
    expect((await report({ regionCode: '220102', date: '2026-11-02', deliveredTotal: 30 })).report.inconsistent).toBe(false);
    // Another carrier's deposits never make A's report inconsistent.
    expect((await report({ regionCode: '220104', date: '2026-11-02', deliveredTotal: 1 })).report.inconsistent).toBe(false);

    f.clock.set(at('2026-11-03', 8)); // a report for today, sent in the morning
    await report({ regionCode: '220100', date: '2026-11-03', deliveredTotal: 1 });
    await f.deposit(nanguan, A, at('2026-11-03', 9));
    expect((await f.store.read((tx) => tx.volumes.get(A, '220100', '2026-11-03')))?.inconsistent).toBe(false);
    await f.deposit(chaoyang, A, at('2026-11-03', 10)); // second deposit in the city that day
    expect((await f.store.read((tx) => tx.volumes.get(A, '220100', '2026-11-03')))?.inconsistent).toBe(true);
  });

  it('refuses unknown regions, future days and within-counts above the total', async () => {
    f.clock.set(at('2026-11-03'));
    await expect(report({ regionCode: '229999', date: '2026-11-02', deliveredTotal: 1 })).rejects.toMatchObject({ code: 'REGION_NOT_FOUND' });
    await expect(report({ regionCode: '220102', date: '2026-11-04', deliveredTotal: 1 })).rejects.toMatchObject({ code: 'VOLUME_REPORT_INVALID' });
    await expect(report({ regionCode: '220102', date: '2026-11-02', deliveredTotal: 5, deliveredWithin72h: 6 })).rejects.toMatchObject({ code: 'VOLUME_REPORT_INVALID' });
  });
});

describe('fleet and deployment figures', () => {
  it('computes dwell (median, within 24 h / 72 h), the expired rate and carriers\' delivery times', async () => {
    const p1 = await f.deposit(nanguan, A, at('2026-11-02', 12));
    const p2 = await f.deposit(chaoyang, A, at('2026-11-02', 12));
    const p3 = await f.deposit(changyi, A, at('2026-11-02', 12));
    await f.deposit(nanguan, A, at('2026-11-02', 12)); // never collected: expires after 72 h
    await f.pickup(p1, at('2026-11-02', 18)); // 6 h
    await f.pickup(p2, at('2026-11-04', 14)); // 50 h
    f.clock.set(at('2026-11-06', 13));
    expect((await runHoldRules(f.ctx)).expired).toBe(2); // p3 and the fourth parcel
    await f.pickup({ ...p3, state: 'expired' }, at('2026-11-06', 13)); // collected late anyway: 97 h
    await report({ regionCode: '220100', date: '2026-11-02', deliveredTotal: 100, deliveredWithin24h: 70, deliveredWithin72h: 95 });
    await report({ regionCode: '220200', date: '2026-11-02', deliveredTotal: 100 });

    const fleet = await buildFleetReport(f.ctx, { region: '220000', from: '2026-11-01', to: '2026-11-06' });
    expect(fleet.dwell).toEqual({ medianHours: 50.5, within24hPct: 33.33, within72hPct: 66.67 });
    expect(fleet.expiredRatePct).toBe(40); // 2 expired of 5 ended waits
    // Only the report that gave the within counts is their base: 70 of 100, 95 of 100.
    expect(fleet.deliveryTime).toEqual({ within24hPct: 70, within72hPct: 95, target24hPct: 80, target72hPct: 90 });
    expect(fleet.lockers).toEqual({ total: 5, online: 0, asleep: 0, offline: 5 });
    expect(fleet.compartments.total).toBe(20);
    expect(fleet.alarms.open).toBe(0);
    const city = await buildFleetReport(f.ctx, { region: '220200', from: '2026-11-01', to: '2026-11-06' });
    // One 97 h pickup: above 72 h buckets are a day or more wide, and the median is read at the bucket's middle (96–120 h).
    expect([city.lockers.total, city.dwell.medianHours, city.deliveryTime.within24hPct]).toEqual([1, 108, null]);
  });

  it('counts commissioned locker groups and public stations against the seeded targets', async () => {
    const { rows } = await buildDeploymentReport(f.ctx, undefined);
    expect(rows[0]).toEqual({ code: '220000', nameZh: '吉林省', nameEn: 'Jilin Province', lockerGroups: { commissioned: 5, target: 1500, pct: 0.33 }, publicStations: { count: 0, target: 100 } });
    expect(rows.find((r) => r.code === '220100')).toMatchObject({ lockerGroups: { commissioned: 3, target: 300, pct: 1 }, publicStations: { target: 20 } });
    expect(rows.find((r) => r.code === '220300')).toMatchObject({ lockerGroups: { commissioned: 0, target: 150 }, publicStations: { target: 10 } });
    expect(rows.find((r) => r.code === '229800')).toMatchObject({ lockerGroups: { commissioned: 1, target: null, pct: null } });
  });

  it('gives the month-to-date share ratio per region for the Prometheus gauge', async () => {
    await f.deposit(nanguan, A, at('2026-11-02'));
    await f.deposit(nanguan, A, at('2026-10-30')); // last month: not counted
    f.clock.set(at('2026-11-20'));
    await report({ regionCode: '220102', date: '2026-11-02', deliveredTotal: 20 });
    const ratios = new Map((await lockerShareRatios(f.ctx)).map((r) => [r.region, r.ratio]));
    expect([ratios.get('220102'), ratios.get('220100'), ratios.get('220000')]).toEqual([0.05, 0.05, 0.05]);
  });
});
