import type { CommandT } from '../protocol/index.js';
import { randomId } from './ids.js';
import type { SimContext } from './types.js';

export type KeypadReply = Extract<CommandT, { type: 'keypad_reply' }>;

interface Waiter {
  resolve(reply: KeypadReply): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

/** The keypad: a typed code goes up as an event and waits for the gateway's keypad_reply. */
export class Keypad {
  private readonly waiting = new Map<string, Waiter>();
  /** What the display shows after the last reply: 'open' or the deny reason. */
  lastDisplay: string | null = null;

  constructor(private readonly ctx: SimContext) {}

  typeCode(code: string, timeoutMs: number): Promise<KeypadReply> {
    const requestId = `kp-${randomId(this.ctx.random, 16)}`;
    return new Promise<KeypadReply>((resolve, reject) => {
      const timer = this.ctx.timers.set(() => {
        this.waiting.delete(requestId);
        reject(new Error(`no keypad_reply for request ${requestId} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting.set(requestId, { resolve, reject, timer });
      try {
        this.ctx.sendEvent({ type: 'keypad', requestId, code });
      } catch (err) {
        this.settle(requestId)?.reject(err as Error);
      }
    });
  }

  show(text: string): void {
    this.lastDisplay = text;
    this.ctx.events.emit('keypad_display', text);
  }

  /** Hands a reply to whoever typed the code; replies nobody waits for are still acted on. */
  deliver(reply: KeypadReply): void {
    this.settle(reply.requestId)?.resolve(reply);
  }

  /** Stop and reboot cancel the timers, so waiting callers must be told here. */
  abandonAll(reason: string): void {
    for (const id of [...this.waiting.keys()]) this.settle(id)?.reject(new Error(reason));
  }

  private settle(requestId: string): Waiter | undefined {
    const waiter = this.waiting.get(requestId);
    if (!waiter) return undefined;
    this.waiting.delete(requestId);
    this.ctx.timers.clear(waiter.timer);
    return waiter;
  }
}
