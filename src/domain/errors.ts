/**
 * The error catalogue: every expected failure has a stable code, a kind and a default message.
 * Adapters map the kind (HTTP status, MQTT rejection); clients match on the code.
 * test/domain/errors.test.ts checks that every code is documented in docs/errors.md.
 */
export type ErrorKind =
  | 'invalid'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'rate_limited'
  | 'unavailable'
  | 'timeout'
  | 'gone'
  | 'internal';

export const ERROR_CATALOGUE = {
  VALIDATION_FAILED: { kind: 'invalid', message: 'The request is not valid.' },
  UNAUTHENTICATED: { kind: 'unauthenticated', message: 'Missing or invalid credentials.' },
  FORBIDDEN: { kind: 'forbidden', message: 'Your role does not allow this action.' },
  ROUTE_NOT_FOUND: { kind: 'not_found', message: 'No such route.' },
  SITE_NOT_FOUND: { kind: 'not_found', message: 'No such site.' },
  LOCKER_NOT_FOUND: { kind: 'not_found', message: 'No such locker.' },
  COMPARTMENT_NOT_FOUND: { kind: 'not_found', message: 'No such compartment in this locker.' },
  DEVICE_NOT_FOUND: { kind: 'not_found', message: 'No such device.' },
  COMMAND_NOT_FOUND: { kind: 'not_found', message: 'No such command.' },
  ALARM_NOT_FOUND: { kind: 'not_found', message: 'No such alarm.' },
  LOCKER_HAS_DEVICE: { kind: 'conflict', message: 'This locker already has a provisioned device; rotate its secret instead.' },
  ALARM_ALREADY_CLOSED: { kind: 'conflict', message: 'The alarm is already acknowledged or cleared.' },
  LOCKER_OFFLINE: { kind: 'unavailable', message: 'The locker controller is offline.' },
  COMPARTMENT_IN_USE: { kind: 'conflict', message: 'A parcel holds this compartment; retrieve it first.' },
  INVALID_LAYOUT: { kind: 'invalid', message: 'The compartment layout is not valid.' },
  CONFIG_INVALID: { kind: 'invalid', message: 'The configuration is not valid.' },
  BODY_TOO_LARGE: { kind: 'invalid', message: 'The request body is too large.' },
  UNSUPPORTED_MEDIA_TYPE: { kind: 'invalid', message: 'Unsupported content type.' },
  RATE_LIMITED: { kind: 'rate_limited', message: 'Too many requests; slow down.' },
  CARRIER_NOT_FOUND: { kind: 'not_found', message: 'No such carrier.' },
  PARCEL_NOT_FOUND: { kind: 'not_found', message: 'No such parcel (or not one of yours).' },
  DEPOSIT_NOT_FOUND: { kind: 'not_found', message: 'No such deposit (or not one of yours).' },
  PICKUP_NOT_FOUND: { kind: 'not_found', message: 'No such pickup.' },
  NO_COMPARTMENT_AVAILABLE: { kind: 'conflict', message: 'No free compartment of this size or larger in this locker.' },
  LOCKER_NOT_ACTIVE: { kind: 'conflict', message: 'The locker is not in service (commissioning, maintenance or retired).' },
  CARRIER_QUOTA_EXCEEDED: { kind: 'conflict', message: "Your carrier's compartment quota in this locker is used up." },
  TRACKING_NUMBER_IN_USE: { kind: 'conflict', message: 'You have a live parcel with this tracking number in another locker.' },
  IDEMPOTENCY_KEY_REUSED: { kind: 'conflict', message: 'This Idempotency-Key was used for a different deposit.' },
  DEPOSIT_NOT_OPEN: { kind: 'conflict', message: 'The deposit is not open (it is opening, finished, failed or cancelled).' },
  DEPOSIT_NOT_CANCELLABLE: { kind: 'conflict', message: 'The deposit can no longer be cancelled: the parcel is deposited or the deposit ended.' },
  CONFIRMATION_NOT_NEEDED: { kind: 'conflict', message: 'This compartment senses occupancy itself; the deposit completes when the door closes.' },
  NO_LARGER_COMPARTMENT: { kind: 'conflict', message: 'No free larger compartment in this locker.' },
  PARCEL_NOT_RETRIEVABLE: { kind: 'conflict', message: 'Only a deposited or expired parcel can be retrieved.' },
  PARCEL_NOT_COLLECTABLE: { kind: 'conflict', message: 'The parcel is not waiting for pickup.' },
  PICKUP_CODE_INVALID: { kind: 'forbidden', message: 'The pickup code is not valid for this locker.' },
  PICKUP_CODE_EXPIRED: { kind: 'gone', message: 'The pickup code has expired; ask the carrier for a new one.' },
  PICKUP_LOCKED_OUT: { kind: 'rate_limited', message: 'Too many wrong codes at this locker; try again later.' },
  HOUSEHOLD_NOT_FOUND: { kind: 'not_found', message: 'No such household.' },
  NOT_A_MAILBOX_BANK: { kind: 'conflict', message: 'Households belong to mailbox banks; this locker is a smart locker.' },
  COMPARTMENT_HAS_HOUSEHOLD: { kind: 'conflict', message: 'This compartment already belongs to a household.' },
  REGION_NOT_FOUND: { kind: 'not_found', message: 'No such region (load regions with "lockergate seed --regions-only").' },
  VOLUME_REPORT_INVALID: { kind: 'invalid', message: 'The volume report breaks a rule (future date, or a within-24h/72h count above the total).' },
  SEED_INVALID: { kind: 'invalid', message: 'The seed files are not valid.' },
  IMPORT_ROWS_REJECTED: { kind: 'invalid', message: 'Some rows of the import were rejected; the others were imported.' },
  INTERNAL: { kind: 'internal', message: 'Internal error; the request may be retried.' },
} as const satisfies Record<string, { kind: ErrorKind; message: string }>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

export class LockergateError extends Error {
  readonly code: ErrorCode;
  readonly kind: ErrorKind;
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(code: ErrorCode, message?: string, details?: Record<string, unknown>) {
    super(message ?? ERROR_CATALOGUE[code].message);
    this.name = 'LockergateError';
    this.code = code;
    this.kind = ERROR_CATALOGUE[code].kind;
    this.details = details;
  }
}

export function isLockergateError(e: unknown): e is LockergateError {
  return e instanceof LockergateError;
}
