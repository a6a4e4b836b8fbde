import type { AlarmDraft } from './alarm.js';
import type { Compartment, SensedDoor, SensedOccupancy } from './locker.js';

/**
 * Rules for what the hardware reports. Sensed state is always recorded; operational state is
 * never changed here: a disagreement between the two becomes an alarm for a person to look at.
 */

export interface DoorReport {
  door: 'open' | 'closed';
  at: number;
  /** True when the gateway has an open command in flight (or just done) for this compartment. */
  commanded: boolean;
}

export interface SensingResult {
  compartment: Compartment;
  alarms: AlarmDraft[];
  /** Kinds of open alarms on this compartment that the report ends. */
  clears: Array<AlarmDraft['kind']>;
}

export function applyDoorReport(c: Compartment, r: DoorReport): SensingResult {
  const alarms: AlarmDraft[] = [];
  const clears: SensingResult['clears'] = [];
  let doorOpenedAt = c.doorOpenedAt;
  if (r.door === 'open') {
    if (c.door !== 'open') doorOpenedAt = r.at;
    if (!r.commanded && c.door !== 'open') {
      alarms.push({ kind: 'door_forced', lockerId: c.lockerId, compartment: c.index, details: { operationalState: c.state } });
    }
  } else {
    doorOpenedAt = null;
    clears.push('door_left_open');
  }
  return { compartment: { ...c, door: r.door, sensedAt: r.at, doorOpenedAt }, alarms, clears };
}

export function applyOccupancyReport(c: Compartment, occupancy: 'present' | 'absent', at: number): Compartment {
  return { ...c, occupancy, sensedAt: at };
}

/** Whether sensed occupancy contradicts the operational state. Reserved compartments may be either. */
export function occupancyContradicts(state: Compartment['state'], occupancy: SensedOccupancy): boolean {
  if (occupancy === 'unknown') return false;
  return (state === 'occupied' && occupancy === 'absent') || (state === 'available' && occupancy === 'present');
}

export interface SnapshotEntry {
  index: number;
  door: SensedDoor;
  occupancy: SensedOccupancy;
}

/**
 * Reconciles a reconnect snapshot with what the gateway believes. Returns the updated sensed
 * state of every reported compartment and one alarm per disagreement.
 */
export function reconcileSnapshot(
  lockerId: string,
  compartments: readonly Compartment[],
  snapshot: readonly SnapshotEntry[],
  at: number,
  commandedOpen: ReadonlySet<number>,
): { updated: Compartment[]; alarms: AlarmDraft[] } {
  const byIndex = new Map(compartments.map((c) => [c.index, c]));
  const updated: Compartment[] = [];
  const alarms: AlarmDraft[] = [];
  const reported = new Set<number>();
  for (const s of snapshot) {
    reported.add(s.index);
    const c = byIndex.get(s.index);
    if (!c) {
      alarms.push({ kind: 'snapshot_mismatch', lockerId, compartment: s.index, details: { problem: 'unknown_compartment' } });
      continue;
    }
    const problems: Array<Record<string, unknown>> = [];
    if (occupancyContradicts(c.state, s.occupancy)) {
      problems.push({ problem: 'occupancy', operationalState: c.state, sensedOccupancy: s.occupancy });
    }
    if (s.door === 'open' && c.door !== 'open' && !commandedOpen.has(s.index)) {
      problems.push({ problem: 'door_open', lastKnownDoor: c.door });
    }
    // One alarm per compartment (alarms are unique per compartment and kind), naming every problem.
    if (problems.length === 1) alarms.push({ kind: 'snapshot_mismatch', lockerId, compartment: s.index, details: problems[0]! });
    if (problems.length > 1) alarms.push({ kind: 'snapshot_mismatch', lockerId, compartment: s.index, details: { problem: 'multiple', problems } });
    const doorOpenedAt = s.door === 'open' ? (c.door === 'open' ? c.doorOpenedAt : at) : null;
    updated.push({ ...c, door: s.door, occupancy: s.occupancy, sensedAt: at, doorOpenedAt });
  }
  const missing = compartments.filter((c) => !reported.has(c.index)).map((c) => c.index);
  if (missing.length > 0) {
    alarms.push({ kind: 'snapshot_mismatch', lockerId, compartment: null, details: { problem: 'compartments_missing', missing } });
  }
  return { updated, alarms };
}

export function isDoorLeftOpen(c: Compartment, now: number, limitMs: number): boolean {
  return c.door === 'open' && c.doorOpenedAt !== null && now - c.doorOpenedAt >= limitMs;
}
