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
  COMPARTMENT_OUT_OF_SERVICE: { kind: 'conflict', message: 'The compartment is out of service.' },
  INVALID_LAYOUT: { kind: 'invalid', message: 'The compartment layout is not valid.' },
  CONFIG_INVALID: { kind: 'invalid', message: 'The configuration is not valid.' },
  BODY_TOO_LARGE: { kind: 'invalid', message: 'The request body is too large.' },
  UNSUPPORTED_MEDIA_TYPE: { kind: 'invalid', message: 'Unsupported content type.' },
  RATE_LIMITED: { kind: 'rate_limited', message: 'Too many requests; slow down.' },
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
