import { isTerminal, markSent, type Command, type CommandType } from '../domain/command.js';
import { LockergateError } from '../domain/errors.js';
import type { CommandT } from '../../protocol/schemas/commands.js';
import type { AppContext } from './context.js';
import type { Tx } from './ports.js';
import { newTimeOrderedId } from './ids.js';

export interface CommandRequest {
  lockerId: string;
  type: CommandType;
  params: Record<string, unknown>;
  actor: string;
  ttlMs?: number | undefined;
  /** Recorded in the audit log in the same transaction as the command. */
  audit?: { action: string; target: string; details: Record<string, unknown> } | undefined;
}

/** The wire form of a command (protocol/schemas/commands.ts). */
export function toWire(c: Command): CommandT {
  return { id: c.id, type: c.type, issuedAt: c.createdAt, expiresAt: c.expiresAt, ...c.params } as CommandT;
}

/**
 * Creates a command inside the caller's transaction. If the device is connected the command is
 * recorded as sent already: it goes out only after this transaction commits, so a device never
 * acts on a command the gateway could forget; a crash in between is healed by the resend.
 */
export function createCommandInTx(ctx: AppContext, tx: Tx, req: CommandRequest): Command {
  const device = tx.devices.byLocker(req.lockerId);
  if (!device) throw new LockergateError('DEVICE_NOT_FOUND', `Locker "${req.lockerId}" has no provisioned device.`);
  const now = ctx.clock.now();
  const queued: Command = {
    id: newTimeOrderedId(ctx.random, 'cmd', now),
    deviceId: device.id,
    lockerId: req.lockerId,
    type: req.type,
    params: req.params,
    state: 'queued',
    outcome: null,
    createdAt: now,
    expiresAt: now + (req.ttlMs ?? ctx.settings.commandTtlMs),
    sentAt: null,
    acceptedAt: null,
    completedAt: null,
    attempts: 0,
    actor: req.actor,
  };
  const command = ctx.transport.isConnected(device.id) ? (markSent(queued, now) ?? queued) : queued;
  tx.commands.insert(command);
  if (req.audit) {
    tx.audit.append({ at: now, actor: req.actor, ...req.audit, details: { ...req.audit.details, commandId: command.id } });
  }
  return command;
}

/** Publishes commands that were committed as sent. Failures are healed by the sweeper's resend. */
export async function publishCommands(ctx: AppContext, commands: readonly Command[]): Promise<void> {
  for (const c of commands) {
    if (c.state !== 'sent') continue;
    await ctx.transport.send(c.deviceId, toWire(c)).catch(() => undefined);
  }
}

export async function issueCommand(ctx: AppContext, req: CommandRequest): Promise<Command> {
  const command = await ctx.store.transact((tx) => createCommandInTx(ctx, tx, req));
  ctx.events.commandChanged(command);
  await publishCommands(ctx, [command]);
  return command;
}

/** Resolves with the command once it is done, failed or expired, or as it stands at the deadline. */
export async function waitForCommand(ctx: AppContext, id: string, timeoutMs: number): Promise<Command> {
  let latest: Command | undefined;
  let wake: (() => void) | undefined;
  // Listen before reading, so a change committed in between is not missed.
  const off = ctx.events.onCommandId(id, (c) => {
    latest = c;
    if (isTerminal(c)) wake?.();
  });
  try {
    const stored = await ctx.store.read((tx) => tx.commands.get(id));
    if (!stored) throw new LockergateError('COMMAND_NOT_FOUND');
    latest ??= stored;
    if (isTerminal(latest)) return latest;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    return latest;
  } finally {
    off();
  }
}
