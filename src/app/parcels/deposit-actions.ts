import type { Deposit } from '../../domain/deposit.js';
import { LockergateError } from '../../domain/errors.js';
import { createCommandInTx } from '../commands.js';
import type { AppContext } from '../context.js';
import { Effects } from '../effects.js';
import type { Tx } from '../ports.js';
import { nextLarger } from './allocation.js';
import { completeDeposit, moveParcel, parcelSummary } from './lifecycle.js';
import { notifyCarrier } from '../notifications.js';
import { depositActor } from './reactions.js';

function ownDeposit(tx: Tx, carrierId: string, id: string): Deposit {
  const d = tx.deposits.get(id);
  if (!d || d.carrierId !== carrierId) throw new LockergateError('DEPOSIT_NOT_FOUND');
  return d;
}

/**
 * For compartments that cannot sense the parcel: the courier says it is in. With the door shut
 * the deposit completes now; while the gateway still sees the door open (the courier is shutting
 * it, or the controller — a sleeping mailbox bank, one reconnecting — has not said so yet) the
 * confirmation is recorded and the deposit completes when the door is reported shut. A courier
 * never has to wait for the controller (a refusal here left parcels in banks unrecorded when the
 * courier walked away before the bank woke: the crash test's long mode).
 */
export async function confirmDeposit(ctx: AppContext, carrierId: string, id: string): Promise<Deposit> {
  const now = ctx.clock.now();
  return ctx.store.transact((tx) => {
    const d = ownDeposit(tx, carrierId, id);
    if (d.state !== 'open') throw new LockergateError('DEPOSIT_NOT_OPEN', undefined, { state: d.state });
    const c = tx.lockers.compartment(d.lockerId, d.compartment)!;
    if (c.occupancy !== 'unknown') throw new LockergateError('CONFIRMATION_NOT_NEEDED');
    if (c.door === 'open') {
      const confirmed: Deposit = { ...d, confirmedAt: d.confirmedAt ?? now, updatedAt: now };
      tx.deposits.update(confirmed);
      return confirmed;
    }
    completeDeposit(ctx, tx, { ...d, confirmedAt: d.confirmedAt ?? now }, now, 'courier');
    return tx.deposits.get(id)!;
  });
}

/** Before the door closes on it, a courier may take the parcel back out and cancel. */
export async function cancelDeposit(ctx: AppContext, carrierId: string, id: string): Promise<Deposit> {
  const now = ctx.clock.now();
  return ctx.store.transact((tx) => {
    const d = ownDeposit(tx, carrierId, id);
    if (d.state !== 'opening' && d.state !== 'open') throw new LockergateError('DEPOSIT_NOT_CANCELLABLE', undefined, { state: d.state });
    const cancelled: Deposit = { ...d, state: 'cancelled', updatedAt: now };
    tx.deposits.update(cancelled);
    tx.alarms.clear(d.lockerId, d.compartment, 'deposit_unconfirmed', now);
    const parcel = moveParcel(tx, tx.parcels.get(d.parcelId)!, 'cancelled', now, { by: 'courier' });
    notifyCarrier(ctx, tx, d.carrierId, 'parcel.cancelled', { ...parcelSummary(parcel), depositId: d.id }, now);
    const c = tx.lockers.compartment(d.lockerId, d.compartment)!;
    tx.lockers.updateCompartment({ ...c, state: 'available' });
    return cancelled;
  });
}

/**
 * The parcel does not fit: a larger free compartment is reserved and opened, the first one freed.
 * The deposit keeps its id; its compartment and command change.
 */
export async function resizeDeposit(ctx: AppContext, carrierId: string, id: string): Promise<Deposit> {
  const now = ctx.clock.now();
  const effects = new Effects();
  const deposit = await ctx.store.transact((tx) => {
    const d = ownDeposit(tx, carrierId, id);
    if (d.state !== 'open' && d.state !== 'opening') throw new LockergateError('DEPOSIT_NOT_OPEN', undefined, { state: d.state });
    const first = tx.lockers.compartment(d.lockerId, d.compartment)!;
    const larger = nextLarger(tx, d.lockerId, first.size, new Set([first.index]));
    if (!larger) throw new LockergateError('NO_LARGER_COMPARTMENT', undefined, { from: first.size });
    tx.lockers.updateCompartment({ ...first, state: 'available' });
    tx.lockers.updateCompartment({ ...larger, state: 'reserved' });
    const command = createCommandInTx(ctx, tx, { lockerId: d.lockerId, type: 'open', params: { compartment: larger.index }, actor: depositActor(d.id) });
    effects.send(command);
    const parcel = tx.parcels.get(d.parcelId)!;
    // The parcel keeps its declared size; only its compartment changes.
    tx.parcels.update({ ...parcel, compartment: larger.index });
    tx.parcels.addEvent({ parcelId: parcel.id, at: now, type: 'resized', details: { from: first.index, to: larger.index, size: larger.size } });
    const moved: Deposit = { ...d, compartment: larger.index, state: 'opening', commandId: command.id, updatedAt: now };
    tx.deposits.update(moved);
    return moved;
  });
  await effects.release(ctx);
  return deposit;
}
