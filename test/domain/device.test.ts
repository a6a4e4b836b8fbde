import { describe, expect, it } from 'vitest';
import { judgeSequence } from '../../src/domain/device.js';

describe('judgeSequence (protocol README §5)', () => {
  const device = { bootId: 'boot-A', lastSeq: 5 };

  it('applies the next seq of the current boot', () => {
    expect(judgeSequence(device, 'boot-A', 6)).toBe('apply');
  });

  it('applies a jump but reports it as a gap', () => {
    expect(judgeSequence(device, 'boot-A', 7)).toBe('gap');
    expect(judgeSequence(device, 'boot-A', 1000)).toBe('gap');
  });

  it('drops a repeated or older seq as a duplicate', () => {
    expect(judgeSequence(device, 'boot-A', 5)).toBe('duplicate');
    expect(judgeSequence(device, 'boot-A', 1)).toBe('duplicate');
  });

  it('drops a message of another boot as stale, whatever its seq', () => {
    expect(judgeSequence(device, 'boot-B', 6)).toBe('stale_boot');
    expect(judgeSequence(device, 'boot-B', 1)).toBe('stale_boot');
  });

  it('treats every message of a device that never said hello as stale', () => {
    expect(judgeSequence({ bootId: null, lastSeq: 0 }, 'boot-A', 1)).toBe('stale_boot');
  });
});
