import type { SizeClass } from './locker.js';

export const PARCEL_STATES = ['reserved', 'deposited', 'picked_up', 'cancelled', 'expired', 'returned', 'incident'] as const;
export type ParcelState = (typeof PARCEL_STATES)[number];

/** Parcels that still hold (or are about to hold) a compartment. */
export const ACTIVE_PARCEL_STATES: ReadonlySet<ParcelState> = new Set(['reserved', 'deposited', 'expired']);

export interface Carrier {
  id: string;
  name: string;
  webhookUrl: string | null;
  createdAt: number;
  disabledAt: number | null;
}

export interface Parcel {
  id: string;
  carrierId: string;
  trackingNumber: string;
  lockerId: string;
  compartment: number;
  size: SizeClass;
  state: ParcelState;
  /** AES-GCM sealed (see app/personal-data.ts); null once purged. */
  recipientPhoneSealed: string | null;
  recipientPhoneMasked: string | null;
  holdHours: number;
  holdUntil: number | null;
  reminderSentAt: number | null;
  createdAt: number;
  depositedAt: number | null;
  completedAt: number | null;
  /** Mail for a household's own compartment of a mailbox bank: no pickup code (protocol §13). */
  householdId: string | null;
}

export interface ParcelEvent {
  parcelId: string;
  at: number;
  type: string;
  details: Record<string, unknown>;
}

/** Size classes from small to large; a parcel fits any compartment of its class or larger. */
export const SIZE_ORDER: Readonly<Record<SizeClass, number>> = { XS: 0, S: 1, M: 2, L: 3, XL: 4 };

export function fits(parcel: SizeClass, compartment: SizeClass): boolean {
  return SIZE_ORDER[compartment] >= SIZE_ORDER[parcel];
}

const TRANSITIONS: Readonly<Record<ParcelState, readonly ParcelState[]>> = {
  reserved: ['deposited', 'cancelled', 'incident'],
  deposited: ['picked_up', 'expired', 'returned', 'incident'],
  expired: ['returned', 'picked_up', 'incident'],
  picked_up: ['incident'],
  returned: ['incident'],
  cancelled: [],
  incident: [],
};

export function canTransition(from: ParcelState, to: ParcelState): boolean {
  return TRANSITIONS[from].includes(to);
}
