import type { Command } from '../domain/command.js';
import { LockergateError } from '../domain/errors.js';
import { createCommandInTx, publishCommands } from './commands.js';
import type { AppContext } from './context.js';
import { hashSecret, newId, newSecret } from './ids.js';
import { notifyCarrier } from './notifications.js';
import { addHouseholdCode, controllerHasher, isFreeOffline, revokeHouseholdCodes } from './offline/code-set.js';
import { moveParcel, parcelSummary } from './parcels/lifecycle.js';
import type { Tx } from './ports.js';
import type { Household } from './offline/ports.js';
import { recordPickup } from './reports/rollups.js';

/**
 * Households of a retrofitted mailbox bank (protocol §13): a compartment of their own for letters
 * and small parcels, opened with the household's own code at the keypad (checked by the
 * controller itself, even while it sleeps) or from the household's app. Mail in it needs no code.
 */

export const HOUSEHOLD_CODE_DIGITS = 8;
const APP_TOKEN_PREFIX = 'lgh_';
export const householdActor = (householdId: string) => `household:${householdId}`;

export interface HouseholdCredentials {
  household: Household;
  /** Typed at the mailbox bank's keypad; shown once. */
  code: string;
  /** For the household's app (`Authorization: Bearer …`); shown once. */
  appToken: string;
}

/** A fresh household code, unique among the codes the bank's controller holds; put in its set. */
function issueHouseholdCode(ctx: AppContext, tx: Tx, household: Household): string {
  const controller = controllerHasher(ctx, tx, household.lockerId);
  for (let attempt = 0; attempt < 50; attempt++) {
    const code = String(ctx.random(4).readUInt32BE(0) % 10 ** HOUSEHOLD_CODE_DIGITS).padStart(HOUSEHOLD_CODE_DIGITS, '0');
    const hash = controller.hash(code);
    if (!isFreeOffline(tx, household.lockerId, hash)) continue;
    addHouseholdCode(ctx, tx, household, hash);
    return code;
  }
  throw new LockergateError('INTERNAL', 'Could not find a free household code for this locker.');
}

/** Assigns a mailbox-bank compartment to a household; its code and app token are returned once. */
export async function createHousehold(ctx: AppContext, input: { lockerId: string; compartment: number; label: string }, actor: string): Promise<HouseholdCredentials> {
  const now = ctx.clock.now();
  const appToken = `${APP_TOKEN_PREFIX}${newSecret(ctx.random, 24)}`;
  return ctx.store.transact((tx) => {
    const locker = tx.lockers.get(input.lockerId);
    if (!locker) throw new LockergateError('LOCKER_NOT_FOUND');
    if (locker.kind !== 'mailbox_bank') throw new LockergateError('NOT_A_MAILBOX_BANK');
    const compartment = tx.lockers.compartment(locker.id, input.compartment);
    if (!compartment) throw new LockergateError('COMPARTMENT_NOT_FOUND');
    if (tx.households.atCompartment(locker.id, compartment.index)) throw new LockergateError('COMPARTMENT_HAS_HOUSEHOLD');
    if (tx.parcels.liveInCompartment(locker.id, compartment.index) || compartment.state === 'reserved') throw new LockergateError('COMPARTMENT_IN_USE');
    const household: Household = { id: newId(ctx.random, 'hh', 10), lockerId: locker.id, compartment: compartment.index, label: input.label, createdAt: now, removedAt: null };
    tx.households.insert(household, hashSecret(appToken));
    const code = issueHouseholdCode(ctx, tx, household);
    tx.audit.append({ at: now, actor, action: 'household.create', target: household.id, details: { lockerId: locker.id, compartment: compartment.index } });
    return { household, code, appToken };
  });
}

/** A new keypad code for the household (the old one is revoked on the controller). */
export async function resetHouseholdCode(ctx: AppContext, householdId: string, actor: string): Promise<{ household: Household; code: string }> {
  const now = ctx.clock.now();
  return ctx.store.transact((tx) => {
    const household = liveHousehold(tx, householdId);
    revokeHouseholdCodes(ctx, tx, household.id, now, 'reissued');
    const code = issueHouseholdCode(ctx, tx, household);
    tx.audit.append({ at: now, actor, action: 'household.reset_code', target: household.id, details: {} });
    return { household, code };
  });
}

export async function removeHousehold(ctx: AppContext, householdId: string, actor: string): Promise<Household> {
  const now = ctx.clock.now();
  return ctx.store.transact((tx) => {
    const household = liveHousehold(tx, householdId);
    revokeHouseholdCodes(ctx, tx, household.id, now, 'household_removed');
    tx.households.remove(household.id, now);
    tx.audit.append({ at: now, actor, action: 'household.remove', target: household.id, details: {} });
    return { ...household, removedAt: now };
  });
}

export async function listHouseholds(ctx: AppContext, lockerId: string): Promise<Array<Household & { mailWaiting: number }>> {
  return ctx.store.read((tx) => {
    if (!tx.lockers.get(lockerId)) throw new LockergateError('LOCKER_NOT_FOUND');
    return tx.households.listForLocker(lockerId).map((h) => ({ ...h, mailWaiting: tx.parcels.depositedForHousehold(h.id).length }));
  });
}

export async function householdByAppToken(ctx: AppContext, token: string): Promise<Household | undefined> {
  if (!token.startsWith(APP_TOKEN_PREFIX)) return undefined;
  return ctx.store.read((tx) => tx.households.byAppToken(hashSecret(token)));
}

function liveHousehold(tx: Tx, id: string): Household {
  const h = tx.households.get(id);
  if (!h || h.removedAt !== null) throw new LockergateError('HOUSEHOLD_NOT_FOUND');
  return h;
}

/**
 * The household opens its compartment from the app. A sleeping mailbox bank gets the open on its
 * next wake: the command waits, with an expiry that covers the sleep (protocol §13).
 */
export async function openForHousehold(ctx: AppContext, household: Household): Promise<Command> {
  const now = ctx.clock.now();
  const command = await ctx.store.transact((tx) => {
    const device = tx.devices.byLocker(household.lockerId);
    if (!device) throw new LockergateError('DEVICE_NOT_FOUND');
    const wakeBy = device.asleepUntil ?? (device.wakeIntervalS !== null && !ctx.transport.isConnected(device.id) ? now + device.wakeIntervalS * 1000 : now);
    const ttlMs = Math.max(ctx.settings.commandTtlMs, wakeBy - now + ctx.settings.commandTtlMs);
    return createCommandInTx(ctx, tx, {
      lockerId: household.lockerId,
      type: 'open',
      params: { compartment: household.compartment },
      actor: householdActor(household.id),
      ttlMs,
      audit: { action: 'household.open', target: household.id, details: { channel: 'app' } },
    });
  });
  ctx.events.commandChanged(command);
  await publishCommands(ctx, [command]);
  return command;
}

/** The household's door opened (app or own code): every letter and parcel waiting there is collected. */
export function collectHouseholdMail(ctx: AppContext, tx: Tx, household: Household, now: number, how: Record<string, unknown>): number {
  const waiting = tx.parcels.depositedForHousehold(household.id);
  for (const parcel of waiting) {
    const moved = moveParcel(tx, parcel, 'picked_up', now, { household: household.id, ...how });
    recordPickup(tx, moved, now);
    notifyCarrier(ctx, tx, parcel.carrierId, 'parcel.picked_up', parcelSummary(moved), now);
  }
  const c = tx.lockers.compartment(household.lockerId, household.compartment);
  if (c && c.state === 'occupied') tx.lockers.updateCompartment({ ...c, state: 'available' });
  return waiting.length;
}

/** An app open of a household's compartment ended: done → the mail is collected. */
export function onHouseholdCommand(ctx: AppContext, tx: Tx, c: Command, now: number): void {
  if (!c.actor.startsWith('household:') || c.state !== 'done') return;
  const household = tx.households.get(c.actor.slice('household:'.length));
  if (household) collectHouseholdMail(ctx, tx, household, now, { channel: 'app', commandId: c.id });
}
