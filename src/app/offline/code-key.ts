import { createHmac } from 'node:crypto';
import { offlineCodeHash as protocolCodeHash } from '../../../protocol/code-hash.js';

/**
 * A controller's code key (protocol §12.1): derived from the gateway's pickup-code key and the
 * device id, so the gateway stores nothing more and a dump of one controller reveals only the
 * codes of its own locker. Handed to the controller once, with its secret, at provisioning.
 */
export function deviceCodeKey(pickupCodeKey: Buffer, deviceId: string): Buffer {
  return createHmac('sha256', pickupCodeKey).update(`lockergate/device-code-key/v1:${deviceId}`).digest();
}

/** The code as the controller holds it (protocol §12.1, defined once in protocol/code-hash.ts). */
export function offlineCodeHash(codeKey: Buffer, code: string): string {
  return protocolCodeHash(codeKey.toString('hex'), code);
}
