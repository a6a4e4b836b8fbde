import type { SimController } from '../controller.js';
import { between } from '../random.js';
import type { NodeContext } from './context.js';
import type { LockerTruth } from './world.js';

export type DoorOutcome = 'open' | 'jammed' | 'failed' | 'timeout';

/**
 * Waits, as a person standing at the locker does, until the compartment's door opens (or the
 * controller reports it jammed). `commandId` ties the wait to one command when it is known
 * (keypad replies); `failed` asks the API whether the gateway gave up meanwhile.
 */
export function waitForDoor(
  ctrl: SimController,
  index: number,
  opts: { commandId?: string; failed?: () => Promise<boolean>; timeoutMs: number },
): Promise<DoorOutcome> {
  return new Promise<DoorOutcome>((resolve) => {
    let done = false;
    const finish = (outcome: DoorOutcome): void => {
      if (done) return;
      done = true;
      ctrl.events.off('opened', onOpened);
      ctrl.events.off('open_result', onResult);
      clearInterval(poll);
      clearTimeout(timer);
      resolve(outcome);
    };
    const onOpened = (compartment: number, commandId: string | undefined): void => {
      if (compartment === index && (opts.commandId === undefined || commandId === opts.commandId)) finish('open');
    };
    const onResult = (r: { compartment: number; commandId: string; result: string }): void => {
      if (r.compartment !== index || (opts.commandId !== undefined && r.commandId !== opts.commandId)) return;
      if (r.result === 'jammed') finish('jammed');
      else if (ctrl.physical(index).door === 'open') finish('open');
    };
    ctrl.events.on('opened', onOpened);
    ctrl.events.on('open_result', onResult);
    let asking = false;
    // An open door is what the person waits for, whoever opened it: a reply for a door that was
    // already open reports `already_open` (no door event), possibly before we started listening.
    const poll = setInterval(() => {
      if (ctrl.physical(index).door === 'open') return finish('open');
      if (!opts.failed || asking) return;
      asking = true;
      opts.failed().then((failed) => {
        asking = false;
        if (failed) finish('failed');
      }, () => (asking = false));
    }, 500);
    const timer = setTimeout(() => finish('timeout'), opts.timeoutMs);
    if (ctrl.physical(index).door === 'open') finish('open');
  });
}

/** A person walking away: the door is shut after a moment, or left open (fault) for a while. Returns 'left_open' then. */
export async function shutDoor(ctx: NodeContext, locker: LockerTruth, index: number, parcelId?: string): Promise<'closed' | 'left_open'> {
  await ctx.sleepSim(between(ctx.random, 1000, 3000));
  if (ctx.random() < ctx.opts.faults.leaveOpen) {
    ctx.world.record('door_left_open', locker.lockerId, { compartment: index, ...(parcelId ? { parcelId } : {}) });
    closeLater(ctx, locker, index, ctx.opts.faults.leftOpenS * 1000);
    return 'left_open';
  }
  locker.controller.closeDoor(index);
  return 'closed';
}

/** A passer-by closes a door after `afterMs` (not while the oracle looks). */
export function closeLater(ctx: NodeContext, locker: LockerTruth, index: number, afterMs: number): void {
  const attempt = (): void => {
    if (ctx.frozen()) {
      setTimeout(attempt, 1000).unref();
      return;
    }
    if (!locker.compartments[index - 1]?.busy) locker.controller.closeDoor(index);
  };
  setTimeout(attempt, afterMs).unref();
}
