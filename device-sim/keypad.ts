import type { CommandT } from '../protocol/index.js';
import type { CodeKindT, CodeMatch, CodeStore } from './codes.js';
import { randomId } from './ids.js';
import type { Locker } from './locker.js';
import type { SimContext } from './types.js';

export type KeypadReply = Extract<CommandT, { type: 'keypad_reply' }>;

/** v1.1: the controller checked the code itself and opened (§12.4); `id` is the openId its door events carry. */
export interface LocalKeypadOpen {
  local: true;
  result: 'open';
  id: string;
  compartment: number;
  kind: CodeKindT;
}

/** v1.1: the controller checked the code itself and refused it (offline: unknown, expired, or locked out). */
export interface LocalKeypadDeny {
  local: true;
  result: 'deny';
  reason: 'invalid' | 'locked_out';
}

/**
 * What typing a code leads to: the gateway's keypad_reply (v1, `local` absent), or the
 * controller's own decision (`local: true`). `result` and `id` read the same in both, so a caller
 * waiting for the door can use `id` as the commandId of the door event either way.
 */
export type KeypadOutcome = (KeypadReply & { local?: undefined }) | LocalKeypadOpen | LocalKeypadDeny;

/** v1.1: what the keypad checks locally, and when (README §12.4, §13.5). */
export interface LocalCodeCheck {
  codes: CodeStore;
  /** Mailbox banks check household codes themselves even while online. */
  householdOnline: boolean;
}

/** §12.4 brute-force cap while the gateway cannot count: 5 wrong codes in 15 min lock 15 min. */
export const OFFLINE_LOCKOUT = { attempts: 5, windowMs: 15 * 60_000, lockMs: 15 * 60_000 } as const;

interface Waiter {
  resolve(reply: KeypadReply): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

/**
 * The keypad (§6.7): a typed code goes up as an event and stays pending for the display
 * timeout. Codes are never queued offline: whoever typed them is not going to wait. A v1.1
 * controller with a code set checks them itself instead while offline (§12.4).
 */
export class Keypad {
  private readonly pending = new Map<string, Waiter>();
  private wrongAt: number[] = [];
  private lockedUntil = 0;
  /** What the display shows: 'checking', 'open', 'offline', 'timeout', 'invalid', 'locked_out' or the deny reason. */
  lastDisplay: string | null = null;

  constructor(
    private readonly ctx: SimContext,
    private readonly locker: Locker,
    private readonly local: LocalCodeCheck | null,
  ) {}

  typeCode(code: string, timeoutMs: number): Promise<KeypadOutcome> {
    const local = this.local;
    if (!this.ctx.online()) {
      if (local) return Promise.resolve(this.checkOffline(local, code));
      this.show('offline');
      return Promise.reject(new Error('controller offline: keypad codes are not queued'));
    }
    if (local?.householdOnline) {
      const m = local.codes.match(code, this.ctx.clock.now());
      const opened = m?.entry.kind === 'household' ? this.openLocally(local, m) : null;
      if (opened) return Promise.resolve(opened);
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

  /** Whether the offline keypad is locked out now (§12.4). */
  get lockedOut(): boolean {
    return this.ctx.clock.now() < this.lockedUntil;
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

  private checkOffline(local: LocalCodeCheck, code: string): LocalKeypadOpen | LocalKeypadDeny {
    const now = this.ctx.clock.now();
    if (now < this.lockedUntil) {
      this.show('locked_out');
      return { local: true, result: 'deny', reason: 'locked_out' };
    }
    const m = local.codes.match(code, now);
    const opened = m ? this.openLocally(local, m) : null;
    if (opened) return opened;
    this.wrongAt = [...this.wrongAt.filter((t) => now - t < OFFLINE_LOCKOUT.windowMs), now];
    if (this.wrongAt.length >= OFFLINE_LOCKOUT.attempts) {
      this.lockedUntil = now + OFFLINE_LOCKOUT.lockMs;
      this.wrongAt = [];
      this.ctx.logger.info({}, 'offline keypad locked out');
    }
    this.show('invalid');
    return { local: true, result: 'deny', reason: 'invalid' };
  }

  /** §12.4 steps 2-4: pulse, use up a pickup entry, queue local_open; null if the compartment does not exist. */
  private openLocally(local: LocalCodeCheck, m: CodeMatch): LocalKeypadOpen | null {
    const { compartment, kind } = m.entry;
    if (!this.locker.has(compartment)) return null;
    const openId = `lo-${randomId(this.ctx.random, 16)}`;
    const codeVersion = local.codes.version;
    local.codes.used(m);
    // Queued before the door event the pulse causes, so the gateway learns why the door opened first.
    void this.ctx.sendEvent({ type: 'local_open', openId, compartment, kind, h: m.h, codeVersion });
    this.ctx.events.emit('local_open', { openId, compartment, kind, h: m.h, codeVersion });
    this.locker.beginLocalOpen(this.locker.get(compartment), openId);
    this.show('open');
    return { local: true, result: 'open', id: openId, compartment, kind };
  }

  private settle(requestId: string): Waiter | undefined {
    const waiter = this.pending.get(requestId);
    if (!waiter) return undefined;
    this.pending.delete(requestId);
    this.ctx.timers.clear(waiter.timer);
    return waiter;
  }
}
