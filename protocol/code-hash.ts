import { createHmac } from 'node:crypto';

/** A device's code key as provisioned: 32 bytes as 64 lowercase hex digits (README §12.1). */
export const CODE_KEY_PATTERN = /^[0-9a-f]{64}$/;

/**
 * README §12.1: the hash of a pickup or household code as a controller holds it, the first 32
 * hex digits of HMAC-SHA256(code key, code digits as ASCII). The gateway and the simulator both
 * compute it here, so the definition exists once.
 */
export function offlineCodeHash(codeKeyHex: string, code: string): string {
  if (!CODE_KEY_PATTERN.test(codeKeyHex)) throw new TypeError('code key: 64 lowercase hex digits expected');
  if (!/^\d{4,10}$/.test(code)) throw new TypeError('code: 4-10 decimal digits expected');
  return createHmac('sha256', Buffer.from(codeKeyHex, 'hex')).update(code, 'ascii').digest('hex').slice(0, 32);
}
