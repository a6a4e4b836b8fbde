import { ApiError } from '../api/http-client.js';
import type { DepositView } from '../api/gateway-api.js';
import { between } from '../random.js';
import { MINUTE, type NodeContext } from './context.js';
import { shutDoor, waitForDoor } from './door.js';
import { maybePowerCut, strike } from './mischief.js';
import { bump } from './stats.js';
import type { LockerTruth, ParcelTruth } from './world.js';

/** A courier waits for a deposit's door until the gateway gives up on it (the API says so). */
const DOOR_WAIT_MS = 5 * MINUTE;
/** No API shows a retrieval's progress: two simulated minutes, at least 10 s of real time. */
const retrievalWaitMs = (ctx: NodeContext): number => Math.max(10_000, (2 * MINUTE) / ctx.opts.speed);

function refused(ctx: NodeContext, what: 'deposits' | 'retrievals', err: unknown): void {
  const code = err instanceof ApiError ? err.code : 'NETWORK';
  ctx.stats[what].failed += 1;
  bump(ctx.stats[what].reasons, code);
  if (!(err instanceof ApiError) || err.status >= 500 && err.code !== 'LOCKER_OFFLINE') bump(ctx.stats.errors, `${what}:${code}`);
}

/**
 * A courier deposits one parcel (README "HTTP API", courier routes): POST /v1/deposits, wait
 * at the locker for the door, put the parcel in, shut the door, and see it through to
 * `deposited` (confirming through the API where the compartment cannot sense the parcel).
 */
export async function depositParcel(ctx: NodeContext, locker: LockerTruth, size: string, noShow: boolean): Promise<ParcelTruth | null> {
  const { api, world, stats } = ctx;
  const carrier = Math.floor(ctx.random() * ctx.carrierKeys.length);
  const key = ctx.carrierKeys[carrier]!;
  const serial = ctx.nextSerial();
  stats.deposits.started += 1;
  strike(ctx, locker);
  // The courier at a sleepy mailbox bank wakes it (protocol 1.1 §13.3), so the open arrives now.
  await locker.controller.wake();
  const startedAt = Date.now();
  let dep: DepositView;
  const request = {
    lockerId: locker.lockerId,
    size,
    trackingNumber: `SIM-${serial}`,
    recipientPhone: `+86139${String(Math.floor(ctx.random() * 1e8)).padStart(8, '0')}`,
    holdHours: ctx.holdHours,
  };
  try {
    dep = await withRetries(() => api.deposit(key, request, `sim-${serial}`));
  } catch (err) {
    refused(ctx, 'deposits', err);
    return null;
  }
  const parcel: ParcelTruth = { parcelId: dep.parcelId, depositId: dep.depositId, carrier, lockerId: locker.lockerId, compartment: dep.compartment, fate: 'with_courier', noShow };
  world.parcels.set(parcel.parcelId, parcel);
  ctx.announceParcel(parcel.parcelId);
  const c = locker.compartments[dep.compartment - 1];
  if (!c) {
    bump(stats.errors, 'deposit:unknown_compartment');
    return null;
  }
  c.busy = true;
  try {
    const outcome = await waitForDoor(locker.controller, c.index, {
      timeoutMs: DOOR_WAIT_MS,
      failed: async () => ['failed', 'cancelled'].includes((await api.getDeposit(key, dep.depositId)).state),
    });
    if (outcome === 'open') ctx.recordOpenLatency(startedAt, Date.now() - startedAt);
    if (outcome !== 'open') {
      parcel.fate = 'not_deposited';
      const final = await api.getDeposit(key, dep.depositId).catch(() => null);
      stats.deposits.failed += 1;
      bump(stats.deposits.reasons, final?.reason ?? outcome);
      return parcel;
    }
    await maybePowerCut(ctx, locker, { compartment: c.index, parcelId: parcel.parcelId });
    await ctx.sleepSim(between(ctx.random, 3000, 10_000));
    locker.controller.placeParcel(c.index);
    c.content = parcel.parcelId;
    parcel.fate = 'in_locker';
    if ((await shutDoor(ctx, locker, c.index, parcel.parcelId)) === 'left_open') {
      // The courier walked away; the deposit completes when someone shuts the door.
      bump(stats.deposits.reasons, 'left_open');
      return parcel;
    }
    // Still at the bank: if it fell asleep meanwhile, the door events wait for a wake.
    await locker.controller.wake();
    await settle(ctx, key, dep.depositId);
    return parcel;
  } finally {
    c.busy = false;
  }
}

/**
 * A courier's app that got no answer (connection refused or reset: the gateway restarting) asks
 * again with the same Idempotency-Key for up to a minute, so a deposit the gateway committed
 * just before it went down is found again instead of left behind with its door open.
 */
async function withRetries<T>(call: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 60_000;
  for (let wait = 200; ; wait = Math.min(2000, wait * 2)) {
    try {
      return await call();
    } catch (err) {
      if (err instanceof ApiError || Date.now() + wait > deadline) throw err;
    }
    await new Promise((r) => setTimeout(r, wait));
  }
}

/**
 * After the door is shut: deposited, or failed, or — where the compartment cannot sense the
 * parcel — confirmed by the courier. The gateway keeps a confirmation made before it has seen the
 * door close (the controller may be asleep or reconnecting) and completes the deposit when it does.
 */
async function settle(ctx: NodeContext, key: string, depositId: string): Promise<void> {
  const { api, stats } = ctx;
  let mayConfirm = true;
  // A courier gives the locker two (simulated) minutes to register the parcel, then moves on.
  const deadline = Date.now() + Math.max(3000, (2 * MINUTE) / ctx.opts.speed);
  for (;;) {
    const d = await api.getDeposit(key, depositId).catch(() => null);
    if (d?.state === 'deposited') {
      stats.deposits.done += 1;
      return;
    }
    if (d?.state === 'failed' || d?.state === 'cancelled') {
      stats.deposits.failed += 1;
      bump(stats.deposits.reasons, d.reason ?? d.state);
      return;
    }
    if (d?.state === 'open' && mayConfirm) {
      try {
        const confirmed = await api.confirmDeposit(key, depositId);
        // Kept until the controller reports the door shut: nothing more to say.
        if (confirmed.state === 'open') mayConfirm = false;
        continue;
      } catch (err) {
        // CONFIRMATION_NOT_NEEDED: the gateway waits for its occupancy sensor, not for us.
        if (err instanceof ApiError && err.code === 'CONFIRMATION_NOT_NEEDED') mayConfirm = false;
        else if (!(err instanceof ApiError)) bump(stats.errors, 'confirm:NETWORK');
      }
    }
    if (Date.now() > deadline) {
      stats.deposits.failed += 1;
      bump(stats.deposits.reasons, `stuck_${d?.state ?? 'unknown'}`);
      return;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** A courier takes back an expired parcel: POST /v1/retrievals, door, parcel out, door shut. */
export async function retrieveParcel(ctx: NodeContext, locker: LockerTruth, parcel: ParcelTruth): Promise<boolean> {
  const { api, stats } = ctx;
  const key = ctx.carrierKeys[parcel.carrier]!;
  const c = locker.compartments[parcel.compartment - 1]!;
  stats.retrievals.started += 1;
  strike(ctx, locker);
  await locker.controller.wake();
  c.busy = true;
  try {
    try {
      await api.retrieve(key, parcel.parcelId);
    } catch (err) {
      refused(ctx, 'retrievals', err);
      return false;
    }
    // No API shows a retrieval's progress: the door (or the jam) is the answer; a command that
    // expired undelivered shows as no door at all.
    const outcome = await waitForDoor(locker.controller, c.index, { timeoutMs: retrievalWaitMs(ctx) });
    if (outcome !== 'open') {
      stats.retrievals.failed += 1;
      bump(stats.retrievals.reasons, outcome);
      return false;
    }
    await maybePowerCut(ctx, locker, { compartment: c.index, parcelId: parcel.parcelId });
    await ctx.sleepSim(between(ctx.random, 3000, 8000));
    if (c.content === parcel.parcelId) {
      locker.controller.removeParcel(c.index);
      c.content = null;
      parcel.fate = 'returned';
    }
    await shutDoor(ctx, locker, c.index, parcel.parcelId);
    stats.retrievals.done += 1;
    return true;
  } finally {
    c.busy = false;
  }
}
