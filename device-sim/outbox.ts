import type { SimStats } from './types.js';
import type { StampedMessage } from './uplink.js';

/**
 * Sequenced events and acks from the moment they are stamped until the broker PUBACKs them.
 * Anything still here when a connection dies is resent, in seq order, after the next snapshot.
 */
export class Outbox {
  private readonly items: StampedMessage[] = [];

  constructor(private readonly stats: SimStats) {}

  get pending(): readonly StampedMessage[] {
    return this.items;
  }

  add(msg: StampedMessage): void {
    this.items.push(msg);
  }

  delivered(msg: StampedMessage): void {
    const i = this.items.indexOf(msg);
    if (i >= 0) this.items.splice(i, 1);
  }

  /** Sends every pending message in stamping order; items leave only once delivered. */
  replay(send: (msg: StampedMessage) => Promise<void>): Promise<void>[] {
    this.stats.replayed += this.items.length;
    return [...this.items].map(send);
  }
}
