import { z } from 'zod';
import { CodeHash, CodeKind, CodeVersion, CommandId, CompartmentIndex, Timestamp } from './common.js';

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

/** v1.1: one code the controller may accept on its own (§12). */
export const CodeEntry = z.object({
  h: CodeHash,
  compartment: CompartmentIndex,
  kind: CodeKind,
  /** From this instant on (controller clock) the code opens nothing. Household codes have none. */
  expiresAt: Timestamp.optional(),
}).strict();

/**
 * Most entries one `code_sync` carries in `add`, and most hashes in `revoke` (a full set travels
 * in parts, §12.3). 100 of each in the widest encoding is 14.4 KB, so every valid code_sync fits
 * the 16 KiB every payload is held to (§4.0); 200 would not (28.6 KB).
 */
export const CODE_SYNC_MAX_ENTRIES = 100;

/**
 * v1.1: changes the controller's code set (§12.3). `delta` applies only on top of `fromVersion`
 * (otherwise ack `rejected/out_of_sync`); `full` replaces the whole set once all `parts` arrived.
 */
export const CodeSyncCommand = CommandBase.extend({
  type: z.literal('code_sync'),
  mode: z.enum(['delta', 'full']),
  fromVersion: CodeVersion.optional(),
  version: CodeVersion,
  part: z.number().int().min(1).max(50).optional(),
  parts: z.number().int().min(1).max(50).optional(),
  add: z.array(CodeEntry).max(CODE_SYNC_MAX_ENTRIES),
  revoke: z.array(CodeHash).max(CODE_SYNC_MAX_ENTRIES),
}).strict()
  .refine((c) => (c.mode === 'delta') === (c.fromVersion !== undefined), { message: 'fromVersion is required for a delta and only then', path: ['fromVersion'] })
  .refine((c) => c.mode === 'delta' || c.revoke.length === 0, { message: 'a full set revokes nothing: it replaces', path: ['revoke'] })
  .refine((c) => (c.mode === 'full') === (c.part !== undefined && c.parts !== undefined && c.part <= c.parts), { message: 'part and parts (part <= parts) belong to a full set only', path: ['part'] });

export const Command = z.discriminatedUnion('type', [
  OpenCommand,
  PingCommand,
  RebootCommand,
  KeypadReplyCommand,
  CodeSyncCommand,
]);

export type CommandT = z.infer<typeof Command>;
export type CommandType = CommandT['type'];
export const COMMAND_TYPES = ['open', 'ping', 'reboot', 'keypad_reply', 'code_sync'] as const satisfies readonly CommandType[];
export type CodeEntryT = z.infer<typeof CodeEntry>;
export type CodeSyncCommandT = z.infer<typeof CodeSyncCommand>;
