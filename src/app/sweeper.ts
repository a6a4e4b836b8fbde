import { decideTimeout, markSent } from '../domain/command.js';
import { isDoorLeftOpen } from '../domain/sensing.js';
import type { AppContext } from './context.js';
import { Effects } from './effects.js';
import { recordCommand } from './command-records.js';

export interface SweepReport {
  ended: number;
  resent: number;
  alarms: number;
}

/**
 * The gateway's own clock-driven rules, run every second by the jobs adapter (and directly by
 * tests with a moved clock): command ack/outcome timeouts and expiry, doors left open, devices
 * offline too long, deposits left unconfirmed. One transaction per sweep.
 */
export async function sweep(ctx: AppContext): Promise<SweepReport> {
  const now = ctx.clock.now();
  const { settings } = ctx;
  const effects = new Effects();
  const report = await ctx.store.transact((tx) => {
    const r: SweepReport = { ended: 0, resent: 0, alarms: 0 };
    for (const c of tx.commands.unfinished()) {
      // An accepted open's outcome may be waiting in a controller that is (re)connecting.
      const link = c.state === 'accepted'
        ? { connected: ctx.transport.isConnected(c.deviceId), since: Math.max(tx.devices.get(c.deviceId)?.connectedAt ?? 0, ctx.startedAt) }
        : undefined;
      const decision = decideTimeout(c, now, settings, link);
      if (decision.action === 'end') {
        recordCommand(ctx, tx, decision.command, effects, now);
        r.ended++;
        if (decision.command.outcome === 'open_not_detected') {
          const compartment = typeof c.params['compartment'] === 'number' ? c.params['compartment'] : null;
          effects.raise(tx, { kind: 'open_not_detected', lockerId: c.lockerId, compartment, details: { commandId: c.id } }, now);
        }
      } else if (decision.action === 'resend' && ctx.transport.isConnected(c.deviceId)) {
        const next = markSent(c, now);
        if (next) {
          tx.commands.update(next);
          effects.send(next);
          r.resent++;
        }
      }
    }
    for (const c of tx.lockers.openDoorsSince(now - settings.doorLeftOpenMs)) {
      if (!isDoorLeftOpen(c, now, settings.doorLeftOpenMs) || tx.alarms.live(c.lockerId, c.index, 'door_left_open')) continue;
      effects.raise(tx, { kind: 'door_left_open', lockerId: c.lockerId, compartment: c.index, details: { openedAt: c.doorOpenedAt } }, now);
    }
    // A deposit whose door is shut but whose parcel was neither sensed nor confirmed (the courier
    // walked away, the sensor failed): the parcel may be inside and nobody told. Someone must look.
    for (const d of tx.deposits.openBefore(now - settings.depositUnconfirmedMs)) {
      const c = tx.lockers.compartment(d.lockerId, d.compartment);
      if (!c || c.door !== 'closed' || tx.alarms.live(d.lockerId, d.compartment, 'deposit_unconfirmed')) continue;
      effects.raise(tx, {
        kind: 'deposit_unconfirmed', lockerId: d.lockerId, compartment: d.compartment,
        details: { depositId: d.id, parcelId: d.parcelId, openSince: d.updatedAt },
      }, now);
    }
    // Offline time counts from this process's start at the earliest: before it, nobody was watching.
    const offlineBefore = now - settings.deviceOfflineAlarmMs;
    for (const d of ctx.startedAt <= offlineBefore ? tx.devices.offlineSince(offlineBefore) : []) {
      // A sleeping mailbox bank is offline only once it oversleeps its announced wake by the same margin.
      if (d.asleepUntil !== null && now < d.asleepUntil + settings.deviceOfflineAlarmMs) continue;
      if (tx.alarms.live(d.lockerId, null, 'device_offline')) continue;
      effects.raise(tx, { kind: 'device_offline', lockerId: d.lockerId, compartment: null, details: { deviceId: d.id, lastSeenAt: d.lastSeenAt } }, now);
    }
    r.alarms = effects.alarms.length;
    return r;
  });
  await effects.release(ctx);
  return report;
}
