import { z } from 'zod';
import { CompartmentIndex, DoorState, Envelope, OccupancyState } from './common.js';

export const CompartmentSnapshot = z.object({
  index: CompartmentIndex,
  door: DoorState,
  /** `unknown` for compartments without an occupancy sensor. */
  occupancy: OccupancyState,
}).strict();

/** Full sensed state of every compartment, published retained after every (re)connect. */
export const StateSnapshot = Envelope.extend({
  compartments: z.array(CompartmentSnapshot).min(1).max(999),
}).strict();

export type StateSnapshotT = z.infer<typeof StateSnapshot>;
export type CompartmentSnapshotT = z.infer<typeof CompartmentSnapshot>;
