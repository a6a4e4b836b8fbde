import type { EventEmitter } from 'node:events';
import type { Clock, Timers } from './clock.js';
import type { QueuedMessage } from './outbox.js';
import { silentLogger, type SimContext, type SimControllerEvents, type SimControllerOptions, type SimStats } from './types.js';

interface ContextParts {
  clock: Clock;
  timers: Timers;
  events: EventEmitter<SimControllerEvents>;
  stats: SimStats;
  online(): boolean;
  /** Hands a message to the link's outbox; false when it was discarded (unpowered). */
  queue(msg: QueuedMessage): Promise<boolean>;
}

/** What the controller's behaviour modules (locker, keypad, commands) get: timing, randomness and the uplink. */
export function createSimContext(options: SimControllerOptions, parts: ContextParts): SimContext {
  const { clock, timers, queue } = parts;
  return {
    clock,
    timers,
    random: options.random ?? Math.random,
    logger: options.logger ?? silentLogger,
    events: parts.events,
    stats: parts.stats,
    openDelayMs: options.openDelayMs ?? 30,
    jamWindowMs: options.jamWindowMs ?? 5000,
    online: parts.online,
    sendEvent: (body, replayable = true) => queue({ channel: 'events', body, ts: clock.now(), replayable }),
    sendAck: (body) => {
      const delayMs = options.ackDelayMs?.(body) ?? 0;
      if (delayMs <= 0) return queue({ channel: 'acks', body, ts: clock.now(), replayable: true });
      // A late ack (fault injection): the firmware answers only after delayMs, stamped then.
      return new Promise<boolean>((resolve) => {
        timers.set(() => resolve(queue({ channel: 'acks', body, ts: clock.now(), replayable: true })), delayMs);
      });
    },
  };
}
