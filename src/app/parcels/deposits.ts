import type { Deposit } from '../../domain/deposit.js';
import { LockergateError } from '../../domain/errors.js';
import type { Compartment, SizeClass } from '../../domain/locker.js';
import { fits, type Carrier, type Parcel } from '../../domain/parcel.js';
import { createCommandInTx } from '../commands.js';
import type { AppContext } from '../context.js';
import { Effects } from '../effects.js';
import { newTimeOrderedId } from '../ids.js';
import { encrypt, maskPhone } from '../personal-data.js';
import type { Tx } from '../ports.js';
import type { Household } from '../offline/ports.js';
import { alternatives, bestFit } from './allocation.js';
import { depositActor } from './reactions.js';

export interface DepositRequest {
  lockerId: string;
  size: SizeClass;
  trackingNumber: string;
  /** Required, except for mail into a household's own compartment. */
  recipientPhone?: string | undefined;
  /** Mail for a household of a mailbox bank: into its own compartment, no pickup code (protocol §13). */
  householdId?: string | undefined;
  holdHours?: number | undefined;
  idempotencyKey?: string | undefined;
}

export interface DepositStarted {
  deposit: Deposit;
  /** False when a retried request found the deposit it made before: no second door was opened. */
  created: boolean;
}

/** A retry of the same deposit: by Idempotency-Key, or else by the carrier's live tracking number. */
function findRetry(tx: Tx, carrier: Carrier, req: DepositRequest): Deposit | undefined {
  if (req.idempotencyKey) {
    const prior = tx.deposits.byIdempotencyKey(carrier.id, req.idempotencyKey);
    if (prior) {
      const parcel = tx.parcels.get(prior.parcelId);
      if (parcel?.trackingNumber !== req.trackingNumber || parcel.lockerId !== req.lockerId) throw new LockergateError('IDEMPOTENCY_KEY_REUSED');
      return prior;
    }
  }
  const live = tx.parcels.liveByTracking(carrier.id, req.trackingNumber);
  if (live && live.lockerId !== req.lockerId) throw new LockergateError('TRACKING_NUMBER_IN_USE', undefined, { lockerId: live.lockerId, parcelId: live.id });
  return live ? tx.deposits.byParcel(live.id) : undefined;
}

/**
 * A courier deposits a parcel, in steps (one transaction, so two couriers can never get the same
 * compartment): retry? → locker in service and online → carrier quota → best-fit compartment →
 * parcel reserved, deposit opening, compartment reserved, open command — published after commit.
 */
export async function startDeposit(ctx: AppContext, carrier: Carrier, req: DepositRequest): Promise<DepositStarted> {
  const now = ctx.clock.now();
  const effects = new Effects();
  const result = await ctx.store.transact((tx): DepositStarted => {
    const retry = findRetry(tx, carrier, req);
    if (retry) return { deposit: retry, created: false };
    const locker = tx.lockers.get(req.lockerId);
    if (!locker) throw new LockergateError('LOCKER_NOT_FOUND');
    if (locker.status !== 'active') throw new LockergateError('LOCKER_NOT_ACTIVE', undefined, { status: locker.status });
    const device = tx.devices.byLocker(locker.id);
    if (!device || !ctx.transport.isConnected(device.id)) throw new LockergateError('LOCKER_OFFLINE');
    const quota = tx.carriers.quota(carrier.id, locker.id);
    if (quota !== undefined && tx.parcels.countHeld(carrier.id, locker.id) >= quota) throw new LockergateError('CARRIER_QUOTA_EXCEEDED', undefined, { quota });
    const household = req.householdId === undefined ? undefined : tx.households.get(req.householdId);
    if (req.householdId !== undefined && (!household || household.removedAt !== null || household.lockerId !== locker.id)) throw new LockergateError('HOUSEHOLD_NOT_FOUND');
    if (!household && req.recipientPhone === undefined) throw new LockergateError('VALIDATION_FAILED', 'recipientPhone is required (except for household mail).');
    const compartment = household ? householdCompartment(tx, household, req.size) : bestFit(tx, locker.id, req.size);
    if (!compartment) {
      throw new LockergateError('NO_COMPARTMENT_AVAILABLE', undefined, { size: req.size, alternatives: household ? [] : alternatives(tx, locker.id, req.size, (id) => ctx.transport.isConnected(id)) });
    }
    const holdHours = Math.min(req.holdHours ?? ctx.settings.defaultHoldHours, ctx.settings.maxHoldHours);
    const parcel: Parcel = {
      id: newTimeOrderedId(ctx.random, 'pcl', now),
      carrierId: carrier.id,
      trackingNumber: req.trackingNumber,
      lockerId: locker.id,
      compartment: compartment.index,
      size: req.size,
      state: 'reserved',
      recipientPhoneSealed: req.recipientPhone === undefined ? null : encrypt(ctx.keys.data, req.recipientPhone),
      recipientPhoneMasked: req.recipientPhone === undefined ? null : maskPhone(req.recipientPhone),
      holdHours,
      holdUntil: null,
      reminderSentAt: null,
      createdAt: now,
      depositedAt: null,
      completedAt: null,
      householdId: household?.id ?? null,
    };
    tx.parcels.insert(parcel);
    tx.parcels.addEvent({ parcelId: parcel.id, at: now, type: 'reserved', details: { compartment: compartment.index, size: compartment.size } });
    const depositId = newTimeOrderedId(ctx.random, 'dep', now);
    const command = createCommandInTx(ctx, tx, { lockerId: locker.id, type: 'open', params: { compartment: compartment.index }, actor: depositActor(depositId) });
    effects.send(command);
    const deposit: Deposit = {
      id: depositId,
      parcelId: parcel.id,
      carrierId: carrier.id,
      lockerId: locker.id,
      compartment: compartment.index,
      size: req.size,
      state: 'opening',
      reason: null,
      commandId: command.id,
      idempotencyKey: req.idempotencyKey ?? null,
      confirmedAt: null,
      createdAt: now,
      updatedAt: now,
    };
    tx.deposits.insert(deposit);
    tx.lockers.updateCompartment({ ...compartment, state: 'reserved' });
    return { deposit, created: true };
  });
  await effects.release(ctx);
  return result;
}

/** A household's own compartment takes its mail whatever is in it already, if the item fits and no other deposit is at it. */
function householdCompartment(tx: Tx, household: Household, size: SizeClass): Compartment | undefined {
  const c = tx.lockers.compartment(household.lockerId, household.compartment);
  if (!c || c.state === 'out_of_service' || c.state === 'reserved' || c.door === 'open' || !fits(size, c.size)) return undefined;
  return tx.deposits.liveForCompartment(c.lockerId, c.index) ? undefined : c;
}

export async function getDeposit(ctx: AppContext, carrierId: string, id: string): Promise<Deposit> {
  const d = await ctx.store.read((tx) => tx.deposits.get(id));
  if (!d || d.carrierId !== carrierId) throw new LockergateError('DEPOSIT_NOT_FOUND');
  return d;
}
