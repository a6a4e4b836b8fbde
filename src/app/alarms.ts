import type { Alarm, AlarmKind, AlarmState } from '../domain/alarm.js';
import { LockergateError } from '../domain/errors.js';
import type { AppContext } from './context.js';
import { requireRegion, siteCodesUnder } from './reports/regions.js';

/**
 * Alarms, newest first, filtered by state, locker, kind and region (a region takes in every
 * locker of every site in its subtree: a city view of 20,000 lockers needs no client-side sorting
 * out of the whole fleet's alarms).
 */
export async function listAlarms(
  ctx: AppContext,
  filter: { state?: AlarmState | undefined; lockerId?: string | undefined; kind?: AlarmKind | undefined; region?: string | undefined; limit?: number | undefined },
): Promise<Alarm[]> {
  const { region, ...rest } = filter;
  return ctx.store.read((tx) => {
    const siteRegionCodes = region === undefined ? undefined : siteCodesUnder(tx, requireRegion(tx, region).code);
    return tx.alarms.list({ ...rest, siteRegionCodes, limit: filter.limit ?? 100 });
  });
}

export async function acknowledgeAlarm(ctx: AppContext, id: string, actor: string, note?: string): Promise<Alarm> {
  const now = ctx.clock.now();
  return ctx.store.transact((tx) => {
    const alarm = tx.alarms.get(id);
    if (!alarm) throw new LockergateError('ALARM_NOT_FOUND');
    if (alarm.state !== 'open') throw new LockergateError('ALARM_ALREADY_CLOSED', undefined, { state: alarm.state });
    tx.alarms.acknowledge(id, actor, now);
    tx.audit.append({ at: now, actor, action: 'alarm.acknowledge', target: id, details: note ? { note } : {} });
    return tx.alarms.get(id)!;
  });
}
