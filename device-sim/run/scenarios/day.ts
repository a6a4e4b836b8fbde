import { between, chance } from '../../random.js';
import { HOUR, MINUTE, type NodeContext } from '../context.js';
import { People } from './people.js';
import type { Scenario } from './scenario.js';

const DAY_END_H = 23;
const PICKUP_UNTIL_H = 22.5;

/**
 * A day in the life, accelerated `--speed` times: couriers come in two waves (08:00–10:30 and
 * 13:00–15:00) and fill about `--fill` of every locker; residents come through the day, a few
 * hours after their code arrived (or the next morning); `--no-show` of them never come, so
 * their parcels expire and couriers retrieve them. Nights are skipped: day d+1 starts at
 * `--start-hour` right after day d ends at 23:00.
 */
export class DayScenario implements Scenario {
  readonly finished: Promise<void>;
  private readonly people: People;
  private readonly dayRealMs: number;
  private startedAt = 0;
  private finish!: () => void;

  constructor(private readonly ctx: NodeContext) {
    this.people = new People(ctx);
    this.dayRealMs = ((DAY_END_H - ctx.opts.startHour) * HOUR) / ctx.opts.speed;
    this.finished = new Promise((resolve) => (this.finish = resolve));
  }

  start(startAt: number): void {
    this.startedAt = startAt;
    this.planDay(0);
  }

  /** Simulated hour of day (e.g. 14.25) and day index now. */
  now(): { day: number; hour: number } {
    const real = Date.now() - this.startedAt;
    const day = Math.max(0, Math.floor(real / this.dayRealMs));
    const hour = this.ctx.opts.startHour + ((real - day * this.dayRealMs) * this.ctx.opts.speed) / HOUR;
    return { day, hour };
  }

  /** Real ms until simulated (day, hour). */
  untilSim(day: number, hour: number): number {
    const at = this.startedAt + day * this.dayRealMs + ((hour - this.ctx.opts.startHour) * HOUR) / this.ctx.opts.speed;
    return at - Date.now();
  }

  label(): string {
    const { day, hour } = this.now();
    const h = Math.floor(hour);
    const m = Math.floor((hour - h) * 60);
    return `day ${day + 1} ${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`;
  }

  onCode(parcelId: string, code: string): void {
    const parcel = this.ctx.world.parcels.get(parcelId);
    if (!parcel) return;
    if (parcel.noShow) return this.people.watchExpiry(parcel);
    const { random } = this.ctx;
    const { day, hour } = this.now();
    let at = { day, hour: Math.max(hour + 0.25, Math.min(PICKUP_UNTIL_H, hour + between(random, 1, 8))) };
    // Home too late today: tomorrow morning.
    if (at.hour >= PICKUP_UNTIL_H || hour >= PICKUP_UNTIL_H - 0.25) at = { day: day + 1, hour: between(random, 7.5, 11) };
    this.people.pickupLater(parcel, code, this.untilSim(at.day, at.hour), this.people.simToReal(30 * MINUTE));
  }

  stop(): void {
    this.people.stop();
  }

  private planDay(day: number): void {
    const { opts, random, world } = this.ctx;
    if (opts.days > 0 && day >= opts.days) {
      this.finish();
      return;
    }
    for (const locker of world.lockers.values()) {
      const target = Math.round(locker.compartments.length * opts.fill * between(random, 0.6, 1.4));
      for (let i = 0; i < target; i += 1) {
        const morning = random() < 0.7;
        const hour = morning ? between(random, 8, 10.5) : between(random, 13, 15);
        const noShow = chance(random, opts.noShow);
        this.scheduleDeposit(locker.lockerId, day, hour, noShow, 0);
      }
    }
    this.people.later(this.untilSim(day + 1, opts.startHour), () => this.planDay(day + 1));
  }

  private scheduleDeposit(lockerId: string, day: number, hour: number, noShow: boolean, attempt: number): void {
    this.people.later(this.untilSim(day, hour), () => {
      const locker = this.ctx.world.lockers.get(lockerId)!;
      if (this.people.inFlight >= this.ctx.opts.maxInFlight) return this.scheduleDeposit(lockerId, day, hour + 0.1, noShow, attempt);
      const room = this.people.findRoom(this.ctx.random, locker);
      if (!room) {
        // Offline or full: the courier tries again later in the wave, twice at most.
        if (attempt < 2 && hour < 17) this.scheduleDeposit(lockerId, day, hour + 0.5, noShow, attempt + 1);
        else this.ctx.stats.deposits.reasons['no_room_or_offline'] = (this.ctx.stats.deposits.reasons['no_room_or_offline'] ?? 0) + 1;
        return;
      }
      this.people.deposit(room.locker, room.size, noShow);
    });
  }
}
