import { EventEmitter } from 'node:events';
import { CHANNEL_RULES, PROTOCOL_VERSION, deviceTopic, type Channel } from '../protocol/index.js';
import { Timers, systemClock } from './clock.js';
import { CommandProcessor } from './commands.js';
import type { PhysicalState } from './compartment.js';
import { randomId } from './ids.js';
import { Keypad, type KeypadReply } from './keypad.js';
import { Link } from './link.js';
import { Locker } from './locker.js';
import type { QueuedMessage } from './outbox.js';
import { silentLogger, type SimContext, type SimControllerEvents, type SimControllerOptions, type SimStats } from './types.js';
import { Sequencer } from './uplink.js';

export interface RawPublishOptions {
  qos?: 0 | 1;
  retain?: boolean;
  /** Publish somewhere other than this device's own topic (ACL tests). */
  topic?: string;
}

/** A simulated locker controller speaking protocol v1 (protocol/README.md) over real MQTT. */
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
  /** False after stop(): a reboot scheduled behind an ack must not revive a stopped controller. */
  private running = false;
  /** Between powerOff() and the next start(): the sensors are dark. */
  private unpowered = false;

  constructor(options: SimControllerOptions) {
    this.opts = options;
    this.deviceId = options.deviceId;
    const clock = options.clock ?? systemClock;
    this.sequencer = new Sequencer(options.deviceId, clock);
    const queue = (msg: QueuedMessage): Promise<boolean> =>
      // Unpowered (before the first start(), or after powerOff()) nothing is sensed: changes only
      // shape the next snapshot.
      this.sequencer.bootId === '' || this.unpowered ? Promise.resolve(false) : this.link.enqueue(msg);
    this.ctx = {
      clock,
      timers: this.timers,
      random: options.random ?? Math.random,
      logger: options.logger ?? silentLogger,
      events: this.events,
      stats: this.stats,
      openDelayMs: options.openDelayMs ?? 30,
      jamWindowMs: options.jamWindowMs ?? 5000,
      online: () => this.link.ready,
      sendEvent: (body, replayable = true) => queue({ channel: 'events', body, ts: clock.now(), replayable }),
      sendAck: (body) => {
        const delayMs = options.ackDelayMs?.(body) ?? 0;
        if (delayMs <= 0) return queue({ channel: 'acks', body, ts: clock.now(), replayable: true });
        // A late ack (fault injection): the firmware answers only after delayMs, stamped then.
        return new Promise<boolean>((resolve) => {
          this.timers.set(() => resolve(queue({ channel: 'acks', body, ts: clock.now(), replayable: true })), delayMs);
        });
      },
    };
    this.events.on('uplink', (m) => {
      if (m.channel === 'acks') this.events.emit('ack', m.message);
      else if (m.channel === 'events' && m.message.type === 'open_result') this.events.emit('open_result', m.message);
    });
    this.locker = new Locker(this.ctx, options.compartments);
    this.keypad = new Keypad(this.ctx);
    this.commands = new CommandProcessor(this.ctx, this.locker, this.keypad, (ackDelivered) => {
      // §6.6: the ack's PUBACK first, so the gateway does not resend the reboot.
      void ackDelivered.then(() => {
        if (!this.running) return;
        this.timers.set(() => {
          this.reboot().catch((err: unknown) => this.ctx.logger.warn({ err }, 'reboot failed'));
        }, options.rebootDelayMs ?? 0);
      });
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
  /** Connected and the hello is out: events go out as they happen, keypad codes are accepted. */
  get online(): boolean { return this.link.ready; }
  /** Whether the controller has power (between start() and stop()/powerOff()). */
  get powered(): boolean { return this.running; }
  get bootId(): string { return this.sequencer.bootId; }
  /** The last seq used in this boot. */
  get seq(): number { return this.sequencer.seq; }
  get executedCommands(): readonly string[] { return this.commands.executed; }
  get lastKeypadDisplay(): string | null { return this.keypad.lastDisplay; }
  /** Events and acks not yet PUBACKed, oldest first; they get their seq when published. */
  get queued(): readonly QueuedMessage[] { return this.link.outbox.pending; }

  physical(index: number): PhysicalState { return this.locker.get(index).physical(); }

  /** Power-on: a new boot id, seq from 1, then the §3.5 connect sequence. */
  async start(): Promise<void> {
    if (this.link.client) throw new Error(`${this.deviceId} is already connected`);
    this.unpowered = false;
    this.sequencer.newBoot(this.opts.bootId?.() ?? randomId(this.ctx.random, 16));
    this.bootedAt = this.ctx.clock.now();
    this.running = true;
    await this.link.connect();
  }

  /** Same boot, new connection: the hello continues the seq, queued events follow the snapshot. */
  async reconnect(): Promise<void> {
    if (this.sequencer.bootId === '') throw new Error('reconnect() before start()');
    this.running = true;
    await this.link.connect();
  }

  /** Orderly restart (§6.6): offline status, DISCONNECT, new boot. Queued events survive (flash). */
  async reboot(): Promise<void> {
    this.powerDown('controller rebooted');
    await this.link.disconnect();
    await this.start();
    this.events.emit('reboot', this.sequencer.bootId);
  }

  /** Power cut: no goodbye, so the broker publishes the will; then a new boot. */
  async powerCycle(): Promise<void> {
    this.powerDown('power lost');
    await this.link.drop();
    await this.start();
    this.events.emit('reboot', this.sequencer.bootId);
  }

  /** Power cut that lasts: no goodbye (the will fires), nothing sensed until start() boots again. */
  async powerOff(): Promise<void> {
    this.running = false;
    this.unpowered = true;
    this.powerDown('power lost');
    await this.link.drop();
  }

  /** Orderly shutdown (§3.4): offline status, then DISCONNECT (so no will); timers halted. */
  async stop(): Promise<void> {
    this.running = false;
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

  /** Rejects at once when offline (codes are not queued) or after the keypad timeout. */
  typeCode(code: string, timeoutMs = this.opts.keypadTimeoutMs ?? 20_000): Promise<KeypadReply> {
    return this.keypad.typeCode(code, timeoutMs);
  }

  /** QoS 0 and never queued: offline telemetry is dropped without using a seq. */
  async sendTelemetry(): Promise<boolean> {
    const uptimeS = Math.max(0, Math.floor((this.ctx.clock.now() - this.bootedAt) / 1000));
    const rssiDbm = -50 - Math.floor(this.ctx.random() * 40);
    const battery = this.opts.power === 'battery';
    const sent = await this.link.publishNow('telemetry', battery
      ? { uptimeS, rssiDbm, mainsPower: false, batteryPct: Math.round(60 + this.ctx.random() * 40) }
      : { uptimeS, rssiDbm, mainsPower: true });
    if (!sent) this.stats.telemetryDropped += 1;
    return sent;
  }

  /** Test hook: bytes straight onto a topic, no validation, no seq. */
  async publishRaw(channel: Channel, payload: string | Buffer, opts: RawPublishOptions = {}): Promise<void> {
    const rules = CHANNEL_RULES[channel];
    const topic = opts.topic ?? deviceTopic(this.deviceId, channel);
    await this.link.requireClient().publish(topic, payload, {
      qos: opts.qos ?? rules.qos,
      retain: opts.retain ?? rules.retain,
    });
  }

  /** Test hook: resend an earlier message byte for byte, original boot id and seq included. */
  async republish(seq: number, bootId = this.sequencer.bootId): Promise<void> {
    const msg = this.link.sent.get(bootId, seq);
    if (!msg) throw new Error(`message ${bootId}/${seq} is not among the last 256 sent`);
    const rules = CHANNEL_RULES[msg.channel];
    await this.link.requireClient().publish(msg.topic, msg.payload, { qos: rules.qos, retain: rules.retain });
  }

  private powerDown(reason: string): void {
    this.timers.clearAll();
    this.locker.cancelPending();
    this.keypad.abandonAll(reason);
  }
}
