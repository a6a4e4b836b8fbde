import { LockergateError } from './errors.js';

export const SIZE_CLASSES = ['XS', 'S', 'M', 'L', 'XL'] as const;
export type SizeClass = (typeof SIZE_CLASSES)[number];

export const LOCKER_KINDS = ['smart_locker', 'mailbox_bank'] as const;
export type LockerKind = (typeof LOCKER_KINDS)[number];

export const LOCKER_STATUSES = ['commissioning', 'active', 'maintenance', 'retired'] as const;
export type LockerStatus = (typeof LOCKER_STATUSES)[number];

export const SITE_KINDS = ['residential', 'office', 'campus', 'village_service_point', 'public_station'] as const;
export type SiteKind = (typeof SITE_KINDS)[number];

/** What the system decided about a compartment. */
export const OPERATIONAL_STATES = ['available', 'reserved', 'occupied', 'out_of_service'] as const;
export type OperationalState = (typeof OPERATIONAL_STATES)[number];

export type SensedDoor = 'open' | 'closed' | 'unknown';
export type SensedOccupancy = 'present' | 'absent' | 'unknown';

export interface Site {
  id: string;
  name: string;
  kind: SiteKind;
  regionCode: string;
  address: string;
  createdAt: number;
}

export interface Locker {
  id: string;
  siteId: string;
  name: string;
  kind: LockerKind;
  status: LockerStatus;
  commissionedAt: number | null;
  createdAt: number;
}

export interface Compartment {
  lockerId: string;
  index: number;
  size: SizeClass;
  hasOccupancySensor: boolean;
  state: OperationalState;
  /** What the hardware last reported, kept apart from `state`. */
  door: SensedDoor;
  occupancy: SensedOccupancy;
  /** When the controller reported this sensed state (a snapshot repeating it does not move it). */
  sensedAt: number | null;
  doorOpenedAt: number | null;
}

export interface CompartmentSpec {
  size: SizeClass;
  hasOccupancySensor: boolean;
}

/**
 * Parses a layout like "S:8,M:10,L:6" (size:count, in column order) or "M:4:nosensor".
 * Compartments are numbered 1..n in the order given.
 */
export function parseLayout(layout: string): CompartmentSpec[] {
  const specs: CompartmentSpec[] = [];
  for (const raw of layout.split(',')) {
    const part = raw.trim();
    const m = /^(XS|S|M|L|XL):(\d{1,3})(:nosensor)?$/.exec(part);
    if (!m) throw new LockergateError('INVALID_LAYOUT', `Layout part "${part}" is not SIZE:COUNT (sizes XS,S,M,L,XL), e.g. "S:8,M:10,L:6".`);
    const count = Number(m[2]);
    if (count < 1) throw new LockergateError('INVALID_LAYOUT', `Layout part "${part}" has no compartments.`);
    for (let i = 0; i < count; i++) specs.push({ size: m[1] as SizeClass, hasOccupancySensor: m[3] === undefined });
  }
  if (specs.length === 0 || specs.length > 999) {
    throw new LockergateError('INVALID_LAYOUT', `A locker has 1 to 999 compartments, not ${specs.length}.`);
  }
  return specs;
}
