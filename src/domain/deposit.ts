import type { SizeClass } from './locker.js';

/** A courier's deposit as the courier sees it: opening → open → deposited, or failed / cancelled. */
export const DEPOSIT_STATES = ['opening', 'open', 'deposited', 'failed', 'cancelled'] as const;
export type DepositState = (typeof DEPOSIT_STATES)[number];

export type DepositFailure =
  | 'device_offline'
  | 'open_not_detected'
  | 'jammed'
  | 'door_closed_empty'
  | 'command_expired'
  | 'command_rejected'
  | 'interrupted_by_reboot';

export interface Deposit {
  id: string;
  parcelId: string;
  carrierId: string;
  lockerId: string;
  compartment: number;
  size: SizeClass;
  state: DepositState;
  reason: DepositFailure | null;
  commandId: string | null;
  idempotencyKey: string | null;
  /**
   * When the courier confirmed the parcel is in (compartments without an occupancy sensor). Set
   * while the door still reads open, the deposit completes as soon as the door is reported shut.
   */
  confirmedAt: number | null;
  createdAt: number;
  updatedAt: number;
}

export const LIVE_DEPOSIT_STATES: ReadonlySet<DepositState> = new Set(['opening', 'open']);

/** Resident pickups and carrier retrievals: both open a compartment for a parcel that leaves. */
export interface Pickup {
  id: string;
  kind: 'resident' | 'retrieval';
  channel: 'keypad' | 'api' | 'carrier';
  parcelId: string;
  lockerId: string;
  compartment: number;
  state: 'opening' | 'done' | 'failed';
  reason: string | null;
  commandId: string | null;
  createdAt: number;
  completedAt: number | null;
}

/** How a failed open command explains itself to a courier. */
export function depositFailureFor(outcome: string | null): DepositFailure {
  switch (outcome) {
    case 'jammed':
      return 'jammed';
    case 'open_not_detected':
      return 'open_not_detected';
    case 'interrupted_by_reboot':
      return 'interrupted_by_reboot';
    case 'expired_undelivered':
      return 'device_offline';
    case 'expired_unacknowledged':
    case 'rejected_expired':
      return 'command_expired';
    default:
      return 'command_rejected';
  }
}
