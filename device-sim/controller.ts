import { EventEmitter } from 'node:events';
import { CHANNEL_RULES, PROTOCOL_VERSION, deviceTopic, type Channel } from '../protocol/index.js';
import { Timers, systemClock } from './clock.js';
import { CommandProcessor } from './commands.js';
import type { PhysicalState } from './compartment.js';
import { randomId } from './ids.js';
import { Keypad, type KeypadReply } from './keypad.js';
import { Link } from './link.js';
import { Locker } from './locker.js';
import {
  silentLogger,
  type SimContext,
  type SimControllerEvents,
  type SimControllerOptions,
  type SimStats,
} from './types.js';
import { Sequencer, type StampedMessage } from './uplink.js';

export interface RawPublishOptions {
  qos?: 0 | 1;
  retain?: boolean;
  /** Publish somewhere other than this device's own topic (ACL tests). */
  topic?: string;
}

/** A simulated locker controller speaking protocol v1 over a real MQTT connection. */
export class SimController {
  readonly deviceId: string;
  readonly events = new EventEmitter<SimControllerEvents>();
  readonly stats: SimStats = {
    connects: 0, published: 0, replayed: 0, commandsReceived: 0, invalidCommands: 0,
    duplicateCommands: 0, rejectedCommands: 0, telemetryDropped: 0,
  };
  private readonly opts: SimControllerOptions;
  private readonly ctx: SimContext;
  private readonly timers = new Timers();
  private readonly sequencer: Sequencer;
  private readonly link: Link;
  private readonly locker: Locker;
  private readonly keypad: Keypad;
  private readonly commands: CommandProcessor;
  private bootedAt = 0;

  constructor(options: SimControllerOptions) {
    this.opts = options;
    this.deviceId = options.deviceId;
    const clock = options.clock ?? systemClock;
    this.sequencer = new Sequencer(options.deviceId, clock);
    this.ctx = {
      clock,
      timers: this.timers,
      random: options.random ?? Math.random,
      logger: options.logger ?? silentLogger,
      events: this.events,
      stats: this.stats,
      openDelayMs: options.openDelayMs ?? 30,
      jamWindowMs: options.jamWindowMs ?? 5000,
      sendEvent: (body) => {
        const msg = this.link.stamp('events', body);
        if (msg.message.type === 'open_result') this.events.emit('open_result', msg.message);
        this.link.sendQueued(msg);
      },
      sendAck: (body) => {
        const msg = this.link.stamp('acks', body);
        this.events.emit('ack', msg.message);
        this.link.sendQueued(msg);
      },
    };
    this.locker = new Locker(this.ctx, options.compartments);
    this.keypad = new Keypad(this.ctx);
    this.commands = new CommandProcessor(this.ctx, this.locker, this.keypad, () => {
      this.timers.set(() => {
        this.reboot().catch((err: unknown) => this.ctx.logger.warn({ err }, 'reboot failed'));
      }, options.rebootDelayMs ?? 20);
    });
    this.link = new Link({
      opts: options,
      ctx: this.ctx,
      sequencer: this.sequencer,
      hello: () => ({
        state: 'online',
        model: options.model ?? 'sim-locker',
        firmware: options.firmware ?? 'sim-1.0.0',
        protocol: options.protocol ?? PROTOCOL_VERSION,
        compartments: this.locker.compartments.length,
      }),
      snapshot: () => ({ compartments: this.locker.compartments.map((c) => c.snapshot()) }),
      onCommand: (payload) => this.commands.handle(payload),
    });
  }

  get connected(): boolean { return this.link.client !== null; }
  get bootId(): string { return this.sequencer.bootId; }
  get seq(): number { return this.sequencer.seq; }
  get executedCommands(): readonly string[] { return this.commands.executed; }
  get lastKeypadDisplay(): string | null { return this.keypad.lastDisplay; }
  /** Events and acks stamped but not yet acknowledged by the broker, oldest first. */
  get queued(): readonly StampedMessage[] { return this.link.outbox.pending; }

  physical(index: number): PhysicalState { return this.locker.get(index).physical(); }

  /** Power-on: a new boot id, seq from 1, then the connect sequence. */
  async start(): Promise<void> {
    if (this.link.client) throw new Error(`${this.deviceId} is already connected`);
    this.sequencer.newBoot(randomId(this.ctx.random, 16));
    this.bootedAt = this.ctx.clock.now();
    await this.link.connect();
  }

  /** Same boot, new connection: hello continues the seq, queued events follow the snapshot. */
  async reconnect(): Promise<void> {
    if (this.sequencer.bootId === '') throw new Error('reconnect() before start()');
    await this.link.connect();
  }

  /**
   * Power cycle: the broker sees the socket die (will published), then a fresh boot. Events
   * still queued keep their old boot id and are replayed after the new snapshot, as firmware
   * with a flash-backed queue would.
   */
  async reboot(): Promise<void> {
    this.powerDown('controller rebooted');
    await this.link.drop();
    await this.start();
    this.events.emit('reboot', this.sequencer.bootId);
  }

  /** Clean DISCONNECT (no will); also halts the controller's timers so nothing fires later. */
  async stop(): Promise<void> {
    this.powerDown('controller stopped');
    await this.link.disconnect();
  }

  /** Network loss: the socket dies without DISCONNECT, so the broker publishes the will. */
  async dropConnection(): Promise<void> {
    await this.link.drop();
  }

  placeParcel(i: number): void { this.locker.placeParcel(i); }
  removeParcel(i: number): void { this.locker.removeParcel(i); }
  closeDoor(i: number): void { this.locker.closeDoor(i); }
  forceOpen(i: number): void { this.locker.forceOpen(i); }
  jam(i: number, on: boolean): void { this.locker.jam(i, on); }
  sensorFault(i: number, on: boolean): void { this.locker.sensorFault(i, on); }

  typeCode(code: string, timeoutMs = this.opts.keypadTimeoutMs ?? 10_000): Promise<KeypadReply> {
    return this.keypad.typeCode(code, timeoutMs);
  }

  /** QoS 0 and never queued: offline telemetry is dropped without consuming a seq. */
  async sendTelemetry(): Promise<boolean> {
    const client = this.link.client;
    if (!client || !this.link.ready) {
      this.stats.telemetryDropped += 1;
      return false;
    }
    const uptimeS = Math.max(0, Math.floor((this.ctx.clock.now() - this.bootedAt) / 1000));
    const rssiDbm = -50 - Math.floor(this.ctx.random() * 40);
    const msg = this.link.stamp('telemetry', { uptimeS, rssiDbm, mainsPower: true });
    await this.link.transmit(msg, client);
    return true;
  }

  /** Test hook: bytes straight onto a topic, no validation, no seq. */
  async publishRaw(channel: Channel, payload: string | Buffer, opts: RawPublishOptions = {}): Promise<void> {
    const rules = CHANNEL_RULES[channel];
    const topic = opts.topic ?? deviceTopic(this.deviceId, channel);
    await this.link.requireClient().publishAsync(topic, payload, {
      qos: opts.qos ?? rules.qos,
      retain: opts.retain ?? rules.retain,
    });
  }

  /** Test hook: resend an earlier message byte for byte, original boot id and seq included. */
  async republish(seq: number, bootId = this.sequencer.bootId): Promise<void> {
    const msg = this.link.sent.get(bootId, seq);
    if (!msg) throw new Error(`message ${bootId}/${seq} is not among the last 256 sent`);
    const rules = CHANNEL_RULES[msg.channel];
    await this.link.requireClient().publishAsync(msg.topic, msg.payload, { qos: rules.qos, retain: rules.retain });
  }

  private powerDown(reason: string): void {
    this.timers.clearAll();
    this.locker.cancelPending();
    this.keypad.abandonAll(reason);
  }
}
