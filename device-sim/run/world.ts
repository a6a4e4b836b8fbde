import type { CompartmentSize } from '../compartment.js';
import type { SimController } from '../controller.js';
import { FAULT_KINDS, type FaultKind, type FaultRecord } from './faults.js';

/** Where a parcel the simulator handled really is. */
export type ParcelFate = 'with_courier' | 'in_locker' | 'picked_up' | 'returned' | 'not_deposited' | 'stolen';

export interface CompartmentTruth {
  index: number;
  size: CompartmentSize;
  sensor: boolean;
  /** What is physically inside: the parcel id, or null. */
  content: string | null;
  /** Someone is working on it (a deposit, pickup or retrieval in progress). */
  busy: boolean;
}

export interface LockerTruth {
  lockerId: string;
  deviceId: string;
  kind: 'smart_locker' | 'mailbox_bank';
  compartments: CompartmentTruth[];
  controller: SimController;
  /** Deposits started here and not finished, so couriers are spread over free space. */
  pendingDeposits: number;
}

export interface ParcelTruth {
  parcelId: string;
  depositId: string;
  carrier: number;
  lockerId: string;
  compartment: number;
  fate: ParcelFate;
  /** The recipient will never come: the parcel should expire and be retrieved. */
  noShow: boolean;
}

/** Ground truth of one node, compact for the trip to the oracle. */
export interface TruthDump {
  /** `executed`: the command ids the controller executed (each at most once, §6.4). */
  lockers: Array<{ lockerId: string; n: number; online: boolean; present: Array<[number, string]>; open: number[]; blind: number[]; executed?: string[] }>;
  /** `depositId` is there for every deposit the gateway acknowledged (HTTP 2xx) to a courier. */
  parcels: Array<Pick<ParcelTruth, 'parcelId' | 'carrier' | 'fate' | 'lockerId' | 'compartment'> & { depositId?: string }>;
  faults: FaultRecord[];
}

/**
 * What is physically true, as only the simulator can know it: which parcel is in which
 * compartment, where every parcel went, and which faults were injected where.
 */
export class World {
  readonly lockers = new Map<string, LockerTruth>();
  readonly parcels = new Map<string, ParcelTruth>();
  /** One record per (kind, locker, compartment, parcel): the oracle needs where, not how often. */
  private readonly faults = new Map<string, FaultRecord>();
  readonly faultCounts = Object.fromEntries(FAULT_KINDS.map((k) => [k, 0])) as Record<FaultKind, number>;

  record(kind: FaultKind, lockerId: string, detail: { compartment?: number; parcelId?: string } = {}): void {
    this.faultCounts[kind] += 1;
    const key = `${kind}/${lockerId}/${detail.compartment ?? ''}/${detail.parcelId ?? ''}`;
    if (!this.faults.has(key)) this.faults.set(key, { kind, lockerId, ...detail, at: Date.now() });
  }

  dump(): TruthDump {
    const lockers: TruthDump['lockers'] = [];
    for (const l of this.lockers.values()) {
      const present: Array<[number, string]> = [];
      const open: number[] = [];
      const blind: number[] = [];
      for (const c of l.compartments) {
        if (c.content !== null) present.push([c.index, c.content]);
        const physical = l.controller.physical(c.index);
        if (physical.door === 'open') open.push(c.index);
        if (!c.sensor || physical.sensorFault) blind.push(c.index);
      }
      lockers.push({ lockerId: l.lockerId, n: l.compartments.length, online: l.controller.online, present, open, blind, executed: [...l.controller.executedCommands] });
    }
    const parcels = [...this.parcels.values()].map(({ parcelId, depositId, carrier, fate, lockerId, compartment }) => ({ parcelId, depositId, carrier, fate, lockerId, compartment }));
    return { lockers, parcels, faults: [...this.faults.values()] };
  }
}
