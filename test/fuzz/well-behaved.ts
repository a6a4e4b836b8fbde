import { SimController } from '../../device-sim/index.js';
import { createLocker, createSite, provisionDevice } from '../../src/app/provisioning.js';
import { createOperatorToken } from '../../src/app/tokens.js';
import type { Gateway } from '../../src/gateway.js';
import type { FuzzDevice } from './connect-cases.js';

/**
 * A well-behaved locker controller (the real simulator) that must keep working while the
 * fuzzer runs: an operator's maintenance open goes through the HTTP API every `everyMs`, and
 * must come back 200 with the door opened, and /healthz must answer, each time.
 */
export interface WellBehavedReport {
  opens: number;
  failures: string[];
  maxLatencyMs: number;
  /** The simulator's connects: 1 means its connection never dropped. */
  connects: number;
}

export class WellBehaved {
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> = Promise.resolve();
  private stopped = false;
  private readonly report: WellBehavedReport = { opens: 0, failures: [], maxLatencyMs: 0, connects: 0 };

  private constructor(private readonly httpUrl: string, private readonly sim: SimController, private readonly lockerId: string, private readonly token: string, private readonly everyMs: number) {}

  static async start(gw: Gateway, everyMs: number): Promise<WellBehaved> {
    const site = await createSite(gw.ctx, { name: 'Well-behaved site', kind: 'residential', regionCode: '220102', address: 'x' }, 'fuzz');
    const { locker } = await createLocker(gw.ctx, { siteId: site.id, name: 'Well-behaved', kind: 'smart_locker', layout: 'S:2' }, 'fuzz');
    const { device, secret } = await provisionDevice(gw.ctx, locker.id, 'fuzz');
    const { secret: token } = await createOperatorToken(gw.ctx, 'fuzz-operator', 'operator');
    const sim = new SimController({ url: `mqtt://127.0.0.1:${gw.mqttPort}`, deviceId: device.id, secret, compartments: 2, openDelayMs: 5, jamWindowMs: 500 });
    await sim.start();
    const wb = new WellBehaved(`http://127.0.0.1:${gw.httpPort}`, sim, locker.id, token, everyMs);
    wb.schedule();
    return wb;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.inFlight = this.check().then(() => this.schedule());
    }, this.everyMs);
  }

  private async check(): Promise<void> {
    const started = Date.now();
    try {
      const res = await fetch(`${this.httpUrl}/v1/lockers/${this.lockerId}/compartments/1/open?waitS=10`, { method: 'POST', headers: { authorization: `Bearer ${this.token}` } });
      const body = (await res.json()) as { command?: { state?: string; outcome?: string } };
      if (res.status !== 200 || body.command?.state !== 'done' || body.command.outcome !== 'opened') this.report.failures.push(`open: ${res.status} ${JSON.stringify(body)}`);
      this.sim.closeDoor(1);
      const health = await fetch(`${this.httpUrl}/healthz`);
      if (health.status !== 200) this.report.failures.push(`healthz: ${health.status}`);
    } catch (err) {
      this.report.failures.push(`request failed: ${String(err)}`);
    }
    this.report.opens++;
    this.report.maxLatencyMs = Math.max(this.report.maxLatencyMs, Date.now() - started);
  }

  async stop(): Promise<WellBehavedReport> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.inFlight;
    await this.check(); // one more after the fuzzing ended
    this.report.connects = this.sim.stats.connects;
    await this.sim.stop();
    return this.report;
  }
}

/** The devices the fuzzer connects as: one locker each, on one site. */
export async function fuzzDevices(gw: Gateway, count: number): Promise<FuzzDevice[]> {
  const site = await createSite(gw.ctx, { name: 'Fuzz site', kind: 'residential', regionCode: '220102', address: 'x' }, 'fuzz');
  const devices: FuzzDevice[] = [];
  for (let i = 0; i < count; i++) {
    const { locker } = await createLocker(gw.ctx, { siteId: site.id, name: `Fuzz ${i}`, kind: 'smart_locker', layout: 'S:4,M:2' }, 'fuzz');
    const { device, secret } = await provisionDevice(gw.ctx, locker.id, 'fuzz', `fz-dev-${i}`);
    devices.push({ id: device.id, secret });
  }
  return devices;
}
