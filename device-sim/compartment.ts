import type { CompartmentSnapshotT, OccupancyStateT } from '../protocol/index.js';

export type CompartmentSize = 'XS' | 'S' | 'M' | 'L' | 'XL';

export interface CompartmentSpec {
  size: CompartmentSize;
  /** Defaults to true; compartments without a sensor always report occupancy `unknown`. */
  occupancySensor?: boolean;
}

/** Ground truth of one compartment, as a test observer would see it, not as sensed. */
export interface PhysicalState {
  door: 'open' | 'closed';
  parcel: boolean;
  jammed: boolean;
  sensorFault: boolean;
}

/** Physical model of one compartment: the hardware, not what the controller has reported. */
export class Compartment {
  door: 'open' | 'closed' = 'closed';
  parcel = false;
  /** A jammed latch never releases, whatever the relay does. */
  jammed = false;
  sensorFault = false;
  /** Id of the open command whose relay pulse is still waiting for the door sensor. */
  pendingOpen: string | null = null;

  constructor(
    readonly index: number,
    readonly size: CompartmentSize,
    readonly hasOccupancySensor: boolean,
  ) {}

  sensedOccupancy(): OccupancyStateT {
    if (!this.hasOccupancySensor || this.sensorFault) return 'unknown';
    return this.parcel ? 'present' : 'absent';
  }

  snapshot(): CompartmentSnapshotT {
    return { index: this.index, door: this.door, occupancy: this.sensedOccupancy() };
  }

  physical(): PhysicalState {
    return { door: this.door, parcel: this.parcel, jammed: this.jammed, sensorFault: this.sensorFault };
  }
}

/** A bare number means that many M compartments, each with an occupancy sensor. */
export function buildCompartments(spec: readonly CompartmentSpec[] | number): Compartment[] {
  const specs: readonly CompartmentSpec[] =
    typeof spec === 'number' ? Array.from({ length: spec }, () => ({ size: 'M' as const })) : spec;
  if (specs.length < 1 || specs.length > 999) {
    throw new RangeError(`a controller has 1-999 compartments, got ${specs.length}`);
  }
  return specs.map((s, i) => new Compartment(i + 1, s.size, s.occupancySensor ?? true));
}
