import type { Random } from '../../random.js';
import { pick } from '../../random.js';
import { SIZE_RANK } from '../../fleet/layout.js';
import type { NodeContext } from '../context.js';
import { depositParcel, retrieveParcel } from '../courier.js';
import { collectParcel } from '../resident.js';
import { bump } from '../stats.js';
import type { LockerTruth, ParcelTruth } from '../world.js';

/**
 * What every scenario shares: starting deposits where there is room, residents coming back
 * after a failed attempt, and couriers retrieving what expired. Scenarios only decide *when*.
 */
export class People {
  private readonly lockers: LockerTruth[];
  private readonly tries = new Map<string, number>();
  private readonly timers = new Set<NodeJS.Timeout>();
  stopped = false;

  constructor(private readonly ctx: NodeContext) {
    this.lockers = [...ctx.world.lockers.values()];
  }

  get inFlight(): number {
    return this.ctx.stats.inFlight;
  }

  /** A locker that is online and has a free compartment, and the size of a parcel that fits one. */
  findRoom(random: Random, locker?: LockerTruth): { locker: LockerTruth; size: string } | null {
    for (let i = 0; i < (locker ? 1 : 20); i += 1) {
      const l = locker ?? pick(random, this.lockers);
      if (!l.controller.online) continue;
      const free = l.compartments.filter((c) => c.content === null && !c.busy && l.controller.physical(c.index).door === 'closed' && !l.controller.physical(c.index).jammed);
      if (free.length <= l.pendingDeposits) continue;
      const c = pick(random, free);
      // Usually a parcel of the compartment's size, sometimes a smaller one (best fit may then pick another).
      const smaller = Object.entries(SIZE_RANK).filter(([, r]) => r < SIZE_RANK[c.size]).map(([s]) => s);
      const size = smaller.length > 0 && random() < 0.2 ? pick(random, smaller) : c.size;
      return { locker: l, size };
    }
    return null;
  }

  deposit(locker: LockerTruth, size: string, noShow: boolean, onDone?: (p: ParcelTruth | null) => void): void {
    locker.pendingDeposits += 1;
    this.ctx.track(depositParcel(this.ctx, locker, size, noShow).then(onDone, (err: unknown) => {
      bump(this.ctx.stats.errors, `deposit:${(err as Error).message.slice(0, 60)}`);
    }).finally(() => {
      locker.pendingDeposits -= 1;
    }));
  }

  /** The resident comes at `afterMs` (real); on a failed attempt comes back later, up to 5 times. */
  pickupLater(parcel: ParcelTruth, code: string, afterMs: number, retryMs: number): void {
    this.later(afterMs, () => {
      const locker = this.ctx.world.lockers.get(parcel.lockerId);
      if (!locker || parcel.fate !== 'in_locker') return;
      this.ctx.track(collectParcel(this.ctx, locker, parcel, code).then((outcome) => {
        if (outcome === 'expired') this.watchExpiry(parcel);
        if (outcome !== 'retry') return;
        const n = (this.tries.get(parcel.parcelId) ?? 0) + 1;
        this.tries.set(parcel.parcelId, n);
        if (n < 5) this.pickupLater(parcel, code, retryMs * n, retryMs);
        else this.watchExpiry(parcel);
      }, (err: unknown) => bump(this.ctx.stats.errors, `pickup:${(err as Error).message.slice(0, 60)}`)));
    });
  }

  /**
   * Nobody will collect it: once its hold has passed (gateway time ≈ our clock), check every
   * `retrievePollS` whether the gateway expired it, then a courier retrieves it.
   */
  watchExpiry(parcel: ParcelTruth): void {
    const key = this.ctx.carrierKeys[parcel.carrier]!;
    const check = (): void => {
      if (parcel.fate !== 'in_locker') return;
      this.ctx.api.parcel(key, parcel.parcelId).then((view) => {
        const { state, holdUntil } = view.parcel;
        if (state === 'expired') {
          const locker = this.ctx.world.lockers.get(parcel.lockerId);
          if (!locker) return;
          this.ctx.track(retrieveParcel(this.ctx, locker, parcel).then((ok) => {
            if (!ok) this.later(this.ctx.opts.retrievePollS * 1000, check);
          }));
          return;
        }
        if (state !== 'deposited') return;
        // holdUntil is the gateway's clock; ours may differ, so look again at least every 10 polls.
        const poll = this.ctx.opts.retrievePollS * 1000;
        const wait = holdUntil !== null && holdUntil > Date.now() ? holdUntil - Date.now() + 1000 : poll;
        this.later(Math.min(wait, 10 * poll), check);
      }, () => this.later(this.ctx.opts.retrievePollS * 1000, check));
    };
    this.later(this.ctx.opts.retrievePollS * 1000, check);
  }

  later(ms: number, fn: () => void): void {
    if (this.stopped) return;
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (this.stopped) return;
      if (this.ctx.frozen()) return this.later(250, fn);
      fn();
    }, Math.max(0, ms));
    this.timers.add(t);
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  /** Human-scale delay between two simulated moments, in real ms. */
  simToReal(simMs: number): number {
    return simMs / this.ctx.opts.speed;
  }
}
