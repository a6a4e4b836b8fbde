import type { UplinkBody } from './uplink.js';

/** An event or ack waiting to be published; it gets its seq only when it goes out (§5). */
export type QueuedMessage =
  | { channel: 'events'; body: UplinkBody<'events'>; ts: number; replayable: boolean }
  | { channel: 'acks'; body: UplinkBody<'acks'>; ts: number; replayable: boolean };

interface Entry {
  msg: QueuedMessage;
  /** true once PUBACKed, false if discarded unsent (keypad events on a lost link). */
  settle(delivered: boolean): void;
}

/**
 * Events and acks from the moment they happen until the broker PUBACKs them. Messages whose
 * connection died before the PUBACK stay in place, ahead of newer ones, and are published
 * again with a new seq after the next snapshot.
 */
export class Outbox {
  private readonly entries: Entry[] = [];

  get pending(): readonly QueuedMessage[] {
    return this.entries.map((e) => e.msg);
  }

  add(msg: QueuedMessage): { entry: Entry; delivered: Promise<boolean> } {
    let settle!: (delivered: boolean) => void;
    const delivered = new Promise<boolean>((resolve) => (settle = resolve));
    const entry: Entry = { msg, settle };
    this.entries.push(entry);
    return { entry, delivered };
  }

  all(): readonly Entry[] {
    return [...this.entries];
  }

  delivered(entry: Entry): void {
    if (this.remove(entry)) entry.settle(true);
  }

  /** After a lost connection: what must not be replayed (keypad requests) is dropped. */
  discardUnreplayable(): void {
    for (const entry of this.all()) {
      if (!entry.msg.replayable && this.remove(entry)) entry.settle(false);
    }
  }

  private remove(entry: Entry): boolean {
    const i = this.entries.indexOf(entry);
    if (i < 0) return false;
    this.entries.splice(i, 1);
    return true;
  }
}

export type OutboxEntry = Entry;
