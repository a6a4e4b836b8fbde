import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { newId, newTimeOrderedId } from '../../src/app/ids.js';

describe('ids', () => {
  it('newId: prefix and the readable alphabet (no l, o, 0, 1)', () => {
    expect(newId(randomBytes, 'dev')).toMatch(/^dev-[a-km-np-z2-9]{10}$/);
  });

  it('newTimeOrderedId: 9 characters of time then 8 random, in the same alphabet', () => {
    const id = newTimeOrderedId(randomBytes, 'cmd', Date.UTC(2026, 10, 29));
    expect(id).toMatch(/^cmd-[a-km-np-z2-9]{17}$/);
  });

  it('newTimeOrderedId: ids sort as text in the order of their times, across character and year boundaries', () => {
    const times = [0, 1, 31, 32, 33, 1023, 1024, Date.UTC(2001, 0, 1), Date.UTC(2026, 10, 29, 23, 59, 59, 999), Date.UTC(2026, 10, 30), Date.UTC(2999, 0, 1)];
    const ids = times.map((t) => newTimeOrderedId(randomBytes, 'pcl', t));
    expect([...ids].sort()).toEqual(ids);
    // Within one millisecond the random part decides; distinct all the same.
    const same = Array.from({ length: 1000 }, () => newTimeOrderedId(randomBytes, 'pcl', 1_800_000_000_000));
    expect(new Set(same).size).toBe(1000);
    expect(new Set(same.map((s) => s.slice(0, 13))).size).toBe(1);
  });

  it('newTimeOrderedId: the random part comes from the injected source', () => {
    const zeros = (n: number) => Buffer.alloc(n);
    expect(newTimeOrderedId(zeros, 'dep', 0)).toBe('dep-222222222aaaaaaaa');
  });
});
