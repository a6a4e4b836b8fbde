import { between, chance } from '../../random.js';
import { SECOND, type NodeContext } from '../context.js';
import { People } from './people.js';
import type { Scenario } from './scenario.js';

/**
 * Steady load: deposits at a fixed rate (this node's share of `--rate`), each parcel collected
 * `--dwell` simulated seconds after its code arrives. `idle` is this with rate 0: the fleet only
 * stays connected (keepalive PINGREQs and telemetry).
 */
export class SteadyScenario implements Scenario {
  readonly finished: Promise<void>;
  private readonly people: People;
  private ticker: NodeJS.Timeout | null = null;
  private budget = 0;
  private startedAt = 0;
  private finish!: () => void;

  constructor(
    private readonly ctx: NodeContext,
    /** Deposits per second for this node. */
    private readonly rate: number,
  ) {
    this.people = new People(ctx);
    this.finished = new Promise((resolve) => (this.finish = resolve));
  }

  start(startAt: number): void {
    this.startedAt = startAt;
    const { durationS } = this.ctx.opts;
    // The run's duration counts once the node's fleet is up (connecting 5,000 takes a while).
    const fleetUp = Promise.race([this.ctx.keeper.allOnline, new Promise<void>((r) => setTimeout(r, 120 * SECOND).unref())]);
    if (durationS > 0) void fleetUp.then(() => this.people.later(durationS * SECOND, () => this.finish()));
    if (this.rate <= 0) return;
    let last = Date.now();
    this.ticker = setInterval(() => {
      const now = Date.now();
      const dt = (now - last) / 1000;
      last = now;
      if (this.ctx.frozen() || this.people.stopped) return;
      this.budget = Math.min(this.budget + this.rate * dt, this.rate + 1);
      while (this.budget >= 1 && this.people.inFlight < this.ctx.opts.maxInFlight) {
        this.budget -= 1;
        const room = this.people.findRoom(this.ctx.random);
        if (!room) {
          this.ctx.stats.deposits.reasons['no_room_or_offline'] = (this.ctx.stats.deposits.reasons['no_room_or_offline'] ?? 0) + 1;
          continue;
        }
        this.people.deposit(room.locker, room.size, chance(this.ctx.random, this.ctx.opts.noShow));
      }
    }, 100);
  }

  onCode(parcelId: string, _code: string): void {
    const parcel = this.ctx.world.parcels.get(parcelId);
    if (!parcel) return;
    if (parcel.noShow) return this.people.watchExpiry(parcel);
    const [min, max] = this.ctx.opts.dwellS;
    const dwell = this.people.simToReal(between(this.ctx.random, min, max) * SECOND);
    this.people.pickupLater(parcel, _code, dwell, this.people.simToReal(60 * SECOND));
  }

  label(): string {
    return `${Math.round((Date.now() - this.startedAt) / 1000)} s`;
  }

  stop(): void {
    if (this.ticker) clearInterval(this.ticker);
    this.people.stop();
  }
}
