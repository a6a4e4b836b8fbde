import { EventEmitter } from 'node:events';
import { CHANNEL_RULES, PROTOCOL_VERSION, deviceTopic, type Channel } from '../protocol/index.js';
import { Battery } from './battery.js';
import { Timers, systemClock } from './clock.js';
import { CodeStore } from './codes.js';
import { CommandProcessor } from './commands.js';
import type { PhysicalState } from './compartment.js';
import { randomId } from './ids.js';
import { Keypad, type KeypadOutcome } from './keypad.js';
import { Link, type Goodbye } from './link.js';
import { Locker } from './locker.js';
import type { QueuedMessage } from './outbox.js';
import { createSimContext } from './sim-context.js';
import { SleepCycle, wireSleepAndBattery } from './sleepy.js';
import type { SimContext, SimControllerEvents, SimControllerOptions, SimStats } from './types.js';
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
  /** v1.1 offline code set (flash: survives reboots); null for 1.0 or without a code key. */
  private readonly codes: CodeStore | null;
  private readonly batteryModel: Battery | null;
  private readonly sleepCycle: SleepCycle | null;
  /** Speaks 1.1 (or a later minor): v1.1 connect order, offline status reasons. */
  private readonly v11: boolean;
  readonly kind: 'smart_locker' | 'mailbox_bank';
  private bootedAt = 0;
  /** False after stop(): a reboot scheduled behind an ack must not revive a stopped controller. */
  private running = false;
  /** Between powerOff() and the next start(): the sensors are dark. */
  private unpowered = false;

  constructor(options: SimControllerOptions) {
    this.opts = options;
    this.deviceId = options.deviceId;
    // Every person at one of its compartments waits on these events (run/door.ts): at saturation
    // that is more than Node's default of 10 listeners per event, and not a leak.
    this.events.setMaxListeners(0);
    const protocol = options.protocol ?? PROTOCOL_VERSION;
    this.v11 = minorOf(protocol) >= 1;
    this.kind = options.kind ?? (options.sleepy ? 'mailbox_bank' : 'smart_locker');
    if (options.sleepy && (!this.v11 || this.kind !== 'mailbox_bank')) {
      throw new Error('a sleepy controller is a protocol 1.1 mailbox bank (README §13)');
    }
    this.codes = this.v11 && options.codeKey !== undefined ? new CodeStore(options.codeKey) : null;
    const clock = options.clock ?? systemClock;
    this.sequencer = new Sequencer(options.deviceId, clock);
    const queue = (msg: QueuedMessage): Promise<boolean> =>
      // Unpowered (before the first start(), or after powerOff()) nothing is sensed: changes only
      // shape the next snapshot.
      this.sequencer.bootId === '' || this.unpowered ? Promise.resolve(false) : this.link.enqueue(msg);
    this.ctx = createSimContext(options, { clock, timers: this.timers, events: this.events, stats: this.stats, online: () => this.link.ready, queue });
    this.events.on('uplink', (m) => {
      if (m.channel === 'acks') this.events.emit('ack', m.message);
      else if (m.channel === 'events' && m.message.type === 'open_result') this.events.emit('open_result', m.message);
    });
    this.locker = new Locker(this.ctx, options.compartments);
    this.keypad = new Keypad(this.ctx, this.locker, this.codes ? { codes: this.codes, householdOnline: this.kind === 'mailbox_bank' } : null);
    const battery = options.power === 'battery' || (options.power === undefined && options.sleepy !== undefined);
    this.batteryModel = battery
      ? new Battery(options.battery ?? {}, (pct, mv) => {
          this.events.emit('low_battery', pct);
          void this.ctx.sendEvent({ type: 'fault', fault: 'low_battery', detail: `battery ${pct} % (${mv} mV)` });
        })
      : null;
    this.commands = new CommandProcessor(this.ctx, this.locker, this.keypad, (ackDelivered) => {
      // §6.6: the ack's PUBACK first, so the gateway does not resend the reboot.
      void ackDelivered.then(() => {
        if (!this.running) return;
        this.timers.set(() => {
          this.reboot().catch((err: unknown) => this.ctx.logger.warn({ err }, 'reboot failed'));
        }, options.rebootDelayMs ?? 0);
      });
    }, this.codes);
    this.link = new Link({
      opts: options,
      ctx: this.ctx,
      sequencer: this.sequencer,
      hello: () => ({
        state: 'online',
        model: options.model ?? 'sim-locker',
        firmware: options.firmware ?? 'sim-1.0.0',
        protocol,
        compartments: this.locker.compartments.length,
        ...(this.codes ? { codeVersion: this.codes.version } : {}),
        ...(options.sleepy ? { wakeIntervalS: options.sleepy.wakeIntervalS } : {}),
      }),
      snapshot: () => ({ compartments: this.locker.compartments.map((c) => c.snapshot()) }),
      onCommand: (payload) => this.commands.handle(payload),
      replayFirst: this.v11,
      clean: options.sleepy === undefined,
    });
    this.sleepCycle = options.sleepy
      ? new SleepCycle({
          ctx: this.ctx,
          opts: options.sleepy,
          connect: () => this.reconnect(),
          sleep: (nextWakeAt, at) => this.link.disconnect({ reason: 'sleep', nextWakeAt, at }),
          drained: () => this.link.outbox.pending.length === 0,
        })
      : null;
    wireSleepAndBattery(this.events, this.sleepCycle, this.batteryModel, () => void this.sendTelemetry());
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
  /** v1.1: the code set version held (0 = none yet); null without offline codes (1.0, or no code key). */
  get codeVersion(): number | null { return this.codes?.version ?? null; }
  /** v1.1: entries in the code set (0 without offline codes). */
  get codeCount(): number { return this.codes?.count ?? 0; }
  /** v1.1: the hash this controller's code key gives a code (null without a code key). */
  codeHash(code: string): string | null { return this.codes?.hash(code) ?? null; }
  /** v1.1: whether the code set holds this hash now. */
  holdsCode(h: string): boolean { return this.codes?.has(h) ?? false; }
  /** Whether this is a sleepy (battery, wake-cycle) controller. */
  get sleepy(): boolean { return this.sleepCycle !== null; }
  /** Sleepy: between the sleep DISCONNECT (or a lost link) and the next wake's connect. */
  get asleep(): boolean { return this.sleepCycle?.phase === 'asleep'; }
  /** Sleepy, while asleep: when it said it would be back. */
  get nextWakeAt(): number | null { return this.sleepCycle?.nextWakeAt ?? null; }
  /** Battery charge, % (to 0.1); null on mains power. */
  get battery(): number | null { return this.batteryModel?.pct ?? null; }
  /** v1.1: the offline keypad locked itself after too many wrong codes (§12.4). */
  get keypadLockedOut(): boolean { return this.keypad.lockedOut; }

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

  /**
   * A person at a sleepy bank (README §13.3): connect now, and stay awake while they are there.
   * Resolves true once online. For a controller that is not sleepy: whether it is online.
   */
  async wake(): Promise<boolean> {
    if (!this.sleepCycle) return this.online;
    return this.sleepCycle.wake();
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
    await this.link.disconnect(this.goodbye('reboot'));
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
    await this.link.disconnect(this.goodbye('shutdown'));
  }

  /** Network loss: the socket dies without DISCONNECT, so the broker publishes the will. */
  async dropConnection(): Promise<void> {
    await this.link.drop();
  }

  // A person handling a door keeps an awake bank awake; asleep, the events queue (§13.3).
  placeParcel(i: number): void { this.locker.placeParcel(i); this.sleepCycle?.keepAwake(); }
  removeParcel(i: number): void { this.locker.removeParcel(i); this.sleepCycle?.keepAwake(); }
  closeDoor(i: number): void { this.locker.closeDoor(i); this.sleepCycle?.keepAwake(); }
  forceOpen(i: number): void { this.locker.forceOpen(i); }
  jam(i: number, on: boolean): void { this.locker.jam(i, on); }
  sensorFault(i: number, on: boolean): void { this.locker.sensorFault(i, on); }

  /**
   * Online: the gateway's keypad_reply (rejects after the keypad timeout). Offline: rejects at
   * once (codes are not queued), unless the controller holds a code set (v1.1): then it checks
   * the code itself and resolves with `local: true` (open, or deny invalid/locked_out). A mailbox
   * bank checks household codes itself even online (§13.5).
   */
  typeCode(code: string, timeoutMs = this.opts.keypadTimeoutMs ?? 20_000): Promise<KeypadOutcome> {
    this.sleepCycle?.keepAwake();
    return this.keypad.typeCode(code, timeoutMs);
  }

  /** Test hook: set the battery charge (%); crossing below the threshold sends low_battery once. */
  setBattery(pct: number): void {
    if (!this.batteryModel) throw new Error(`${this.deviceId} runs on mains power`);
    this.batteryModel.set(pct);
  }

  /** QoS 0 and never queued: offline telemetry is dropped without using a seq. */
  async sendTelemetry(): Promise<boolean> {
    const uptimeS = Math.max(0, Math.floor((this.ctx.clock.now() - this.bootedAt) / 1000));
    const rssiDbm = -50 - Math.floor(this.ctx.random() * 40);
    const battery = this.batteryModel;
    const sent = await this.link.publishNow('telemetry', battery
      ? { uptimeS, rssiDbm, mainsPower: false, batteryPct: battery.pct, batteryMv: battery.mv }
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

  /** v1.1 says why it disconnects (README §4.2); a 1.0 offline status has no reason. */
  private goodbye(reason: 'shutdown' | 'reboot'): Goodbye | undefined {
    return this.v11 ? { reason } : undefined;
  }

  private powerDown(reason: string): void {
    this.sleepCycle?.halt();
    this.timers.clearAll();
    this.locker.cancelPending();
    this.keypad.abandonAll(reason);
  }
}

/** The minor of a "major.minor" protocol version (1.0 → 0, 1.1 → 1). */
function minorOf(protocol: string): number {
  const minor = Number(protocol.split('.')[1]);
  return Number.isInteger(minor) ? minor : 0;
}
