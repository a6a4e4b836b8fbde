import { randomBytes } from 'node:crypto';
import type { RandomBytes } from '../app/ports.js';

/**
 * `crypto.randomBytes` drawn from a pool filled by one call: a parcel cycle makes about ten ids
 * and codes of a few bytes each, and a synchronous kernel call per id showed in the profile
 * (issue 6). The bytes are the same CSPRNG output; each is copied out and wiped from the pool,
 * so a secret made from it does not linger there.
 */
export function pooledRandomBytes(poolSize = 4096): RandomBytes {
  let pool = randomBytes(poolSize);
  let at = 0;
  return (n) => {
    if (n > poolSize) return randomBytes(n);
    if (at + n > poolSize) {
      pool = randomBytes(poolSize);
      at = 0;
    }
    const out = Buffer.from(pool.subarray(at, at + n));
    pool.fill(0, at, at + n);
    at += n;
    return out;
  };
}
