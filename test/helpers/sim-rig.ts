import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { GatewayApi } from '../../device-sim/api/gateway-api.js';
import { SmsReceiver } from '../../device-sim/api/sms-receiver.js';
import type { FleetFileT } from '../../device-sim/fleet/fleet.js';
import { provisionFleet } from '../../device-sim/fleet/provision.js';
import { runOptions, type RunOptions } from '../../device-sim/run/options.js';
import type { Summary } from '../../device-sim/run/summary.js';
import { Supervisor } from '../../device-sim/run/supervisor.js';
import { sweep } from '../../src/app/sweeper.js';
import { createOperatorToken } from '../../src/app/tokens.js';
import { loadConfig } from '../../src/config.js';
import type { Clock } from '../../src/domain/clock.js';
import { startGateway, type Gateway } from '../../src/gateway.js';
import { createLogger } from '../../src/logger.js';

export const SIM_SMS_SECRET = 'sim-rig-sms-secret-0123456789';

/** Real time plus an offset a test can move forward (hold times, expiry) while everything keeps running. */
export class OffsetClock implements Clock {
  offsetMs = 0;
  now(): number {
    return Date.now() + this.offsetMs;
  }
}

export interface SimRig {
  gw: Gateway;
  clock: OffsetClock;
  sms: SmsReceiver;
  /** Operator token (the oracle reads lockers with it). */
  token: string;
  httpUrl: string;
  mqttUrl: string;
  logLines: string[];
  /** A fresh fleet provisioned through the operator API, as `lockergate-sim --provision` does. */
  fleet(lockers: number, opts?: { mailboxShare?: number; carriers?: number }): Promise<FleetFileT>;
  stop(): Promise<void>;
}

/** Gateway timings short enough for tests: resends, expiry and alarms within a second or two. */
export const FAST_GATEWAY_ENV: Record<string, string> = {
  LOCKERGATE_COMMAND_ACK_TIMEOUT_S: '0.5',
  LOCKERGATE_COMMAND_TTL_S: '3',
  LOCKERGATE_OPEN_OUTCOME_TIMEOUT_S: '2',
  LOCKERGATE_DOOR_LEFT_OPEN_S: '1',
  LOCKERGATE_PICKUP_RATE_PER_MIN: '10000',
};

/**
 * A real gateway (HTTP + MQTT on port 0, SQLite in a temp dir, a clock tests can move) whose
 * recipient webhook is the simulator's SMS receiver, with the sweeper and the notification
 * dispatcher run every 100 ms instead of every 1–2 s.
 */
export async function startSimRig(env: Record<string, string> = {}, opts: { jobsEveryMs?: number } = {}): Promise<SimRig> {
  const sms = await SmsReceiver.start({ secret: SIM_SMS_SECRET, toleranceS: 10 * 86_400 });
  const dataDir = mkdtempSync(join(tmpdir(), 'lockergate-sim-'));
  const config = loadConfig({
    LOCKERGATE_DATA_DIR: dataDir,
    LOCKERGATE_HTTP_PORT: '0',
    LOCKERGATE_MQTT_PORT: '0',
    LOCKERGATE_HTTP_HOST: '127.0.0.1',
    LOCKERGATE_MQTT_HOST: '127.0.0.1',
    LOCKERGATE_LOG_LEVEL: 'warn',
    LOCKERGATE_RECIPIENT_WEBHOOK_URL: sms.url,
    LOCKERGATE_RECIPIENT_WEBHOOK_SECRET: SIM_SMS_SECRET,
    ...FAST_GATEWAY_ENV,
    ...env,
  });
  const logLines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      logLines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      cb();
    },
  });
  const clock = new OffsetClock();
  const gw = await startGateway({ config, log: createLogger(config.LOCKERGATE_LOG_LEVEL, sink), clock, runJobs: false });
  let jobs = Promise.resolve();
  const timer = setInterval(() => {
    jobs = jobs.then(async () => {
      await sweep(gw.ctx).catch(() => undefined);
      await gw.dispatchNotifications().catch(() => undefined);
    });
  }, opts.jobsEveryMs ?? 100);
  const { secret: token } = await createOperatorToken(gw.ctx, 'sim', 'operator');
  const httpUrl = `http://127.0.0.1:${gw.httpPort}`;
  const mqttUrl = `mqtt://127.0.0.1:${gw.mqttPort}`;
  let fleets = 0;
  return {
    gw, clock, sms, token, httpUrl, mqttUrl, logLines,
    async fleet(lockers, opts = {}) {
      const api = new GatewayApi(httpUrl, 16);
      try {
        return await provisionFleet({
          api, operatorToken: token, httpUrl, mqttUrls: [mqttUrl], lockers, mailboxShare: opts.mailboxShare ?? 0.2,
          carriers: opts.carriers ?? 2, prefix: `t${(fleets += 1)}`, seed: fleets, concurrency: 16,
        });
      } finally {
        api.close();
      }
    },
    async stop() {
      clearInterval(timer);
      await jobs;
      await gw.close();
      await sms.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Options for short test runs: 40× speed, human delays of milliseconds, quick reconnects. */
export function testOptions(overrides: Partial<RunOptions> = {}): RunOptions {
  return runOptions({
    scenario: 'steady',
    speed: 40,
    rate: 8,
    durationS: 1.5,
    dwellS: [2, 10],
    openDelayMs: 20,
    jamWindowMs: 300,
    backoffScale: 0.05,
    settleTimeoutS: 20,
    retrievePollS: 0.2,
    telemetryS: 1,
    appShare: 0.2,
    noShow: 0,
    ...overrides,
  });
}

/** Runs the simulator on `fleet` against the rig, as the CLI would, and returns its summary. */
export async function simulate(rig: SimRig, fleet: FleetFileT, options: RunOptions, extra: { workers?: number; adopt?: boolean; onStart?: (s: Supervisor) => void } = {}): Promise<Summary> {
  const supervisor = new Supervisor({
    fleet, options, workers: extra.workers ?? 0, sourceIps: [], sms: rig.sms, token: rig.token,
    adopt: extra.adopt ?? false, statusLine: false, log: () => undefined,
  });
  extra.onStart?.(supervisor);
  const { summary } = await supervisor.run();
  return summary;
}

/** The unexplained mismatches, printed by a failing expectation. */
export const unexplained = (s: Summary) => s.oracle?.mismatches.filter((m) => m.explainedBy.length === 0) ?? [];
