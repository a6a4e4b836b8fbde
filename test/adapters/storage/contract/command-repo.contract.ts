import { describe, expect, it } from 'vitest';
import { command, seedLockers, T0, useStore, type MakeStore } from './fixtures.js';

export function commandRepoContract(makeStore: MakeStore): void {
  describe('CommandRepo contract', () => {
    const ctx = useStore(makeStore);

    it('returns an inserted command field for field, params included', async () => {
      await seedLockers(ctx.store);
      const c = command('cmd-keypad01', 'dev-a', 'lkr-a', {
        type: 'keypad_reply',
        params: { requestId: 'req-000001', result: 'deny', reason: 'unavailable' },
        actor: 'keypad:req-000001',
      });
      await ctx.store.transact((tx) => tx.commands.insert(c));
      expect(await ctx.store.read((tx) => [tx.commands.get('cmd-keypad01'), tx.commands.get('cmd-none')])).toEqual([c, undefined]);
    });

    it('update stores the state, outcome, times and attempts', async () => {
      await seedLockers(ctx.store);
      const c = command('cmd-000001', 'dev-a', 'lkr-a');
      await ctx.store.transact((tx) => tx.commands.insert(c));
      const ended = { ...c, state: 'done' as const, outcome: 'opened' as const, sentAt: T0 + 1, acceptedAt: T0 + 2, completedAt: T0 + 3, attempts: 2 };
      await ctx.store.transact((tx) => tx.commands.update(ended));
      expect(await ctx.store.read((tx) => tx.commands.get('cmd-000001'))).toEqual(ended);
    });

    it('undelivered lists the queued and sent commands of one device, oldest first', async () => {
      await seedLockers(ctx.store);
      await ctx.store.transact((tx) => {
        tx.commands.insert(command('cmd-late-q', 'dev-a', 'lkr-a', { createdAt: T0 + 30, state: 'queued' }));
        tx.commands.insert(command('cmd-early-s', 'dev-a', 'lkr-a', { createdAt: T0 + 10, state: 'sent', sentAt: T0 + 10, attempts: 1 }));
        tx.commands.insert(command('cmd-mid-q', 'dev-a', 'lkr-a', { createdAt: T0 + 20, state: 'queued' }));
        tx.commands.insert(command('cmd-accepted', 'dev-a', 'lkr-a', { createdAt: T0, state: 'accepted' }));
        tx.commands.insert(command('cmd-done', 'dev-a', 'lkr-a', { createdAt: T0, state: 'done', outcome: 'opened' }));
        tx.commands.insert(command('cmd-other', 'dev-b', 'lkr-b', { createdAt: T0, state: 'queued' }));
      });
      const ids = await ctx.store.read((tx) => tx.commands.undelivered('dev-a').map((c) => c.id));
      expect(ids).toEqual(['cmd-early-s', 'cmd-mid-q', 'cmd-late-q']);
    });

    it('unfinished lists queued, sent and accepted commands of every device', async () => {
      await seedLockers(ctx.store);
      await ctx.store.transact((tx) => {
        tx.commands.insert(command('cmd-q', 'dev-a', 'lkr-a', { state: 'queued' }));
        tx.commands.insert(command('cmd-s', 'dev-b', 'lkr-b', { state: 'sent' }));
        tx.commands.insert(command('cmd-a', 'dev-a', 'lkr-a', { state: 'accepted' }));
        tx.commands.insert(command('cmd-d', 'dev-a', 'lkr-a', { state: 'done', outcome: 'opened' }));
        tx.commands.insert(command('cmd-f', 'dev-a', 'lkr-a', { state: 'failed', outcome: 'jammed' }));
        tx.commands.insert(command('cmd-e', 'dev-b', 'lkr-b', { state: 'expired', outcome: 'expired_undelivered' }));
      });
      expect(await ctx.store.read((tx) => tx.commands.unfinished().map((c) => c.id).sort())).toEqual(['cmd-a', 'cmd-q', 'cmd-s']);
    });

    it('compartmentsWithRecentOpens: compartments with an open in flight, or ended at or after the cutoff', async () => {
      await seedLockers(ctx.store);
      const since = T0 + 1_000;
      await ctx.store.transact((tx) => {
        tx.commands.insert(command('cmd-inflight', 'dev-a', 'lkr-a', { state: 'accepted', params: { compartment: 2 } }));
        tx.commands.insert(command('cmd-endednow', 'dev-a', 'lkr-a', { state: 'done', outcome: 'opened', completedAt: since, params: { compartment: 2 } }));
        tx.commands.insert(command('cmd-endedold', 'dev-a', 'lkr-a', { state: 'done', outcome: 'opened', completedAt: since - 1, params: { compartment: 2 } }));
        tx.commands.insert(command('cmd-keypad', 'dev-a', 'lkr-a', {
          type: 'keypad_reply',
          state: 'sent',
          params: { requestId: 'req-000001', result: 'open', compartment: 2 },
        }));
        tx.commands.insert(command('cmd-othercmp', 'dev-a', 'lkr-a', { state: 'sent', params: { compartment: 3 } }));
        tx.commands.insert(command('cmd-otherlkr', 'dev-b', 'lkr-b', { state: 'sent', params: { compartment: 2 } }));
        tx.commands.insert(command('cmd-ping', 'dev-a', 'lkr-a', { type: 'ping', state: 'sent', params: {} }));
      });
      const sets = await ctx.store.read((tx) => [
        tx.commands.compartmentsWithRecentOpens('lkr-a', since),
        tx.commands.compartmentsWithRecentOpens('lkr-a', since + 1_000_000) /* still the in-flight and keypad ones */,
        tx.commands.compartmentsWithRecentOpens('lkr-c', 0),
      ]);
      expect(sets.map((s) => [...s].sort())).toEqual([[2, 3], [2, 3], []]);
    });

    it('compartmentsWithRecentOpens: an open that ended before the cutoff does not count', async () => {
      await seedLockers(ctx.store);
      await ctx.store.transact((tx) => {
        tx.commands.insert(command('cmd-endedold', 'dev-a', 'lkr-a', { state: 'done', outcome: 'opened', completedAt: T0, params: { compartment: 2 } }));
        tx.commands.insert(command('cmd-ping', 'dev-a', 'lkr-a', { type: 'ping', state: 'sent', params: {} }));
      });
      expect(await ctx.store.read((tx) => [tx.commands.compartmentsWithRecentOpens('lkr-a', T0).has(2), tx.commands.compartmentsWithRecentOpens('lkr-a', T0 + 1).has(2)])).toEqual([true, false]);
    });

    it('listForLocker returns that locker’s newest commands first, up to the limit', async () => {
      await seedLockers(ctx.store);
      await ctx.store.transact((tx) => {
        for (let i = 1; i <= 5; i++) tx.commands.insert(command(`cmd-a-${i}00000`, 'dev-a', 'lkr-a', { createdAt: T0 + i }));
        tx.commands.insert(command('cmd-b-100000', 'dev-b', 'lkr-b', { createdAt: T0 + 99 }));
      });
      const ids = await ctx.store.read((tx) => tx.commands.listForLocker('lkr-a', 3).map((c) => c.id));
      expect(ids).toEqual(['cmd-a-500000', 'cmd-a-400000', 'cmd-a-300000']);
    });
  });
}
