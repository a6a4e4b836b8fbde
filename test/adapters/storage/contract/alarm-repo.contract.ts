import { describe, expect, it } from 'vitest';
import type { AlarmFilter } from '../../../../src/app/ports.js';
import { alarmDraft, T0, useStore, type MakeStore } from './fixtures.js';

export function alarmRepoContract(makeStore: MakeStore): void {
  describe('AlarmRepo contract', () => {
    const ctx = useStore(makeStore);

    it('raises a new open alarm with the severity of its kind', async () => {
      const { alarm, isNew } = await ctx.store.transact((tx) => tx.alarms.raise(alarmDraft({ details: { operationalState: 'occupied' } }), T0));
      expect(isNew).toBe(true);
      expect(alarm).toEqual({
        id: expect.any(String),
        kind: 'door_forced',
        severity: 'critical',
        lockerId: 'lkr-a',
        compartment: 1,
        details: { operationalState: 'occupied' },
        state: 'open',
        raisedAt: T0,
        lastSeenAt: T0,
        occurrences: 1,
        acknowledgedAt: null,
        acknowledgedBy: null,
        clearedAt: null,
      });
      expect(await ctx.store.read((tx) => tx.alarms.get(alarm.id))).toEqual(alarm);
    });

    it('raising the same alarm again counts an occurrence on the one live alarm', async () => {
      const first = await ctx.store.transact((tx) => tx.alarms.raise(alarmDraft({ details: { n: 1 } }), T0));
      const second = await ctx.store.transact((tx) => tx.alarms.raise(alarmDraft({ details: { n: 2 } }), T0 + 5_000));
      expect(second.isNew).toBe(false);
      expect(second.alarm).toMatchObject({ id: first.alarm.id, occurrences: 2, raisedAt: T0, lastSeenAt: T0 + 5_000, details: { n: 2 } });
      const stored = await ctx.store.read((tx) => ({ all: tx.alarms.list({ limit: 10 }), got: tx.alarms.get(first.alarm.id) }));
      expect(stored.all).toHaveLength(1);
      expect(stored.got).toEqual(second.alarm);
    });

    it('keeps alarms of different kinds, compartments and lockers apart', async () => {
      const results = await ctx.store.transact((tx) => [
        tx.alarms.raise(alarmDraft({ compartment: 1 }), T0),
        tx.alarms.raise(alarmDraft({ compartment: 2 }), T0),
        tx.alarms.raise(alarmDraft({ compartment: null, kind: 'tamper' }), T0),
        tx.alarms.raise(alarmDraft({ compartment: 1, kind: 'door_jammed' }), T0),
        tx.alarms.raise(alarmDraft({ compartment: 1, lockerId: 'lkr-b' }), T0),
        tx.alarms.raise(alarmDraft({ compartment: null, kind: 'door_forced' }), T0),
      ]);
      expect(results.map((r) => r.isNew)).toEqual([true, true, true, true, true, true]);
      expect(new Set(results.map((r) => r.alarm.id)).size).toBe(6);
    });

    it('live finds the open alarm of a kind on a compartment, or on the locker for null', async () => {
      const { compartmentAlarm, lockerAlarm } = await ctx.store.transact((tx) => ({
        compartmentAlarm: tx.alarms.raise(alarmDraft({ compartment: 3 }), T0).alarm,
        lockerAlarm: tx.alarms.raise(alarmDraft({ compartment: null, kind: 'device_offline' }), T0).alarm,
      }));
      const got = await ctx.store.read((tx) => [
        tx.alarms.live('lkr-a', 3, 'door_forced')?.id,
        tx.alarms.live('lkr-a', null, 'device_offline')?.id,
        tx.alarms.live('lkr-a', 4, 'door_forced'),
        tx.alarms.live('lkr-a', null, 'door_forced'),
        tx.alarms.live('lkr-a', 3, 'tamper'),
        tx.alarms.live('lkr-b', 3, 'door_forced'),
      ]);
      expect(got).toEqual([compartmentAlarm.id, lockerAlarm.id, undefined, undefined, undefined, undefined]);
    });

    it('clear ends the live alarm of that kind and place only; raising again makes a new alarm', async () => {
      const first = await ctx.store.transact((tx) => {
        tx.alarms.raise(alarmDraft({ kind: 'door_left_open', compartment: 2 }), T0);
        return tx.alarms.raise(alarmDraft({ kind: 'door_left_open', compartment: 1 }), T0).alarm;
      });
      expect(await ctx.store.transact((tx) => tx.alarms.clear('lkr-a', 1, 'door_left_open', T0 + 100))).toBe(1);
      const after = await ctx.store.read((tx) => ({
        cleared: tx.alarms.get(first.id),
        live: tx.alarms.live('lkr-a', 1, 'door_left_open'),
        other: tx.alarms.live('lkr-a', 2, 'door_left_open')?.state,
      }));
      expect(after.cleared).toMatchObject({ state: 'cleared', clearedAt: T0 + 100 });
      expect(after.live).toBeUndefined();
      expect(after.other).toBe('open');

      const again = await ctx.store.transact((tx) => tx.alarms.raise(alarmDraft({ kind: 'door_left_open', compartment: 1 }), T0 + 200));
      expect(again.isNew).toBe(true);
      expect(again.alarm.id).not.toBe(first.id);
      expect(again.alarm).toMatchObject({ state: 'open', occurrences: 1, raisedAt: T0 + 200 });
      expect(await ctx.store.read((tx) => tx.alarms.get(first.id)?.state)).toBe('cleared');
    });

    it('clearCompartments ends that kind on the listed compartments of that locker only', async () => {
      await ctx.store.transact((tx) => {
        for (const c of [1, 2, 3]) tx.alarms.raise(alarmDraft({ kind: 'door_left_open', compartment: c }), T0);
        tx.alarms.raise(alarmDraft({ kind: 'door_forced', compartment: 1 }), T0);
      });
      expect(await ctx.store.transact((tx) => tx.alarms.clearCompartments('lkr-a', [1, 3, 9], 'door_left_open', T0 + 5))).toBe(2);
      expect(await ctx.store.transact((tx) => tx.alarms.clearCompartments('lkr-a', [], 'door_left_open', T0 + 5))).toBe(0);
      const live = await ctx.store.read((tx) => [1, 2, 3].map((c) => tx.alarms.live('lkr-a', c, 'door_left_open')?.state ?? null));
      expect(live).toEqual([null, 'open', null]);
      expect(await ctx.store.read((tx) => tx.alarms.live('lkr-a', 1, 'door_forced')?.state)).toBe('open');
    });

    it('clear with nothing live returns 0', async () => {
      expect(await ctx.store.transact((tx) => tx.alarms.clear('lkr-a', null, 'power', T0))).toBe(0);
    });

    it('acknowledge records who and when; the alarm stays live and stops counting as open', async () => {
      const { alarm } = await ctx.store.transact((tx) => tx.alarms.raise(alarmDraft({ kind: 'tamper', compartment: null }), T0));
      expect(await ctx.store.read((tx) => tx.alarms.countOpen())).toBe(1);
      await ctx.store.transact((tx) => tx.alarms.acknowledge(alarm.id, 'operator:tok-1', T0 + 60_000));
      const got = await ctx.store.read((tx) => ({ a: tx.alarms.get(alarm.id), live: tx.alarms.live('lkr-a', null, 'tamper')?.id, open: tx.alarms.countOpen() }));
      expect(got.a).toMatchObject({ state: 'acknowledged', acknowledgedAt: T0 + 60_000, acknowledgedBy: 'operator:tok-1', clearedAt: null });
      expect(got.live).toBe(alarm.id);
      expect(got.open).toBe(0);

      // The same condition again reopens the acknowledged alarm and reports it as new: someone must look again.
      const again = await ctx.store.transact((tx) => tx.alarms.raise(alarmDraft({ kind: 'tamper', compartment: null }), T0 + 70_000));
      expect(again).toMatchObject({ isNew: true, alarm: { id: alarm.id, state: 'open', occurrences: 2 } });
      expect(await ctx.store.read((tx) => tx.alarms.countOpen())).toBe(1);

      // Clearing ends an acknowledged alarm too.
      expect(await ctx.store.transact((tx) => tx.alarms.clear('lkr-a', null, 'tamper', T0 + 80_000))).toBe(1);
    });

    it('acknowledge leaves a cleared alarm cleared', async () => {
      const { alarm } = await ctx.store.transact((tx) => tx.alarms.raise(alarmDraft({ kind: 'power', compartment: null }), T0));
      await ctx.store.transact((tx) => tx.alarms.clear('lkr-a', null, 'power', T0 + 1));
      await ctx.store.transact((tx) => tx.alarms.acknowledge(alarm.id, 'operator:tok-1', T0 + 2));
      expect(await ctx.store.read((tx) => tx.alarms.get(alarm.id))).toMatchObject({ state: 'cleared', acknowledgedAt: null, acknowledgedBy: null });
    });

    it('list filters by state, locker and kind, newest first, up to the limit', async () => {
      const ids = await ctx.store.transact((tx) => {
        const a = tx.alarms.raise(alarmDraft({ kind: 'door_forced', lockerId: 'lkr-a', compartment: 1 }), T0 + 1).alarm.id;
        const b = tx.alarms.raise(alarmDraft({ kind: 'tamper', lockerId: 'lkr-a', compartment: null }), T0 + 2).alarm.id;
        const c = tx.alarms.raise(alarmDraft({ kind: 'door_forced', lockerId: 'lkr-b', compartment: 1 }), T0 + 3).alarm.id;
        const d = tx.alarms.raise(alarmDraft({ kind: 'power', lockerId: 'lkr-b', compartment: null }), T0 + 4).alarm.id;
        tx.alarms.clear('lkr-b', null, 'power', T0 + 5);
        tx.alarms.acknowledge(b, 'operator:tok-1', T0 + 6);
        return { a, b, c, d };
      });
      const list = (filter: Omit<AlarmFilter, 'limit'>, limit = 50) =>
        ctx.store.read((tx) => tx.alarms.list({ ...filter, limit }).map((x) => x.id));
      expect(await list({})).toEqual([ids.d, ids.c, ids.b, ids.a]);
      expect(await list({}, 2)).toEqual([ids.d, ids.c]);
      expect(await list({ state: 'open' })).toEqual([ids.c, ids.a]);
      expect(await list({ state: 'acknowledged' })).toEqual([ids.b]);
      expect(await list({ state: 'cleared' })).toEqual([ids.d]);
      expect(await list({ lockerId: 'lkr-a' })).toEqual([ids.b, ids.a]);
      expect(await list({ kind: 'door_forced' })).toEqual([ids.c, ids.a]);
      expect(await list({ kind: 'door_forced', lockerId: 'lkr-b', state: 'open' })).toEqual([ids.c]);
      expect(await list({ lockerId: 'lkr-none' })).toEqual([]);
    });
  });
}
