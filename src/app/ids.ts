import { createHash, timingSafeEqual } from 'node:crypto';
import type { RandomBytes } from './ports.js';

const BASE32 = 'abcdefghijkmnpqrstuvwxyz23456789'; // no l, o, 0, 1: ids get read aloud and typed

/** A short, topic-safe, lowercase id like `dev-7h3k9x2m`. */
export function newId(random: RandomBytes, prefix: string, length = 10): string {
  return `${prefix}-${randomChars(random, length)}`;
}

function randomChars(random: RandomBytes, length: number): string {
  const bytes = random(length);
  let out = '';
  for (let i = 0; i < length; i++) out += BASE32[bytes[i]! % 32];
  return out;
}

/** The same 32 characters in ASCII order, so a fixed-width number written with them sorts as text. */
const SORTED32 = '23456789abcdefghijkmnpqrstuvwxyz';

/**
 * An id that sorts by creation time, like `cmd-3nakuci5s` + random: 9 characters of the time (ms
 * since 1970, good until the year 3084), then `randomLength` random characters. For rows inserted
 * at a high rate under a TEXT primary key: a random key puts each insert on a random page of the
 * key's index, so a group commit dirties (and writes to the WAL) one page per row, and the index
 * soon outgrows SQLite's page cache; a time-ordered key appends to the last page.
 */
export function newTimeOrderedId(random: RandomBytes, prefix: string, now: number, randomLength = 8): string {
  let time = '';
  let t = Math.max(0, Math.floor(now));
  for (let i = 0; i < 9; i++) {
    time = SORTED32[t % 32]! + time;
    t = Math.floor(t / 32);
  }
  return `${prefix}-${time}${randomChars(random, randomLength)}`;
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
