import { ApiError } from '../api/http-client.js';
import { between } from '../random.js';
import { MINUTE, type NodeContext } from './context.js';
import { shutDoor, waitForDoor, type DoorOutcome } from './door.js';
import { maybePowerCut, strike } from './mischief.js';
import { bump } from './stats.js';
import type { LockerTruth, ParcelTruth } from './world.js';

/** done: collected; retry: come back later; expired: the code ran out (the courier will retrieve); give_up. */
export type PickupOutcome = 'done' | 'retry' | 'expired' | 'give_up';

/** How long a resident waits for a door: two simulated minutes, at least 10 s of real time. */
const doorWaitMs = (ctx: NodeContext): number => Math.max(10_000, (2 * MINUTE) / ctx.opts.speed);

function failed(ctx: NodeContext, reason: string, outcome: PickupOutcome): PickupOutcome {
  ctx.stats.pickups.failed += 1;
  bump(ctx.stats.pickups.reasons, reason);
  return outcome;
}

/**
 * A resident collects a parcel with the code from the SMS: typed at the keypad (protocol §6.7)
 * or, for `appShare` of them, through the app (POST /v1/pickups; on its rate limit, the keypad).
 */
export async function collectParcel(ctx: NodeContext, locker: LockerTruth, parcel: ParcelTruth, code: string): Promise<PickupOutcome> {
  ctx.stats.pickups.started += 1;
  strike(ctx, locker);
  const c = locker.compartments[parcel.compartment - 1]!;
  c.busy = true;
  try {
    // A resident at a sleepy mailbox bank wakes it (protocol 1.1 §13.3) before typing or using the app.
    await locker.controller.wake();
    const opened = ctx.random() < ctx.opts.appShare ? await viaApp(ctx, locker, code, parcel.compartment) : await viaKeypad(ctx, locker, code);
    if (typeof opened === 'string') return opened;
    if (opened.compartment !== parcel.compartment) {
      bump(ctx.stats.errors, 'pickup:wrong_compartment');
      return failed(ctx, 'wrong_compartment', 'give_up');
    }
    const door = await opened.door;
    if (door !== 'open') return failed(ctx, door, 'retry');
    await maybePowerCut(ctx, locker, { compartment: c.index, parcelId: parcel.parcelId });
    await ctx.sleepSim(between(ctx.random, 3000, 8000));
    if (c.content === parcel.parcelId) {
      locker.controller.removeParcel(c.index);
      c.content = null;
      parcel.fate = 'picked_up';
    }
    await shutDoor(ctx, locker, c.index, parcel.parcelId);
    ctx.stats.pickups.done += 1;
    return 'done';
  } finally {
    c.busy = false;
  }
}

interface Opened {
  compartment: number;
  door: Promise<DoorOutcome>;
}

async function viaKeypad(ctx: NodeContext, locker: LockerTruth, code: string): Promise<Opened | PickupOutcome> {
  const ctrl = locker.controller;
  // Offline, only a controller holding a code set (protocol 1.1 §12.4) can check the code.
  if (!ctrl.online && ctrl.codeVersion === null) return failed(ctx, 'keypad_offline', 'retry');
  let reply;
  try {
    reply = await ctrl.typeCode(code);
  } catch {
    return failed(ctx, ctrl.online ? 'keypad_timeout' : 'keypad_offline', 'retry');
  }
  // Refused by the controller itself: the code may not have reached its set yet; come back later.
  if (reply.result === 'deny' && reply.local) return failed(ctx, `offline_${reply.reason}`, 'retry');
  if (reply.result === 'deny') {
    const reason = reply.reason ?? 'deny';
    if (reason === 'expired') return failed(ctx, 'code_expired', 'expired');
    if (reason === 'invalid') {
      // The gateway refused a code it sent us: worth a look, not a retry.
      bump(ctx.stats.errors, 'pickup:code_invalid');
      return failed(ctx, 'code_invalid', 'give_up');
    }
    return failed(ctx, `keypad_${reason}`, 'retry');
  }
  const compartment = reply.compartment ?? -1;
  return { compartment, door: waitForDoor(ctrl, compartment, { commandId: reply.id, timeoutMs: doorWaitMs(ctx) }) };
}

async function viaApp(ctx: NodeContext, locker: LockerTruth, code: string, compartment: number): Promise<Opened | PickupOutcome> {
  try {
    const res = await ctx.api.pickup(locker.lockerId, code);
    if (res.state === 'failed') return failed(ctx, `app_${res.reason ?? 'failed'}`, 'retry');
    const ctrl = locker.controller;
    return { compartment: res.compartment, door: waitForDoor(ctrl, res.compartment, { timeoutMs: doorWaitMs(ctx) }) };
  } catch (err) {
    // No answer (the gateway went down mid-request): it may have opened the door anyway, and the
    // resident standing there sees it; if it stays shut, they come back later.
    if (!(err instanceof ApiError)) return { compartment, door: waitForDoor(locker.controller, compartment, { timeoutMs: doorWaitMs(ctx) }) };
    // The per-client rate limit protects codes from guessing; a resident then uses the keypad.
    if (err.code === 'RATE_LIMITED') return viaKeypad(ctx, locker, code);
    if (err.code === 'PICKUP_CODE_EXPIRED') return failed(ctx, 'code_expired', 'expired');
    if (err.code === 'PICKUP_CODE_INVALID') {
      bump(ctx.stats.errors, 'pickup:code_invalid');
      return failed(ctx, 'code_invalid', 'give_up');
    }
    return failed(ctx, `app_${err.code}`, 'retry');
  }
}
