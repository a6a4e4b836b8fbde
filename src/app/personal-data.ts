import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';

/**
 * Personal data at rest (DESIGN §4): AES-256-GCM with the data key, a fresh 96-bit IV per value,
 * stored as `v1.<iv>.<tag>.<ciphertext>` (base64url). The version prefix lets the key rotate later.
 */
export function encrypt(key: Buffer, plaintext: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return `v1.${iv.toString('base64url')}.${cipher.getAuthTag().toString('base64url')}.${ct.toString('base64url')}`;
}

export function decrypt(key: Buffer, sealed: string): string {
  const [version, iv, tag, ct] = sealed.split('.');
  if (version !== 'v1' || !iv || !tag || ct === undefined) throw new Error('not a sealed value');
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
}

/** `+8613800138000` → `*********8000`: enough for a courier to recognise, useless to anyone else. */
export function maskPhone(phone: string): string {
  const digits = phone.replace(/\D/g, '');
  return `${'*'.repeat(Math.max(0, digits.length - 4))}${digits.slice(-4)}`;
}

/** Keyed hash of a pickup code, bound to its locker: equal codes in two lockers hash apart. */
export function hashPickupCode(key: Buffer, lockerId: string, code: string): Buffer {
  return createHmac('sha256', key).update(`${lockerId}:${code}`).digest();
}
