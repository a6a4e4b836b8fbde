import { CODE_SYNC_MAX_ENTRIES, type CodeEntryT } from '../../../protocol/schemas/commands.js';
import type { Command } from '../../domain/command.js';
import type { Device } from '../../domain/device.js';
import { createCommandInTx, publishCommands } from '../commands.js';
import type { AppContext, CodeSyncNudge } from '../context.js';
import type { Tx } from '../ports.js';
import type { CodeSyncState, OfflineCode } from './ports.js';

/**
 * Bringing a controller's code set to the version the gateway wants (protocol §12.3), in the
 * manner of a device shadow: `version` is desired, `reportedVersion` is what the controller said
 * (hello) or acknowledged (code_sync ack), `sentVersion` is what the code_sync in flight leads to.
 * A delta goes out when the controller's version is known and recent enough, a full set otherwise.
 */

/** Marks a controller's version as unknown: the next sync is a full set. */
const UNKNOWN = -1;
const SYNC_TTL_MS = 5 * 60_000;

const toEntry = (c: OfflineCode): CodeEntryT => ({
  h: c.hash,
  compartment: c.compartment,
  kind: c.kind,
  ...(c.expiresAt !== null ? { expiresAt: c.expiresAt } : {}),
});

function command(ctx: AppContext, tx: Tx, lockerId: string, params: Record<string, unknown>): Command {
  return createCommandInTx(ctx, tx, { lockerId, type: 'code_sync', params, actor: 'code-sync', ttlMs: SYNC_TTL_MS });
}

/** The code_sync commands that bring the locker's controller from where it is to `state.version`. */
function plan(ctx: AppContext, tx: Tx, state: CodeSyncState): Command[] {
  const base = state.sentVersion ?? state.reportedVersion ?? UNKNOWN;
  if (base === state.version) return [];
  if (base >= state.floorVersion && base < state.version) {
    const { added, revoked } = tx.offlineCodes.changesSince(state.lockerId, base);
    if (added.length <= CODE_SYNC_MAX_ENTRIES && revoked.length <= CODE_SYNC_MAX_ENTRIES) {
      return [command(ctx, tx, state.lockerId, {
        mode: 'delta', fromVersion: base, version: state.version, add: added.map(toEntry), revoke: revoked.map((c) => c.hash),
      })];
    }
  }
  const set = tx.offlineCodes.liveSet(state.lockerId).map(toEntry);
  const parts = Math.max(1, Math.ceil(set.length / CODE_SYNC_MAX_ENTRIES));
  return Array.from({ length: parts }, (_, i) => command(ctx, tx, state.lockerId, {
    mode: 'full', version: state.version, part: i + 1, parts, add: set.slice(i * CODE_SYNC_MAX_ENTRIES, (i + 1) * CODE_SYNC_MAX_ENTRIES), revoke: [],
  }));
}

/** Whether the controller takes part: it announced a code version (v1.1 with a code key) and is connected. */
function syncable(ctx: AppContext, device: Device | undefined, state: CodeSyncState): device is Device {
  return device !== undefined && state.reportedVersion !== null && ctx.transport.isConnected(device.id);
}

/** Creates (in the caller's transaction) whatever code_sync commands the locker's controller needs now. */
export function syncInTx(ctx: AppContext, tx: Tx, lockerId: string): Command[] {
  return syncDeviceInTx(ctx, tx, tx.devices.byLocker(lockerId), lockerId);
}

/** The same for a caller that holds the locker's controller already (a hello: no second read of it). */
export function syncDeviceInTx(ctx: AppContext, tx: Tx, device: Device | undefined, lockerId: string): Command[] {
  const state = tx.offlineCodes.state(lockerId);
  if (!syncable(ctx, device, state)) return [];
  const commands = plan(ctx, tx, state);
  if (commands.length > 0) tx.offlineCodes.saveState({ ...state, sentVersion: state.version });
  return commands;
}

/** Whether the locker's controller may need a code_sync now (a cheap read before any transaction). */
function behind(ctx: AppContext, tx: Tx, lockerId: string): boolean {
  const state = tx.offlineCodes.state(lockerId);
  return syncable(ctx, tx.devices.byLocker(lockerId), state) && (state.sentVersion ?? state.reportedVersion) !== state.version;
}

export async function syncLockers(ctx: AppContext, lockerIds: readonly string[]): Promise<void> {
  // Most hellos and nudges find the controller up to date: no transaction (and no fsync) for them.
  const due = await ctx.store.read((tx) => lockerIds.filter((id) => behind(ctx, tx, id)));
  if (due.length === 0) return;
  const commands = await ctx.store.transact((tx) => due.flatMap((id) => syncInTx(ctx, tx, id)));
  for (const c of commands) ctx.events.commandChanged(c);
  await publishCommands(ctx, commands);
}

/**
 * The hello of a controller: what it holds is now known. Code syncs still in flight from before
 * are superseded (they build on a version that may no longer be the controller's).
 * `undelivered` is the device's queued and sent commands, read once by the caller.
 * Returns the superseded commands (to be announced).
 */
export function onHelloCodes(ctx: AppContext, tx: Tx, device: Device, codeVersion: number | undefined, now: number, undelivered: readonly Command[]): Command[] {
  const state = tx.offlineCodes.state(device.lockerId);
  const superseded: Command[] = [];
  for (const c of undelivered) {
    if (c.type !== 'code_sync') continue;
    const ended = { ...c, state: 'failed' as const, outcome: 'superseded' as const, completedAt: now };
    tx.commands.update(ended);
    superseded.push(ended);
  }
  const reported = codeVersion === undefined ? null : codeVersion > state.version ? UNKNOWN : codeVersion;
  // A controller ahead of the gateway (a restored backup): a full set with a version it never had.
  const version = codeVersion !== undefined && codeVersion > state.version ? codeVersion + 1 : state.version;
  tx.offlineCodes.saveState({ ...state, version, reportedVersion: reported, reportedAt: now, sentVersion: null });
  return superseded;
}

/** A code_sync ended: acknowledged → the controller holds its version; anything else → plan again. */
export function onCodeSyncCommand(ctx: AppContext, tx: Tx, c: Command, now: number): void {
  if (c.type !== 'code_sync' || (c.state !== 'done' && c.state !== 'failed' && c.state !== 'expired') || c.outcome === 'superseded') return;
  const state = tx.offlineCodes.state(c.lockerId);
  const version = c.params['version'] as number;
  const lastPart = c.params['mode'] === 'delta' || c.params['part'] === c.params['parts'];
  if (c.state === 'done') {
    if (!lastPart) return;
    const next = { ...state, reportedVersion: version, reportedAt: now, sentVersion: state.sentVersion === version ? null : state.sentVersion };
    tx.offlineCodes.saveState(next);
    // Later changes already travel as deltas chained on this one; only a lone catch-up is missing.
    if (next.sentVersion === null && version !== next.version) ctx.codeSync.nudge(c.lockerId);
    return;
  }
  // A controller that cannot take code_sync at all is left alone until its next hello (no retry loop).
  const refused = c.outcome === 'rejected_unsupported' || c.outcome === 'rejected_invalid';
  const reportedVersion = c.outcome === 'rejected_out_of_sync' ? UNKNOWN : refused ? null : state.reportedVersion;
  tx.offlineCodes.saveState({ ...state, reportedVersion, sentVersion: null });
  if (!refused) ctx.codeSync.nudge(c.lockerId);
}

/** Collects nudges and runs one sync transaction for all of them after the current commit. */
export class CodeSyncPump implements CodeSyncNudge {
  private readonly pending = new Set<string>();
  private scheduled = false;
  private run: ((lockerIds: string[]) => Promise<void>) | null = null;

  /** Starts working with this context (the pump is created before the context that holds it). */
  attach(ctx: AppContext): void {
    this.run = (ids) => syncLockers(ctx, ids);
  }

  nudge(lockerId: string): void {
    this.pending.add(lockerId);
    if (this.scheduled || !this.run) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  private flush(): void {
    this.scheduled = false;
    const ids = [...this.pending];
    this.pending.clear();
    // A failed sync is retried by the next hello or change; the controller is never told a wrong set.
    this.run?.(ids).catch(() => undefined);
  }
}
