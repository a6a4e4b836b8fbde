import { between, chance, pick } from '../random.js';
import type { NodeContext } from './context.js';
import { closeLater } from './door.js';
import type { LockerTruth } from './world.js';

/**
 * The physical faults that strike a locker around an operation (each with its probability per
 * operation): a latch jams, an occupancy sensor dies, someone forces a door and maybe takes
 * what is inside. Each is recorded where it happened, for the oracle's explanations.
 */
export function strike(ctx: NodeContext, locker: LockerTruth): void {
  const f = ctx.opts.faults;
  const { random } = ctx;
  const ctrl = locker.controller;
  if (chance(random, f.jam)) {
    const c = pick(random, locker.compartments);
    ctrl.jam(c.index, true);
    ctx.world.record('jam', locker.lockerId, { compartment: c.index });
  }
  if (chance(random, f.sensorFaults)) {
    const sensed = locker.compartments.filter((c) => c.sensor && !ctrl.physical(c.index).sensorFault);
    if (sensed.length > 0) {
      const c = pick(random, sensed);
      ctrl.sensorFault(c.index, true);
      ctx.world.record('sensor_fault', locker.lockerId, { compartment: c.index });
    }
  }
  if (chance(random, f.forceDoors)) {
    const idle = locker.compartments.filter((c) => !c.busy && ctrl.physical(c.index).door === 'closed');
    if (idle.length === 0) return;
    const c = pick(random, idle);
    ctrl.forceOpen(c.index);
    ctx.world.record('forced_door', locker.lockerId, { compartment: c.index });
    const parcelId = c.content;
    if (parcelId !== null && random() < 0.5) {
      ctrl.removeParcel(c.index);
      c.content = null;
      const parcel = ctx.world.parcels.get(parcelId);
      if (parcel) parcel.fate = 'stolen';
      ctx.world.record('theft', locker.lockerId, { compartment: c.index, parcelId });
    }
    closeLater(ctx, locker, c.index, Math.max(5, between(random, 5_000, 20_000) / ctx.opts.speed));
  }
}

/** Power lost right after a door opened: dark for 20–60 s (simulated), then a new boot. */
export async function maybePowerCut(ctx: NodeContext, locker: LockerTruth, what: { compartment: number; parcelId?: string }): Promise<void> {
  if (!chance(ctx.random, ctx.opts.faults.powerLoss)) return;
  ctx.world.record('power_loss', locker.lockerId, what);
  await ctx.keeper.powerCut(locker.lockerId, Math.max(50, between(ctx.random, 20_000, 60_000) / ctx.opts.speed));
}
