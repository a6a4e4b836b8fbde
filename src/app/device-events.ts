import type {
  DeviceEventT,
  DoorEventT,
  FaultEventT,
  KeypadEventT,
  OccupancyEventT,
  OpenResultEventT,
} from '../../protocol/schemas/events.js';
import type { AlarmKind } from '../domain/alarm.js';
import { applyOpenResult } from '../domain/command.js';
import { applyDoorReport, applyOccupancyReport } from '../domain/sensing.js';
import type { UplinkVerdict } from './device-session.js';
import { commandedOpens } from './device-uplink.js';
import type { AppContext } from './context.js';
import { Effects } from './effects.js';
import { recordCommand } from './command-records.js';
import { onDoorClosed } from './parcels/reactions.js';
import { handleKeypadEntry } from './parcels/pickups.js';
import { handleLocalOpen } from './offline/local-open.js';
import { withSequence } from './sequencing.js';
import type { EventScope } from './event-scope.js';


type Handler<E> = (scope: EventScope, event: E) => UplinkVerdict | void;

const onDoor: Handler<DoorEventT> = ({ ctx, tx, device, now, effects }, e) => {
  const c = tx.lockers.compartment(device.lockerId, e.compartment);
  if (!c) return 'unknown_compartment';
  const commanded = e.door === 'open' && commandedOpens(ctx, tx, device.lockerId, now).has(e.compartment);
  const result = applyDoorReport(c, { door: e.door, at: now, commanded });
  tx.lockers.updateCompartment(result.compartment);
  for (const a of result.alarms) effects.raise(tx, a, now);
  for (const kind of result.clears) tx.alarms.clear(c.lockerId, c.index, kind, now);
  if (e.door === 'closed') onDoorClosed(ctx, tx, c, result.compartment, effects, now);
};

const onOccupancy: Handler<OccupancyEventT> = ({ tx, device, now }, e) => {
  const c = tx.lockers.compartment(device.lockerId, e.compartment);
  if (!c) return 'unknown_compartment';
  tx.lockers.updateCompartment(applyOccupancyReport(c, e.occupancy, now));
};

const onOpenResult: Handler<OpenResultEventT> = ({ ctx, tx, device, now, effects }, e) => {
  const c = tx.commands.get(e.commandId);
  if (!c || c.deviceId !== device.id) return 'unknown_command';
  const next = applyOpenResult(c, e.result, now);
  if (!next) return;
  recordCommand(ctx, tx, next, effects, now);
  if (e.result === 'jammed') {
    effects.raise(tx, { kind: 'door_jammed', lockerId: device.lockerId, compartment: e.compartment, details: { commandId: c.id } }, now);
  }
};

const onKeypad: Handler<KeypadEventT> = (scope, e) => {
  handleKeypadEntry(scope, e);
};

const FAULT_ALARMS: Record<Exclude<FaultEventT['fault'], 'power_restored'>, AlarmKind> = {
  tamper: 'tamper',
  power_lost: 'power',
  sensor_fault: 'sensor_fault',
  low_battery: 'low_battery',
};

const onFault: Handler<FaultEventT> = ({ tx, device, now, effects }, e) => {
  if (e.fault === 'power_restored') {
    tx.alarms.clear(device.lockerId, null, 'power', now);
    return;
  }
  const details: Record<string, unknown> = e.detail ? { detail: e.detail } : {};
  const compartment = e.fault === 'sensor_fault' ? (e.compartment ?? null) : null;
  // A dead occupancy sensor's last reading is not the truth any more: unknown until it reports
  // again, so a deposit there completes by the courier's confirmation, not by a stale "absent".
  const c = compartment === null ? undefined : tx.lockers.compartment(device.lockerId, compartment);
  if (c && c.occupancy !== 'unknown') tx.lockers.updateCompartment({ ...c, occupancy: 'unknown', sensedAt: now });
  effects.raise(tx, { kind: FAULT_ALARMS[e.fault], lockerId: device.lockerId, compartment, details }, now);
};

/** One handler per event type behind this thin dispatcher (protocol README §4). */
function dispatch(scope: EventScope, e: DeviceEventT): UplinkVerdict | void {
  switch (e.type) {
    case 'door':
      return onDoor(scope, e);
    case 'occupancy':
      return onOccupancy(scope, e);
    case 'open_result':
      return onOpenResult(scope, e);
    case 'keypad':
      return onKeypad(scope, e);
    case 'fault':
      return onFault(scope, e);
    case 'local_open':
      return handleLocalOpen(scope, e);
  }
}

export async function applyDeviceEvent(ctx: AppContext, deviceId: string, event: DeviceEventT): Promise<UplinkVerdict> {
  const now = ctx.clock.now();
  const effects = new Effects();
  const verdict = await ctx.store.transact((tx) =>
    withSequence(tx, deviceId, event, now, (device) => dispatch({ ctx, tx, device, now, effects }, event)),
  );
  await effects.release(ctx);
  return verdict;
}

