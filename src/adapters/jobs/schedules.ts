import { schedule, type ScheduledTask } from 'node-cron';
import type { Logger } from 'pino';
import type { AppContext } from '../../app/context.js';
import { sweep } from '../../app/sweeper.js';

/**
 * node-cron drives the clock-based use cases. The jobs only call use cases; every rule lives
 * in app/ and is tested there with a moved clock.
 */
export function startJobs(ctx: AppContext, log: Logger): { stop(): Promise<void> } {
  const tasks: ScheduledTask[] = [];
  let stopping = false;
  const jobLog = log.child({ component: 'jobs' });

  tasks.push(
    schedule(
      '* * * * * *',
      async () => {
        if (stopping) return;
        try {
          const r = await sweep(ctx);
          if (r.ended + r.resent + r.alarms > 0) jobLog.debug(r, 'sweep');
        } catch (err) {
          jobLog.error({ err }, 'sweep failed');
        }
      },
      { name: 'sweeper', noOverlap: true },
    ),
  );

  return {
    async stop() {
      stopping = true;
      await Promise.all(tasks.map((t) => t.destroy()));
    },
  };
}
