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

/** How often an empty outbox is looked at. */
export const NOTIFY_IDLE_MS = 100;

/**
 * node-cron drives the clock-based use cases; notifications run as a loop of their own. The jobs
 * only call use cases; every rule lives in app/ and is tested there with a moved clock.
 */
export function startJobs(ctx: AppContext, log: Logger, notify?: NotifyJobOptions): { stop(): Promise<void> } {
  const tasks: ScheduledTask[] = [];
  let stopping = false;
  const jobLog = log.child({ component: 'jobs' });
  // stop() waits for running passes, so the store is not closed under a dispatch that already POSTed.
  const inFlight = new Set<Promise<void>>();
  // The notify loop's pause, cut short by stop().
  let wake: () => void = () => undefined;
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(resolve, ms); // 0: the next turn, after pending I/O
      wake = () => {
        clearTimeout(t);
        resolve();
      };
    });

  const job = (cron: string, name: string, run: () => Promise<void>): void => {
    // One pass at a time: a beat that comes while the last pass still runs is skipped. (Our own
    // guard, not node-cron's noOverlap, which also prints a warning to the console, outside the
    // structured log, on every skip; so would a missed beat without the listener below.)
    let running = false;
    const task = schedule(
      cron,
      async () => {
        if (stopping || running) return;
        running = true;
        const p = run().catch((err: unknown) => jobLog.error({ err }, `${name} failed`));
        inFlight.add(p);
        await p;
        inFlight.delete(p);
        running = false;
      },
      { name },
    );
    task.on('execution:missed', (c) => jobLog.debug({ job: name, at: c.date }, 'job beat missed: the event loop was busy'));
    tasks.push(task);
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
    // Notifications go out continuously: the outbox is looked at every NOTIFY_IDLE_MS and drained
    // a batch at a time (the next batch as soon as one ends while batches come back full), so due
    // messages never pile up into a burst that holds the event loop (a cron pass every 2 s that
    // drained everything added ~200 ms stalls to door-open latency under load, issue 6).
    const drained = (async () => {
      while (!stopping) {
        const r = await dispatchDue(ctx, notify.deps).catch((err: unknown) => {
          jobLog.error({ err }, 'notify failed');
          return null;
        });
        if (r && r.failed > 0) jobLog.warn(r, 'notifications failed for good (see the outbox)');
        else if (r && r.delivered + r.retried + r.logged > 0) jobLog.debug(r, 'notifications');
        const full = r !== null && r.delivered + r.retried + r.failed + r.logged >= notify.deps.batch;
        await pause(full ? 0 : NOTIFY_IDLE_MS);
      }
    })();
    inFlight.add(drained);
    job('0 */10 * * * *', 'notify-purge', async () => {
      const n = await purgeOutboxBodies(ctx, notify.retentionMs);
      if (n > 0) jobLog.info({ purged: n }, 'notification bodies past retention purged');
    });
  }

  return {
    async stop() {
      stopping = true;
      wake();
      await Promise.all(tasks.map((t) => t.destroy()));
      await Promise.all(inFlight);
    },
  };
}
