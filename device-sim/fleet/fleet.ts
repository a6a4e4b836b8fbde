import { readFileSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { CODE_KEY_PATTERN, DEVICE_ID_PATTERN } from '../../protocol/index.js';
import { parseLayout } from './layout.js';

/**
 * A fleet file: everything the simulator needs to be the controllers of provisioned lockers
 * and the couriers of its carriers. It holds device secrets and API keys: it is written 0600.
 */
export const FleetLocker = z.object({
  lockerId: z.string().min(3).max(64),
  deviceId: z.string().regex(DEVICE_ID_PATTERN),
  secret: z.string().min(8),
  /** Protocol 1.1 §12.1: the device's code key, when the gateway gave one (offline codes). */
  codeKey: z.string().regex(CODE_KEY_PATTERN).optional(),
  kind: z.enum(['smart_locker', 'mailbox_bank']).default('smart_locker'),
  layout: z.string().min(3).refine((l) => { try { parseLayout(l); return true; } catch { return false; } }, 'layout must be SIZE:COUNT[:nosensor],… with 1-300 compartments'),
  regionCode: z.string().regex(/^\d{6}$/).optional(),
  /** Overrides the fleet's MQTT URL for this controller (a gateway running as several processes). */
  mqttUrl: z.string().url().optional(),
}).strict();

export const FleetFile = z.object({
  version: z.literal(1),
  gateway: z.object({
    http: z.string().url(),
    /** One or more MQTT listeners; controllers are spread over them round-robin. */
    mqtt: z.array(z.string().url()).min(1),
  }).strict(),
  /** Carrier API keys (lgc_…): couriers deposit and retrieve with them, the oracle reads parcels. */
  carrierKeys: z.array(z.string().min(8)).default([]),
  lockers: z.array(FleetLocker).min(1),
}).strict();

export type FleetLockerT = z.infer<typeof FleetLocker>;
export type FleetFileT = z.infer<typeof FleetFile>;

export function readFleet(path: string): FleetFileT {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`cannot read fleet file ${path}: ${(err as Error).message}`);
  }
  const parsed = FleetFile.safeParse(json);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new Error(`fleet file ${path}: ${first?.path.join('.') ?? ''}: ${first?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

export function writeFleet(path: string, fleet: FleetFileT): void {
  writeFileSync(path, `${JSON.stringify(fleet, null, 1)}\n`, { mode: 0o600 });
}
