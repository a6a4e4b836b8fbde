import { z } from 'zod';
import { CodeHash, CodeKind, CodeVersion, CommandId, CompartmentIndex, Envelope } from './common.js';

/** A door sensor changed. `commandId` names the open command that caused it, if any. */
export const DoorEvent = Envelope.extend({
  type: z.literal('door'),
  compartment: CompartmentIndex,
  door: z.enum(['open', 'closed']),
  commandId: CommandId.optional(),
}).strict();

export const OccupancyEvent = Envelope.extend({
  type: z.literal('occupancy'),
  compartment: CompartmentIndex,
  occupancy: z.enum(['present', 'absent']),
}).strict();

/** Outcome of an accepted open command, decided by the controller from its own door sensor. */
export const OpenResultEvent = Envelope.extend({
  type: z.literal('open_result'),
  commandId: CommandId,
  compartment: CompartmentIndex,
  result: z.enum(['opened', 'already_open', 'jammed']),
}).strict();

/** A code typed at the keypad; the gateway answers with a `keypad_reply` command. */
export const KeypadEvent = Envelope.extend({
  type: z.literal('keypad'),
  requestId: CommandId,
  code: z.string().regex(/^\d{4,10}$/),
}).strict();

export const FaultEvent = Envelope.extend({
  type: z.literal('fault'),
  fault: z.enum(['tamper', 'power_lost', 'power_restored', 'sensor_fault', 'low_battery']),
  compartment: CompartmentIndex.optional(),
  detail: z.string().max(200).optional(),
}).strict();

/**
 * v1.1: the controller checked a typed code against its own code set and opened (§12.4): an
 * offline pickup, or a household opening its mailbox. `openId` is the controller's name for this
 * opening; the door events it causes carry it as `commandId`. `ts` is when the code was typed.
 */
export const LocalOpenEvent = Envelope.extend({
  type: z.literal('local_open'),
  openId: CommandId,
  compartment: CompartmentIndex,
  kind: CodeKind,
  h: CodeHash,
  /** The code set version the controller held when it accepted the code. */
  codeVersion: CodeVersion,
}).strict();

export const DeviceEvent = z.discriminatedUnion('type', [
  DoorEvent,
  OccupancyEvent,
  OpenResultEvent,
  KeypadEvent,
  FaultEvent,
  LocalOpenEvent,
]);

export type DeviceEventT = z.infer<typeof DeviceEvent>;
export type DoorEventT = z.infer<typeof DoorEvent>;
export type OccupancyEventT = z.infer<typeof OccupancyEvent>;
export type OpenResultEventT = z.infer<typeof OpenResultEvent>;
export type KeypadEventT = z.infer<typeof KeypadEvent>;
export type FaultEventT = z.infer<typeof FaultEvent>;
export type LocalOpenEventT = z.infer<typeof LocalOpenEvent>;
