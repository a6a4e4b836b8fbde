import { describe, expect, it } from 'vitest';
import { T0, useStore, type MakeStore } from './fixtures.js';

export function auditRepoContract(makeStore: MakeStore): void {
  describe('AuditRepo contract', () => {
    const ctx = useStore(makeStore);

    it('lists the entries of one target, newest first, up to the limit, details included', async () => {
      await ctx.store.transact((tx) => {
        tx.audit.append({ at: T0 + 1, actor: 'operator:tok-1', action: 'device.provision', target: 'dev-1', details: { lockerId: 'lkr-1' } });
        tx.audit.append({ at: T0 + 2, actor: 'operator:tok-1', action: 'locker.create', target: 'lkr-1', details: {} });
        tx.audit.append({ at: T0 + 3, actor: 'operator:tok-2', action: 'device.rotate_secret', target: 'dev-1', details: {} });
        tx.audit.append({ at: T0 + 4, actor: 'operator:tok-2', action: 'device.revoke', target: 'dev-1', details: { note: 'stolen', n: [1, 2] } });
      });
      expect(await ctx.store.read((tx) => tx.audit.list('dev-1', 2))).toEqual([
        { at: T0 + 4, actor: 'operator:tok-2', action: 'device.revoke', target: 'dev-1', details: { note: 'stolen', n: [1, 2] } },
        { at: T0 + 3, actor: 'operator:tok-2', action: 'device.rotate_secret', target: 'dev-1', details: {} },
      ]);
      expect(await ctx.store.read((tx) => tx.audit.list('dev-1', 10).map((e) => e.action))).toEqual([
        'device.revoke',
        'device.rotate_secret',
        'device.provision',
      ]);
      expect(await ctx.store.read((tx) => tx.audit.list('nobody', 10))).toEqual([]);
    });

    it('an entry appended in a failed transaction is not kept', async () => {
      await expect(
        ctx.store.transact((tx) => {
          tx.audit.append({ at: T0, actor: 'operator:tok-1', action: 'alarm.acknowledge', target: 'alarm-1', details: {} });
          throw new Error('alarm not found');
        }),
      ).rejects.toThrow('alarm not found');
      expect(await ctx.store.read((tx) => tx.audit.list('alarm-1', 10))).toEqual([]);
    });
  });
}
