export * from './topics.js';
export * from './schemas/index.js';
import { z } from 'zod';
import type { Channel } from './topics.js';
import { StatusMessage } from './schemas/status.js';
import { StateSnapshot } from './schemas/state.js';
import { DeviceEvent } from './schemas/events.js';
import { CommandAck } from './schemas/acks.js';
import { Telemetry } from './schemas/telemetry.js';
import { Command } from './schemas/commands.js';

/** The schema of every channel's payload; the gateway and the simulator both validate with these. */
export const CHANNEL_SCHEMAS: Readonly<Record<Channel, z.ZodType>> = Object.freeze({
  status: StatusMessage,
  state: StateSnapshot,
  events: DeviceEvent,
  acks: CommandAck,
  telemetry: Telemetry,
  cmd: Command,
});

/** Largest payload the gateway accepts on any uplink channel, in bytes. */
export const MAX_PAYLOAD_BYTES = 16 * 1024;
export * from './code-hash.js';
