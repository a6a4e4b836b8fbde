import { createHash, timingSafeEqual } from 'node:crypto';
import type { RandomBytes } from './ports.js';

const BASE32 = 'abcdefghijkmnpqrstuvwxyz23456789'; // no l, o, 0, 1: ids get read aloud and typed

/** A short, topic-safe, lowercase id like `dev-7h3k9x2m`. */
export function newId(random: RandomBytes, prefix: string, length = 10): string {
  const bytes = random(length);
  let out = `${prefix}-`;
  for (let i = 0; i < length; i++) out += BASE32[bytes[i]! % 32];
  return out;
}

/** A high-entropy secret (144 random bits), URL-safe, shown once and stored only as a hash. */
export function newSecret(random: RandomBytes, bytes = 18): string {
  return random(bytes).toString('base64url');
}

/**
 * A fast hash is right for secrets with ≥128 random bits: no dictionary to guard against, and a
 * reconnect storm of 20,000 devices must not cost 20,000 slow KDF runs (DESIGN §4).
 */
export function hashSecret(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

export function secretMatches(secret: string, hash: Buffer): boolean {
  const candidate = hashSecret(secret);
  return candidate.length === hash.length && timingSafeEqual(candidate, hash);
}
