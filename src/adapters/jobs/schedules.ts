import { schedule, type ScheduledTask } from 'node-cron';
import type { Logger } from 'pino';
import type { AppContext } from '../../app/context.js';
import { dispatchDue, type DispatchDeps } from '../../app/dispatch-notifications.js';
import { purgeOutboxBodies } from '../../app/notifications.js';
import { sweep } from '../../app/sweeper.js';
import { runHoldRules } from '../../app/parcels/expiry.js';

/** What the notification jobs need: the dispatcher's ports and the personal-data retention. */
export interface NotifyJobOptions {
  deps: DispatchDeps;
  retentionMs: number;
}

/**
 * node-cron drives the clock-based use cases. The jobs only call use cases; every rule lives
 * in app/ and is tested there with a moved clock.
 */
export function startJobs(ctx: AppContext, log: Logger, notify?: NotifyJobOptions): { stop(): Promise<void> } {
  const tasks: ScheduledTask[] = [];
  let stopping = false;
  const jobLog = log.child({ component: 'jobs' });
  // stop() waits for running passes, so the store is not closed under a dispatch that already POSTed.
  const inFlight = new Set<Promise<void>>();

  const job = (cron: string, name: string, run: () => Promise<void>): void => {
    tasks.push(
      schedule(
        cron,
        async () => {
          if (stopping) return;
          const p = run().catch((err: unknown) => jobLog.error({ err }, `${name} failed`));
          inFlight.add(p);
          await p;
          inFlight.delete(p);
        },
        { name, noOverlap: true },
      ),
    );
  };

  job('* * * * * *', 'sweep', async () => {
    const r = await sweep(ctx);
    if (r.ended + r.resent + r.alarms > 0) jobLog.debug(r, 'sweep');
  });

  job('30 * * * * *', 'hold-rules', async () => {
    const r = await runHoldRules(ctx);
    if (r.reminded + r.expired + r.purged > 0) jobLog.info(r, 'hold rules: reminders, expiries, personal data purged');
  });

  if (notify) {
    job('*/2 * * * * *', 'notify', async () => {
      // A full batch means more are due: pass again until the outbox is drained (bounded), or
      // delivery would be capped at one batch per 2 s (50 pickup codes/s with batch 100).
      for (let pass = 0; pass < 200 && !stopping; pass++) {
        const r = await dispatchDue(ctx, notify.deps);
        if (r.failed > 0) jobLog.warn(r, 'notifications failed for good (see the outbox)');
        else if (r.delivered + r.retried + r.logged > 0) jobLog.debug(r, 'notifications');
        if (r.delivered + r.retried + r.failed + r.logged < notify.deps.batch) break;
      }
    });
    job('0 */10 * * * *', 'notify-purge', async () => {
      const n = await purgeOutboxBodies(ctx, notify.retentionMs);
      if (n > 0) jobLog.info({ purged: n }, 'notification bodies past retention purged');
    });
  }

  return {
    async stop() {
      stopping = true;
      await Promise.all(tasks.map((t) => t.destroy()));
      await Promise.all(inFlight);
    },
  };
}
