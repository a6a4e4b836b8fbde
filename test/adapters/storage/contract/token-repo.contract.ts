import { describe, expect, it } from 'vitest';
import { T0, token, useStore, type MakeStore } from './fixtures.js';

const HASH_1 = Buffer.alloc(32, 0x11);
const HASH_2 = Buffer.alloc(32, 0x22);

export function tokenRepoContract(makeStore: MakeStore): void {
  describe('TokenRepo contract', () => {
    const ctx = useStore(makeStore);

    async function seed(): Promise<void> {
      await ctx.store.transact((tx) => {
        tx.tokens.insert(token('tok-1', { name: 'night shift', role: 'operator', createdAt: T0 + 1 }), HASH_1);
        tx.tokens.insert(token('tok-2', { name: 'dashboard', role: 'viewer', createdAt: T0 + 2 }), HASH_2);
      });
    }

    it('finds an active token by the hash of its secret', async () => {
      await seed();
      const got = await ctx.store.read((tx) => [tx.tokens.byHash(HASH_1), tx.tokens.byHash(Buffer.from(HASH_2)), tx.tokens.byHash(Buffer.alloc(32, 0x33))]);
      expect(got).toEqual([
        token('tok-1', { name: 'night shift', role: 'operator', createdAt: T0 + 1 }),
        token('tok-2', { name: 'dashboard', role: 'viewer', createdAt: T0 + 2 }),
        undefined,
      ]);
    });

    it('lists every token, oldest first, revoked ones included', async () => {
      await seed();
      await ctx.store.transact((tx) => tx.tokens.revoke('tok-1', T0 + 10));
      const got = await ctx.store.read((tx) => tx.tokens.list());
      expect(got.map((t) => [t.id, t.revokedAt])).toEqual([
        ['tok-1', T0 + 10],
        ['tok-2', null],
      ]);
    });

    it('revoke stops the token from authenticating and reports whether it was active', async () => {
      await seed();
      expect(await ctx.store.transact((tx) => tx.tokens.revoke('tok-1', T0 + 10))).toBe(true);
      expect(await ctx.store.read((tx) => tx.tokens.byHash(HASH_1))).toBeUndefined();
      expect(await ctx.store.transact((tx) => tx.tokens.revoke('tok-1', T0 + 20))).toBe(false);
      expect(await ctx.store.transact((tx) => tx.tokens.revoke('tok-none', T0 + 20))).toBe(false);
      expect(await ctx.store.read((tx) => tx.tokens.list().find((t) => t.id === 'tok-1')?.revokedAt)).toBe(T0 + 10);
      expect(await ctx.store.read((tx) => tx.tokens.byHash(HASH_2)?.id)).toBe('tok-2');
    });

    it('refuses two tokens with the same hash', async () => {
      await seed();
      await expect(ctx.store.transact((tx) => tx.tokens.insert(token('tok-3'), HASH_1))).rejects.toThrow();
    });
  });
}
