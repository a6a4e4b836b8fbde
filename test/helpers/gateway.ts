import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { loadConfig, type Config } from '../../src/config.js';
import { ManualClock } from '../../src/domain/clock.js';
import { startGateway, type Gateway } from '../../src/gateway.js';
import { createLogger } from '../../src/logger.js';
import { createLocker, createSite, provisionDevice } from '../../src/app/provisioning.js';
import { createOperatorToken } from '../../src/app/tokens.js';

export interface TestGateway extends Gateway {
  dataDir: string;
  clock: ManualClock | undefined;
  config: Config;
  logLines: string[];
  mqttUrl: string;
  httpUrl: string;
  stop(opts?: { keepData?: boolean }): Promise<void>;
}

/** A real gateway on port 0 with a fresh SQLite file in a temp dir. Jobs off: tests call sweep(). */
export async function startTestGateway(opts: { env?: Record<string, string>; manualClock?: boolean; dataDir?: string } = {}): Promise<TestGateway> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'lockergate-test-'));
  const config = loadConfig({
    LOCKERGATE_DATA_DIR: dataDir,
    LOCKERGATE_HTTP_PORT: '0',
    LOCKERGATE_MQTT_PORT: '0',
    LOCKERGATE_HTTP_HOST: '127.0.0.1',
    LOCKERGATE_MQTT_HOST: '127.0.0.1',
    LOCKERGATE_LOG_LEVEL: 'debug',
    ...opts.env,
  });
  const logLines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      logLines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      cb();
    },
  });
  const clock = opts.manualClock ? new ManualClock(Date.now()) : undefined;
  const gw = await startGateway({ config, log: createLogger(config.LOCKERGATE_LOG_LEVEL, sink), clock, runJobs: false });
  return {
    ...gw,
    dataDir,
    clock,
    config,
    logLines,
    mqttUrl: `mqtt://127.0.0.1:${gw.mqttPort}`,
    httpUrl: `http://127.0.0.1:${gw.httpPort}`,
    async stop(stopOpts = {}) {
      await gw.close();
      if (!stopOpts.keepData) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface Fixture {
  lockerId: string;
  deviceId: string;
  secret: string;
  operatorToken: string;
  viewerToken: string;
}

let counter = 0;

/** One site, one locker with the given layout, its device, and operator + viewer tokens. */
export async function provisionLocker(gw: Gateway, layout = 'S:4,M:2,L:2'): Promise<Fixture> {
  const n = ++counter;
  const site = await createSite(gw.ctx, { name: `Site ${n}`, kind: 'residential', regionCode: '220102', address: 'Test road 1' }, 'test');
  const { locker } = await createLocker(gw.ctx, { siteId: site.id, name: `Locker ${n}`, kind: 'smart_locker', layout }, 'test');
  const { device, secret } = await provisionDevice(gw.ctx, locker.id, 'test');
  const operator = await createOperatorToken(gw.ctx, 'op', 'operator');
  const viewer = await createOperatorToken(gw.ctx, 'view', 'viewer');
  return { lockerId: locker.id, deviceId: device.id, secret, operatorToken: operator.secret, viewerToken: viewer.secret };
}

/** Waits until `predicate` holds, re-checking on every tick; for state that changes through I/O. */
export async function until<T>(probe: () => T | Promise<T>, predicate: (v: T) => boolean, timeoutMs = 5000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (predicate(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last value: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Current value of a labelled Prometheus counter/gauge of the gateway (0 when never touched). */
export async function metric(
  m: { get(): Promise<{ values: Array<{ value: number; labels: object }> }> },
  labels: Record<string, string> = {},
): Promise<number> {
  const { values } = await m.get();
  const hit = values.find((v) => Object.entries(labels).every(([k, val]) => String((v.labels as Record<string, unknown>)[k]) === val));
  return hit?.value ?? 0;
}
