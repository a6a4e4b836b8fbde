import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeHeapSnapshot } from 'node:v8';
import type { Histogram } from 'prom-client';
import { addCarrier } from '../../src/app/carriers.js';
import { issueCommand } from '../../src/app/commands.js';
import { createLocker, createSite, provisionDevice } from '../../src/app/provisioning.js';
import { createOperatorToken } from '../../src/app/tokens.js';
import { loadConfig } from '../../src/config.js';
import { startGateway } from '../../src/gateway.js';
import { createLogger } from '../../src/logger.js';
import { settleMemory } from './settle.js';
import type { Buckets } from './stats.js';

/**
 * Child process: a real gateway as `lockergate serve` runs it (fresh temp data dir, jobs on,
 * SQLite WAL with group commit and the WAL fsync on the thread pool), driven by the bench over IPC. It provisions
 * its own fleet (through the use cases: much faster than 19,000 × 3 HTTP calls, and not what is
 * measured), reports its own memory and CPU (process.memoryUsage / cpuUsage of this process, so
 * the figures hold whatever else shares the machine), and times command round trips to a sample.
 * Env (JSON in BENCH_GATEWAY_ENV) overrides the gateway's config.
 */
export type HostRequest =
  | { t: 'provision'; lockers: number; layout: string; carriers: number }
  /** gc: a full GC first; settleS: then that long left alone, for the memory to settle (settle.ts). */
  | { t: 'sample'; gc: boolean; settleS?: number }
  | { t: 'ping'; lockerIds: string[]; timeoutMs: number }
  /** Watch the broker's client count fall below n (a storm) and come back to n, then ping a sample. */
  | { t: 'watch-storm'; n: number; lockerIds: string[]; timeoutMs: number }
  /** Profiling aid: a heap snapshot of the gateway (v8.writeHeapSnapshot) to `file`. */
  | { t: 'heap-snapshot'; file: string }
  /** keepData: leave the data dir for the next gateway (GatewayProcess.restart). */
  | { t: 'stop'; keepData?: boolean };

export interface HostSample {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
  cpuUs: number;
  at: number;
  /** The gateway's durability-path histograms (seconds), cumulative since start. */
  store: { ackWait: Buckets; fsync: Buckets; batchHold: Buckets };
  /** POST /v1/deposits answered 2xx, as the gateway timed it (request received → reply sent), seconds. */
  depositRequest: Buckets;
}

export interface FleetLocker {
  lockerId: string;
  deviceId: string;
  secret: string;
  kind: 'smart_locker';
  layout: string;
}

// BENCH_GATEWAY_DATA_DIR: a store an earlier gateway of this run left (a restart), else a fresh one.
const dir = process.env['BENCH_GATEWAY_DATA_DIR'] || mkdtempSync(join(tmpdir(), 'lockergate-bench-gw-'));
const env = JSON.parse(process.env['BENCH_GATEWAY_ENV'] ?? '{}') as Record<string, string>;
const config = loadConfig({
  LOCKERGATE_DATA_DIR: dir,
  LOCKERGATE_HTTP_PORT: '0',
  LOCKERGATE_MQTT_PORT: '0',
  LOCKERGATE_HTTP_HOST: '127.0.0.1',
  LOCKERGATE_MQTT_HOST: '0.0.0.0',
  LOCKERGATE_LOG_LEVEL: 'warn',
  ...env,
});
const gw = await startGateway({ config, log: createLogger('warn'), runJobs: true });
const { secret: token } = await createOperatorToken(gw.ctx, 'bench', 'operator');
const gc = (globalThis as { gc?: () => void }).gc;

async function sample(): Promise<HostSample> {
  const m = process.memoryUsage();
  const c = process.cpuUsage();
  // Cumulative buckets summed over the label sets `pick` accepts (all of them by default).
  const buckets = async (h: Histogram<string>, pick: (labels: Record<string, string | number | undefined>) => boolean = () => true): Promise<Buckets> => {
    const byBound = new Map<number, number>();
    for (const v of (await h.get()).values) {
      if (!v.metricName?.endsWith('_bucket') || !pick(v.labels)) continue;
      const le = v.labels['le'] === '+Inf' ? Infinity : Number(v.labels['le']);
      byBound.set(le, (byBound.get(le) ?? 0) + v.value);
    }
    return [...byBound].sort((a, b) => a[0] - b[0]);
  };
  const store = { ackWait: await buckets(gw.metrics.storeAckWait), fsync: await buckets(gw.metrics.storeFsync), batchHold: await buckets(gw.metrics.storeBatchHold) };
  const depositRequest = await buckets(gw.metrics.httpDuration, (l) => l['method'] === 'POST' && l['route'] === '/v1/deposits' && String(l['status']).startsWith('2'));
  return { rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external, arrayBuffers: m.arrayBuffers, cpuUs: c.user + c.system, at: Date.now(), store, depositRequest };
}

/** Lockers and their controllers, 200 at a time (group commit folds each batch into a few fsyncs). */
async function provision(n: number, layout: string, carriers: number): Promise<{ lockers: FleetLocker[]; carrierKeys: string[] }> {
  const site = await createSite(gw.ctx, { name: 'bench', kind: 'residential', regionCode: '220102', address: 'bench' }, 'bench');
  const lockers: FleetLocker[] = [];
  for (let i = 0; i < n; i += 200) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(200, n - i) }, async (_, j) => {
        const { locker } = await createLocker(gw.ctx, { siteId: site.id, name: `bench-${i + j}`, kind: 'smart_locker', layout }, 'bench');
        const { device, secret } = await provisionDevice(gw.ctx, locker.id, 'bench');
        return { lockerId: locker.id, deviceId: device.id, secret, kind: 'smart_locker' as const, layout };
      }),
    );
    lockers.push(...batch);
  }
  const carrierKeys: string[] = [];
  for (let i = 0; i < carriers; i++) carrierKeys.push((await addCarrier(gw.ctx, { name: `bench-carrier-${i}` }, 'bench')).apiKey);
  return { lockers, carrierKeys };
}

/** A ping command to each locker; resolves when every one is done (device acked) or on timeout. */
function ping(lockerIds: string[], timeoutMs: number): Promise<{ ms: number; done: number }> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const ids = new Set<string>();
    const early = new Set<string>();
    let done = 0;
    let finished = false;
    const finish = (): void => {
      if (finished) return;
      finished = true;
      off();
      clearTimeout(timer);
      resolve({ ms: performance.now() - t0, done });
    };
    const off = gw.ctx.events.onCommand((c) => {
      if (c.state !== 'done') return;
      if (!ids.delete(c.id)) return void early.add(c.id);
      if (++done === lockerIds.length) finish();
    });
    const timer = setTimeout(finish, timeoutMs);
    for (const lockerId of lockerIds) {
      issueCommand(gw.ctx, { lockerId, type: 'ping', params: {}, actor: 'bench' }).then((c) => {
        if (c.state === 'done' || early.delete(c.id)) done++;
        else ids.add(c.id);
        if (done === lockerIds.length) finish();
      }, () => undefined);
    }
  });
}

/** Polls Aedes' connected-client count every 10 ms: when did it dip below n, when was it back at n. */
async function watchStorm(n: number, timeoutMs: number): Promise<{ droppedAt: number | null; backAt: number | null }> {
  const deadline = Date.now() + timeoutMs;
  let droppedAt: number | null = null;
  while (Date.now() < deadline) {
    const connected = gw.mqtt.aedes.connectedClients;
    if (droppedAt === null && connected < n) droppedAt = Date.now();
    if (droppedAt !== null && connected >= n) return { droppedAt, backAt: Date.now() };
    await new Promise((r) => setTimeout(r, 10));
  }
  return { droppedAt, backAt: null };
}

process.on('message', (msg: HostRequest) => {
  void (async () => {
    switch (msg.t) {
      case 'provision':
        process.send?.({ t: 'provisioned', ...(await provision(msg.lockers, msg.layout, msg.carriers)) });
        return;
      case 'sample':
        if (msg.settleS && gc) await settleMemory(gc, msg.settleS);
        else if (msg.gc && gc) {
          gc();
          gc();
        }
        process.send?.({ t: 'sample', sample: await sample() });
        return;
      case 'ping':
        process.send?.({ t: 'pinged', ...(await ping(msg.lockerIds, msg.timeoutMs)) });
        return;
      case 'watch-storm': {
        const w = await watchStorm(msg.n, msg.timeoutMs);
        const p = w.backAt === null ? null : await ping(msg.lockerIds, msg.timeoutMs);
        process.send?.({ t: 'storm-watched', ...w, pingDoneAt: p && p.done === msg.lockerIds.length ? Date.now() : null, pinged: p?.done ?? 0 });
        return;
      }
      case 'heap-snapshot':
        process.send?.({ t: 'heap-snapshot', file: writeHeapSnapshot(msg.file) });
        return;
      case 'stop':
        await gw.close();
        if (!msg.keepData) rmSync(dir, { recursive: true, force: true });
        process.exit(0);
    }
  })();
});
process.send?.({ t: 'up', httpPort: gw.httpPort, mqttPort: gw.mqttPort, token, dataDir: dir });
