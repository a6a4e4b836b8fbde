import { runOptions } from '../device-sim/run/options.js';
import { Supervisor } from '../device-sim/run/supervisor.js';
import type { FleetFileT } from '../device-sim/fleet/fleet.js';
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { GatewayProcess, reply, stopChild } from './lib/gateway.js';
import type { AedesHostRequest, AedesHostSample } from './lib/aedes-host.js';

/**
 * Connection capacity: N idle controllers (keepalive 60 s, telemetry every 300 s) from the
 * simulator's worker processes (≤ 5,000 sockets each, under the 20,000 open-files cap) and
 * loopback source addresses 127.0.0.2… (one per 1,000 controllers, so the gateway's per-IP
 * connect bucket — meant for NATs and floods — is not what limits a fleet that shares 4 IPs).
 * Against a fresh gateway with its default admission settings.
 */
export interface CapacityRun {
  n: number;
  /**
   * (RSS with all connected − RSS before) / N, bytes, both settled: read `settleS` after a full
   * GC with the gateway idle (bench/lib/settle.ts), "after" following the idle window; null when
   * not settled (quick mode).
   */
  rssPerConnection: number | null;
  /** The same with "after" read 1 s after the last controller came online, right after a full GC (how this bench measured it until the settled reading). */
  rssPerConnectionAtOnce: number;
  heapPerConnection: number;
  /** V8 heap reserved (heapTotal) after − before, / N: used heap plus free space the heap kept. */
  heapTotalPerConnection: number;
  externalPerConnection: number;
  rssBefore: number;
  rssAfter: number;
  /** From the start signal until every controller is online (hello + snapshot acknowledged), s. */
  connectAllS: number;
  /** Gateway CPU while all are connected and idle, % of one core. */
  idleCpuPct: number;
  /** From the storm (all drop at once) until the broker holds all N again, s. */
  stormBackS: number | null;
  /** … until a ping command round trip to a sample of controllers also succeeded, s. */
  stormCommandsS: number | null;
  connectFailures: Record<string, number>;
}

const LAYOUT = 'S:8,M:8,L:4';
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const debug = process.env['BENCH_DEBUG'] ? (what: string): void => void process.stderr.write(`    [${new Date().toISOString().slice(11, 23)}] ${what}\n`) : (): void => undefined;

export async function runCapacity(n: number, idleWindowS: number, settleS: number): Promise<CapacityRun> {
  debug('gateway start');
  const provisioner = await GatewayProcess.start();
  const { lockers } = await provisioner.provision(n, LAYOUT, 0).catch(async (err: unknown) => {
    await provisioner.stop();
    throw err;
  });
  debug('provisioned');
  // Measured on a gateway started on the provisioned store, as a deployed one runs: the
  // provisioning's own garbage and heap growth would otherwise sit in "before" as slack that the
  // connections then reuse, hiding part of their cost.
  const gw = await provisioner.restart();
  debug('gateway restarted on the provisioned store');
  try {
    const fleet: FleetFileT = { version: 1, gateway: { http: gw.httpUrl, mqtt: [gw.mqttUrl] }, carrierKeys: [], lockers };
    const before = await gw.sample(true, settleS);
    if (process.env['BENCH_HEAP_SNAPSHOT']) debug(`heap snapshot: ${await gw.heapSnapshot(`${process.env['BENCH_HEAP_SNAPSHOT']}.before`)}`);
    const { sup, running } = await connectIdleFleet(fleet, gw.token);
    debug('all online');
    await sleep(1000);
    const atOnce = await gw.sample(true);
    if (process.env['BENCH_HEAP_SNAPSHOT']) debug(`heap snapshot: ${await gw.heapSnapshot(process.env['BENCH_HEAP_SNAPSHOT'])}`);
    const idle0 = await gw.sample();
    await sleep(idleWindowS * 1000);
    const idle1 = await gw.sample();
    const after = settleS > 0 ? await gw.sample(true, settleS) : atOnce;
    debug(`memory before ${JSON.stringify(before)} 1 s after all online ${JSON.stringify(atOnce)} settled ${settleS > 0 ? JSON.stringify(after) : '(not settled)'}`);
    // Storm: the gateway watches its client count dip and recover, then pings 100 controllers.
    const sample = Array.from({ length: Math.min(100, n) }, (_, i) => lockers[Math.floor((i * n) / Math.min(100, n))]!.lockerId);
    const watching = gw.watchStorm(n, sample, 120_000);
    await sleep(50);
    const stormAt = Date.now();
    sup.storm(1);
    const w = await watching;
    debug(`storm over ${JSON.stringify(sup.totals().connectFailures)}`);
    sup.interrupt();
    const { summary } = await running;
    debug('simulator stopped');
    return {
      n,
      rssPerConnection: settleS > 0 ? (after.rss - before.rss) / n : null,
      rssPerConnectionAtOnce: (atOnce.rss - before.rss) / n,
      heapPerConnection: (after.heapUsed - before.heapUsed) / n,
      heapTotalPerConnection: (after.heapTotal - before.heapTotal) / n,
      externalPerConnection: (after.external - before.external) / n,
      rssBefore: before.rss,
      rssAfter: after.rss,
      connectAllS: summary.controllers.allOnlineAfterS ?? Number.NaN,
      idleCpuPct: ((idle1.cpuUs - idle0.cpuUs) / 1000 / (idle1.at - idle0.at)) * 100,
      stormBackS: w.backAt === null ? null : (w.backAt - stormAt) / 1000,
      stormCommandsS: w.pingDoneAt === null ? null : (w.pingDoneAt - stormAt) / 1000,
      connectFailures: summary.controllers.connectFailures,
    };
  } finally {
    await gw.stop();
    debug('gateway stopped');
  }
}

/**
 * The same N idle controllers against plain Aedes (bench/lib/aedes-host.ts: its defaults, no
 * hooks, so it also keeps every retained hello and snapshot): RSS and JS heap per connection,
 * read settled exactly as the gateway's. Nothing else is measured there.
 */
export async function runAedesBaseline(n: number, settleS: number): Promise<{ rssPerConnection: number; heapPerConnection: number }> {
  const child = fork(fileURLToPath(new URL('./lib/aedes-host.ts', import.meta.url)), [], {
    execArgv: ['--import', 'tsx', '--expose-gc'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const ask = async (req: AedesHostRequest): Promise<AedesHostSample> => {
    const answer = reply<{ sample: AedesHostSample }>(child, 'sample');
    child.send(req);
    return (await answer).sample;
  };
  try {
    const { mqttPort } = await reply<{ mqttPort: number }>(child, 'up');
    // Plain Aedes accepts any credentials: made-up devices, laid out as the gateway's.
    const lockers = Array.from({ length: n }, (_, i) => ({ lockerId: `lkr-base-${i}`, deviceId: `dev-base-${i}`, secret: 'baseline', kind: 'smart_locker' as const, layout: LAYOUT }));
    const fleet: FleetFileT = { version: 1, gateway: { http: 'http://127.0.0.1:9', mqtt: [`mqtt://127.0.0.1:${mqttPort}`] }, carrierKeys: [], lockers };
    const before = await ask({ t: 'sample', settleS });
    const { sup, running } = await connectIdleFleet(fleet, undefined);
    const after = await ask({ t: 'sample', settleS });
    sup.interrupt();
    await running;
    return { rssPerConnection: (after.rss - before.rss) / n, heapPerConnection: (after.heapUsed - before.heapUsed) / n };
  } finally {
    await stopChild(child, { t: 'stop' } satisfies AedesHostRequest);
  }
}

/**
 * The fleet's controllers, idle (keepalive 60 s, telemetry every 300 s), from the simulator's
 * workers (≤ 5,000 sockets each) and loopback source addresses 127.0.0.2… (one per 1,000);
 * resolves once every one is online.
 */
async function connectIdleFleet(fleet: FleetFileT, token: string | undefined): Promise<{ sup: Supervisor; running: ReturnType<Supervisor['run']> }> {
  const n = fleet.lockers.length;
  const workers = Math.max(2, Math.ceil(n / 5000));
  const sourceIps = Array.from({ length: Math.max(2, Math.ceil(n / 1000)) }, (_, i) => `127.0.${Math.floor((i + 2) / 250)}.${((i + 2) % 250) + 1}`);
  const options = runOptions({ scenario: 'idle', durationS: 0, keepaliveS: 60, telemetryS: 300, oracle: false, settleTimeoutS: 30 });
  const sup = new Supervisor({ fleet, options, workers, sourceIps, sms: null, token, statusLine: false, log: (l) => process.stderr.write(`    ${l}\n`) });
  const running = sup.run();
  const deadline = Date.now() + 300_000;
  while (sup.totals().online < n || sup.totals().controllers < n) {
    if (Date.now() > deadline) throw new Error(`only ${sup.totals().online} of ${n} online after 300 s (${fleet.gateway.mqtt[0]})`);
    await sleep(100);
  }
  return { sup, running };
}
