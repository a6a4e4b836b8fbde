import type { ConnectPacket } from 'aedes';
import { afterEach, describe, expect, it } from 'vitest';
import { CHANNEL_RULES, CHANNEL_SCHEMAS, StatusOffline, deviceTopic, parseDeviceTopic } from '../../protocol/index.js';
import { ConnectRefusedError, SimController } from '../../device-sim/index.js';
import { on, startBroker } from './helpers.js';
import { useRig } from './fixture.js';

const { rig, teardown } = useRig();
afterEach(teardown);

describe('SimController connection lifecycle', () => {
  it('connects with the will set, subscribes before the hello, then sends a snapshot, seq 1, 2, 3 …', async () => {
    const { broker, gw, sim, deviceId } = await rig();
    let connect: ConnectPacket | undefined;
    broker.broker.preConnect = (_client, packet, done) => {
      connect = packet;
      done(null, true);
    };
    await sim.start();
    expect(connect).toMatchObject({ clientId: deviceId, username: deviceId, clean: true });
    expect(connect?.password?.toString()).toBe('s3cret-s3cret-s3cret');
    const will = connect!.will!;
    expect(will).toMatchObject({ topic: deviceTopic(deviceId, 'status'), qos: 1, retain: true });
    expect(StatusOffline.parse(JSON.parse(will.payload.toString()))).toEqual({ state: 'offline', bootId: sim.bootId });

    sim.forceOpen(1);
    sim.placeParcel(1);
    sim.closeDoor(1);
    await gw.next(on.event('door', { door: 'closed' }));
    expect(await sim.sendTelemetry()).toBe(true);
    await broker.logged((e) => e.topic === deviceTopic(deviceId, 'telemetry'));

    const log = broker.log;
    const sub = log.findIndex((e) => e.kind === 'subscribe' && e.topic === deviceTopic(deviceId, 'cmd'));
    const hello = log.findIndex((e) => e.kind === 'publish' && e.topic === deviceTopic(deviceId, 'status'));
    expect(sub).toBeGreaterThanOrEqual(0);
    expect(log[sub]?.qos).toBe(1);
    expect(hello).toBeGreaterThan(sub);
    const published = log.filter((e) => e.kind === 'publish');
    expect(published.map((e) => parseDeviceTopic(e.topic)?.channel)).toEqual(
      ['status', 'state', 'events', 'events', 'events', 'telemetry'],
    );
    published.forEach((e, i) => {
      const channel = parseDeviceTopic(e.topic)!.channel;
      const msg = CHANNEL_SCHEMAS[channel].parse(JSON.parse(e.payload)) as { seq: number; bootId: string };
      expect(msg).toMatchObject({ seq: i + 1, bootId: sim.bootId });
      expect({ qos: e.qos, retain: e.retain }).toEqual({
        qos: CHANNEL_RULES[channel].qos,
        retain: CHANNEL_RULES[channel].retain,
      });
    });
    const snapshot = JSON.parse(published[1]!.payload) as { compartments: unknown };
    expect(snapshot.compartments).toEqual([
      { index: 1, door: 'closed', occupancy: 'absent' },
      { index: 2, door: 'closed', occupancy: 'absent' },
      { index: 3, door: 'closed', occupancy: 'unknown' },
    ]);
    expect(sim.seq).toBe(6);
  });

  it('reboot() is orderly: offline status of the old boot with ts, then a new boot from seq 1', async () => {
    const { gw, sim, boot } = await rig();
    await boot();
    const oldBoot = sim.bootId;
    const mark = gw.mark();
    await sim.reboot();
    expect(sim.bootId).not.toBe(oldBoot);
    const offline = await gw.next(on.status('offline'), mark);
    expect(StatusOffline.parse(offline.json)).toMatchObject({ state: 'offline', bootId: oldBoot, ts: expect.any(Number) });
    const hello = await gw.next((m) => on.status('online')(m) && m.json?.['bootId'] === sim.bootId, mark);
    const state = await gw.next((m) => m.channel === 'state' && m.json?.['bootId'] === sim.bootId, mark);
    expect([hello.json?.['seq'], state.json?.['seq'], sim.seq]).toEqual([1, 2, 2]);
    expect(offline.index).toBeLessThan(hello.index);
  });

  it('powerCycle() leaves without a goodbye: the broker publishes the will, then a new boot says hello', async () => {
    const { gw, sim, boot } = await rig();
    await boot();
    const oldBoot = sim.bootId;
    const mark = gw.mark();
    await sim.powerCycle();
    const will = await gw.next(on.status('offline'), mark);
    expect(will.json).toEqual({ state: 'offline', bootId: oldBoot });
    const hello = await gw.next((m) => on.status('online')(m) && m.json?.['bootId'] === sim.bootId, mark);
    expect(hello.json?.['seq']).toBe(1);
  });

  it('dropConnection makes the broker publish the retained will; stop() says goodbye itself', async () => {
    const { broker, gw, sim, boot } = await rig();
    await boot();
    const mark = gw.mark();
    await sim.dropConnection();
    const will = await gw.next(on.status('offline'), mark);
    expect(StatusOffline.parse(will.json)).toEqual({ state: 'offline', bootId: sim.bootId });
    const entry = await broker.logged((e) => e.topic === will.topic && e.payload === will.raw);
    expect(entry).toMatchObject({ qos: 1, retain: true });

    await sim.reconnect();
    const afterReconnect = gw.mark();
    const gone = new Promise<void>((resolve) => broker.broker.once('clientDisconnect', () => resolve()));
    await sim.stop();
    await gone;
    // A marker published after the disconnect was handled bounds the wait for a stray will.
    await gw.publish('lg/v1/marker-00/status', 'marker');
    await gw.next((m) => m.raw === 'marker', afterReconnect);
    const offline = gw.messages.slice(afterReconnect).filter(on.status('offline'));
    expect(offline).toHaveLength(1);
    expect(offline[0]?.json).toMatchObject({ bootId: sim.bootId, ts: expect.any(Number) });
    expect(sim.connected).toBe(false);
  });

  it('rejects start() with the CONNACK code on a wrong password and does not retry', async () => {
    const broker = await startBroker({
      authenticate: (_client, _username, password, done) => {
        if (password?.toString() === 'right-secret') return done(null, true);
        return done(Object.assign(new Error('bad secret'), { returnCode: 4 as const }), null);
      },
    });
    let attempts = 0;
    broker.broker.on('connackSent', () => (attempts += 1));
    const bad = new SimController({ url: broker.url, deviceId: 'lk-auth-01', secret: 'wrong', compartments: 1 });
    const good = new SimController({ url: broker.url, deviceId: 'lk-auth-02', secret: 'right-secret', compartments: 1 });
    try {
      const err: unknown = await bad.start().then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(ConnectRefusedError);
      expect(err).toMatchObject({ code: 4 });
      expect(bad.connected).toBe(false);
      await good.start(); // a later connect bounds the window in which a retry would show up
      expect(attempts).toBe(2);
    } finally {
      await good.stop();
      await bad.stop();
      await broker.close();
    }
  });
});
