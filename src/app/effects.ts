import type { Alarm, AlarmDraft } from '../domain/alarm.js';
import type { Command } from '../domain/command.js';
import type { AppContext } from './context.js';
import { publishCommands } from './commands.js';
import type { Tx } from './ports.js';

/**
 * What a transaction changed that the outside must hear about. Collected inside the transaction
 * and released only after the commit, so no one is told of a change that could still roll back.
 */
export class Effects {
  readonly commands: Command[] = [];
  readonly alarms: Alarm[] = [];
  /** Commands created in this transaction that must be published once it commits. */
  readonly outbound: Command[] = [];

  raise(tx: Tx, draft: AlarmDraft, now: number): void {
    const { alarm, isNew } = tx.alarms.raise(draft, now);
    if (isNew) this.alarms.push(alarm);
  }

  changed(c: Command): void {
    this.commands.push(c);
  }

  send(c: Command): void {
    this.commands.push(c);
    this.outbound.push(c);
  }

  async release(ctx: AppContext): Promise<void> {
    for (const c of this.commands) ctx.events.commandChanged(c);
    for (const a of this.alarms) ctx.events.alarmRaised(a);
    if (this.outbound.length > 0) await publishCommands(ctx, this.outbound);
  }
}
