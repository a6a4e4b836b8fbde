import type { EventEmitter } from 'node:events';
import type { Battery } from './battery.js';
import type { SimContext, SimControllerEvents } from './types.js';

/** v1.1 sleepy controller (README §13.3). */
export interface SleepyOptions {
  /** Announced in the hello (10–86 400 s): the controller connects at least this often. */
  wakeIntervalS: number;
  /** Real ms it stays awake after connecting, after each command and after each person's touch; default 2000. */
  awakeMs?: number;
  /** Simulated time runs this much faster: the real sleep is wakeIntervalS / speed; default 1. */
  speed?: number;
}

export type SleepPhase = 'off' | 'awake' | 'falling_asleep' | 'asleep' | 'waking';

/**
 * A bank whose link failed while it still holds unacknowledged events tries again this many
 * times (simulated 2, 4, 8 … 64 s apart, ±50 %) before it sleeps a whole interval: events wait
 * seconds, not a wake interval, when the gateway restarts (found by the crash test's long mode).
 */
export const DELIVERY_RETRIES = 6;

export interface SleepDeps {
  ctx: SimContext;
  opts: SleepyOptions;
  /** The connect sequence of the same boot (the controller's reconnect). */
  connect(): Promise<void>;
  /** Offline status `sleep` + nextWakeAt (stamped `at`, when the sleep was decided), its PUBACK, DISCONNECT. */
  sleep(nextWakeAt: number, at: number): Promise<void>;
  /** Outbox empty: nothing is waiting for a PUBACK, so sleeping loses nothing in flight. */
  drained(): boolean;
}

/**
 * The wake cycle of a sleepy mailbox bank (README §13.3): awake for a short window after each
 * connect (longer while commands arrive or someone is at the bank), then the sleep status and
 * DISCONNECT, then a timer to the next wake. `wake()` is a person at the bank: connect now.
 * Timers go through the controller's Timers, so stop() and power cuts end the cycle.
 */
export class SleepCycle {
  phase: SleepPhase = 'off';
  /** When the controller said it would be back (set while asleep). */
  nextWakeAt: number | null = null;
  private idleTimer: NodeJS.Timeout | null = null;
  private wakeTimer: NodeJS.Timeout | null = null;
  private transition: Promise<unknown> | null = null;
  private retries = 0;

  constructor(private readonly deps: SleepDeps) {}

  private get awakeMs(): number {
    return this.deps.opts.awakeMs ?? 2000;
  }

  /** The connect sequence finished: awake for the window. */
  connected(): void {
    this.clearWakeTimer();
    this.retries = 0;
    this.phase = 'awake';
    this.nextWakeAt = null;
    this.keepAwake();
  }

  /** Activity (a command, a person at the bank): the awake window starts again. */
  keepAwake(): void {
    if (this.phase !== 'awake') return;
    if (this.idleTimer) this.deps.ctx.timers.clear(this.idleTimer);
    this.idleTimer = this.deps.ctx.timers.set(() => {
      this.idleTimer = null;
      void this.fallAsleep();
    }, this.awakeMs);
  }

  /** The link died while awake (no goodbye): soon again if events wait for delivery, else at the next wake. */
  lost(): void {
    if (this.phase !== 'awake') return;
    this.clearIdleTimer();
    this.retryOrSleep();
  }

  /** Power gone or stopped: no more timers, nothing scheduled. */
  halt(): void {
    this.phase = 'off';
    this.nextWakeAt = null;
    this.clearIdleTimer();
    this.clearWakeTimer();
  }

  /** Someone at the bank: connect now. Resolves true once online (false if it could not connect or is off). */
  async wake(): Promise<boolean> {
    switch (this.phase) {
      case 'off':
        return false;
      case 'awake':
        this.keepAwake();
        return true;
      case 'falling_asleep':
      case 'waking':
        await this.transition;
        return this.phase === 'waking' || this.phase === 'falling_asleep' ? false : this.wake();
      case 'asleep':
        break;
    }
    this.clearWakeTimer();
    this.phase = 'waking';
    const attempt = this.deps.connect().then(
      () => true,
      (err: unknown) => {
        this.deps.ctx.logger.debug({ err }, 'wake: connect failed');
        if (this.phase === 'waking') this.retryOrSleep();
        return false;
      },
    );
    this.transition = attempt;
    return attempt;
  }

  private async fallAsleep(): Promise<void> {
    if (this.phase !== 'awake') return;
    if (!this.deps.drained()) {
      // Let the last PUBACKs arrive first; what is still unacknowledged would be replayed anyway.
      this.idleTimer = this.deps.ctx.timers.set(() => void this.fallAsleep(), Math.min(200, this.awakeMs));
      return;
    }
    this.phase = 'falling_asleep';
    const at = this.deps.ctx.clock.now();
    const nextWakeAt = at + this.deps.opts.wakeIntervalS * 1000;
    const going = this.deps.sleep(nextWakeAt, at).catch((err: unknown) => this.deps.ctx.logger.debug({ err }, 'sleep: goodbye not delivered'));
    this.transition = going;
    await going;
    if (this.phase === 'falling_asleep') this.asleepUntil(nextWakeAt);
  }

  private retryOrSleep(): void {
    const now = this.deps.ctx.clock.now();
    if (!this.deps.drained() && this.retries < DELIVERY_RETRIES) {
      const backoffMs = 2000 * 2 ** this.retries * (0.5 + this.deps.ctx.random());
      this.retries += 1;
      this.asleepUntil(now + backoffMs);
      return;
    }
    this.retries = 0;
    this.asleepUntil(now + this.deps.opts.wakeIntervalS * 1000);
  }

  private asleepUntil(nextWakeAt: number): void {
    this.phase = 'asleep';
    this.nextWakeAt = nextWakeAt;
    this.clearWakeTimer();
    const realMs = Math.max(0, nextWakeAt - this.deps.ctx.clock.now()) / (this.deps.opts.speed ?? 1);
    this.wakeTimer = this.deps.ctx.timers.set(() => {
      this.wakeTimer = null;
      void this.wake();
    }, realMs);
    this.deps.ctx.events.emit('sleep', nextWakeAt);
  }

  private clearIdleTimer(): void {
    if (this.idleTimer) this.deps.ctx.timers.clear(this.idleTimer);
    this.idleTimer = null;
  }

  private clearWakeTimer(): void {
    if (this.wakeTimer) this.deps.ctx.timers.clear(this.wakeTimer);
    this.wakeTimer = null;
  }
}

/**
 * How the wake cycle and the battery follow the controller (README §13.3–13.4): openings and
 * wakes drain the battery; each connect starts an awake window and sends battery and signal;
 * commands keep it awake; a lost link means a retry soon while events wait, else the next wake.
 */
export function wireSleepAndBattery(
  events: EventEmitter<SimControllerEvents>,
  cycle: SleepCycle | null,
  battery: Battery | null,
  sendTelemetry: () => void,
): void {
  events.on('opened', () => battery?.opened());
  events.on('connected', () => {
    battery?.woke();
    if (!cycle) return;
    cycle.connected();
    sendTelemetry();
  });
  events.on('disconnected', () => cycle?.lost());
  events.on('command', () => cycle?.keepAwake());
  events.on('invalid_command', () => cycle?.keepAwake());
}
