import { describe, expect, it } from 'vitest';
import { site, useStore, type MakeStore } from './fixtures.js';

export function siteRepoContract(makeStore: MakeStore): void {
  describe('SiteRepo contract', () => {
    const ctx = useStore(makeStore);

    it('returns an inserted site field for field', async () => {
      const s = site('site-1', { name: 'Riverside campus', kind: 'campus', regionCode: '310115', address: '9 Bund road' });
      await ctx.store.transact((tx) => tx.sites.insert(s));
      expect(await ctx.store.read((tx) => tx.sites.get('site-1'))).toEqual(s);
    });

    it('returns undefined for an unknown id', async () => {
      expect(await ctx.store.read((tx) => tx.sites.get('site-none'))).toBeUndefined();
    });

    it('lists every site', async () => {
      await ctx.store.transact((tx) => {
        tx.sites.insert(site('site-b'));
        tx.sites.insert(site('site-a'));
      });
      const ids = await ctx.store.read((tx) => tx.sites.list().map((s) => s.id));
      expect(ids.sort()).toEqual(['site-a', 'site-b']);
    });

    it('refuses a second site with the same id', async () => {
      await ctx.store.transact((tx) => tx.sites.insert(site('site-1')));
      await expect(ctx.store.transact((tx) => tx.sites.insert(site('site-1', { name: 'Other' })))).rejects.toThrow();
      expect(await ctx.store.read((tx) => tx.sites.get('site-1')?.name)).toBe('Site site-1');
    });
  });
}
