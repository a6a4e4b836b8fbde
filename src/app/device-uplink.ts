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
import type { Compartment } from '../domain/locker.js';
import { withSequence } from './sequencing.js';
import { onDoorClosed } from './parcels/reactions.js';

/** Compartments with an open in flight or just finished: a door open there is expected. */
export function commandedOpens(ctx: AppContext, tx: Tx, lockerId: string, now: number): Set<number> {
  const since = now - ctx.settings.openAttributionMs;
  const out = tx.commands.compartmentsWithRecentOpens(lockerId, since);
  // A controller's own opening (offline pickup, household code, protocol §12.4) is expected too.
  for (const i of tx.localOpens.compartmentsSince(lockerId, since)) out.add(i);
  return out;
}

/** Whether a snapshot entry changes what is stored (door, occupancy, or when the door opened). */
function sensedChange(before: Compartment | undefined, after: Compartment): boolean {
  return before === undefined || before.door !== after.door || before.occupancy !== after.occupancy || before.doorOpenedAt !== after.doorOpenedAt || before.sensedAt === null;
}

/**
 * The reconnect snapshot: sensed state updated, every disagreement raised as an alarm. A door
 * last known open that the snapshot shows shut is acted on as its door-closed event would be
 * (a deposit completes on the parcel sensed): the event itself may be lost — a controller whose
 * queue did not survive a power cut — and if it is replayed later it changes nothing more.
 */
export async function applySnapshot(ctx: AppContext, deviceId: string, snap: StateSnapshotT): Promise<UplinkVerdict> {
  const now = ctx.clock.now();
  const effects = new Effects();
  const verdict = await ctx.store.transact((tx) =>
    withSequence(tx, deviceId, snap, now, (device) => {
      const compartments = tx.lockers.compartments(device.lockerId);
      const commanded = commandedOpens(ctx, tx, device.lockerId, now);
      const { updated, alarms } = reconcileSnapshot(device.lockerId, compartments, snap.compartments, now, commanded);
      // Only what changed is written: a reconnect storm re-reports thousands of unchanged doors.
      const before = new Map(compartments.map((c) => [c.index, c]));
      for (const c of updated) {
        const was = before.get(c.index);
        if (!sensedChange(was, c)) continue;
        tx.lockers.updateCompartment(c);
        if (was?.door === 'open' && c.door === 'closed') onDoorClosed(ctx, tx, was, c, effects, now);
      }
      tx.alarms.clearCompartments(device.lockerId, updated.filter((c) => c.door === 'closed').map((c) => c.index), 'door_left_open', now);
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

/** Battery below this raises low_battery; it clears once the battery is back above LOW_BATTERY_CLEAR_PCT. */
export const LOW_BATTERY_PCT = 20;
export const LOW_BATTERY_CLEAR_PCT = 30;

/** Telemetry is kept as reported; a battery running low (mailbox banks, §13) raises low_battery. */
export async function applyTelemetry(ctx: AppContext, deviceId: string, t: TelemetryT): Promise<UplinkVerdict> {
  const now = ctx.clock.now();
  const effects = new Effects();
  const { bootId: _b, seq: _s, ...values } = t;
  const verdict = await ctx.store.transact((tx) =>
    withSequence(tx, deviceId, t, now, (device) => {
      tx.devices.update({ ...device, telemetry: values });
      const pct = t.batteryPct;
      if (pct === undefined || t.mainsPower === true) return;
      if (pct < LOW_BATTERY_PCT) effects.raise(tx, { kind: 'low_battery', lockerId: device.lockerId, compartment: null, details: { batteryPct: pct, source: 'telemetry' } }, now);
      else if (pct >= LOW_BATTERY_CLEAR_PCT) tx.alarms.clear(device.lockerId, null, 'low_battery', now);
    }),
  );
  await effects.release(ctx);
  return verdict;
}
