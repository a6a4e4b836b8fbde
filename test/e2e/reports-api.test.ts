import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addCarrier } from '../../src/app/carriers.js';
import { createLocker, createSite } from '../../src/app/provisioning.js';
import { recordLockerDelivery } from '../../src/app/reports/rollups.js';
import { createOperatorToken } from '../../src/app/tokens.js';
import { addDays, shanghaiDay } from '../../src/domain/calendar.js';
import type { Parcel } from '../../src/domain/parcel.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { seedJilin } from '../helpers/seed.js';

let gw: TestGateway;
let open: TestGateway;
let viewer: string;
let carrierKey: string;
let today: string;
const auth = (t: string) => ({ authorization: `Bearer ${t}` });

/** Two locker deliveries of the carrier in Nanguan today, counted as completeDeposit counts them. */
async function twoDeposits(g: TestGateway, carrierId: string): Promise<void> {
  const site = await createSite(g.ctx, { name: 'Nanguan', kind: 'residential', regionCode: '220102', address: 'x' }, 'test');
  const { locker } = await createLocker(g.ctx, { siteId: site.id, name: 'A', kind: 'smart_locker', layout: 'S:2' }, 'test');
  const parcel = { id: 'pcl-x', carrierId, lockerId: locker.id } as Parcel;
  await g.store.transact((tx) => [1, 2].forEach(() => recordLockerDelivery(tx, parcel, g.ctx.clock.now())));
}

beforeAll(async () => {
  gw = await startTestGateway({ manualClock: true });
  open = await startTestGateway({ env: { LOCKERGATE_OPEN_SHARE_DATA: 'true' } });
  for (const g of [gw, open]) await seedJilin(g);
  viewer = (await createOperatorToken(gw.ctx, 'v', 'viewer')).secret;
  const { carrier, apiKey } = await addCarrier(gw.ctx, { name: 'Beifang', id: 'car-bf' }, 'test');
  carrierKey = apiKey;
  today = shanghaiDay(gw.ctx.clock.now());
  await twoDeposits(gw, carrier.id);
});
afterAll(async () => {
  await gw.stop();
  await open.stop();
});

describe('POST /v1/volume-reports', () => {
  const post = (body: object, key = carrierKey) => gw.http.inject({ method: 'POST', url: '/v1/volume-reports', headers: auth(key), payload: body });

  it('needs a carrier API key', async () => {
    const res = await gw.http.inject({ method: 'POST', url: '/v1/volume-reports', payload: { regionCode: '220102', date: today, deliveredTotal: 1 } });
    expect([res.statusCode, res.json().error.code]).toEqual([401, 'UNAUTHENTICATED']);
    expect((await post({ regionCode: '220102', date: today, deliveredTotal: 1 }, viewer)).statusCode).toBe(401);
  });

  it('creates (201), then replaces (200); a total below the carrier\'s own locker deposits is kept but flagged', async () => {
    const low = await post({ regionCode: '220102', date: today, deliveredTotal: 1, deliveredWithin24h: 1 });
    expect(low.statusCode).toBe(201);
    expect(low.json()).toEqual({
      report: { carrierId: 'car-bf', regionCode: '220102', date: today, deliveredTotal: 1, deliveredWithin24h: 1, deliveredWithin72h: null, inconsistent: true, createdAt: gw.ctx.clock.now(), updatedAt: gw.ctx.clock.now() },
      lockerDeliveries: 2,
    });
    const fixed = await post({ regionCode: '220102', date: today, deliveredTotal: 40 });
    expect([fixed.statusCode, fixed.json().report.inconsistent, fixed.json().report.deliveredTotal]).toEqual([200, false, 40]);
  });

  it('answers bad input with its error code', async () => {
    const codes = async (body: object) => ((r) => [r.statusCode, r.json().error.code])(await post(body));
    expect(await codes({ regionCode: '220102', date: '2026-02-30', deliveredTotal: 1 })).toEqual([400, 'VALIDATION_FAILED']);
    expect(await codes({ regionCode: '220102', date: today, deliveredTotal: -1 })).toEqual([400, 'VALIDATION_FAILED']);
    expect(await codes({ regionCode: '220999', date: today, deliveredTotal: 1 })).toEqual([404, 'REGION_NOT_FOUND']);
    expect(await codes({ regionCode: '220102', date: addDays(today, 1), deliveredTotal: 1 })).toEqual([400, 'VOLUME_REPORT_INVALID']);
  });
});

describe('report endpoints', () => {
  const get = (url: string, headers: Record<string, string> = auth(viewer), g = gw) => g.http.inject({ url, headers });

  it('lists regions with both names and levels', async () => {
    const { regions } = (await get('/v1/regions')).json() as { regions: Array<Record<string, unknown>> };
    expect(regions).toContainEqual({ code: '222400', parentCode: '220000', level: 'city', nameZh: '延边朝鲜族自治州', nameEn: 'Yanbian Korean Autonomous Prefecture' });
    expect(regions).toContainEqual({ code: '229800', parentCode: '220000', level: 'zone', nameZh: '长白山保护开发区', nameEn: 'Changbai Mountain Protection and Development Zone' });
  });

  it('answers the share report in the agreed shape, with defaults', async () => {
    const res = await get('/v1/reports/share?region=220100');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect([body.granularity, body.to, body.from, body.rows.length]).toEqual(['day', today, addDays(today, -30), 31]);
    expect(body.rows.at(-1)).toEqual({
      period: today, periodEnd: today, lockerDeliveries: { total: 2, smart_locker: 2, mailbox_bank: 0 }, reportedTotal: 40, sharePct: 5, targetPct: 10, status: 'behind', neededPerDay: 2,
    });
    expect(body.children.find((c: { code: string }) => c.code === '220102')).toMatchObject({ nameZh: '南关区', nameEn: 'Nanguan District', sharePct: 5, status: 'behind' });
    expect((await get('/v1/reports/share?granularity=hour')).json().error.code).toBe('VALIDATION_FAILED');
    expect((await get(`/v1/reports/share?from=${today}&to=${addDays(today, -1)}`)).json().error.code).toBe('VALIDATION_FAILED');
    expect((await get('/v1/reports/share?region=123456')).statusCode).toBe(404);
  });

  it('answers CSV for Accept: text/csv or ?format=csv: BOM, header, CRLF rows, empty cells for nulls', async () => {
    const res = await get(`/v1/reports/share?region=220102&from=${addDays(today, -1)}&to=${today}`, { ...auth(viewer), accept: 'text/csv' });
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toContain(`share-220102-${addDays(today, -1)}-${today}-day.csv`);
    expect(res.body.split('\r\n')).toEqual([
      '\uFEFFperiod,periodEnd,lockerDeliveries,smartLocker,mailboxBank,reportedTotal,sharePct,targetPct,status,neededPerDay',
      `${addDays(today, -1)},${addDays(today, -1)},0,0,0,0,,10,no_data,`,
      `${today},${today},2,2,0,40,5,10,behind,2`,
      '',
    ]);
    const regions = (await get('/v1/regions?format=csv')).body;
    expect(regions).toContain('\r\n220100,220000,city,长春市,Changchun\r\n');
    const deployment = (await get('/v1/reports/deployment?region=220000&format=csv')).body.split('\r\n');
    expect(deployment[1]).toBe('220000,吉林省,Jilin Province,1,1500,0.07,0,100');
    expect((await get('/v1/reports/fleet?format=csv')).body).toContain('\r\nlockers.total,1\r\n');
  });

  it('answers deployment and fleet figures in the agreed shapes', async () => {
    const dep = (await get('/v1/reports/deployment')).json();
    expect(dep.rows.map((r: { code: string }) => r.code)).toEqual(['220000', '220100', '220200', '220300', '220400', '220500', '220600', '220700', '220800', '222400', '229800']);
    expect(dep.rows[1]).toEqual({ code: '220100', nameZh: '长春市', nameEn: 'Changchun', lockerGroups: { commissioned: 1, target: 300, pct: 0.33 }, publicStations: { count: 0, target: 20 } });
    expect((await get('/v1/reports/fleet?region=220100')).json()).toEqual({
      lockers: { total: 1, online: 0, asleep: 0, offline: 1 },
      alarms: { open: 0 },
      compartments: { total: 2, occupied: 0, utilisationPct: 0 },
      dwell: { medianHours: null, within24hPct: null, within72hPct: null },
      expiredRatePct: null,
      deliveryTime: { within24hPct: null, within72hPct: null, target24hPct: 80, target72hPct: 90 },
    });
  });

  it('exports the month-to-date share per region as lockergate_locker_share_ratio', async () => {
    const text = (await gw.http.inject({ url: '/metrics' })).body;
    expect(text).toContain('lockergate_locker_share_ratio{region="220102"} 0.05');
    expect(text).toContain('lockergate_locker_share_ratio{region="220000"} 0.05');
  });
});

describe('authorisation', () => {
  const paths = ['/v1/regions', '/v1/reports/share', '/v1/reports/deployment', '/v1/reports/fleet'];

  it('wants a viewer token for every report by default', async () => {
    for (const url of paths) {
      const res = await gw.http.inject({ url });
      expect([url, res.statusCode, res.json().error.code]).toEqual([url, 401, 'UNAUTHENTICATED']);
    }
  });

  it('with LOCKERGATE_OPEN_SHARE_DATA opens the share report and regions, and nothing fleet- or parcel-level', async () => {
    expect((await open.http.inject({ url: '/v1/reports/share?granularity=month' })).statusCode).toBe(200);
    expect((await open.http.inject({ url: '/v1/regions' })).statusCode).toBe(200);
    expect((await open.http.inject({ url: '/v1/reports/share', headers: { accept: 'text/csv' } })).headers['content-type']).toContain('text/csv');
    for (const url of ['/v1/reports/fleet', '/v1/reports/deployment', '/v1/parcels/pcl-abcdefghjkmn', '/v1/lockers', '/v1/alarms', '/v1/sites']) {
      expect([url, (await open.http.inject({ url })).statusCode]).toEqual([url, 401]);
    }
    const post = await open.http.inject({ method: 'POST', url: '/v1/volume-reports', payload: { regionCode: '220102', date: today, deliveredTotal: 1 } });
    expect(post.statusCode).toBe(401);
  });

  it('documents the new routes in the OpenAPI document', async () => {
    const spec = (await gw.http.inject({ url: '/docs/json' })).json();
    expect(Object.keys(spec.paths)).toEqual(expect.arrayContaining(['/v1/regions', '/v1/reports/share', '/v1/reports/deployment', '/v1/reports/fleet', '/v1/volume-reports']));
  });
});
