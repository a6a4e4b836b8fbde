import { PROTOCOL_VERSION } from '../../protocol/topics.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { provisionLocker, startTestGateway, until, type Fixture, type TestGateway } from '../helpers/gateway.js';
import { closed, connectDevice } from '../helpers/mqtt.js';
import { simFor, stopAllSims } from '../helpers/sim.js';

let gw: TestGateway;
let fx: Fixture;
const auth = (t: string) => ({ authorization: `Bearer ${t}` });

beforeAll(async () => {
  gw = await startTestGateway();
  fx = await provisionLocker(gw, 'S:2,M:1');
});
afterEach(async () => stopAllSims());
afterAll(async () => gw.stop());

describe('system endpoints', () => {
  it('healthz and readyz answer without a token', async () => {
    expect((await gw.http.inject({ url: '/healthz' })).json()).toEqual({ status: 'ok' });
    const ready = await gw.http.inject({ url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: 'ready', checks: { store: true, broker: true } });
  });

  it('exposes Prometheus metrics including connected devices and HTTP latency', async () => {
    await gw.http.inject({ url: '/v1/lockers', headers: auth(fx.viewerToken) });
    const text = (await gw.http.inject({ url: '/metrics' })).body;
    expect(text).toContain('lockergate_mqtt_connected_devices');
    expect(text).toMatch(/lockergate_http_request_duration_seconds_count\{method="GET",route="\/v1\/lockers",status="200"\} \d+/);
  });

  it('exposes the durability path of state changes: acknowledgement wait, WAL fsyncs, group-commit batches', async () => {
    const count = (text: string, name: string) => Number(new RegExp(`^${name}_count (\\d+)$`, 'm').exec(text)?.[1] ?? NaN);
    const before = (await gw.http.inject({ url: '/metrics' })).body;
    // A state change through the API: a new site, one transaction.
    const res = await gw.http.inject({ method: 'POST', url: '/v1/sites', headers: auth(fx.operatorToken), payload: { name: 'metrics site', kind: 'office', regionCode: '220102', address: 'x' } });
    expect(res.statusCode).toBe(201);
    const after = (await gw.http.inject({ url: '/metrics' })).body;
    for (const name of ['lockergate_store_ack_wait_seconds', 'lockergate_store_wal_fsync_seconds', 'lockergate_store_batch_seconds', 'lockergate_store_batch_transactions']) {
      expect(count(after, name), name).toBeGreaterThan(count(before, name));
    }
  });

  it('serves the OpenAPI document and its UI at /docs', async () => {
    const spec = (await gw.http.inject({ url: '/docs/json' })).json();
    expect(spec.openapi).toMatch(/^3\./);
    expect(Object.keys(spec.paths)).toEqual(expect.arrayContaining(['/v1/lockers', '/v1/lockers/{id}', '/v1/lockers/{id}/compartments/{n}/open', '/v1/alarms', '/v1/alarms/{id}/ack']));
    expect((await gw.http.inject({ url: '/docs' })).statusCode).toBeLessThan(400);
  });

  it('answers an unknown route with ROUTE_NOT_FOUND', async () => {
    const res = await gw.http.inject({ url: '/v1/nothing' });
    expect([res.statusCode, res.json().error.code]).toEqual([404, 'ROUTE_NOT_FOUND']);
  });
});

describe('lockers API', () => {
  it('lists lockers with controller presence and shows compartments with both operational and sensed state', async () => {
    const list = await gw.http.inject({ url: '/v1/lockers', headers: auth(fx.viewerToken) });
    expect(list.statusCode).toBe(200);
    const mine = list.json().lockers.find((l: { id: string }) => l.id === fx.lockerId);
    expect(mine).toMatchObject({ deviceId: fx.deviceId, online: false, compartmentCount: 3, kind: 'smart_locker', status: 'active' });
    const sim = simFor(gw.mqttUrl, fx, [{ size: 'S' }, { size: 'S' }, { size: 'M', occupancySensor: false }]);
    await sim.start();
    await until(() => gw.ctx.store.read((tx) => tx.devices.get(fx.deviceId)?.bootId), (b) => b === sim.bootId);
    const detail = (await gw.http.inject({ url: `/v1/lockers/${fx.lockerId}`, headers: auth(fx.viewerToken) })).json();
    expect(detail.device).toMatchObject({ id: fx.deviceId, online: true, protocol: PROTOCOL_VERSION, bootId: sim.bootId });
    expect(detail.compartments.map((c: Record<string, unknown>) => [c['index'], c['size'], c['state'], c['door'], c['occupancy']])).toEqual([
      [1, 'S', 'available', 'closed', 'absent'],
      [2, 'S', 'available', 'closed', 'absent'],
      [3, 'M', 'available', 'closed', 'unknown'],
    ]);
  });

  it('creates a site, a locker and its device through the API; the secret is shown once and works', async () => {
    const site = await gw.http.inject({ method: 'POST', url: '/v1/sites', headers: auth(fx.operatorToken), payload: { name: 'Jingyue Campus', kind: 'campus', regionCode: '220104', address: '1 Lake Rd' } });
    expect(site.statusCode).toBe(201);
    const locker = await gw.http.inject({ method: 'POST', url: '/v1/lockers', headers: auth(fx.operatorToken), payload: { siteId: site.json().id, name: 'Gate B', layout: 'XS:2,L:1:nosensor' } });
    expect(locker.statusCode).toBe(201);
    expect(locker.json().compartments.map((c: { size: string; hasOccupancySensor: boolean }) => [c.size, c.hasOccupancySensor])).toEqual([['XS', true], ['XS', true], ['L', false]]);
    const lockerId = locker.json().locker.id;
    const dev = await gw.http.inject({ method: 'POST', url: `/v1/lockers/${lockerId}/device`, headers: auth(fx.operatorToken) });
    expect(dev.statusCode).toBe(201);
    expect(dev.headers['cache-control']).toBe('no-store');
    const { deviceId, secret } = dev.json();
    expect(secret).toMatch(/^[A-Za-z0-9_-]{24}$/); // 144 random bits
    const again = await gw.http.inject({ method: 'POST', url: `/v1/lockers/${lockerId}/device`, headers: auth(fx.operatorToken) });
    expect([again.statusCode, again.json().error.code]).toEqual([409, 'LOCKER_HAS_DEVICE']);
    const client = await connectDevice(gw.mqttUrl, deviceId, secret);
    expect(client.connected).toBe(true);
    // Rotating the secret closes the live session at once; the new secret works, the old does not.
    const rotated = await gw.http.inject({ method: 'POST', url: `/v1/devices/${deviceId}/rotate-secret`, headers: auth(fx.operatorToken) });
    expect(rotated.statusCode).toBe(200);
    await closed(client);
    await expect(connectDevice(gw.mqttUrl, deviceId, secret)).rejects.toMatchObject({ code: 4 });
    const fresh = await connectDevice(gw.mqttUrl, deviceId, rotated.json().secret);
    await fresh.endAsync();
  });

  it('validates bodies at the edge with VALIDATION_FAILED and changes nothing', async () => {
    const before = (await gw.http.inject({ url: '/v1/lockers', headers: auth(fx.viewerToken) })).json().lockers.length;
    for (const payload of [
      { siteId: 'x', name: 'n', layout: 'Q:3' },
      { siteId: 'x', name: 'n', layout: 'S:2', extra: true },
      { name: 'n', layout: 'S:2' },
    ]) {
      const res = await gw.http.inject({ method: 'POST', url: '/v1/lockers', headers: auth(fx.operatorToken), payload });
      expect(res.statusCode).toBeGreaterThanOrEqual(400);
      expect(res.statusCode).toBeLessThan(500);
      expect(['VALIDATION_FAILED', 'INVALID_LAYOUT', 'SITE_NOT_FOUND']).toContain(res.json().error.code);
    }
    const bad = await gw.http.inject({ method: 'POST', url: '/v1/lockers', headers: { ...auth(fx.operatorToken), 'content-type': 'application/json' }, payload: '{"siteId": ' });
    expect([bad.statusCode, bad.json().error.code]).toEqual([400, 'VALIDATION_FAILED']);
    const big = await gw.http.inject({ method: 'POST', url: '/v1/sites', headers: auth(fx.operatorToken), payload: { name: 'x'.repeat(100_000), kind: 'campus', regionCode: '220104', address: 'a' } });
    expect([big.statusCode, big.json().error.code]).toEqual([413, 'BODY_TOO_LARGE']);
    expect((await gw.http.inject({ url: '/v1/lockers', headers: auth(fx.viewerToken) })).json().lockers.length).toBe(before);
  });

  it('refuses a viewer token for changes and a revoked or unknown token for everything', async () => {
    const res = await gw.http.inject({ method: 'POST', url: '/v1/sites', headers: auth(fx.viewerToken), payload: { name: 'n', kind: 'campus', regionCode: '220104', address: 'a' } });
    expect([res.statusCode, res.json().error.code]).toEqual([403, 'FORBIDDEN']);
    const unknown = await gw.http.inject({ url: '/v1/lockers', headers: auth('lgo_not-a-real-token') });
    expect([unknown.statusCode, unknown.json().error.code]).toEqual([401, 'UNAUTHENTICATED']);
  });
});
