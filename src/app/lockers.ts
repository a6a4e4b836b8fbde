import type { LocalOpen } from './offline/ports.js';
import type { Command } from '../domain/command.js';
import type { Device } from '../domain/device.js';
import { LockergateError } from '../domain/errors.js';
import type { Compartment, Locker } from '../domain/locker.js';
import type { AppContext } from './context.js';
import type { LockerListing } from './ports.js';
import { issueCommand, waitForCommand } from './commands.js';

export interface LockerDetail extends Locker {
  device: Omit<Device, 'lockerId'> | null;
  compartments: Compartment[];
  recentCommands: Command[];
  codeSync: { version: number; reportedVersion: number | null; reportedAt: number | null };
  recentLocalOpens: LocalOpen[];
}

export async function listLockers(ctx: AppContext, siteId?: string): Promise<LockerListing[]> {
  return ctx.store.read((tx) => tx.lockers.listings({ siteId }));
}

export async function getLocker(ctx: AppContext, id: string): Promise<LockerDetail> {
  const detail = await ctx.store.read((tx) => {
    const locker = tx.lockers.get(id);
    if (!locker) return undefined;
    const d = tx.devices.byLocker(id);
    const device = d ? (({ lockerId: _l, ...rest }) => rest)(d) : null;
    const sync = tx.offlineCodes.state(id);
    return {
      ...locker,
      device,
      compartments: tx.lockers.compartments(id),
      recentCommands: tx.commands.listForLocker(id, 20),
      // Desired vs reported code-set version of the controller (protocol §12), and its own openings.
      codeSync: { version: sync.version, reportedVersion: sync.reportedVersion, reportedAt: sync.reportedAt },
      recentLocalOpens: tx.localOpens.listForLocker(id, 20),
    };
  });
  if (!detail) throw new LockergateError('LOCKER_NOT_FOUND');
  return detail;
}

/**
 * Maintenance open by an operator, in steps: check the compartment and that the controller is
 * online (an operator standing at a locker wants to know now, not after a minute), audit, send,
 * then wait for the outcome up to `waitMs`.
 */
export async function maintenanceOpen(
  ctx: AppContext,
  input: { lockerId: string; compartment: number; actor: string; reason?: string | undefined; waitMs: number },
): Promise<Command> {
  await ctx.store.read((tx) => {
    if (!tx.lockers.get(input.lockerId)) throw new LockergateError('LOCKER_NOT_FOUND');
    if (!tx.lockers.compartment(input.lockerId, input.compartment)) throw new LockergateError('COMPARTMENT_NOT_FOUND');
    const device = tx.devices.byLocker(input.lockerId);
    if (!device) throw new LockergateError('DEVICE_NOT_FOUND', 'This locker has no provisioned controller.');
    if (!ctx.transport.isConnected(device.id)) throw new LockergateError('LOCKER_OFFLINE');
  });
  const command = await issueCommand(ctx, {
    lockerId: input.lockerId,
    type: 'open',
    params: { compartment: input.compartment },
    actor: input.actor,
    audit: {
      action: 'compartment.maintenance_open',
      target: `${input.lockerId}/${input.compartment}`,
      details: { reason: input.reason ?? null },
    },
  });
  return waitForCommand(ctx, command.id, input.waitMs);
}
