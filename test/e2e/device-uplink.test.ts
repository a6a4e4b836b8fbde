import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MqttClient } from 'mqtt';
import { closed, connectDevice, RawDevice } from '../helpers/mqtt.js';
import { metric, provisionLocker, startTestGateway, until, type Fixture, type TestGateway } from '../helpers/gateway.js';

let gw: TestGateway;

beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(async () => gw.stop());

const closedAll = (n: number) => Array.from({ length: n }, (_, i) => ({ index: i + 1, door: 'closed', occupancy: 'absent' }));

async function onlineDevice(layout = 'S:4,M:2,L:2'): Promise<{ fx: Fixture; client: MqttClient; dev: RawDevice }> {
  const fx = await provisionLocker(gw, layout);
  const client = await connectDevice(gw.mqttUrl, fx.deviceId, fx.secret);
  const dev = new RawDevice(client, fx.deviceId);
  await dev.hello(8);
  await dev.snapshot(closedAll(8));
  return { fx, client, dev };
}

const compartments = (lockerId: string) => gw.ctx.store.read((tx) => tx.lockers.compartments(lockerId));
const alarms = (lockerId: string) => gw.ctx.store.read((tx) => tx.alarms.list({ lockerId, limit: 100 }));

describe('hello and presence', () => {
  it('records firmware, protocol and boot from the hello and shows the device online, then offline', async () => {
    const { fx, client } = await onlineDevice();
    const device = await gw.ctx.store.read((tx) => tx.devices.get(fx.deviceId));
    expect(device).toMatchObject({ online: true, firmware: '0.0.1', protocol: '1.0', model: 'raw', bootId: 'boot-raw', lastSeq: 2 });
    await client.endAsync();
    await until(() => gw.ctx.store.read((tx) => tx.devices.get(fx.deviceId)?.online), (v) => v === false);
  });

  it('ignores a late last will from a taken-over connection: the device stays online', async () => {
    const fx = await provisionLocker(gw);
    const first = await connectDevice(gw.mqttUrl, fx.deviceId, fx.secret);
    await until(() => gw.mqtt.isConnected(fx.deviceId), Boolean);
    // Same device reconnects (half-open link): the broker closes the first session and its will fires late.
    const second = await connectDevice(gw.mqttUrl, fx.deviceId, fx.secret);
    await closed(first);
    await new RawDevice(second, fx.deviceId, 'boot-2').hello(8);
    // Whatever order the old will and the new session arrive in, presence follows the live connection.
    expect(gw.mqtt.isConnected(fx.deviceId)).toBe(true);
    expect((await gw.ctx.store.read((tx) => tx.devices.get(fx.deviceId)))?.online).toBe(true);
    first.end(true);
    await second.endAsync();
  });
});

describe('bad input is rejected, counted, and changes nothing', () => {
  it.each([
    ['invalid JSON', 'events', '{"bootId": "boot-raw", ', 'invalid_json'],
    ['a schema violation (unknown event type)', 'events', JSON.stringify({ bootId: 'boot-raw', seq: 99, ts: 1, type: 'explode', compartment: 1 }), 'schema_invalid'],
    ['an unknown field (schemas are strict)', 'events', JSON.stringify({ bootId: 'boot-raw', seq: 99, ts: 1, type: 'door', compartment: 1, door: 'open', extra: 1 }), 'schema_invalid'],
    ['a negative compartment', 'events', JSON.stringify({ bootId: 'boot-raw', seq: 99, ts: 1, type: 'door', compartment: -1, door: 'open' }), 'schema_invalid'],
    ['an oversize payload', 'telemetry', JSON.stringify({ pad: 'x'.repeat(17 * 1024) }), 'oversize'],
    ['binary garbage', 'state', Buffer.from([0, 159, 146, 150, 255]), 'invalid_json'],
  ])('%s', async (_what, channel, payload, reason) => {
    const { fx, client, dev } = await onlineDevice();
    const before = { c: await compartments(fx.lockerId), d: await gw.ctx.store.read((tx) => tx.devices.get(fx.deviceId)) };
    const count = await metric(gw.metrics.rejected, { reason });
    await dev.sendRaw(channel, payload);
    expect(await metric(gw.metrics.rejected, { reason })).toBe(count + 1);
    expect(await compartments(fx.lockerId)).toEqual(before.c);
    expect(await gw.ctx.store.read((tx) => tx.devices.get(fx.deviceId))).toEqual(before.d);
    expect(client.connected).toBe(true); // a bad payload is dropped, the session goes on
    await client.endAsync();
  });

  it('rejects an event for a compartment the locker does not have', async () => {
    const { fx, client, dev } = await onlineDevice();
    const count = await metric(gw.metrics.rejected, { reason: 'unknown_compartment' });
    await dev.send('events', { type: 'door', compartment: 42, door: 'open' });
    expect(await metric(gw.metrics.rejected, { reason: 'unknown_compartment' })).toBe(count + 1);
    expect(await alarms(fx.lockerId)).toEqual([]);
    await client.endAsync();
  });

  it('logs the reason, never the payload', async () => {
    const { client, dev } = await onlineDevice();
    await dev.send('events', { type: 'keypad', requestId: 'req-000001', code: '8675309', bogus: true });
    expect(gw.logLines.some((l) => l.includes('payload failed its schema'))).toBe(true);
    expect(gw.logLines.some((l) => l.includes('8675309'))).toBe(false);
    await client.endAsync();
  });
});

describe('sequencing', () => {
  it('applies a repeated event once', async () => {
    const { fx, client, dev } = await onlineDevice();
    const seq = await dev.send('events', { type: 'door', compartment: 3, door: 'open' });
    const dupes = await metric(gw.metrics.duplicates, { reason: 'duplicate' });
    await dev.send('events', { type: 'door', compartment: 3, door: 'open' }, { seq });
    await dev.send('events', { type: 'door', compartment: 3, door: 'open' }, { seq });
    expect(await metric(gw.metrics.duplicates, { reason: 'duplicate' })).toBe(dupes + 2);
    const forced = (await alarms(fx.lockerId)).filter((a) => a.kind === 'door_forced');
    expect(forced).toHaveLength(1);
    expect(forced[0]?.occurrences).toBe(1);
    await client.endAsync();
  });

  it('drops messages of an old boot and notices gaps', async () => {
    const { fx, client, dev } = await onlineDevice();
    const gaps = await metric(gw.metrics.sequenceGaps);
    await dev.send('events', { type: 'occupancy', compartment: 2, occupancy: 'present' }, { seq: dev.seq + 5 });
    expect(await metric(gw.metrics.sequenceGaps)).toBe(gaps + 1);
    expect((await compartments(fx.lockerId))[1]?.occupancy).toBe('present');
    const stale = await metric(gw.metrics.duplicates, { reason: 'stale_boot' });
    const old = new RawDevice(client, fx.deviceId, 'boot-old');
    await old.send('events', { type: 'occupancy', compartment: 2, occupancy: 'absent' }, { seq: 1000 });
    expect(await metric(gw.metrics.duplicates, { reason: 'stale_boot' })).toBe(stale + 1);
    expect((await compartments(fx.lockerId))[1]?.occupancy).toBe('present');
    await client.endAsync();
  });
});

describe('sensed state and alarms', () => {
  it('keeps sensed state apart from operational state', async () => {
    const { fx, client, dev } = await onlineDevice();
    await dev.send('events', { type: 'occupancy', compartment: 1, occupancy: 'present' });
    const c = (await compartments(fx.lockerId))[0];
    expect(c).toMatchObject({ state: 'available', occupancy: 'present', door: 'closed' });
    await client.endAsync();
  });

  it('raises door_forced for a door opened without a command, and not twice', async () => {
    const { fx, client, dev } = await onlineDevice();
    await dev.send('events', { type: 'door', compartment: 5, door: 'open' });
    const list = await alarms(fx.lockerId);
    expect(list.map((a) => [a.kind, a.compartment, a.severity])).toEqual([['door_forced', 5, 'critical']]);
    await client.endAsync();
  });

  it('raises snapshot_mismatch when a reconnect snapshot disagrees with what the gateway believes', async () => {
    const { fx, client, dev } = await onlineDevice();
    const c1 = (await compartments(fx.lockerId))[0]!;
    await gw.ctx.store.transact((tx) => tx.lockers.updateCompartment({ ...c1, state: 'occupied' }));
    const snap = closedAll(8);
    snap[0] = { index: 1, door: 'closed', occupancy: 'absent' };
    snap[3] = { index: 4, door: 'closed', occupancy: 'present' };
    await dev.snapshot(snap);
    const mismatches = (await alarms(fx.lockerId)).filter((a) => a.kind === 'snapshot_mismatch').sort((x, y) => (x.compartment ?? 0) - (y.compartment ?? 0));
    expect(mismatches.map((a) => [a.compartment, a.details['problem']])).toEqual([[1, 'occupancy'], [4, 'occupancy']]);
    // The operational state is never silently overwritten.
    expect((await compartments(fx.lockerId))[0]).toMatchObject({ state: 'occupied', occupancy: 'absent' });
    await client.endAsync();
  });

  it('turns fault events into alarms and clears power on restore', async () => {
    const { fx, client, dev } = await onlineDevice();
    await dev.send('events', { type: 'fault', fault: 'tamper' });
    await dev.send('events', { type: 'fault', fault: 'power_lost' });
    await dev.send('events', { type: 'fault', fault: 'power_restored' });
    const list = await alarms(fx.lockerId);
    expect(list.find((a) => a.kind === 'tamper')?.state).toBe('open');
    expect(list.find((a) => a.kind === 'power')?.state).toBe('cleared');
    await client.endAsync();
  });

  it('stores the latest telemetry', async () => {
    const { fx, client, dev } = await onlineDevice();
    await dev.send('telemetry', { uptimeS: 120, rssiDbm: -71, mainsPower: true });
    await until(() => gw.ctx.store.read((tx) => tx.devices.get(fx.deviceId)?.telemetry), (t) => t !== null && t !== undefined);
    expect((await gw.ctx.store.read((tx) => tx.devices.get(fx.deviceId)))?.telemetry).toMatchObject({ uptimeS: 120, rssiDbm: -71, mainsPower: true });
    await client.endAsync();
  });
});
