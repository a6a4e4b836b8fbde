import type { z } from 'zod';
import {
  CommandAck,
  DeviceEvent,
  StateSnapshot,
  StatusOnline,
  Telemetry,
  deviceTopic,
  type UplinkChannel,
} from '../protocol/index.js';
import type { Clock } from './clock.js';

/**
 * The schema each sequenced uplink is checked against. `status` uses StatusOnline, the part
 * of StatusMessage a live controller sends; the offline variant is only ever the last will.
 */
const SCHEMAS = {
  status: StatusOnline,
  state: StateSnapshot,
  events: DeviceEvent,
  acks: CommandAck,
  telemetry: Telemetry,
} as const satisfies Record<UplinkChannel, z.ZodType>;

export type UplinkMessage<C extends UplinkChannel> = z.output<(typeof SCHEMAS)[C]>;

/** A payload minus the envelope, which only the sequencer may fill in. */
export type Unsequenced<T> = T extends unknown ? Omit<T, 'bootId' | 'seq' | 'ts'> : never;
export type UplinkBody<C extends UplinkChannel> = Unsequenced<UplinkMessage<C>>;

export interface StampedMessage<C extends UplinkChannel = UplinkChannel> {
  channel: C;
  topic: string;
  bootId: string;
  seq: number;
  message: UplinkMessage<C>;
  /** The exact bytes sent, so a republish is byte-identical. */
  payload: string;
}

/** A stamped message of any channel, discriminated by `channel`. */
export type AnyStampedMessage = { [C in UplinkChannel]: StampedMessage<C> }[UplinkChannel];

/** Owns the boot id and the one seq counter that every sequenced uplink shares. */
export class Sequencer {
  bootId = '';
  seq = 0;

  constructor(
    private readonly deviceId: string,
    private readonly clock: Clock,
  ) {}

  newBoot(bootId: string): void {
    this.bootId = bootId;
    this.seq = 0;
  }

  /**
   * Stamps at publish time (protocol §5): the seq is the next of the boot, `ts` is when the
   * fact happened. Validates before consuming the seq, so a simulator bug throws, not a gap.
   */
  stamp<C extends UplinkChannel>(channel: C, body: UplinkBody<C>, ts = this.clock.now()): StampedMessage<C> {
    if (this.bootId === '') throw new Error('controller has not booted: call start() first');
    const seq = this.seq + 1;
    const message = this.validate(channel, body, this.bootId, seq, ts);
    this.seq = seq;
    return {
      channel,
      topic: deviceTopic(this.deviceId, channel),
      bootId: this.bootId,
      seq,
      message,
      payload: JSON.stringify(message),
    };
  }

  /** The same check for a message queued now and stamped later, so the bug surfaces at its cause. */
  check<C extends UplinkChannel>(channel: C, body: UplinkBody<C>, ts: number): void {
    this.validate(channel, body, this.bootId || 'not-booted', this.seq + 1, ts);
  }

  private validate<C extends UplinkChannel>(
    channel: C,
    body: UplinkBody<C>,
    bootId: string,
    seq: number,
    ts: number,
  ): UplinkMessage<C> {
    // The per-channel lookup loses the link between C and the schema; the parse is what matters.
    return SCHEMAS[channel].parse({ bootId, seq, ts, ...body }) as UplinkMessage<C>;
  }
}

/** Ring of recently sent messages, for republish() in duplicate-delivery tests. */
export class SentLog {
  private readonly byKey = new Map<string, StampedMessage>();

  constructor(private readonly capacity = 256) {}

  add(msg: StampedMessage): void {
    const key = `${msg.bootId}/${msg.seq}`;
    this.byKey.delete(key);
    this.byKey.set(key, msg);
    if (this.byKey.size > this.capacity) {
      const oldest = this.byKey.keys().next().value;
      if (oldest !== undefined) this.byKey.delete(oldest);
    }
  }

  get(bootId: string, seq: number): StampedMessage | undefined {
    return this.byKey.get(`${bootId}/${seq}`);
  }
}
