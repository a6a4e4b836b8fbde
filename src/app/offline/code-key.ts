import { createHmac } from 'node:crypto';

/**
 * A controller's code key (protocol §12.1): derived from the gateway's pickup-code key and the
 * device id, so the gateway stores nothing more and a dump of one controller reveals only the
 * codes of its own locker. Handed to the controller once, with its secret, at provisioning.
 */
export function deviceCodeKey(pickupCodeKey: Buffer, deviceId: string): Buffer {
  return createHmac('sha256', pickupCodeKey).update(`lockergate/device-code-key/v1:${deviceId}`).digest();
}

/** The code as the controller holds it: the first 128 bits of HMAC-SHA256(code key, digits), hex. */
export function offlineCodeHash(codeKey: Buffer, code: string): string {
  return createHmac('sha256', codeKey).update(code, 'ascii').digest('hex').slice(0, 32);
}
