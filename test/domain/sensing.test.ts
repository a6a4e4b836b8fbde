import { describe, expect, it } from 'vitest';
import type { Compartment } from '../../src/domain/locker.js';
import { applyDoorReport, isDoorLeftOpen, reconcileSnapshot, type SnapshotEntry } from '../../src/domain/sensing.js';

const T0 = 1_800_000_000_000;

function compartment(index: number, overrides: Partial<Compartment> = {}): Compartment {
  return {
    lockerId: 'lkr-1',
    index,
    size: 'M',
    hasOccupancySensor: true,
    state: 'available',
    door: 'closed',
    occupancy: 'absent',
    sensedAt: null,
    doorOpenedAt: null,
    ...overrides,
  };
}

describe('applyDoorReport', () => {
  it('a door opened without an open command raises door_forced and records when it opened', () => {
    const r = applyDoorReport(compartment(4, { state: 'occupied' }), { door: 'open', at: T0, commanded: false });
    expect(r.alarms).toEqual([{ kind: 'door_forced', lockerId: 'lkr-1', compartment: 4, details: { operationalState: 'occupied' } }]);
    expect(r.compartment).toMatchObject({ door: 'open', sensedAt: T0, doorOpenedAt: T0, state: 'occupied' });
    expect(r.clears).toEqual([]);
  });

  it('a commanded open raises nothing', () => {
    const r = applyDoorReport(compartment(4), { door: 'open', at: T0, commanded: true });
    expect(r.alarms).toEqual([]);
    expect(r.compartment).toMatchObject({ door: 'open', doorOpenedAt: T0 });
  });

  it('a door whose state was unknown and now reports open without a command is forced', () => {
    const r = applyDoorReport(compartment(1, { door: 'unknown' }), { door: 'open', at: T0, commanded: false });
    expect(r.alarms.map((a) => a.kind)).toEqual(['door_forced']);
  });

  it('a repeated open report keeps the first opening time and raises nothing new', () => {
    const open = compartment(2, { door: 'open', doorOpenedAt: T0 });
    const r = applyDoorReport(open, { door: 'open', at: T0 + 5_000, commanded: false });
    expect(r.alarms).toEqual([]);
    expect(r.compartment.doorOpenedAt).toBe(T0);
    expect(r.compartment.sensedAt).toBe(T0 + 5_000);
  });

  it('closing the door clears door_left_open and forgets the opening time', () => {
    const r = applyDoorReport(compartment(2, { door: 'open', doorOpenedAt: T0 }), { door: 'closed', at: T0 + 1_000, commanded: false });
    expect(r.clears).toEqual(['door_left_open']);
    expect(r.alarms).toEqual([]);
    expect(r.compartment).toMatchObject({ door: 'closed', doorOpenedAt: null, sensedAt: T0 + 1_000 });
  });

  it('never changes the operational state', () => {
    for (const state of ['available', 'reserved', 'occupied', 'out_of_service'] as const) {
      const r = applyDoorReport(compartment(1, { state }), { door: 'open', at: T0, commanded: false });
      expect(r.compartment.state).toBe(state);
    }
  });
});

describe('reconcileSnapshot', () => {
  const none = new Set<number>();
  const entry = (index: number, door: SnapshotEntry['door'], occupancy: SnapshotEntry['occupancy']): SnapshotEntry => ({ index, door, occupancy });

  it('raises no alarm when the snapshot agrees, and records the sensed state', () => {
    const cs = [compartment(1), compartment(2, { state: 'occupied', occupancy: 'present' })];
    const r = reconcileSnapshot('lkr-1', cs, [entry(1, 'closed', 'absent'), entry(2, 'closed', 'present')], T0, none);
    expect(r.alarms).toEqual([]);
    expect(r.updated).toHaveLength(2);
    expect(r.updated.every((c) => c.sensedAt === T0)).toBe(true);
  });

  it('occupied but absent → snapshot_mismatch on that compartment', () => {
    const r = reconcileSnapshot('lkr-1', [compartment(1, { state: 'occupied' })], [entry(1, 'closed', 'absent')], T0, none);
    expect(r.alarms).toEqual([
      {
        kind: 'snapshot_mismatch',
        lockerId: 'lkr-1',
        compartment: 1,
        details: { problem: 'occupancy', operationalState: 'occupied', sensedOccupancy: 'absent' },
      },
    ]);
  });

  it('available but present → snapshot_mismatch', () => {
    const r = reconcileSnapshot('lkr-1', [compartment(3)], [entry(3, 'closed', 'present')], T0, none);
    expect(r.alarms).toEqual([
      {
        kind: 'snapshot_mismatch',
        lockerId: 'lkr-1',
        compartment: 3,
        details: { problem: 'occupancy', operationalState: 'available', sensedOccupancy: 'present' },
      },
    ]);
  });

  it.each(['present', 'absent'] as const)('reserved and %s → no alarm', (occupancy) => {
    const r = reconcileSnapshot('lkr-1', [compartment(1, { state: 'reserved' })], [entry(1, 'closed', occupancy)], T0, none);
    expect(r.alarms).toEqual([]);
  });

  it.each(['occupied', 'available'] as const)('%s with unknown occupancy → no alarm', (state) => {
    const r = reconcileSnapshot('lkr-1', [compartment(1, { state })], [entry(1, 'closed', 'unknown')], T0, none);
    expect(r.alarms).toEqual([]);
    expect(r.updated[0]?.occupancy).toBe('unknown');
  });

  it('a door open that the gateway thought closed, with no open command → snapshot_mismatch door_open', () => {
    const r = reconcileSnapshot('lkr-1', [compartment(5)], [entry(5, 'open', 'absent')], T0, none);
    expect(r.alarms).toEqual([
      { kind: 'snapshot_mismatch', lockerId: 'lkr-1', compartment: 5, details: { problem: 'door_open', lastKnownDoor: 'closed' } },
    ]);
    expect(r.updated[0]).toMatchObject({ door: 'open', doorOpenedAt: T0 });
  });

  it('a door open because of a pending open command → no alarm', () => {
    const r = reconcileSnapshot('lkr-1', [compartment(5)], [entry(5, 'open', 'absent')], T0, new Set([5]));
    expect(r.alarms).toEqual([]);
  });

  it('a door already known to be open stays open since its first opening, without an alarm', () => {
    const r = reconcileSnapshot('lkr-1', [compartment(5, { door: 'open', doorOpenedAt: T0 - 60_000 })], [entry(5, 'open', 'absent')], T0, none);
    expect(r.alarms).toEqual([]);
    expect(r.updated[0]?.doorOpenedAt).toBe(T0 - 60_000);
  });

  it('a closed door in the snapshot forgets the opening time', () => {
    const r = reconcileSnapshot('lkr-1', [compartment(5, { door: 'open', doorOpenedAt: T0 - 60_000 })], [entry(5, 'closed', 'absent')], T0, none);
    expect(r.updated[0]).toMatchObject({ door: 'closed', doorOpenedAt: null });
  });

  it('a compartment the gateway does not know → snapshot_mismatch unknown_compartment, and nothing updated for it', () => {
    const r = reconcileSnapshot('lkr-1', [compartment(1)], [entry(1, 'closed', 'absent'), entry(9, 'closed', 'absent')], T0, none);
    expect(r.alarms).toEqual([
      { kind: 'snapshot_mismatch', lockerId: 'lkr-1', compartment: 9, details: { problem: 'unknown_compartment' } },
    ]);
    expect(r.updated.map((c) => c.index)).toEqual([1]);
  });

  it('compartments missing from the snapshot → one locker-level snapshot_mismatch listing them', () => {
    const cs = [compartment(1), compartment(2), compartment(3), compartment(4)];
    const r = reconcileSnapshot('lkr-1', cs, [entry(2, 'closed', 'absent'), entry(3, 'closed', 'absent')], T0, none);
    expect(r.alarms).toEqual([
      { kind: 'snapshot_mismatch', lockerId: 'lkr-1', compartment: null, details: { problem: 'compartments_missing', missing: [1, 4] } },
    ]);
  });

  it('never changes the operational state', () => {
    const r = reconcileSnapshot('lkr-1', [compartment(1, { state: 'occupied' })], [entry(1, 'open', 'absent')], T0, none);
    expect(r.updated[0]?.state).toBe('occupied');
  });
});

describe('isDoorLeftOpen', () => {
  const limit = 120_000;

  it('is true once the door has been open for the limit', () => {
    const c = compartment(1, { door: 'open', doorOpenedAt: T0 });
    expect(isDoorLeftOpen(c, T0 + limit - 1, limit)).toBe(false);
    expect(isDoorLeftOpen(c, T0 + limit, limit)).toBe(true);
  });

  it('is false for a closed door or one with no opening time', () => {
    expect(isDoorLeftOpen(compartment(1, { door: 'closed', doorOpenedAt: T0 }), T0 + 10 * limit, limit)).toBe(false);
    expect(isDoorLeftOpen(compartment(1, { door: 'open', doorOpenedAt: null }), T0 + 10 * limit, limit)).toBe(false);
  });
});
