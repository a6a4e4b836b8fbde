import { describe, expect, it } from 'vitest';
import { LockergateError } from '../../src/domain/errors.js';
import { parseLayout } from '../../src/domain/locker.js';

function layoutError(layout: string): LockergateError {
  try {
    parseLayout(layout);
  } catch (e) {
    if (e instanceof LockergateError) return e;
    throw new Error(`expected a LockergateError for ${JSON.stringify(layout)}, got ${String(e)}`);
  }
  throw new Error(`expected ${JSON.stringify(layout)} to be rejected`);
}

describe('parseLayout', () => {
  it('expands SIZE:COUNT parts in the order given, so compartment n is specs[n-1]', () => {
    const specs = parseLayout('S:2,M:1,L:3');
    expect(specs.map((s) => s.size)).toEqual(['S', 'S', 'M', 'L', 'L', 'L']);
    expect(specs.every((s) => s.hasOccupancySensor)).toBe(true);
  });

  it('accepts every size class and whitespace around parts', () => {
    expect(parseLayout(' XS:1 , S:1,M:1 ,L:1,XL:1 ').map((s) => s.size)).toEqual(['XS', 'S', 'M', 'L', 'XL']);
  });

  it('marks ":nosensor" parts as having no occupancy sensor, and only those', () => {
    expect(parseLayout('M:2:nosensor,L:1')).toEqual([
      { size: 'M', hasOccupancySensor: false },
      { size: 'M', hasOccupancySensor: false },
      { size: 'L', hasOccupancySensor: true },
    ]);
  });

  it('allows a repeated size in a later column', () => {
    expect(parseLayout('S:1,M:1,S:1').map((s) => s.size)).toEqual(['S', 'M', 'S']);
  });

  it.each([
    ['', 'empty layout'],
    ['S', 'no count'],
    ['S:', 'empty count'],
    ['XXL:2', 'unknown size'],
    ['s:2', 'lower-case size'],
    ['S:-1', 'negative count'],
    ['S:1.5', 'fractional count'],
    ['S:2:sensor', 'unknown flag'],
    ['S:2,,M:1', 'empty part'],
    ['S:2;M:1', 'wrong separator'],
    ['S:1000', 'four-digit count'],
  ])('rejects %j (%s) with INVALID_LAYOUT', (layout) => {
    const e = layoutError(layout);
    expect(e.code).toBe('INVALID_LAYOUT');
    expect(e.kind).toBe('invalid');
  });

  it('rejects a part with zero compartments and names the part', () => {
    const e = layoutError('S:4,M:0');
    expect(e.code).toBe('INVALID_LAYOUT');
    expect(e.message).toContain('M:0');
  });

  it('accepts exactly 999 compartments and rejects 1000 in total', () => {
    expect(parseLayout('S:999')).toHaveLength(999);
    expect(parseLayout('S:500,M:499')).toHaveLength(999);
    const e = layoutError('S:500,M:500');
    expect(e.code).toBe('INVALID_LAYOUT');
    expect(e.message).toContain('1000');
  });
});
