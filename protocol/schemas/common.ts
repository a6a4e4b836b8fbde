import { z } from 'zod';

/** Boot id: random per controller start, so sequence numbers restart safely. */
export const BootId = z.string().regex(/^[A-Za-z0-9_-]{4,32}$/, 'bootId: 4-32 chars of [A-Za-z0-9_-]');
/** Sequence number: 1, 2, 3 … per boot, across every uplink message that carries one. */
export const Seq = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);
/** Milliseconds since the Unix epoch, from the controller's clock. */
export const Timestamp = z.number().int().min(0).max(8_640_000_000_000_000);
export const CompartmentIndex = z.number().int().min(1).max(999);
export const CommandId = z.string().regex(/^[A-Za-z0-9_-]{6,40}$/, 'command id: 6-40 chars of [A-Za-z0-9_-]');
export const DoorState = z.enum(['open', 'closed', 'unknown']);
export const OccupancyState = z.enum(['present', 'absent', 'unknown']);
/**
 * v1.1: a code as the controller holds it: the first 32 hex digits (128 bits) of
 * HMAC-SHA256(device code key, code digits as ASCII). The key is per device (§12.1).
 */
export const CodeHash = z.string().regex(/^[0-9a-f]{32}$/, 'code hash: 32 lowercase hex digits');
/** v1.1: version of a controller's code set; 0 = no set. */
export const CodeVersion = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
/** v1.1: what a code opens: a parcel's compartment (single use), or a household's own compartment. */
export const CodeKind = z.enum(['pickup', 'household']);

/** Fields every sequenced uplink message starts with. */
export const Envelope = z.object({
  bootId: BootId,
  seq: Seq,
  ts: Timestamp,
});

export type DoorStateT = z.infer<typeof DoorState>;
export type OccupancyStateT = z.infer<typeof OccupancyState>;
