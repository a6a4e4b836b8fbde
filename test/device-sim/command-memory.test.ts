import { describe, expect, it } from 'vitest';
import { CommandMemory } from '../../device-sim/commands.js';

const ack = (commandId: string) => ({ commandId, status: 'accepted' as const });

describe('CommandMemory (protocol §6.4)', () => {
  it('keeps the last N ids, and beyond N every id that has not expired yet', () => {
    let now = 1_000;
    const memory = new CommandMemory(() => now, 2);
    memory.set('c-old-expired', ack('c-old-expired'), 500);
    memory.set('c-live-1', ack('c-live-1'), 5_000);
    memory.set('c-live-2', ack('c-live-2'), 5_000);
    expect(memory.get('c-old-expired')).toBeUndefined();
    memory.set('c-live-3', ack('c-live-3'), 5_000);
    expect(['c-live-1', 'c-live-2', 'c-live-3'].map((id) => memory.get(id)?.commandId)).toEqual([
      'c-live-1', 'c-live-2', 'c-live-3',
    ]);
    now = 6_000;
    memory.set('c-live-4', ack('c-live-4'), 9_000);
    expect(memory.get('c-live-1')).toBeUndefined();
    expect(memory.get('c-live-2')).toBeUndefined();
    expect(memory.get('c-live-3')?.commandId).toBe('c-live-3');
    expect(memory.get('c-live-4')?.commandId).toBe('c-live-4');
  });
});
