import { z } from 'zod';
import { CommandId, Envelope } from './common.js';

export const AckRejectReason = z.enum([
  'expired',
  'unknown_compartment',
  'busy',
  'unsupported',
  'invalid',
  /** v1.1: a `code_sync` delta whose `fromVersion` is not the version the controller holds. */
  'out_of_sync',
]);

/**
 * The controller's answer to a command: `accepted` means it will act (for an open: the relay
 * was pulsed), not that the door opened. A repeated command id gets the same ack again with
 * `duplicate: true` and is not executed a second time.
 */
export const CommandAck = Envelope.extend({
  commandId: CommandId,
  status: z.enum(['accepted', 'rejected']),
  reason: AckRejectReason.optional(),
  duplicate: z.boolean().optional(),
}).strict().refine((a) => (a.status === 'rejected') === (a.reason !== undefined), {
  message: 'reason is required when rejected and only then',
  path: ['reason'],
});

export type CommandAckT = z.infer<typeof CommandAck>;
export type AckRejectReasonT = z.infer<typeof AckRejectReason>;
