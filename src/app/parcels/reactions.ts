import type { Command } from '../../domain/command.js';
import { depositFailureFor } from '../../domain/deposit.js';
import type { Compartment } from '../../domain/locker.js';
import type { AppContext } from '../context.js';
import type { Effects } from '../effects.js';
import type { Tx } from '../ports.js';
import { completeDeposit, completePickup, failDeposit } from './lifecycle.js';

/** Commands created by the parcel flows name their owner in `actor`. */
export const depositActor = (depositId: string) => `deposit:${depositId}`;
export const pickupActor = (pickupId: string) => `pickup:${pickupId}`;

/**
 * A deposit's or pickup's open command changed (in the same transaction as the change):
 * done → the door is open (deposit) or the parcel is collected (pickup); failed/expired → the
 * flow fails with a reason the courier or resident can act on.
 */
export function onParcelCommand(ctx: AppContext, tx: Tx, c: Command, now: number): void {
  if (c.actor.startsWith('deposit:')) {
    const deposit = tx.deposits.byCommand(c.id);
    if (!deposit || deposit.state !== 'opening') return;
    if (c.state === 'done') tx.deposits.update({ ...deposit, state: 'open', updatedAt: now });
    else if (c.state === 'failed' || c.state === 'expired') failDeposit(ctx, tx, deposit, depositFailureFor(c.outcome), now);
  } else if (c.actor.startsWith('pickup:')) {
    const pickup = tx.pickups.byCommand(c.id);
    if (!pickup || pickup.state !== 'opening') return;
    if (c.state === 'done') completePickup(ctx, tx, pickup, now);
    else if (c.state === 'failed' || c.state === 'expired') tx.pickups.update({ ...pickup, state: 'failed', reason: c.outcome, completedAt: now });
  }
}

/**
 * A compartment door closed. A deposit that had its door open completes when the sensor sees
 * the parcel, fails when the compartment is empty, and waits for the courier's confirmation when
 * the compartment has no occupancy sensor. A door that closes on a parcel just picked up means the
 * parcel was left behind: alarm, and the compartment is kept out of service until someone looks.
 */
export function onDoorClosed(ctx: AppContext, tx: Tx, before: Compartment, after: Compartment, effects: Effects, now: number): void {
  const deposit = tx.deposits.liveForCompartment(after.lockerId, after.index);
  if (deposit && (deposit.state === 'open' || (deposit.state === 'opening' && before.door === 'open'))) {
    if (after.occupancy === 'present') completeDeposit(ctx, tx, deposit, now, 'sensor');
    else if (after.occupancy === 'absent') failDeposit(ctx, tx, deposit, 'door_closed_empty', now);
    else if (deposit.confirmedAt !== null) completeDeposit(ctx, tx, deposit, now, 'courier');
    else if (deposit.state === 'opening') tx.deposits.update({ ...deposit, state: 'open', updatedAt: now });
    return;
  }
  if (after.occupancy !== 'present') return;
  const pickup = tx.pickups.recentDone(after.lockerId, after.index, now - ctx.settings.leftBehindWindowMs);
  if (!pickup || tx.parcels.liveInCompartment(after.lockerId, after.index)) return;
  tx.lockers.updateCompartment({ ...after, state: 'out_of_service' });
  effects.raise(tx, { kind: 'parcel_left_behind', lockerId: after.lockerId, compartment: after.index, details: { parcelId: pickup.parcelId, pickupId: pickup.id } }, now);
}
