import { ConnectRefusedError } from '../session.js';
import type { SimController } from '../controller.js';
import { between, type Random } from '../random.js';
import type { RunOptions } from './options.js';
import { bump, type NodeStats } from './stats.js';

type State = 'idle' | 'connecting' | 'online' | 'waiting' | 'off' | 'stopped';

interface Kept {
  lockerId: string;
  ctrl: SimController;
  state: State;
  /** Current reconnect backoff (ms, before scaling and jitter); 0 = the first retry. */
  backoffMs: number;
  onlineSince: number;
  firstAttemptAt: number;
  timer: NodeJS.Timeout | null;
  /** The next attempt boots anew (after a power cut) instead of resuming the boot. */
  newBoot: boolean;
  /** Off because its network is down (power on); the run's end brings it back early. */
  outage: boolean;
}

const BACKOFF_FIRST_MS = 1000;
const BACKOFF_CAP_MS = 300_000;

/**
 * Keeps a node's controllers connected the way firmware does (protocol §3.6): connect with a
 * bounded number of attempts in flight, reconnect with exponential backoff and ±50 % jitter,
 * long pauses after a refused password, power cuts that last. (Telemetry, drops and storms: pulse.ts.)
 */
export class Keeper {
  readonly connectLatencyMs: number[] = [];
  private readonly kept = new Map<string, Kept>();
  private readonly queue: Kept[] = [];
  private inFlight = 0;
  private stopping = false;
  private readonly waiters: Array<() => void> = [];
  private fleetUp!: () => void;
  /** Resolves the first time every controller of this node is online. */
  readonly allOnline = new Promise<void>((resolve) => (this.fleetUp = resolve));
  private everOnline = 0;

  constructor(
    private readonly opts: RunOptions,
    private readonly stats: NodeStats,
    private readonly random: Random,
  ) {}

  add(lockerId: string, ctrl: SimController): void {
    const k: Kept = { lockerId, ctrl, state: 'idle', backoffMs: 0, onlineSince: 0, firstAttemptAt: 0, timer: null, newBoot: false, outage: false };
    this.kept.set(lockerId, k);
    ctrl.events.on('disconnected', () => this.lost(k));
  }

  start(): void {
    // Connect latency counts from here: queueing behind the connect concurrency is part of it.
    const now = Date.now();
    for (const k of this.kept.values()) {
      k.firstAttemptAt = now;
      this.enqueue(k);
    }
  }

  private frozenOnline: number | null = null;

  /** From now on `online` reports the count at this moment (the run is ending). */
  freezeOnline(): void {
    this.frozenOnline = this.online;
  }

  get online(): number {
    if (this.frozenOnline !== null) return this.frozenOnline;
    let n = 0;
    for (const k of this.kept.values()) if (k.ctrl.online) n += 1;
    return n;
  }

  /** Power cut of `offMs`: the controller goes dark (the will fires), then boots anew. */
  async powerCut(lockerId: string, offMs: number): Promise<void> {
    const k = this.kept.get(lockerId);
    if (!k || k.state === 'off' || k.state === 'stopped') return;
    this.clearTimer(k);
    k.state = 'off';
    await k.ctrl.powerOff().catch(() => undefined);
    k.timer = setTimeout(() => {
      k.timer = null;
      if (k.state !== 'off') return;
      k.backoffMs = 0;
      this.enqueue(k, true);
    }, offMs);
  }

  /**
   * The locker's network is down for `forMs` (power stays on): the link drops without goodbye
   * and no reconnect is tried until the network is back; the controller keeps working offline.
   */
  async outage(lockerId: string, forMs: number): Promise<boolean> {
    const k = this.kept.get(lockerId);
    if (!k || k.state !== 'online' || k.ctrl.sleepy) return false;
    this.clearTimer(k);
    k.state = 'off';
    k.outage = true;
    await k.ctrl.dropConnection().catch(() => undefined);
    k.timer = setTimeout(() => this.endOutage(k), forMs);
    return true;
  }

  private endOutage(k: Kept): void {
    this.clearTimer(k);
    if (k.state !== 'off' || !k.outage) return;
    k.outage = false;
    k.backoffMs = 0;
    this.enqueue(k);
  }

  /** Controllers not online, and those online with messages still waiting for a PUBACK. */
  unsettled(): { offline: string[]; draining: string[] } {
    const offline: string[] = [];
    const draining: string[] = [];
    for (const k of this.kept.values()) {
      if (k.state === 'off' && !k.timer) continue;
      if (sleepingDrained(k)) continue;
      if (!k.ctrl.online) offline.push(k.lockerId);
      else if (k.ctrl.queued.length > 0) draining.push(k.lockerId);
    }
    return { offline, draining };
  }

  /** Resolves when every controller is online and its outbox is empty, or after timeoutMs. */
  async settled(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      let all = true;
      for (const k of this.kept.values()) {
        if (k.state === 'off' && !k.timer) continue;
        // A sleeping bank with nothing queued is settled; one with queued events is woken to deliver them.
        if (sleepingDrained(k)) continue;
        if (k.ctrl.sleepy && k.ctrl.asleep) void k.ctrl.wake();
        if (!k.ctrl.online || k.ctrl.queued.length > 0) {
          all = false;
          // The run is ending: the network comes back so the oracle sees the replayed truth.
          if (k.state === 'off' && k.outage) this.endOutage(k);
          // A controller waiting out a long backoff is brought forward: the run is ending.
          if (k.state === 'waiting' && k.timer) {
            this.clearTimer(k);
            this.enqueue(k);
          }
        }
      }
      if (all) return true;
      if (Date.now() > deadline) return false;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 100);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.queue.length = 0;
    const stops: Array<Promise<void>> = [];
    for (const k of this.kept.values()) {
      this.clearTimer(k);
      k.state = 'stopped';
      stops.push(k.ctrl.stop().catch(() => undefined));
    }
    await Promise.all(stops);
  }

  private enqueue(k: Kept, newBoot = k.newBoot): void {
    if (this.stopping) return;
    k.state = 'waiting';
    k.newBoot = newBoot;
    this.queue.push(k);
    this.pump();
  }

  private pump(): void {
    while (this.inFlight < this.opts.connectConcurrency && this.queue.length > 0) {
      const k = this.queue.shift()!;
      if (k.state !== 'waiting') continue;
      this.inFlight += 1;
      void this.connect(k).finally(() => {
        this.inFlight -= 1;
        this.pump();
      });
    }
  }

  private async connect(k: Kept): Promise<void> {
    k.state = 'connecting';
    if (k.firstAttemptAt === 0) k.firstAttemptAt = Date.now();
    const newBoot = k.newBoot;
    try {
      if (k.ctrl.connected) {
        // Rebooted by itself (reboot command) while we waited.
      } else if (k.ctrl.bootId === '' || newBoot) {
        await k.ctrl.start();
      } else {
        await k.ctrl.reconnect();
      }
      if (this.stopping) return;
      if (k.ctrl.online) {
        k.newBoot = false;
        if (k.onlineSince === 0) {
          this.connectLatencyMs.push(Date.now() - k.firstAttemptAt);
          if ((this.everOnline += 1) === this.kept.size) this.fleetUp();
        }
        k.state = 'online';
        k.onlineSince = Date.now();
        this.stats.connects += 1;
        this.stats.lastConnectAt = k.onlineSince;
        for (const w of this.waiters.splice(0)) w();
      } else {
        this.retry(k, 'lost_during_handshake');
      }
    } catch (err) {
      if (this.stopping) return;
      const code = failureCode(err);
      bump(this.stats.connectFailures, code);
      // Refused credentials need an operator: retry rarely (§3.3). Busy (3) and network: backoff.
      const slow = err instanceof ConnectRefusedError && (err.code === 4 || err.code === 5);
      this.retry(k, code, slow ? 600_000 : undefined);
    }
  }

  private lost(k: Kept): void {
    if (k.state !== 'online') return;
    // A sleepy bank (protocol 1.1 §13) disconnects to sleep and reconnects at its own next wake.
    if (k.ctrl.sleepy) return;
    // A connection that stayed up for a minute starts the backoff from scratch (§3.6).
    if (Date.now() - k.onlineSince > 60_000) k.backoffMs = 0;
    this.retry(k, 'disconnected');
  }

  private retry(k: Kept, _why: string, fixedMs?: number): void {
    if (this.stopping || k.state === 'off' || k.state === 'stopped') return;
    k.backoffMs = k.backoffMs === 0 ? BACKOFF_FIRST_MS * between(this.random, 1, 2) : Math.min(BACKOFF_CAP_MS, k.backoffMs * 2);
    const delay = (fixedMs ?? k.backoffMs) * between(this.random, 0.5, 1.5) * this.opts.backoffScale;
    k.state = 'waiting';
    this.clearTimer(k);
    k.timer = setTimeout(() => {
      k.timer = null;
      this.enqueue(k);
    }, delay);
  }

  private clearTimer(k: Kept): void {
    if (k.timer) clearTimeout(k.timer);
    k.timer = null;
  }
}

/** A sleepy bank that connected once and now sleeps with nothing to deliver: as good as online. */
function sleepingDrained(k: Kept): boolean {
  return k.ctrl.sleepy && k.state === 'online' && k.ctrl.asleep && k.ctrl.queued.length === 0;
}

/** A short, stable name for why a connection attempt failed (counted in the summary). */
function failureCode(err: unknown): string {
  if (err instanceof ConnectRefusedError) return `connack_${err.code}`;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  const message = err instanceof Error ? err.message : String(err);
  if (message.includes('no CONNACK')) return 'connack_timeout';
  if (message.includes('before CONNACK')) return 'closed_before_connack';
  if (message.includes('already connected or connecting')) return 'busy_rebooting';
  return 'closed_during_handshake';
}
