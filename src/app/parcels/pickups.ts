import type { KeypadEventT } from '../../../protocol/schemas/events.js';
import type { Command } from '../../domain/command.js';
import type { Pickup } from '../../domain/deposit.js';
import { LockergateError } from '../../domain/errors.js';
import type { Parcel } from '../../domain/parcel.js';
import { createCommandInTx, waitForCommand } from '../commands.js';
import type { AppContext } from '../context.js';
import { Effects } from '../effects.js';
import type { EventScope } from '../event-scope.js';
import { newTimeOrderedId } from '../ids.js';
import type { Tx } from '../ports.js';
import { verifyPickupCode } from './codes.js';
import { pickupActor } from './reactions.js';

function newPickup(ctx: AppContext, parcel: Parcel, kind: Pickup['kind'], channel: Pickup['channel'], now: number): Pickup {
  return {
    id: newTimeOrderedId(ctx.random, 'pck', now),
    kind,
    channel,
    parcelId: parcel.id,
    lockerId: parcel.lockerId,
    compartment: parcel.compartment,
    state: 'opening',
    reason: null,
    commandId: null,
    createdAt: now,
    completedAt: null,
  };
}

/**
 * A code typed at the keypad (protocol §6.7): the answer is a `keypad_reply` — open the parcel's
 * compartment, or deny with a reason the controller shows (invalid, expired, locked out).
 */
export function handleKeypadEntry({ ctx, tx, device, effects, now }: EventScope, e: KeypadEventT): void {
  const verdict = verifyPickupCode(ctx, tx, effects, { lockerId: device.lockerId, code: e.code, channel: 'keypad' }, now);
  const base = { lockerId: device.lockerId, type: 'keypad_reply' as const, ttlMs: 30_000 };
  if (!verdict.ok) {
    const reply = createCommandInTx(ctx, tx, { ...base, params: { requestId: e.requestId, result: 'deny', reason: verdict.reason }, actor: `keypad:${e.requestId}` });
    effects.send(reply);
    return;
  }
  const pickup = newPickup(ctx, verdict.parcel, 'resident', 'keypad', now);
  const reply = createCommandInTx(ctx, tx, {
    ...base,
    params: { requestId: e.requestId, result: 'open', compartment: verdict.parcel.compartment },
    actor: pickupActor(pickup.id),
  });
  tx.pickups.insert({ ...pickup, commandId: reply.id });
  effects.send(reply);
}

export interface PickupResult {
  pickup: Pickup;
  command: Command;
}

/** Runs `start` in one transaction, publishes its command, then waits for the door up to `waitMs`. */
async function openFor(ctx: AppContext, waitMs: number, start: (tx: Tx, effects: Effects) => Pickup | LockergateError): Promise<PickupResult> {
  const effects = new Effects();
  // A refused code is committed (it counts toward the lockout) and only then reported.
  const started = await ctx.store.transact((tx) => start(tx, effects));
  await effects.release(ctx);
  if (started instanceof LockergateError) throw started;
  const command = await waitForCommand(ctx, started.commandId!, waitMs);
  const pickup = (await ctx.store.read((tx) => tx.pickups.get(started.id)))!;
  return { pickup, command };
}

function requireOnline(ctx: AppContext, tx: Tx, lockerId: string): void {
  const device = tx.devices.byLocker(lockerId);
  if (!tx.lockers.get(lockerId)) throw new LockergateError('LOCKER_NOT_FOUND');
  if (!device || !ctx.transport.isConnected(device.id)) throw new LockergateError('LOCKER_OFFLINE');
}

const CODE_ERRORS = { invalid: 'PICKUP_CODE_INVALID', expired: 'PICKUP_CODE_EXPIRED', locked_out: 'PICKUP_LOCKED_OUT' } as const;

/** A resident collects with the code through the app or a QR scan. */
export async function pickupByCode(ctx: AppContext, input: { lockerId: string; code: string; waitMs: number }): Promise<PickupResult> {
  const now = ctx.clock.now();
  return openFor(ctx, input.waitMs, (tx, effects) => {
    requireOnline(ctx, tx, input.lockerId);
    const verdict = verifyPickupCode(ctx, tx, effects, { lockerId: input.lockerId, code: input.code, channel: 'api' }, now);
    if (!verdict.ok) return new LockergateError(CODE_ERRORS[verdict.reason]);
    return startOpen(ctx, tx, effects, newPickup(ctx, verdict.parcel, 'resident', 'api', now));
  });
}

/** A courier takes back a parcel (expired, or recalled while deposited). */
export async function retrieveParcel(ctx: AppContext, carrierId: string, parcelId: string, waitMs: number): Promise<PickupResult> {
  const now = ctx.clock.now();
  return openFor(ctx, waitMs, (tx, effects) => {
    const parcel = tx.parcels.get(parcelId);
    if (!parcel || parcel.carrierId !== carrierId) throw new LockergateError('PARCEL_NOT_FOUND');
    if (parcel.state !== 'deposited' && parcel.state !== 'expired') throw new LockergateError('PARCEL_NOT_RETRIEVABLE', undefined, { state: parcel.state });
    requireOnline(ctx, tx, parcel.lockerId);
    return startOpen(ctx, tx, effects, newPickup(ctx, parcel, 'retrieval', 'carrier', now));
  });
}

function startOpen(ctx: AppContext, tx: Tx, effects: Effects, pickup: Pickup): Pickup {
  const command = createCommandInTx(ctx, tx, { lockerId: pickup.lockerId, type: 'open', params: { compartment: pickup.compartment }, actor: pickupActor(pickup.id) });
  const withCommand = { ...pickup, commandId: command.id };
  tx.pickups.insert(withCommand);
  effects.send(command);
  return withCommand;
}
