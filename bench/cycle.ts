import { SmsReceiver } from '../device-sim/api/sms-receiver.js';
import type { FleetFileT } from '../device-sim/fleet/fleet.js';
import { runOptions } from '../device-sim/run/options.js';
import { Supervisor } from '../device-sim/run/supervisor.js';
import type { NodeStats } from '../device-sim/run/stats.js';
import { GatewayProcess } from './lib/gateway.js';
import type { HostSample } from './lib/gateway-host.js';
import { bucketQuantile, percentile } from './lib/stats.js';

/**
 * Full parcel cycle, driven by the simulator's steady scenario (its couriers, residents and
 * controllers, in 2 worker processes): a courier POSTs /v1/deposits, the door opens on the
 * gateway's command, the parcel goes in, the door shuts, the occupancy sensor completes the
 * deposit; the gateway's recipient webhook delivers the pickup code to the simulator's SMS
 * receiver; the resident types it at the keypad, the door opens, the parcel comes out, the door
 * shuts. Human pauses run at 1000× (a few ms). Every compartment has door and occupancy
 * sensors, so every cycle is confirmed by them; the oracle compares truth and gateway at the end.
 */
export interface CycleRun {
  offeredRate: number;
  /** Pickups completed per second in the window (each closes one deposit + pickup cycle). */
  cyclesPerS: number;
  depositsPerS: number;
  /** Gateway process CPU in the window / cycles completed in it, ms. */
  cpuMsPerCycle: number;
  /** Gateway CPU in the window, % of one core. */
  gatewayCpuPct: number;
  /** Failed deposits + pickups + unexpected errors, over operations started (whole run). */
  errorRate: number;
  openP50: number;
  openP99: number;
  openSamples: number;
  /** The gateway's durability path in the window (ms, from its histograms): where open latency goes. */
  store: { ackWaitP50: number; ackWaitP99: number; fsyncP50: number; fsyncP99: number; batchHoldP99: number };
  /** POST /v1/deposits as the gateway timed it (request received → reply sent), p99 ms. */
  depositServedP99: number;
  oracle: { verdict: string; unexplained: number | null; lockers: number | null };
  reasons: Record<string, number>;
}

const LAYOUT = 'S:8,M:8,L:4';
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const SMS_SECRET = 'bench-sms-secret-0123456789';

/** One session (fresh gateway, simulator) at `rate` deposits/s, measured in `windows` consecutive windows. */
export async function runCycle(opts: { lockers: number; rate: number; warmupS: number; windowS: number; windows: number }): Promise<CycleRun[]> {
  const sms = await SmsReceiver.start({ secret: SMS_SECRET, toleranceS: 600 });
  const gw = await GatewayProcess.start({
    LOCKERGATE_RECIPIENT_WEBHOOK_URL: sms.url,
    LOCKERGATE_RECIPIENT_WEBHOOK_SECRET: SMS_SECRET,
    LOCKERGATE_PICKUP_RATE_PER_MIN: '10000',
  });
  try {
    const { lockers, carrierKeys } = await gw.provision(opts.lockers, LAYOUT, 2);
    const fleet: FleetFileT = { version: 1, gateway: { http: gw.httpUrl, mqtt: [gw.mqttUrl] }, carrierKeys, lockers };
    const options = runOptions({
      scenario: 'steady', rate: opts.rate, durationS: 0, speed: 1000, dwellS: [0, 2], openDelayMs: 0, jamWindowMs: 5000,
      appShare: 0, noShow: 0, keepaliveS: 60, telemetryS: 300, oracle: true, settleTimeoutS: 30, maxInFlight: 500, httpSockets: 64,
    });
    const sup = new Supervisor({ fleet, options, workers: 2, sourceIps: ['127.0.0.2', '127.0.0.3'], sms, token: gw.token, statusLine: false, log: (l) => process.stderr.write(`    ${l}\n`) });
    const running = sup.run();
    while (sup.totals().controllers < opts.lockers || sup.totals().online < opts.lockers) await sleep(100);
    await sleep(opts.warmupS * 1000);
    // Consecutive measurement windows of the same session (node stats arrive once a second).
    const windows: Array<{ s0: NodeStats; s1: NodeStats; g0: HostSample; g1: HostSample; start: number; end: number }> = [];
    for (let i = 0; i < opts.windows; i++) {
      const s0 = sup.totals();
      const g0 = await gw.sample();
      const start = Date.now();
      await sleep(opts.windowS * 1000);
      windows.push({ s0, s1: sup.totals(), g0, g1: await gw.sample(), start, end: Date.now() });
    }
    sup.interrupt();
    const { summary } = await running;
    const latencies = sup.depositOpenLatencies();
    const t = summary.operations;
    const started = t.deposits.started + t.pickups.started;
    const failed = t.deposits.failed + t.pickups.failed + Object.values(summary.errors).reduce((a, b) => a + b, 0);
    return windows.map(({ s0, s1, g0, g1, start, end }) => {
    const seconds = (g1.at - g0.at) / 1000;
    const cycles = s1.pickups.done - s0.pickups.done;
    const cpuMs = (g1.cpuUs - g0.cpuUs) / 1000;
    const open = latencies.filter(([at]) => at >= start && at < end).map(([, ms]) => ms).sort((a, b) => a - b);
    return {
      offeredRate: opts.rate,
      cyclesPerS: cycles / seconds,
      depositsPerS: (s1.deposits.done - s0.deposits.done) / seconds,
      cpuMsPerCycle: cpuMs / Math.max(1, cycles),
      gatewayCpuPct: (cpuMs / 1000 / seconds) * 100,
      errorRate: started === 0 ? 1 : failed / started,
      openP50: percentile(open, 50),
      openP99: percentile(open, 99),
      openSamples: open.length,
      store: {
        ackWaitP50: bucketQuantile(g0.store.ackWait, g1.store.ackWait, 0.5) * 1000,
        ackWaitP99: bucketQuantile(g0.store.ackWait, g1.store.ackWait, 0.99) * 1000,
        fsyncP50: bucketQuantile(g0.store.fsync, g1.store.fsync, 0.5) * 1000,
        fsyncP99: bucketQuantile(g0.store.fsync, g1.store.fsync, 0.99) * 1000,
        batchHoldP99: bucketQuantile(g0.store.batchHold, g1.store.batchHold, 0.99) * 1000,
      },
      depositServedP99: bucketQuantile(g0.depositRequest, g1.depositRequest, 0.99) * 1000,
      oracle: { verdict: summary.verdict, unexplained: summary.oracle?.unexplained ?? null, lockers: summary.oracle?.lockers ?? null },
      reasons: { ...prefix('deposit:', t.deposits.reasons), ...prefix('pickup:', t.pickups.reasons), ...prefix('error:', summary.errors) },
    };
    });
  } finally {
    await gw.stop();
    await sms.close();
  }
}

function prefix(p: string, counts: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(counts).map(([k, v]) => [p + k, v]));
}

