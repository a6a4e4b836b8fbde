import { z } from 'zod';
import { BootId, Envelope, Timestamp } from './common.js';

/** Hello, published retained on every connect, after subscribing to the cmd topic. */
export const StatusOnline = Envelope.extend({
  state: z.literal('online'),
  model: z.string().min(1).max(64),
  firmware: z.string().min(1).max(64),
  /** Protocol version the firmware implements, "major.minor". */
  protocol: z.string().regex(/^\d+\.\d+$/),
  compartments: z.number().int().min(1).max(999),
}).strict();

/** Last will, registered in CONNECT; the broker publishes it when the connection dies. */
export const StatusOffline = z.object({
  state: z.literal('offline'),
  bootId: BootId,
  ts: Timestamp.optional(),
}).strict();

export const StatusMessage = z.discriminatedUnion('state', [StatusOnline, StatusOffline]);
export type StatusMessageT = z.infer<typeof StatusMessage>;
export type StatusOnlineT = z.infer<typeof StatusOnline>;
