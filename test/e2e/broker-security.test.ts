import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect as netConnect } from 'node:net';
import { generate } from 'mqtt-packet';
import { deviceTopic, UPLINK_CHANNELS } from '../../protocol/topics.js';
import { INBOUND_QOS2_WINDOW } from '../../src/adapters/mqtt/broker.js';
import { revokeDevice } from '../../src/app/provisioning.js';
import { RawMqttSocket } from '../helpers/raw-socket.js';
import { closed, connectDevice, connectRaw, ConnackError, RawDevice } from '../helpers/mqtt.js';
import { metric, provisionLocker, startTestGateway, until, type Fixture, type TestGateway } from '../helpers/gateway.js';

let gw: TestGateway;
let a: Fixture;
let b: Fixture;

beforeAll(async () => {
  gw = await startTestGateway({ env: { LOCKERGATE_MQTT_MAX_PACKET_BYTES: '4096' } });
  a = await provisionLocker(gw);
  b = await provisionLocker(gw);
});
afterAll(async () => gw.stop());

async function refusal(p: Promise<unknown>): Promise<number | undefined> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ConnackError) return e.code;
    throw e;
  }
  throw new Error('connection was accepted');
}

describe('authentication', () => {
  it('refuses a wrong secret with CONNACK 4 and counts it', async () => {
    expect(await refusal(connectDevice(gw.mqttUrl, a.deviceId, 'not-the-secret'))).toBe(4);
    expect(await metric(gw.metrics.connectionsRefused, { reason: 'bad_secret' })).toBeGreaterThanOrEqual(1);
  });

  it('refuses an unknown device with CONNACK 4', async () => {
    expect(await refusal(connectDevice(gw.mqttUrl, 'dev-nobody', 'x'))).toBe(4);
  });

  it('refuses a username that is not the client id with CONNACK 4', async () => {
    expect(await refusal(connectRaw(gw.mqttUrl, { clientId: a.deviceId, username: b.deviceId, password: b.secret }))).toBe(4);
  });

  it('refuses an empty or malformed client id with CONNACK 2', async () => {
    expect(await refusal(connectRaw(gw.mqttUrl, { clientId: 'Bad/Id', username: 'Bad/Id', password: 'x' }))).toBe(2);
    expect(await refusal(connectRaw(gw.mqttUrl, { clientId: '', clean: true, username: '', password: 'x' }))).toBe(2);
  });

  it('refuses keepalive 0 (a dead link would never be noticed)', async () => {
    expect(await refusal(connectDevice(gw.mqttUrl, a.deviceId, a.secret, { keepalive: 0 }))).toBe(5);
  });

  it('refuses a last will on another topic than the device status', async () => {
    const will = { topic: deviceTopic(b.deviceId, 'status'), payload: Buffer.from('{}'), qos: 1 as const, retain: true };
    expect(await refusal(connectDevice(gw.mqttUrl, a.deviceId, a.secret, { will }))).toBe(5);
  });

  it('never lets a wrong secret take over a live session', async () => {
    const legit = await connectDevice(gw.mqttUrl, a.deviceId, a.secret);
    await until(() => gw.mqtt.isConnected(a.deviceId), Boolean);
    expect(await refusal(connectDevice(gw.mqttUrl, a.deviceId, 'guess'))).toBe(4);
    expect(legit.connected).toBe(true);
    expect(gw.mqtt.isConnected(a.deviceId)).toBe(true);
    // The legit session still works end to end: a telemetry message is applied.
    const dev = new RawDevice(legit, a.deviceId);
    await dev.hello(8);
    const detail = await gw.ctx.store.read((tx) => tx.devices.get(a.deviceId));
    expect(detail?.firmware).toBe('0.0.1');
    await legit.endAsync();
  });

  it('refuses a revoked device with CONNACK 5 and closes its live session at once', async () => {
    const c = await provisionLocker(gw);
    const live = await connectDevice(gw.mqttUrl, c.deviceId, c.secret);
    await until(() => gw.mqtt.isConnected(c.deviceId), Boolean);
    await revokeDevice(gw.ctx, c.deviceId, 'test');
    await closed(live);
    expect(await refusal(connectDevice(gw.mqttUrl, c.deviceId, c.secret))).toBe(5);
  });
});

describe('per-device ACL', () => {
  it("closes a device's connection when it publishes under another device and changes nothing there", async () => {
    const client = await connectDevice(gw.mqttUrl, a.deviceId, a.secret);
    const before = await gw.ctx.store.read((tx) => tx.lockers.compartments(b.lockerId));
    const denied = await metric(gw.metrics.rejected, { reason: 'acl_publish' });
    const payload = JSON.stringify({ bootId: 'boot-raw', seq: 1, ts: Date.now(), type: 'door', compartment: 1, door: 'open' });
    client.publish(deviceTopic(b.deviceId, 'events'), payload, { qos: 1 });
    await closed(client);
    expect(await metric(gw.metrics.rejected, { reason: 'acl_publish' })).toBe(denied + 1);
    expect(await gw.ctx.store.read((tx) => tx.lockers.compartments(b.lockerId))).toEqual(before);
    client.end(true);
  });

  it('closes the connection on a publish to its own cmd topic (downlink is the gateway’s)', async () => {
    const client = await connectDevice(gw.mqttUrl, a.deviceId, a.secret);
    client.publish(deviceTopic(a.deviceId, 'cmd'), '{}', { qos: 1 });
    await closed(client);
    client.end(true);
  });

  it('grants only its own cmd topic; other devices, wildcards and $SYS get SUBACK 128', async () => {
    const sock = await RawMqttSocket.open(gw.mqttPort);
    expect(await sock.connectAs(a.deviceId, a.secret)).toBe(0);
    const topics = [deviceTopic(a.deviceId, 'cmd'), deviceTopic(b.deviceId, 'cmd'), 'lg/v1/+/cmd', '#', `lg/v1/${a.deviceId}/#`, '$SYS/#', deviceTopic(a.deviceId, 'events')];
    sock.send({ cmd: 'subscribe', messageId: 7, subscriptions: topics.map((topic) => ({ topic, qos: 1 as const })) });
    const suback = await sock.next('suback');
    expect(suback?.granted).toEqual([1, 128, 128, 128, 128, 128, 128]);
    sock.destroy();
  });

  it("does not deliver one device's commands to another device", async () => {
    const sock = await RawMqttSocket.open(gw.mqttPort);
    expect(await sock.connectAs(b.deviceId, b.secret)).toBe(0);
    sock.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: deviceTopic(b.deviceId, 'cmd'), qos: 1 }, { topic: deviceTopic(a.deviceId, 'cmd'), qos: 1 }] });
    await sock.next('suback');
    await gw.mqtt.send(a.deviceId, { id: 'cmd-acl-check-1', type: 'ping', issuedAt: Date.now(), expiresAt: Date.now() + 60_000 });
    await gw.mqtt.send(b.deviceId, { id: 'cmd-acl-check-2', type: 'ping', issuedAt: Date.now(), expiresAt: Date.now() + 60_000 });
    const first = await sock.next('publish');
    expect(first?.topic).toBe(deviceTopic(b.deviceId, 'cmd'));
    expect(JSON.parse(String(first?.payload)).id).toBe('cmd-acl-check-2');
    sock.destroy();
  });
});

describe('transport limits', () => {
  it('closes a connection that announces a packet over the maximum size, before buffering it', async () => {
    const client = await connectDevice(gw.mqttUrl, a.deviceId, a.secret);
    const before = await metric(gw.metrics.clientErrors, { reason: 'packet_too_large' });
    client.publish(deviceTopic(a.deviceId, 'telemetry'), Buffer.alloc(8000, 0x20), { qos: 0 });
    await closed(client);
    expect(await metric(gw.metrics.clientErrors, { reason: 'packet_too_large' })).toBe(before + 1);
    client.end(true);
  });

  it('drops a raw socket that sends garbage instead of CONNECT, and keeps serving others', async () => {
    const sock = netConnect(gw.mqttPort, '127.0.0.1');
    await new Promise<void>((r) => sock.once('connect', () => r()));
    sock.write(Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0x01]));
    await new Promise<void>((r) => sock.once('close', () => r()));
    const ok = await connectDevice(gw.mqttUrl, b.deviceId, b.secret);
    expect(ok.connected).toBe(true);
    await ok.endAsync();
  });

  it('answers a CONNECT with MQTT protocol level 3.1.1 only', async () => {
    const connectedBefore = await gw.ctx.store.read((tx) => tx.devices.get(a.deviceId)?.connectedAt ?? 0);
    const sock = netConnect(gw.mqttPort, '127.0.0.1');
    await new Promise<void>((r) => sock.once('connect', () => r()));
    const reply = new Promise<Buffer>((r) => sock.once('data', (d: Buffer) => r(d)));
    sock.write(generate({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, clientId: a.deviceId, keepalive: 30, username: a.deviceId, password: Buffer.from(a.secret) }));
    expect([...(await reply)]).toEqual([0x20, 0x02, 0x00, 0x00]);
    sock.destroy();
    // The next tests compare A's record before and after: let this connection's connect and then
    // its disconnect land first (A may read offline already before its connect is recorded).
    await until(
      () => gw.ctx.store.read((tx) => tx.devices.get(a.deviceId)),
      (d) => d !== undefined && (d.connectedAt ?? 0) > connectedBefore && !d.online,
      5000,
      'A connected, then offline',
    );
  });
});

describe('device B against every channel of device A', () => {
  const channels = [...UPLINK_CHANNELS, 'cmd'] as const;

  for (const channel of channels) {
    it(`publishing on A's ${channel} with B's credentials closes B's connection and changes nothing of A`, async () => {
      const sock = await RawMqttSocket.open(gw.mqttPort);
      expect(await sock.connectAs(b.deviceId, b.secret)).toBe(0);
      const before = await gw.ctx.store.read((tx) => ({ device: tx.devices.get(a.deviceId), compartments: tx.lockers.compartments(a.lockerId) }));
      const body = channel === 'status' ? { state: 'online', model: 'x', firmware: '1', protocol: '1.0', compartments: 8 } : { type: 'door', compartment: 1, door: 'open' };
      sock.send({ cmd: 'publish', topic: deviceTopic(a.deviceId, channel), payload: Buffer.from(JSON.stringify({ bootId: 'boot-evil', seq: 1, ts: Date.now(), ...body })), qos: 1, messageId: 1, retain: false, dup: false });
      expect(await sock.next('puback')).toBeNull(); // no PUBACK: the connection closes first
      await sock.waitClosed();
      const after = await gw.ctx.store.read((tx) => ({ device: tx.devices.get(a.deviceId), compartments: tx.lockers.compartments(a.lockerId) }));
      expect(after).toEqual(before);
    });
  }

  it("subscribing to any of A's channels with B's credentials gets SUBACK 128 for each", async () => {
    const sock = await RawMqttSocket.open(gw.mqttPort);
    expect(await sock.connectAs(b.deviceId, b.secret)).toBe(0);
    sock.send({ cmd: 'subscribe', messageId: 3, subscriptions: channels.map((c) => ({ topic: deviceTopic(a.deviceId, c), qos: 1 as const })) });
    expect((await sock.next('suback'))?.granted).toEqual(channels.map(() => 128));
    // B's own uplink channels are not subscribable either: only its cmd topic is.
    sock.send({ cmd: 'subscribe', messageId: 4, subscriptions: channels.map((c) => ({ topic: deviceTopic(b.deviceId, c), qos: 1 as const })) });
    expect((await sock.next('suback'))?.granted).toEqual(channels.map((c) => (c === 'cmd' ? 1 : 128)));
    sock.destroy();
  });
});

describe('CONNECT rules found by the fuzzer (test/fuzz/)', () => {
  const connectBytes = (over: Record<string, unknown>) =>
    generate({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, clientId: a.deviceId, keepalive: 30, username: a.deviceId, password: Buffer.from(a.secret), ...over });

  it('refuses protocol level 3 and the bridge bit with CONNACK 5 (devices speak 3.1.1 only)', async () => {
    for (const level of [0x03, 0x83, 0x84]) {
      const bytes = connectBytes({});
      bytes[8] = level; // fixed header (2) + protocol name (6): the level byte
      const sock = await RawMqttSocket.open(gw.mqttPort);
      sock.write(bytes);
      expect((await sock.next('connack'))?.returnCode).toBe(5);
      await sock.waitClosed();
    }
    expect(await metric(gw.metrics.connectionsRefused, { reason: 'protocol_version' })).toBe(3);
  });

  it('refuses a persistent session (clean session 0) with CONNACK 5: it would keep unreleased QoS 2 messages across reconnects', async () => {
    const sock = await RawMqttSocket.open(gw.mqttPort);
    sock.write(connectBytes({ clean: false }));
    expect((await sock.next('connack'))?.returnCode).toBe(5);
    expect(await metric(gw.metrics.connectionsRefused, { reason: 'persistent_session' })).toBe(1);
  });

  it(`closes a connection that leaves more than ${INBOUND_QOS2_WINDOW} QoS 2 messages without PUBREL`, async () => {
    const sock = await RawMqttSocket.open(gw.mqttPort);
    expect(await sock.connectAs(a.deviceId, a.secret)).toBe(0);
    for (let id = 1; id <= INBOUND_QOS2_WINDOW; id++) {
      sock.send({ cmd: 'publish', topic: deviceTopic(a.deviceId, 'telemetry'), payload: Buffer.alloc(100, 0x20), qos: 2, messageId: id, retain: false, dup: false });
      expect((await sock.next('pubrec'))?.messageId).toBe(id);
    }
    sock.send({ cmd: 'publish', topic: deviceTopic(a.deviceId, 'telemetry'), payload: Buffer.alloc(100, 0x20), qos: 2, messageId: INBOUND_QOS2_WINDOW + 1, retain: false, dup: false });
    await sock.waitClosed();
  });
});

describe('subscriptions of closed connections (found by the fuzzer)', () => {
  /** Aedes exposes no count of a topic's handlers; its emitter's matcher is the only witness. */
  const handlers = (topic: string) => (gw.mqtt.aedes as unknown as { mq: { _matcher: { match(t: string): unknown[] } } }).mq._matcher.match(topic).length;

  it('UNSUBSCRIBE and SUBSCRIBE pipelined leave no handler behind once the connection is gone', async () => {
    const topic = deviceTopic(a.deviceId, 'cmd');
    for (let round = 0; round < 5; round++) {
      const sock = await RawMqttSocket.open(gw.mqttPort);
      expect(await sock.connectAs(a.deviceId, a.secret)).toBe(0);
      sock.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic, qos: 0 }] });
      await sock.next('suback');
      // One write: Aedes handles both packets of a chunk concurrently.
      sock.write(Buffer.concat([generate({ cmd: 'unsubscribe', messageId: 2, unsubscriptions: [topic] }), generate({ cmd: 'subscribe', messageId: 3, subscriptions: [{ topic, qos: 1 }] })]));
      await sock.next('suback');
      sock.destroy();
      await until(() => gw.mqtt.isConnected(a.deviceId), (c) => !c);
    }
    expect(handlers(topic)).toBe(0);
  });
});
