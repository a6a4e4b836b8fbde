import type { Command } from '../domain/command.js';
import type { AppContext } from './context.js';
import type { Effects } from './effects.js';
import { onParcelCommand } from './parcels/reactions.js';
import type { Tx } from './ports.js';
import { onCodeSyncCommand } from './offline/sync.js';
import { onHouseholdCommand } from './households.js';

/**
 * Every change of a command goes through here, inside the transaction that causes it: stored,
 * announced after the commit, and followed by whatever flow the command belongs to (a deposit,
 * a pickup), so the flow and its command can never disagree after a crash.
 */
export function recordCommand(ctx: AppContext, tx: Tx, next: Command, effects: Effects, now: number): void {
  tx.commands.update(next);
  effects.changed(next);
  onParcelCommand(ctx, tx, next, now);
  onCodeSyncCommand(ctx, tx, next, now);
  onHouseholdCommand(ctx, tx, next, now);
}
