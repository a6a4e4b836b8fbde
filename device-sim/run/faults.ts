import type { MqttSession, PublishOptions, SessionFactory } from '../session.js';
import { chance, type Random } from '../random.js';

/**
 * Fault injection (all off by default, combinable, decided by the seeded random source).
 * Network faults strike per message or command; physical faults per deposit/pickup/retrieval
 * at the locker where it happens; drops per controller per minute; storms on a period.
 */
export interface FaultOptions {
  /** Connection drops (TCP reset, no DISCONNECT) per controller per minute. */
  dropRate: number;
  /** Every this many seconds, `stormFraction` of the controllers lose their connection at once (0 = never). */
  stormEveryS: number;
  stormFraction: number;
  /** Per QoS 1 event/ack and per command received: the same packet arrives twice. */
  duplicate: number;
  /** Per event/telemetry: it goes on the wire after the next message (so its seq arrives late). */
  reorder: number;
  /** Per ack: lost on the way (the seq was used; the gateway sees a gap and resends the command). */
  loseAcks: number;
  /** Per ack: the firmware answers only after `lateAckMs`. */
  lateAcks: number;
  lateAckMs: number;
  /** Per open command: it reaches the controller only after its expiresAt. */
  staleCommands: number;
  /** Per operation: a compartment of the locker jams (its latch never releases again). */
  jam: number;
  /** Per operation: an occupancy sensor of the locker fails for good. */
  sensorFaults: number;
  /** Per operation: the courier or resident walks away leaving the door open. */
  leaveOpen: number;
  /** How long (real seconds) a door left open stays open before a passer-by closes it. */
  leftOpenS: number;
  /** Per operation: someone forces a door of the locker (and takes the parcel, half the time). */
  forceDoors: number;
  /** Per operation: the controller loses power just after the door opened, for a while. */
  powerLoss: number;
  /**
   * Lockers whose network goes down for `outageForS` every `outageEveryS` (real seconds), with
   * power on: doors, sensors and the keypad keep working, codes are checked offline (§12).
   */
  outageLockers: readonly string[];
  outageEveryS: number;
  outageForS: number;
}

export const NO_FAULTS: FaultOptions = Object.freeze({
  dropRate: 0, stormEveryS: 0, stormFraction: 0.3, duplicate: 0, reorder: 0, loseAcks: 0, lateAcks: 0, lateAckMs: 12_000,
  staleCommands: 0, jam: 0, sensorFaults: 0, leaveOpen: 0, leftOpenS: 150, forceDoors: 0, powerLoss: 0,
  outageLockers: [], outageEveryS: 0, outageForS: 0,
});

export const FAULT_KINDS = [
  'drop', 'storm', 'duplicate', 'reorder', 'lost_ack', 'late_ack', 'stale_command',
  'jam', 'sensor_fault', 'door_left_open', 'forced_door', 'theft', 'power_loss', 'outage',
  /** Not injected: a compartment found reserved or open at the start, left over from before the run. */
  'inherited',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultRecord {
  kind: FaultKind;
  lockerId: string;
  compartment?: number;
  parcelId?: string;
  at: number;
}

export type RecordFault = (kind: FaultKind, detail?: { compartment?: number; parcelId?: string }) => void;

/** Wraps a session factory with the network faults, for one controller. */
export function faultySessions(inner: SessionFactory, faults: FaultOptions, random: Random, record: RecordFault): SessionFactory {
  const networkFaults = faults.duplicate + faults.reorder + faults.loseAcks + faults.staleCommands;
  if (networkFaults === 0) return inner;
  return async (opts) => new FaultySession(await inner(opts), faults, random, record);
}

interface Held {
  topic: string;
  payload: string | Buffer;
  opts: PublishOptions;
  settle(p: Promise<void>): void;
  timer: NodeJS.Timeout;
}

class FaultySession implements MqttSession {
  private held: Held | null = null;

  constructor(
    private readonly inner: MqttSession,
    private readonly faults: FaultOptions,
    private readonly random: Random,
    private readonly record: RecordFault,
  ) {}

  get closed(): boolean {
    return this.inner.closed;
  }

  get sessionPresent(): boolean {
    return this.inner.sessionPresent === true;
  }

  publish(topic: string, payload: string | Buffer, opts: PublishOptions): Promise<void> {
    const channel = topic.slice(topic.lastIndexOf('/') + 1);
    if (channel === 'acks' && chance(this.random, this.faults.loseAcks)) {
      this.record('lost_ack');
      return Promise.resolve();
    }
    if ((channel === 'events' || channel === 'telemetry') && this.held === null && chance(this.random, this.faults.reorder)) {
      return new Promise<void>((resolve, reject) => {
        // Nothing else to overtake it within 100 ms: it goes out in order after all.
        const timer = setTimeout(() => this.release(false), 100);
        this.held = { topic, payload, opts, timer, settle: (p) => p.then(resolve, reject) };
      });
    }
    const sent = this.inner.publish(topic, payload, opts);
    if (this.held) this.release(true);
    if (opts.qos === 1 && (channel === 'events' || channel === 'acks') && chance(this.random, this.faults.duplicate)) {
      this.record('duplicate');
      void sent.then(() => this.inner.publish(topic, payload, opts)).catch(() => undefined);
    }
    return sent;
  }

  subscribe(topic: string, qos: 0 | 1): Promise<number> {
    return this.inner.subscribe(topic, qos);
  }

  end(): Promise<void> {
    if (this.held) this.release(false);
    return this.inner.end();
  }

  destroy(): Promise<void> {
    return this.inner.destroy();
  }

  onClose(fn: () => void): void {
    this.inner.onClose(fn);
  }

  onMessage(fn: (topic: string, payload: Buffer) => void): void {
    this.inner.onMessage((topic, payload) => {
      const expiresAt = staleCandidate(payload);
      if (expiresAt !== null && chance(this.random, this.faults.staleCommands)) {
        this.record('stale_command');
        setTimeout(() => fn(topic, payload), Math.max(0, expiresAt - Date.now()) + 50);
        return;
      }
      fn(topic, payload);
      if (chance(this.random, this.faults.duplicate)) {
        this.record('duplicate');
        fn(topic, payload);
      }
    });
  }

  private release(reordered: boolean): void {
    const held = this.held;
    if (!held) return;
    this.held = null;
    clearTimeout(held.timer);
    if (reordered) this.record('reorder');
    held.settle(this.inner.publish(held.topic, held.payload, held.opts));
  }
}

/** The expiresAt of an `open` command, the only kind held back as stale (keypad replies have their own timeout). */
function staleCandidate(payload: Buffer): number | null {
  try {
    const cmd = JSON.parse(payload.toString('utf8')) as { type?: unknown; expiresAt?: unknown };
    return cmd.type === 'open' && typeof cmd.expiresAt === 'number' ? cmd.expiresAt : null;
  } catch {
    return null;
  }
}
