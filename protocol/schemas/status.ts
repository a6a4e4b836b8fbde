import { z } from 'zod';
import { BootId, CodeVersion, Envelope, Timestamp } from './common.js';

/** Hello, published retained on every connect, after subscribing to the cmd topic. */
export const StatusOnline = Envelope.extend({
  state: z.literal('online'),
  model: z.string().min(1).max(64),
  firmware: z.string().min(1).max(64),
  /** Protocol version the firmware implements, "major.minor". */
  protocol: z.string().regex(/^\d+\.\d+$/),
  compartments: z.number().int().min(1).max(999),
  /** v1.1: the version of the code set the controller holds (0: none); absent: no offline codes. */
  codeVersion: CodeVersion.optional(),
  /** v1.1: a sleepy (battery) controller connects at least this often, in seconds (§13). */
  wakeIntervalS: z.number().int().min(10).max(86_400).optional(),
}).strict();

/** Last will, registered in CONNECT; the broker publishes it when the connection dies. */
export const StatusOffline = z.object({
  state: z.literal('offline'),
  bootId: BootId,
  ts: Timestamp.optional(),
  /** v1.1: why an orderly disconnect happened; `sleep` means it will be back by `nextWakeAt` (§13). */
  reason: z.enum(['shutdown', 'reboot', 'sleep']).optional(),
  nextWakeAt: Timestamp.optional(),
}).strict().refine((s) => (s.reason === 'sleep') === (s.nextWakeAt !== undefined), { message: 'nextWakeAt belongs to reason sleep, and only to it', path: ['nextWakeAt'] });

export const StatusMessage = z.discriminatedUnion('state', [StatusOnline, StatusOffline]);
export type StatusMessageT = z.infer<typeof StatusMessage>;
export type StatusOnlineT = z.infer<typeof StatusOnline>;
