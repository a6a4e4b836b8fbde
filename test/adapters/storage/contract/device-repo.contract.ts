import { describe, expect, it } from 'vitest';
import { compartments, device, locker, site, T0, useStore, type MakeStore } from './fixtures.js';

const HASH_A = Buffer.alloc(32, 0xaa);
const HASH_B = Buffer.alloc(32, 0xbb);

export function deviceRepoContract(makeStore: MakeStore): void {
  describe('DeviceRepo contract', () => {
    const ctx = useStore(makeStore);

    async function seed(): Promise<void> {
      await ctx.store.transact((tx) => {
        tx.sites.insert(site('site-a'));
        for (const id of ['lkr-1', 'lkr-2', 'lkr-3', 'lkr-4', 'lkr-5']) tx.lockers.insert(locker(id, 'site-a'), compartments(id, 1));
        tx.devices.insert(device('dev-1', 'lkr-1'), HASH_A);
      });
    }

    it('returns an inserted device by id and by locker', async () => {
      await seed();
      const got = await ctx.store.read((tx) => [tx.devices.get('dev-1'), tx.devices.byLocker('lkr-1')]);
      expect(got).toEqual([device('dev-1', 'lkr-1'), device('dev-1', 'lkr-1')]);
    });

    it('returns undefined for an unknown device or a locker without one', async () => {
      await seed();
      expect(await ctx.store.read((tx) => [tx.devices.get('dev-none'), tx.devices.byLocker('lkr-2'), tx.devices.credentials('dev-none')])).toEqual([
        undefined,
        undefined,
        undefined,
      ]);
    });

    it('update stores every mutable field, telemetry included', async () => {
      await seed();
      const updated = device('dev-1', 'lkr-1', {
        model: 'LG-C2',
        firmware: '2.4.1',
        protocol: '1.0',
        bootId: 'boot-0001',
        lastSeq: 17,
        online: true,
        lastSeenAt: T0 + 10,
        connectedAt: T0 + 5,
        telemetry: { uptimeS: 3600, batteryPct: 87.5, mainsPower: true },
      });
      await ctx.store.transact((tx) => tx.devices.update(updated));
      expect(await ctx.store.read((tx) => tx.devices.get('dev-1'))).toEqual(updated);
    });

    it('recordSequence sets the last seq and last seen and leaves every other field as it was', async () => {
      await seed();
      const before = device('dev-1', 'lkr-1', { bootId: 'boot-0001', lastSeq: 3, online: true, telemetry: { uptimeS: 60 } });
      await ctx.store.transact((tx) => tx.devices.update(before));
      await ctx.store.transact((tx) => tx.devices.recordSequence('dev-1', 4, T0 + 99));
      expect(await ctx.store.read((tx) => tx.devices.get('dev-1'))).toEqual({ ...before, lastSeq: 4, lastSeenAt: T0 + 99 });
    });

    it('recordLink: a connection sets online, last seen and connected at; its end sets offline and last seen; both return the locker', async () => {
      await seed();
      const before = device('dev-1', 'lkr-1', { bootId: 'boot-0001', lastSeq: 3, online: false, connectedAt: T0, telemetry: { uptimeS: 60 } });
      await ctx.store.transact((tx) => tx.devices.update(before));
      expect(await ctx.store.transact((tx) => tx.devices.recordLink('dev-1', true, T0 + 10))).toBe('lkr-1');
      expect(await ctx.store.read((tx) => tx.devices.get('dev-1'))).toEqual({ ...before, online: true, connectedAt: T0 + 10, lastSeenAt: T0 + 10 });
      expect(await ctx.store.transact((tx) => tx.devices.recordLink('dev-1', false, T0 + 20))).toBe('lkr-1');
      expect(await ctx.store.read((tx) => tx.devices.get('dev-1'))).toEqual({ ...before, online: false, connectedAt: T0 + 10, lastSeenAt: T0 + 20 });
      expect(await ctx.store.transact((tx) => tx.devices.recordLink('dev-none', true, T0))).toBeUndefined();
    });

    it('keeps the secret hash, replaces it with setSecret, and tells a revoked device apart', async () => {
      await seed();
      expect(await ctx.store.read((tx) => tx.devices.credentials('dev-1'))).toEqual({ lockerId: 'lkr-1', revokedAt: null, secretHash: HASH_A });
      await ctx.store.transact((tx) => tx.devices.setSecret('dev-1', HASH_B));
      expect(await ctx.store.read((tx) => tx.devices.credentials('dev-1')?.secretHash)).toEqual(HASH_B);
      await ctx.store.transact((tx) => tx.devices.update(device('dev-1', 'lkr-1', { revokedAt: T0 + 1 })));
      expect(await ctx.store.read((tx) => tx.devices.credentials('dev-1'))).toEqual({ lockerId: 'lkr-1', revokedAt: T0 + 1, secretHash: HASH_B });
      expect(await ctx.store.read((tx) => tx.devices.get('dev-1')?.revokedAt)).toBe(T0 + 1);
    });

    it('a locker has at most one device', async () => {
      await seed();
      await expect(ctx.store.transact((tx) => tx.devices.insert(device('dev-2', 'lkr-1'), HASH_B))).rejects.toThrow();
      expect(await ctx.store.read((tx) => tx.devices.get('dev-2'))).toBeUndefined();
    });

    it('markAllOffline marks every online device offline and says how many were online', async () => {
      await seed();
      await ctx.store.transact((tx) => {
        tx.devices.update(device('dev-1', 'lkr-1', { online: true, lastSeenAt: T0 }));
        tx.devices.insert(device('dev-2', 'lkr-2', { online: true, lastSeenAt: T0 }), HASH_B);
        tx.devices.insert(device('dev-3', 'lkr-3', { online: false, lastSeenAt: T0 }), HASH_B);
      });
      expect(await ctx.store.read((tx) => tx.devices.countOnline())).toBe(2);
      expect(await ctx.store.transact((tx) => tx.devices.markAllOffline())).toBe(2);
      const got = await ctx.store.read((tx) => ({ n: tx.devices.countOnline(), d1: tx.devices.get('dev-1'), again: tx.devices.markAllOffline() }));
      expect(got.n).toBe(0);
      expect(got.d1).toMatchObject({ online: false, lastSeenAt: T0 });
      expect(got.again).toBe(0);
    });

    it('offlineSince lists offline, unrevoked devices last seen before the cutoff', async () => {
      await seed();
      await ctx.store.transact((tx) => {
        tx.devices.update(device('dev-1', 'lkr-1', { online: false, lastSeenAt: T0 })); // offline long ago
        tx.devices.insert(device('dev-2', 'lkr-2', { online: true, lastSeenAt: T0 }), HASH_B); // online
        tx.devices.insert(device('dev-3', 'lkr-3', { online: false, lastSeenAt: T0, revokedAt: T0 }), HASH_B); // revoked
        tx.devices.insert(device('dev-4', 'lkr-4', { online: false, lastSeenAt: null }), HASH_B); // never seen
        tx.devices.insert(device('dev-5', 'lkr-5', { online: false, lastSeenAt: T0 + 60_000 }), HASH_B); // offline recently
      });
      const since = (before: number) => ctx.store.read((tx) => tx.devices.offlineSince(before).map((d) => d.id).sort());
      expect(await since(T0)).toEqual([]);
      expect(await since(T0 + 1)).toEqual(['dev-1']);
      expect(await since(T0 + 60_001)).toEqual(['dev-1', 'dev-5']);
    });
  });
}
