import { z } from 'zod';
import { CommandId, CompartmentIndex, Timestamp } from './common.js';

const CommandBase = z.object({
  id: CommandId,
  /** Gateway clock when the command was created (ms since epoch). */
  issuedAt: Timestamp,
  /** From this instant on (ms since epoch, `expiresAt <= now`) the controller must not act; it acks `rejected/expired`. */
  expiresAt: Timestamp,
});

export const OpenCommand = CommandBase.extend({
  type: z.literal('open'),
  compartment: CompartmentIndex,
}).strict();

export const PingCommand = CommandBase.extend({ type: z.literal('ping') }).strict();
export const RebootCommand = CommandBase.extend({ type: z.literal('reboot') }).strict();

/** Answer to a keypad event: open the named compartment, or show the deny reason. */
export const KeypadReplyCommand = CommandBase.extend({
  type: z.literal('keypad_reply'),
  requestId: CommandId,
  result: z.enum(['open', 'deny']),
  compartment: CompartmentIndex.optional(),
  reason: z.enum(['invalid', 'expired', 'locked_out', 'unavailable']).optional(),
}).strict();

export const Command = z.discriminatedUnion('type', [
  OpenCommand,
  PingCommand,
  RebootCommand,
  KeypadReplyCommand,
]);

export type CommandT = z.infer<typeof Command>;
export type CommandType = CommandT['type'];
export const COMMAND_TYPES = ['open', 'ping', 'reboot', 'keypad_reply'] as const satisfies readonly CommandType[];
