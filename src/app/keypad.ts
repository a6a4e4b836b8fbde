import type { KeypadEventT } from '../../protocol/schemas/events.js';
import { createCommandInTx } from './commands.js';
import type { EventScope } from './event-scope.js';

/**
 * A code typed at the keypad. Pickup codes arrive with the parcel-flow work (issue 3); until a
 * locker holds parcels there is nothing a code can open, so every entry is answered with a deny
 * the controller can show, instead of leaving the resident waiting for a timeout.
 */
export function handleKeypadEntry({ ctx, tx, device, effects }: EventScope, e: KeypadEventT): void {
  const reply = createCommandInTx(ctx, tx, {
    lockerId: device.lockerId,
    type: 'keypad_reply',
    params: { requestId: e.requestId, result: 'deny', reason: 'unavailable' },
    actor: `keypad:${e.requestId}`,
    ttlMs: 30_000,
  });
  effects.send(reply);
}
