import { describe, expect, it } from 'vitest';
import { compartments, device, locker, site, T0, useStore, type MakeStore } from './fixtures.js';

export function lockerRepoContract(makeStore: MakeStore): void {
  describe('LockerRepo contract', () => {
    const ctx = useStore(makeStore);

    async function seed(): Promise<void> {
      await ctx.store.transact((tx) => {
        tx.sites.insert(site('site-a'));
        tx.sites.insert(site('site-b'));
        tx.lockers.insert(locker('lkr-a1', 'site-a'), compartments('lkr-a1', 5));
        tx.lockers.insert(locker('lkr-a2', 'site-a', { status: 'commissioning', commissionedAt: null }), compartments('lkr-a2', 2));
        tx.lockers.insert(locker('lkr-b1', 'site-b', { kind: 'mailbox_bank' }), compartments('lkr-b1', 3));
      });
    }

    it('returns an inserted locker field for field, and its compartments in index order', async () => {
      await seed();
      const got = await ctx.store.read((tx) => ({ l: tx.lockers.get('lkr-b1'), cs: tx.lockers.compartments('lkr-b1') }));
      expect(got.l).toEqual(locker('lkr-b1', 'site-b', { kind: 'mailbox_bank' }));
      expect(got.cs).toEqual(compartments('lkr-b1', 3));
    });

    it('returns undefined for an unknown locker or compartment, and no compartments for an unknown locker', async () => {
      await seed();
      const got = await ctx.store.read((tx) => [
        tx.lockers.get('lkr-none'),
        tx.lockers.compartment('lkr-a1', 6),
        tx.lockers.compartment('lkr-none', 1),
        tx.lockers.compartments('lkr-none'),
      ]);
      expect(got).toEqual([undefined, undefined, undefined, []]);
    });

    it('finds one compartment by locker and index', async () => {
      await seed();
      expect(await ctx.store.read((tx) => tx.lockers.compartment('lkr-a1', 3))).toEqual(compartments('lkr-a1', 5)[2]);
    });

    it('lists all lockers, or those of one site', async () => {
      await seed();
      const got = await ctx.store.read((tx) => ({
        all: tx.lockers.list().map((l) => l.id).sort(),
        noFilter: tx.lockers.list({}).map((l) => l.id).sort(),
        a: tx.lockers.list({ siteId: 'site-a' }).map((l) => l.id).sort(),
        none: tx.lockers.list({ siteId: 'site-none' }),
      }));
      expect(got).toEqual({ all: ['lkr-a1', 'lkr-a2', 'lkr-b1'], noFilter: ['lkr-a1', 'lkr-a2', 'lkr-b1'], a: ['lkr-a1', 'lkr-a2'], none: [] });
    });

    it('listings: each locker with its controller (or none) and compartment count, all or of one site, in id order', async () => {
      await seed();
      await ctx.store.transact((tx) => {
        tx.devices.insert(device('dev-a1', 'lkr-a1', { online: true, lastSeenAt: T0 + 7 }), Buffer.alloc(32));
        tx.devices.insert(device('dev-b1', 'lkr-b1', { online: false, lastSeenAt: null }), Buffer.alloc(32));
      });
      const got = await ctx.store.read((tx) => ({ all: tx.lockers.listings(), a: tx.lockers.listings({ siteId: 'site-a' }).map((l) => l.id) }));
      expect(got.all).toEqual([
        { ...locker('lkr-a1', 'site-a'), deviceId: 'dev-a1', online: true, lastSeenAt: T0 + 7, compartmentCount: 5 },
        { ...locker('lkr-a2', 'site-a', { status: 'commissioning', commissionedAt: null }), deviceId: null, online: false, lastSeenAt: null, compartmentCount: 2 },
        { ...locker('lkr-b1', 'site-b', { kind: 'mailbox_bank' }), deviceId: 'dev-b1', online: false, lastSeenAt: null, compartmentCount: 3 },
      ]);
      expect(got.a).toEqual(['lkr-a1', 'lkr-a2']);
    });

    it('setStatus changes the status and commissioning time of that locker only', async () => {
      await seed();
      await ctx.store.transact((tx) => tx.lockers.setStatus('lkr-a2', 'active', T0 + 5));
      const got = await ctx.store.read((tx) => [tx.lockers.get('lkr-a2'), tx.lockers.get('lkr-a1')]);
      expect(got[0]).toMatchObject({ status: 'active', commissionedAt: T0 + 5 });
      expect(got[1]).toEqual(locker('lkr-a1', 'site-a'));
    });

    it('updateCompartment stores operational and sensed state of that compartment only', async () => {
      await seed();
      const before = compartments('lkr-a1', 5);
      const changed = { ...before[1]!, state: 'occupied' as const, door: 'open' as const, occupancy: 'present' as const, sensedAt: T0 + 7, doorOpenedAt: T0 + 6 };
      await ctx.store.transact((tx) => tx.lockers.updateCompartment(changed));
      expect(await ctx.store.read((tx) => tx.lockers.compartments('lkr-a1'))).toEqual([before[0], changed, ...before.slice(2)]);
      expect(await ctx.store.read((tx) => tx.lockers.compartment('lkr-a2', 2))).toEqual(compartments('lkr-a2', 2)[1]);
    });

    it('openDoorsSince returns compartments whose door opened at or before the cutoff, across lockers', async () => {
      await seed();
      await ctx.store.transact((tx) => {
        const a = compartments('lkr-a1', 5);
        tx.lockers.updateCompartment({ ...a[0]!, door: 'open', doorOpenedAt: T0 });
        tx.lockers.updateCompartment({ ...a[1]!, door: 'open', doorOpenedAt: T0 + 1_000 });
        tx.lockers.updateCompartment({ ...a[2]!, door: 'closed', doorOpenedAt: null, sensedAt: T0 });
        tx.lockers.updateCompartment({ ...compartments('lkr-b1', 3)[0]!, door: 'open', doorOpenedAt: T0 + 500 });
      });
      const since = (cutoff: number) =>
        ctx.store.read((tx) => tx.lockers.openDoorsSince(cutoff).map((c) => `${c.lockerId}/${c.index}`).sort());
      expect(await since(T0 - 1)).toEqual([]);
      // The sweeper raises door_left_open exactly at the limit, so the cutoff itself is included.
      expect(await since(T0)).toEqual(['lkr-a1/1']);
      expect(await since(T0 + 999)).toEqual(['lkr-a1/1', 'lkr-b1/1']);
      expect(await since(T0 + 60_000)).toEqual(['lkr-a1/1', 'lkr-a1/2', 'lkr-b1/1']);
    });

    it('refuses a locker of an unknown site and leaves nothing behind', async () => {
      await expect(ctx.store.transact((tx) => tx.lockers.insert(locker('lkr-x', 'site-none'), compartments('lkr-x', 2)))).rejects.toThrow();
      expect(await ctx.store.read((tx) => [tx.lockers.get('lkr-x'), tx.lockers.compartments('lkr-x')])).toEqual([undefined, []]);
    });
  });
}
