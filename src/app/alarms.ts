import type { Alarm, AlarmKind, AlarmState } from '../domain/alarm.js';
import { LockergateError } from '../domain/errors.js';
import type { AppContext } from './context.js';

export async function listAlarms(
  ctx: AppContext,
  filter: { state?: AlarmState | undefined; lockerId?: string | undefined; kind?: AlarmKind | undefined; limit?: number | undefined },
): Promise<Alarm[]> {
  return ctx.store.read((tx) => tx.alarms.list({ ...filter, limit: filter.limit ?? 100 }));
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
