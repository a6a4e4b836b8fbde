import type { Deposit, DepositFailure, Pickup } from '../../domain/deposit.js';
import type { Parcel, ParcelState } from '../../domain/parcel.js';
import type { AppContext } from '../context.js';
import { notifyCarrier, notifyRecipient } from '../notifications.js';
import { decrypt } from '../personal-data.js';
import type { Tx } from '../ports.js';
import { issuePickupCode } from './codes.js';
import { recordLockerDelivery, recordPickup } from '../reports/rollups.js';
import { revokeParcelCodes } from '../offline/code-set.js';

/** Parcel transitions shared by deposits, pickups, retrievals and expiry; each records its event. */
export function moveParcel(tx: Tx, parcel: Parcel, to: ParcelState, now: number, details: Record<string, unknown> = {}): Parcel {
  const completed = to === 'picked_up' || to === 'returned' || to === 'cancelled' || to === 'incident';
  const next: Parcel = {
    ...parcel,
    state: to,
    depositedAt: to === 'deposited' ? now : parcel.depositedAt,
    holdUntil: to === 'deposited' ? now + parcel.holdHours * 3_600_000 : parcel.holdUntil,
    completedAt: completed ? now : parcel.completedAt,
  };
  tx.parcels.update(next);
  tx.parcels.addEvent({ parcelId: parcel.id, at: now, type: to, details });
  return next;
}

function setCompartmentState(tx: Tx, lockerId: string, index: number, state: 'available' | 'reserved' | 'occupied' | 'out_of_service'): void {
  const c = tx.lockers.compartment(lockerId, index);
  if (c && c.state !== state) tx.lockers.updateCompartment({ ...c, state });
}

/**
 * The parcel is in and the door is closed, in steps: deposit done, parcel deposited with its hold
 * time, compartment occupied, a pickup code issued, the recipient and the carrier told.
 */
export function completeDeposit(ctx: AppContext, tx: Tx, deposit: Deposit, now: number, how: 'sensor' | 'courier'): void {
  tx.deposits.update({ ...deposit, state: 'deposited', reason: null, updatedAt: now });
  tx.alarms.clear(deposit.lockerId, deposit.compartment, 'deposit_unconfirmed', now);
  const parcel = moveParcel(tx, tx.parcels.get(deposit.parcelId)!, 'deposited', now, { compartment: deposit.compartment, confirmedBy: how });
  setCompartmentState(tx, deposit.lockerId, deposit.compartment, 'occupied');
  recordLockerDelivery(tx, parcel, now);
  // Household mail needs no code: the household opens its own compartment (protocol §13).
  if (parcel.householdId === null) sendCode(ctx, tx, parcel, issuePickupCode(ctx, tx, parcel, now), now);
  notifyCarrier(ctx, tx, parcel.carrierId, 'parcel.deposited', parcelSummary(parcel), now);
}

export function sendCode(ctx: AppContext, tx: Tx, parcel: Parcel, code: string, now: number): void {
  if (!parcel.recipientPhoneSealed) return;
  const locker = tx.lockers.get(parcel.lockerId);
  const site = locker ? tx.sites.get(locker.siteId) : undefined;
  notifyRecipient(ctx, tx, {
    kind: 'pickup_code',
    phone: decrypt(ctx.keys.data, parcel.recipientPhoneSealed),
    code,
    parcelId: parcel.id,
    lockerName: locker?.name ?? parcel.lockerId,
    address: site?.address ?? '',
    holdUntil: parcel.holdUntil ?? now,
    compartmentSize: parcel.size,
  }, now);
}

/** The open failed or the courier gave up: the compartment is free again, the parcel cancelled. */
export function failDeposit(ctx: AppContext, tx: Tx, deposit: Deposit, reason: DepositFailure, now: number): void {
  tx.deposits.update({ ...deposit, state: 'failed', reason, updatedAt: now });
  tx.alarms.clear(deposit.lockerId, deposit.compartment, 'deposit_unconfirmed', now);
  const parcel = moveParcel(tx, tx.parcels.get(deposit.parcelId)!, 'cancelled', now, { reason });
  // A jammed door must not be handed to the next courier; a household's compartment may hold other mail.
  const otherMail = parcel.householdId !== null && tx.parcels.depositedForHousehold(parcel.householdId).length > 0;
  setCompartmentState(tx, deposit.lockerId, deposit.compartment, reason === 'jammed' ? 'out_of_service' : otherMail ? 'occupied' : 'available');
  notifyCarrier(ctx, tx, parcel.carrierId, 'deposit.failed', { ...parcelSummary(parcel), depositId: deposit.id, reason }, now);
}

/** The door opened for the resident (or the courier retrieving): the parcel has left the system. */
export function completePickup(ctx: AppContext, tx: Tx, pickup: Pickup, now: number, details: Record<string, unknown> = {}): void {
  tx.pickups.update({ ...pickup, state: 'done', completedAt: now });
  const parcel = tx.parcels.get(pickup.parcelId)!;
  const to = pickup.kind === 'retrieval' ? 'returned' : 'picked_up';
  const moved = moveParcel(tx, parcel, to, now, { channel: pickup.channel, pickupId: pickup.id, ...details });
  recordPickup(tx, moved, now);
  revokeParcelCodes(ctx, tx, parcel.id, now, to === 'returned' ? 'retrieved' : 'used');
  setCompartmentState(tx, pickup.lockerId, pickup.compartment, 'available');
  notifyCarrier(ctx, tx, parcel.carrierId, to === 'returned' ? 'parcel.returned' : 'parcel.picked_up', parcelSummary(moved), now);
}

/** What carriers and API callers see of a parcel: never the phone number, only its mask. */
export function parcelSummary(p: Parcel): Record<string, unknown> {
  return {
    parcelId: p.id,
    trackingNumber: p.trackingNumber,
    lockerId: p.lockerId,
    compartment: p.compartment,
    size: p.size,
    state: p.state,
    recipientPhone: p.recipientPhoneMasked,
    holdUntil: p.holdUntil,
    depositedAt: p.depositedAt,
    completedAt: p.completedAt,
  };
}
