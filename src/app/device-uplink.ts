import type { CommandAckT } from '../../protocol/schemas/acks.js';
import type { StateSnapshotT } from '../../protocol/schemas/state.js';
import type { TelemetryT } from '../../protocol/schemas/telemetry.js';
import { applyAck } from '../domain/command.js';
import { reconcileSnapshot } from '../domain/sensing.js';
import type { AppContext } from './context.js';
import type { UplinkVerdict } from './device-session.js';
import { Effects } from './effects.js';
import { recordCommand } from './command-records.js';
import type { Tx } from './ports.js';
import { withSequence } from './sequencing.js';

/** Compartments with an open in flight or just finished: a door open there is expected. */
export function commandedOpens(ctx: AppContext, tx: Tx, lockerId: string, indexes: Iterable<number>, now: number): Set<number> {
  const since = now - ctx.settings.openAttributionMs;
  const out = new Set<number>();
  for (const i of indexes) if (tx.commands.recentOpens(lockerId, i, since).length > 0) out.add(i);
  return out;
}

/** The reconnect snapshot: sensed state updated, every disagreement raised as an alarm. */
export async function applySnapshot(ctx: AppContext, deviceId: string, snap: StateSnapshotT): Promise<UplinkVerdict> {
  const now = ctx.clock.now();
  const effects = new Effects();
  const verdict = await ctx.store.transact((tx) =>
    withSequence(tx, deviceId, snap, now, (device) => {
      const compartments = tx.lockers.compartments(device.lockerId);
      const commanded = commandedOpens(ctx, tx, device.lockerId, snap.compartments.map((c) => c.index), now);
      const { updated, alarms } = reconcileSnapshot(device.lockerId, compartments, snap.compartments, now, commanded);
      for (const c of updated) tx.lockers.updateCompartment(c);
      for (const c of updated) if (c.door === 'closed') tx.alarms.clear(c.lockerId, c.index, 'door_left_open', now);
      for (const a of alarms) effects.raise(tx, a, now);
    }),
  );
  await effects.release(ctx);
  return verdict;
}

export async function applyCommandAck(ctx: AppContext, deviceId: string, ack: CommandAckT): Promise<UplinkVerdict> {
  const now = ctx.clock.now();
  const effects = new Effects();
  const verdict = await ctx.store.transact((tx) =>
    withSequence(tx, deviceId, ack, now, () => {
      const c = tx.commands.get(ack.commandId);
      if (!c || c.deviceId !== deviceId) return 'unknown_command';
      const next = applyAck(c, ack, now);
      if (next) recordCommand(ctx, tx, next, effects, now);
    }),
  );
  await effects.release(ctx);
  return verdict;
}

export async function applyTelemetry(ctx: AppContext, deviceId: string, t: TelemetryT): Promise<UplinkVerdict> {
  const now = ctx.clock.now();
  const { bootId: _b, seq: _s, ...values } = t;
  return ctx.store.transact((tx) =>
    withSequence(tx, deviceId, t, now, (device) => {
      tx.devices.update({ ...device, telemetry: values });
    }),
  );
}
