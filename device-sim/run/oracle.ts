import type { GatewayApi, LockerView } from '../api/gateway-api.js';
import { ApiError } from '../api/http-client.js';
import type { FaultKind, FaultRecord } from './faults.js';
import type { ParcelFate, TruthDump } from './world.js';

export const MISMATCH_KINDS = [
  'phantom_parcel', 'unrecorded_parcel', 'stuck_reserved', 'sensed_door', 'sensed_occupancy',
  'parcel_state', 'presence', 'layout', 'unreadable',
] as const;
export type MismatchKind = (typeof MISMATCH_KINDS)[number];

export interface Mismatch {
  kind: MismatchKind;
  lockerId: string;
  compartment?: number;
  parcelId?: string;
  /** What the gateway says. */
  gateway: string;
  /** What is physically true. */
  truth: string;
  /** Injected faults at that place that can cause this kind of mismatch; empty = unexplained. */
  explainedBy: FaultKind[];
}

export interface OracleReport {
  lockers: number;
  compartments: number;
  parcels: number;
  /** Compartments the gateway took out of service (consistent when empty: a jam, a parcel left behind). */
  outOfService: number;
  mismatches: Mismatch[];
  explained: number;
  unexplained: number;
  byKind: Partial<Record<MismatchKind, { explained: number; unexplained: number }>>;
  tookMs: number;
}

/**
 * Which injected faults can make the gateway's view differ from the physical truth in which way.
 * Faults the gateway must absorb (drops, storms, duplicates, lost or late acks, stale commands,
 * jams) explain nothing: a mismatch after them is a gateway defect.
 */
const EXPLAINS: Readonly<Record<MismatchKind, readonly FaultKind[]>> = {
  phantom_parcel: ['theft', 'sensor_fault', 'reorder', 'power_loss', 'inherited'],
  unrecorded_parcel: ['sensor_fault', 'reorder', 'power_loss', 'inherited'],
  stuck_reserved: ['power_loss', 'door_left_open', 'sensor_fault', 'reorder', 'inherited'],
  // Events queued before a power cut are replayed after the new boot's snapshot (§3.5, §5) and
  // the gateway applies them over it: an older door or occupancy report wins.
  sensed_door: ['reorder', 'power_loss', 'inherited'],
  sensed_occupancy: ['reorder', 'power_loss', 'inherited'],
  parcel_state: ['theft', 'sensor_fault', 'reorder', 'power_loss', 'door_left_open'],
  presence: [],
  layout: [],
  unreadable: [],
};
/** Faults that concern one compartment; the others concern the whole locker. */
const COMPARTMENT_SCOPED: ReadonlySet<FaultKind> = new Set(['jam', 'sensor_fault', 'door_left_open', 'forced_door', 'theft', 'inherited']);

const EXPECTED_PARCEL_STATES: Readonly<Record<ParcelFate, readonly string[]>> = {
  in_locker: ['deposited', 'expired'],
  picked_up: ['picked_up'],
  returned: ['returned'],
  not_deposited: ['cancelled'],
  with_courier: ['cancelled'],
  stolen: ['incident'],
};

export interface OracleInput {
  api: GatewayApi;
  /** Operator or viewer token for GET /v1/lockers/:id; without one only parcels are checked. */
  token: string | undefined;
  carrierKeys: readonly string[];
  truths: readonly TruthDump[];
  concurrency?: number;
}

/** Compares the simulator's ground truth with the gateway's view through its public API. */
export async function runOracle(input: OracleInput): Promise<OracleReport> {
  const started = Date.now();
  const faults = new Map<string, FaultRecord[]>();
  for (const t of input.truths) for (const f of t.faults) faults.set(f.lockerId, [...(faults.get(f.lockerId) ?? []), f]);
  const explain = (kind: MismatchKind, lockerId: string, compartment?: number): FaultKind[] => {
    const here = (faults.get(lockerId) ?? []).filter((f) => EXPLAINS[kind].includes(f.kind) && (!COMPARTMENT_SCOPED.has(f.kind) || compartment === undefined || f.compartment === compartment));
    return [...new Set(here.map((f) => f.kind))];
  };
  const mismatches: Mismatch[] = [];
  const add = (m: Omit<Mismatch, 'explainedBy'>): void => {
    mismatches.push({ ...m, explainedBy: explain(m.kind, m.lockerId, m.compartment) });
  };
  const lockers = input.truths.flatMap((t) => t.lockers);
  const parcels = input.truths.flatMap((t) => t.parcels);
  let compartments = 0;
  let outOfService = 0;
  if (input.token) {
    const token = input.token;
    await pool(lockers, input.concurrency ?? 32, async (truth) => {
      let view: LockerView;
      try {
        view = await input.api.locker(token, truth.lockerId);
      } catch (err) {
        add({ kind: 'unreadable', lockerId: truth.lockerId, gateway: err instanceof ApiError ? err.code : String(err), truth: 'exists' });
        return;
      }
      compartments += view.compartments.length;
      if (view.compartments.length !== truth.n) add({ kind: 'layout', lockerId: truth.lockerId, gateway: `${view.compartments.length} compartments`, truth: `${truth.n}` });
      if (truth.online && view.device && !view.device.online) add({ kind: 'presence', lockerId: truth.lockerId, gateway: 'offline', truth: 'online' });
      const present = new Map(truth.present);
      const open = new Set(truth.open);
      const blind = new Set(truth.blind);
      for (const c of view.compartments) {
        const inside = present.get(c.index);
        const physical = inside === undefined ? 'empty' : `parcel ${inside}`;
        if (c.state === 'out_of_service') outOfService += 1;
        if (c.state === 'reserved') add({ kind: 'stuck_reserved', lockerId: truth.lockerId, compartment: c.index, gateway: 'reserved', truth: physical });
        else if (c.state === 'occupied' && inside === undefined) add({ kind: 'phantom_parcel', lockerId: truth.lockerId, compartment: c.index, gateway: 'occupied', truth: physical });
        else if (c.state !== 'occupied' && inside !== undefined) add({ kind: 'unrecorded_parcel', lockerId: truth.lockerId, compartment: c.index, gateway: c.state, truth: physical });
        const door = open.has(c.index) ? 'open' : 'closed';
        if (c.door !== 'unknown' && c.door !== door) add({ kind: 'sensed_door', lockerId: truth.lockerId, compartment: c.index, gateway: `door ${c.door}`, truth: `door ${door}` });
        const occupancy = inside === undefined ? 'absent' : 'present';
        if (!blind.has(c.index) && c.occupancy !== 'unknown' && c.occupancy !== occupancy) add({ kind: 'sensed_occupancy', lockerId: truth.lockerId, compartment: c.index, gateway: c.occupancy, truth: occupancy });
      }
    });
  }
  await pool(parcels, input.concurrency ?? 32, async (p) => {
    const key = input.carrierKeys[p.carrier];
    if (!key) return;
    let state: string;
    let compartment: number | undefined;
    try {
      const view = await input.api.parcel(key, p.parcelId);
      state = view.parcel.state;
      compartment = view.parcel.compartment;
    } catch (err) {
      state = err instanceof ApiError ? err.code : 'unreachable';
    }
    const ok = EXPECTED_PARCEL_STATES[p.fate].includes(state) && (p.fate !== 'in_locker' || compartment === p.compartment);
    if (!ok) add({ kind: 'parcel_state', lockerId: p.lockerId, compartment: p.compartment, parcelId: p.parcelId, gateway: state, truth: p.fate });
  });
  const byKind: OracleReport['byKind'] = {};
  for (const m of mismatches) {
    const k = (byKind[m.kind] ??= { explained: 0, unexplained: 0 });
    if (m.explainedBy.length > 0) k.explained += 1;
    else k.unexplained += 1;
  }
  const unexplained = mismatches.filter((m) => m.explainedBy.length === 0).length;
  return {
    lockers: lockers.length,
    compartments,
    parcels: parcels.length,
    outOfService,
    mismatches,
    explained: mismatches.length - unexplained,
    unexplained,
    byKind,
    tookMs: Date.now() - started,
  };
}

async function pool<T>(items: readonly T[], concurrency: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await fn(item);
    }
  });
  await Promise.all(workers);
}
