import { describe, expect, it } from 'vitest';
import type { Tx } from '../../../../src/app/ports.js';
import { site, useStore, type MakeStore } from './fixtures.js';

const siteIds = (tx: Tx) => tx.sites.list().map((s) => s.id).sort();

/** The Store port: transactions, group commit semantics seen from a caller, reads, restart. */
export function storeContract(makeStore: MakeStore): void {
  describe('Store contract', () => {
    const ctx = useStore(makeStore);

    it('transact resolves with the value the work returned', async () => {
      const value = await ctx.store.transact((tx) => {
        tx.sites.insert(site('site-1'));
        return { inserted: 'site-1', n: 42 };
      });
      expect(value).toEqual({ inserted: 'site-1', n: 42 });
    });

    it('read sees what a resolved transact committed', async () => {
      await ctx.store.transact((tx) => tx.sites.insert(site('site-1', { name: 'Harbour view' })));
      expect(await ctx.store.read((tx) => tx.sites.get('site-1')?.name)).toBe('Harbour view');
    });

    it('a throwing unit rejects with its own error and leaves no trace, while the units issued with it commit', async () => {
      const boom = new Error('boom');
      // Issued in the same tick, so an adapter that batches commits puts them in one batch.
      const results = await Promise.allSettled([
        ctx.store.transact((tx) => tx.sites.insert(site('site-a'))),
        ctx.store.transact((tx) => {
          tx.sites.insert(site('site-b'));
          throw boom;
        }),
        ctx.store.transact((tx) => tx.sites.insert(site('site-c'))),
      ]);
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect((results[1] as PromiseRejectedResult).reason).toBe(boom);
      expect(await ctx.store.read(siteIds)).toEqual(['site-a', 'site-c']);
    });

    it('a unit that breaks a constraint rolls back its own earlier writes and nothing else', async () => {
      await ctx.store.transact((tx) => tx.sites.insert(site('site-a')));
      const results = await Promise.allSettled([
        ctx.store.transact((tx) => {
          tx.sites.insert(site('site-d'));
          tx.sites.insert(site('site-a')); // duplicate id
        }),
        ctx.store.transact((tx) => tx.sites.insert(site('site-e'))),
      ]);
      expect(results.map((r) => r.status)).toEqual(['rejected', 'fulfilled']);
      expect(await ctx.store.read(siteIds)).toEqual(['site-a', 'site-e']);
    });

    it('commits every one of many units issued at once, each resolving with its own value', async () => {
      const ids = Array.from({ length: 1200 }, (_, i) => `site-${String(i).padStart(4, '0')}`);
      const values = await Promise.all(ids.map((id) => ctx.store.transact((tx) => (tx.sites.insert(site(id)), id))));
      expect(values).toEqual(ids);
      expect(await ctx.store.read(siteIds)).toEqual(ids);
    });

    it('a unit sees the writes of the units committed before it', async () => {
      const seen = await Promise.all([
        ctx.store.transact((tx) => (tx.sites.insert(site('site-a')), siteIds(tx))),
        ctx.store.transact((tx) => (tx.sites.insert(site('site-b')), siteIds(tx))),
      ]);
      expect(seen).toEqual([['site-a'], ['site-a', 'site-b']]);
    });

    it('read rejects when its work throws', async () => {
      await expect(ctx.store.read(() => { throw new Error('read failed'); })).rejects.toThrow('read failed');
    });

    it('after close, transact and read reject', async () => {
      await ctx.store.close();
      await expect(ctx.store.transact(() => 1)).rejects.toThrow();
      await expect(ctx.store.read(() => 1)).rejects.toThrow();
    });

    it('committed writes survive closing and reopening', async (t) => {
      const { reopen } = ctx.handle;
      if (!reopen) return t.skip();
      await ctx.store.transact((tx) => tx.sites.insert(site('site-durable', { address: '5 Quay street' })));
      await ctx.store.close();
      const again = await reopen();
      expect(await again.read((tx) => tx.sites.get('site-durable'))).toEqual(site('site-durable', { address: '5 Quay street' }));
    });

    it('close commits the units already requested before it returns', async (t) => {
      const { reopen } = ctx.handle;
      if (!reopen) return t.skip();
      const pending = ctx.store.transact((tx) => tx.sites.insert(site('site-late')));
      await ctx.store.close();
      await expect(pending).resolves.toBeUndefined();
      const again = await reopen();
      expect(await again.read(siteIds)).toEqual(['site-late']);
    });
  });
}
