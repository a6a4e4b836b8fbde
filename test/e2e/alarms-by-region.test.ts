import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOperatorToken } from '../../src/app/tokens.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { lockerFixture } from '../helpers/parcels.js';
import { seedJilin } from '../helpers/seed.js';

const PROVINCE = '220000';
const CHANGCHUN = '220100';
const NANGUAN = '220102'; // a district of Changchun
const JILIN_CITY = '220200';

let gw: TestGateway;
let viewer: string;
const lockers: Record<string, string> = {};

beforeAll(async () => {
  gw = await startTestGateway();
  await seedJilin(gw);
  viewer = (await createOperatorToken(gw.ctx, 'viewer', 'viewer')).secret;
  for (const code of [NANGUAN, JILIN_CITY]) lockers[code] = (await lockerFixture(gw, 'S:2', { regionCode: code })).lockerId;
  const now = gw.ctx.clock.now();
  await gw.ctx.store.transact((tx) => {
    tx.alarms.raise({ kind: 'door_forced', lockerId: lockers[NANGUAN]!, compartment: 1, details: {} }, now);
    tx.alarms.raise({ kind: 'tamper', lockerId: lockers[JILIN_CITY]!, compartment: null, details: {} }, now + 1);
  });
});
afterAll(async () => gw?.stop());

const alarms = async (query: string) => {
  const res = await gw.http.inject({ url: `/v1/alarms?${query}`, headers: { authorization: `Bearer ${viewer}` } });
  return { status: res.statusCode, body: res.json() as { alarms?: Array<{ lockerId: string; kind: string }>; error?: { code: string } } };
};

describe('GET /v1/alarms?region=', () => {
  it('lists the alarms of the lockers in a region\'s whole subtree, and only those', async () => {
    const byRegion = async (code: string) => (await alarms(`state=open&region=${code}`)).body.alarms!.map((a) => [a.lockerId, a.kind]);
    expect(await byRegion(CHANGCHUN)).toEqual([[lockers[NANGUAN], 'door_forced']]);
    expect(await byRegion(NANGUAN)).toEqual([[lockers[NANGUAN], 'door_forced']]);
    expect(await byRegion(JILIN_CITY)).toEqual([[lockers[JILIN_CITY], 'tamper']]);
    expect(await byRegion(PROVINCE)).toEqual([[lockers[JILIN_CITY], 'tamper'], [lockers[NANGUAN], 'door_forced']]);
  });

  it('answers an unknown region with 404 REGION_NOT_FOUND and a malformed one with 400', async () => {
    expect(await alarms('region=990000')).toMatchObject({ status: 404, body: { error: { code: 'REGION_NOT_FOUND' } } });
    expect((await alarms('region=abc')).status).toBe(400);
  });
});
