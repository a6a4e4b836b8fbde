import type { SimController } from '../controller.js';
import type { Random } from '../random.js';
import { rawSessionStats } from '../raw-session.js';
import type { RunOptions } from './options.js';
import type { NodeStats } from './stats.js';
import type { World } from './world.js';

/**
 * What happens to a node's connected controllers once a second, from one timer: telemetry when
 * due (each controller on its own phase), and the connection faults — random drops at
 * `dropRate` per controller per minute, and storms that cut `stormFraction` of them at once.
 */
export class Pulse {
  private readonly nextTelemetryAt = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;
  private faultsOn = true;
  private lastStormAt = Date.now();
  private lastOutageAt = Date.now();

  constructor(
    private readonly opts: RunOptions,
    private readonly world: World,
    private readonly stats: NodeStats,
    private readonly random: Random,
    private readonly controllers: ReadonlyMap<string, SimController>,
    /** Takes a locker's network down for a while (the keeper holds its reconnects). */
    private readonly outage: (lockerId: string, forMs: number) => Promise<boolean> = async () => false,
  ) {}

  start(): void {
    this.timer = setInterval(() => this.tick(), 1000);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Connection faults pause while the oracle looks. */
  setFaults(on: boolean): void {
    this.faultsOn = on;
  }

  private tick(): void {
    const now = Date.now();
    this.stats.pingreq = rawSessionStats.pingreq;
    this.stats.pingresp = rawSessionStats.pingresp;
    const online: Array<[string, SimController]> = [];
    for (const [lockerId, ctrl] of this.controllers) {
      if (!ctrl.online) continue;
      online.push([lockerId, ctrl]);
      const due = this.nextTelemetryAt.get(lockerId) ?? now + this.random() * this.opts.telemetryS * 1000;
      if (due > now) {
        this.nextTelemetryAt.set(lockerId, due);
        continue;
      }
      this.nextTelemetryAt.set(lockerId, now + this.opts.telemetryS * 1000);
      ctrl.sendTelemetry().then((sent) => {
        if (sent) this.stats.telemetrySent += 1;
      }, () => undefined);
    }
    const f = this.opts.faults;
    if (!this.faultsOn) return;
    if (f.dropRate > 0) {
      for (const [lockerId, ctrl] of online) if (this.random() < Math.min(1, f.dropRate / 60)) this.drop(lockerId, ctrl, 'drop');
    }
    if (f.outageEveryS > 0 && f.outageLockers.length > 0 && now - this.lastOutageAt >= f.outageEveryS * 1000) {
      this.lastOutageAt = now;
      for (const lockerId of f.outageLockers) {
        if (!this.controllers.has(lockerId)) continue;
        void this.outage(lockerId, f.outageForS * 1000).then((cut) => {
          if (cut) this.world.record('outage', lockerId);
        });
      }
    }
    if (f.stormEveryS > 0 && now - this.lastStormAt >= f.stormEveryS * 1000) {
      this.lastStormAt = now;
      for (const [lockerId, ctrl] of online) if (this.random() < f.stormFraction) this.drop(lockerId, ctrl, 'storm');
    }
  }

  /** A storm now: `fraction` of the online controllers drop at once and reconnect (§3.6 backoff). */
  storm(fraction: number): void {
    for (const [lockerId, ctrl] of this.controllers) if (ctrl.online && this.random() < fraction) this.drop(lockerId, ctrl, 'storm');
  }

  private drop(lockerId: string, ctrl: SimController, kind: 'drop' | 'storm'): void {
    this.world.record(kind, lockerId);
    ctrl.dropConnection().catch(() => undefined);
  }
}
