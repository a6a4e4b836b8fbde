import type { CommandT } from '../protocol/index.js';
import { randomId } from './ids.js';
import type { SimContext } from './types.js';

export type KeypadReply = Extract<CommandT, { type: 'keypad_reply' }>;

interface Waiter {
  resolve(reply: KeypadReply): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

/**
 * The keypad (§6.7): a typed code goes up as an event and stays pending for the display
 * timeout. Codes are never queued offline: whoever typed them is not going to wait.
 */
export class Keypad {
  private readonly pending = new Map<string, Waiter>();
  /** What the display shows: 'checking', 'open', 'offline', 'timeout' or the deny reason. */
  lastDisplay: string | null = null;

  constructor(private readonly ctx: SimContext) {}

  typeCode(code: string, timeoutMs: number): Promise<KeypadReply> {
    if (!this.ctx.online()) {
      this.show('offline');
      return Promise.reject(new Error('controller offline: keypad codes are not queued'));
    }
    const requestId = `kp-${randomId(this.ctx.random, 16)}`;
    return new Promise<KeypadReply>((resolve, reject) => {
      const timer = this.ctx.timers.set(() => {
        this.pending.delete(requestId);
        this.show('timeout');
        reject(new Error(`no keypad_reply for request ${requestId} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(requestId, { resolve, reject, timer });
      try {
        this.ctx.sendEvent({ type: 'keypad', requestId, code }, false);
        this.show('checking');
      } catch (err) {
        this.settle(requestId)?.reject(err as Error);
      }
    });
  }

  isPending(requestId: string): boolean {
    return this.pending.has(requestId);
  }

  show(text: string): void {
    this.lastDisplay = text;
    this.ctx.events.emit('keypad_display', text);
  }

  /** The answer reached the keypad: the request is no longer pending. */
  answer(reply: KeypadReply): void {
    this.settle(reply.requestId)?.resolve(reply);
  }

  /** Stop and reboot cancel the timers, so waiting callers must be told here. */
  abandonAll(reason: string): void {
    for (const id of [...this.pending.keys()]) this.settle(id)?.reject(new Error(reason));
  }

  private settle(requestId: string): Waiter | undefined {
    const waiter = this.pending.get(requestId);
    if (!waiter) return undefined;
    this.pending.delete(requestId);
    this.ctx.timers.clear(waiter.timer);
    return waiter;
  }
}
