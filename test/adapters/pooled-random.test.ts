import { describe, expect, it } from 'vitest';
import { pooledRandomBytes } from '../../src/adapters/pooled-random.js';

describe('pooledRandomBytes', () => {
  it('hands out fresh bytes of the asked length across pool refills, never the same slice twice', () => {
    const random = pooledRandomBytes(64);
    const seen = new Set<string>();
    for (let i = 0; i < 100; i++) {
      const b = random(12);
      expect(b.length).toBe(12);
      seen.add(b.toString('hex'));
    }
    expect(seen.size).toBe(100);
    expect(random(100).length).toBe(100); // larger than the pool: straight from crypto
  });

  it('returns a copy: changing it does not change what comes next', () => {
    const random = pooledRandomBytes(64);
    const a = random(8);
    a.fill(7);
    expect(random(8).equals(Buffer.alloc(8, 7))).toBe(false);
  });
});
