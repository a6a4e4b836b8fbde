import type { StatusOnlineT } from '../../protocol/schemas/status.js';
import { judgeSequence } from '../domain/device.js';
import type { AppContext } from './context.js';
import { markSent } from '../domain/command.js';
import { Effects } from './effects.js';
import { recordCommand } from './command-records.js';
import { onHelloCodes, syncDeviceInTx } from './offline/sync.js';

export type UplinkVerdict = 'applied' | 'gap' | 'duplicate' | 'stale_boot' | 'unknown_device' | 'unknown_compartment' | 'unknown_command';

export async function deviceConnected(ctx: AppContext, deviceId: string): Promise<void> {
  const now = ctx.clock.now();
  await ctx.store.transact((tx) => {
    const lockerId = tx.devices.recordLink(deviceId, true, now);
    if (lockerId !== undefined) tx.alarms.clear(lockerId, null, 'device_offline', now);
  });
}

/** Called only for the device's current connection (the broker adapter guards late wills and takeovers). */
export async function deviceDisconnected(ctx: AppContext, deviceId: string): Promise<void> {
  const now = ctx.clock.now();
  await ctx.store.transact((tx) => tx.devices.recordLink(deviceId, false, now));
}

/**
 * A sleepy controller says goodbye until `nextWakeAt` (protocol §13): it is asleep, not lost, so no
 * device_offline alarm until it oversleeps. Only its current boot may say so.
 */
export async function applySleep(ctx: AppContext, deviceId: string, bootId: string, nextWakeAt: number): Promise<UplinkVerdict> {
  const now = ctx.clock.now();
  return ctx.store.transact((tx): UplinkVerdict => {
    const d = tx.devices.get(deviceId);
    if (!d) return 'unknown_device';
    if (d.bootId !== bootId) return 'stale_boot';
    // A controller's clock is its own: a wake more than a day away is taken as one day.
    tx.devices.update({ ...d, asleepUntil: Math.min(Math.max(nextWakeAt, now), now + 86_400_000), lastSeenAt: now });
    return 'applied';
  });
}

/**
 * Device hello (status online), one transaction:
 *   1. dedup: same boot → seq must advance; a new boot id starts a new sequence;
 *   2. record model, firmware, protocol version, last seen;
 *   3. the code set it holds is now known (protocol §12), code syncs from before are superseded;
 *   4. a new boot ends opens sent to the old boot (never re-sent: it may have acted on them);
 *   5. queued and unacknowledged commands that have not expired are marked sent again, and
 *      whatever brings its code set up to date is planned;
 *   6. after commit, those go out in that order.
 */
export async function applyHello(ctx: AppContext, deviceId: string, hello: StatusOnlineT): Promise<UplinkVerdict> {
  const now = ctx.clock.now();
  const effects = new Effects();
  // v1.1 fields count only from a controller that says it speaks 1.1 or later (protocol §9).
  const v11 = hello.protocol !== '1.0';
  const verdict = await ctx.store.transact((tx): UplinkVerdict => {
    const d = tx.devices.get(deviceId);
    if (!d) return 'unknown_device';
    const newBoot = d.bootId !== hello.bootId;
    if (!newBoot && judgeSequence(d, hello.bootId, hello.seq) === 'duplicate') return 'duplicate';
    tx.devices.update({
      ...d,
      bootId: hello.bootId,
      lastSeq: hello.seq,
      model: hello.model,
      firmware: hello.firmware,
      protocol: hello.protocol,
      lastSeenAt: now,
      wakeIntervalS: v11 ? (hello.wakeIntervalS ?? null) : null,
      asleepUntil: null,
    });
    const undelivered = tx.commands.undelivered(deviceId);
    for (const c of onHelloCodes(ctx, tx, d, v11 ? hello.codeVersion : undefined, now, undelivered)) effects.changed(c);
    for (const c of undelivered) {
      if (c.type === 'code_sync') continue; // superseded just above
      if (newBoot && d.bootId !== null && c.state === 'sent' && (c.type === 'open' || c.type === 'keypad_reply')) {
        const ended = { ...c, state: 'failed' as const, outcome: 'interrupted_by_reboot' as const, completedAt: now };
        recordCommand(ctx, tx, ended, effects, now);
        continue;
      }
      if (now >= c.expiresAt) continue; // expired at expiresAt (protocol §6.3); the sweeper records it
      const next = markSent(c, now);
      if (!next) continue;
      tx.commands.update(next);
      effects.send(next);
    }
    for (const c of syncDeviceInTx(ctx, tx, d, d.lockerId)) effects.send(c);
    return 'applied';
  });
  await effects.release(ctx);
  return verdict;
}
