import { afterEach, describe, expect, it } from 'vitest';
import { ConnectRefusedError, SimController, openRawSession, rawSessionStats } from '../../device-sim/index.js';
import { on, startBroker, Observer, type TestBroker } from './helpers.js';

/** What the raw-socket session (mass mode) does beyond the shared suites in raw/. */
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const fn of cleanups.reverse()) await fn();
  cleanups.length = 0;
});

async function setup(): Promise<{ broker: TestBroker; gw: Observer }> {
  const broker = await startBroker();
  cleanups.push(() => broker.close());
  const gw = await Observer.connect(broker.url);
  cleanups.push(() => gw.close());
  return { broker, gw };
}

function controller(url: string, extra: Partial<ConstructorParameters<typeof SimController>[0]> = {}): SimController {
  const sim = new SimController({ url, deviceId: 'lk-raw-01', secret: 's3cret-s3cret-s3cret', compartments: 2, session: openRawSession, ...extra });
  cleanups.push(() => sim.stop());
  return sim;
}

describe('RawSession (mqtt-packet over a plain socket)', () => {
  it('sends PINGREQ when nothing else was written for a keepalive period, and gets PINGRESP', async () => {
    const { broker } = await setup();
    const pings: string[] = [];
    broker.broker.on('ping', (_packet, client) => pings.push(client.id));
    const sim = controller(broker.url, { keepalive: 1 });
    const before = rawSessionStats.pingresp;
    await sim.start();
    await new Promise<void>((resolve) => broker.broker.once('ping', () => resolve()));
    expect(pings).toContain('lk-raw-01');
    for (let i = 0; i < 100 && rawSessionStats.pingresp <= before; i += 1) await new Promise((r) => setTimeout(r, 10));
    expect(rawSessionStats.pingresp).toBeGreaterThan(before);
    expect(sim.connected).toBe(true);
  });

  it('connects from the given loopback source address', async () => {
    const { broker } = await setup();
    let remote: string | undefined;
    broker.broker.on('client', (client) => (remote = (client.conn as unknown as { remoteAddress?: string }).remoteAddress));
    const sim = controller(broker.url, { localAddress: '127.0.0.2' });
    await sim.start();
    expect(remote).toBe('127.0.0.2');
  });

  it('reports a refused CONNECT with its return code', async () => {
    const { broker } = await setup();
    broker.broker.authenticate = (_client, _user, _pass, done) => done(Object.assign(new Error('no'), { returnCode: 4 }) as never, false);
    const sim = controller(broker.url);
    const err = await sim.start().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectRefusedError);
    expect((err as ConnectRefusedError).code).toBe(4);
    expect(sim.connected).toBe(false);
  });

  it('a dropped socket makes the broker publish the will; an orderly stop does not', async () => {
    const { broker, gw } = await setup();
    const sim = controller(broker.url);
    await sim.start();
    const mark = gw.mark();
    await sim.dropConnection();
    const will = await gw.next(on.status('offline'), mark);
    expect(will.json).toEqual({ state: 'offline', bootId: sim.bootId });
    await sim.reconnect();
    const mark2 = gw.mark();
    await sim.stop();
    const offline = await gw.next(on.status('offline'), mark2);
    // The controller's own goodbye (with ts), not the will.
    expect(offline.json).toMatchObject({ state: 'offline', bootId: sim.bootId, ts: expect.any(Number) });
  });
});
