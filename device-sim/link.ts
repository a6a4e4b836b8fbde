import { CHANNEL_RULES, StatusOffline, deviceTopic, type StatusMessageT, type UplinkChannel } from '../protocol/index.js';
import { openMqttJsSession } from './mqtt-session.js';
import type { MqttSession } from './session.js';
import { Outbox, type OutboxEntry, type QueuedMessage } from './outbox.js';
import type { SimContext, SimControllerOptions } from './types.js';
import { SentLog, type AnyStampedMessage, type Sequencer, type StampedMessage, type UplinkBody } from './uplink.js';

export interface LinkDeps {
  opts: SimControllerOptions;
  ctx: SimContext;
  sequencer: Sequencer;
  hello(): UplinkBody<'status'>;
  snapshot(): UplinkBody<'state'>;
  onCommand(payload: Buffer): void;
  /** v1.1 order (README §3.5): queued events before the snapshot; v1.0: after it. */
  replayFirst: boolean;
  /** Clean session flag of CONNECT; false only for v1.1 mailbox banks (§13.2). */
  clean: boolean;
}

/** Why an orderly disconnect happens (v1.1 offline status, README §4.2); `sleep` needs nextWakeAt. */
/** Why an orderly disconnect happens; a sleep names the instant it was decided (`at`), which stamps the status. */
export type Goodbye = { reason: 'shutdown' | 'reboot' } | { reason: 'sleep'; nextWakeAt: number; at: number };

/** The controller's MQTT side: the §3.5 connect sequence, the outbox, and orderly or abrupt ends. */
export class Link {
  readonly sent = new SentLog(256);
  readonly outbox = new Outbox();
  client: MqttSession | null = null;
  /** Set once the hello is out: from then on messages are published as they happen. */
  ready = false;
  private held: Buffer[] = [];
  private connecting = false;

  constructor(private readonly deps: LinkDeps) {}

  /**
   * The §3.5 sequence: 1 CONNECT with the will, 2 SUBSCRIBE cmd and wait for SUBACK (skipped
   * when a persistent session is present, §13.2), 3 hello, then v1.1: 4 replay the outbox,
   * 5 snapshot (v1.0: snapshot, then replay). Resolves when the broker has PUBACKed all of it.
   */
  async connect(): Promise<void> {
    const { opts, ctx, sequencer } = this.deps;
    if (this.client || this.connecting) throw new Error(`${opts.deviceId} is already connected or connecting`);
    const will = StatusOffline.parse({ state: 'offline', bootId: sequencer.bootId });
    this.connecting = true;
    const open = opts.session ?? openMqttJsSession;
    const client = await open({
      url: opts.url,
      localAddress: opts.localAddress,
      deviceId: opts.deviceId,
      secret: opts.secret,
      keepalive: opts.keepalive ?? 60,
      connectTimeoutMs: opts.connectTimeoutMs ?? 10_000,
      will: { topic: deviceTopic(opts.deviceId, 'status'), payload: JSON.stringify(will) },
      clean: this.deps.clean,
    }).finally(() => (this.connecting = false));
    this.client = client;
    ctx.stats.connects += 1;
    client.onClose(() => this.closed(client));
    client.onMessage((_topic, payload) => {
      if (this.ready) this.deps.onCommand(payload);
      else this.held.push(payload); // an ack before the hello would be dropped as stale (§3.5)
    });
    try {
      await this.handshake(client);
    } catch (err) {
      // Without a hello the gateway cannot use this session, so end it (the will fires).
      await this.drop();
      throw err;
    }
  }

  /** Queues an event or ack; resolves true once PUBACKed, false if discarded unsent. */
  enqueue(msg: QueuedMessage): Promise<boolean> {
    this.deps.sequencer.check(msg.channel, msg.body, msg.ts);
    const { entry, delivered } = this.outbox.add(msg);
    if (this.ready && this.client) this.publishQueued(entry, this.client).catch(() => {});
    return delivered;
  }

  /** Publishes a message that is never queued (telemetry): stamped now or not at all. */
  async publishNow<C extends UplinkChannel>(channel: C, body: UplinkBody<C>): Promise<boolean> {
    const client = this.client;
    if (!client || !this.ready) return false;
    await this.transmit(this.stamp(channel, body), client);
    return true;
  }

  /** Network loss: the socket dies without DISCONNECT, so the broker publishes the will. */
  async drop(): Promise<void> {
    const client = this.client;
    if (!client) return;
    await client.destroy();
    this.closed(client);
  }

  /**
   * Orderly end (§3.4): the offline status goes out first, since DISCONNECT discards the will.
   * `goodbye` (v1.1 only) says why; a sleepy controller says when it is back.
   */
  async disconnect(goodbye?: Goodbye): Promise<void> {
    const client = this.client;
    if (!client) return;
    const { opts, ctx, sequencer } = this.deps;
    if (this.ready) {
      const ts = goodbye?.reason === 'sleep' ? goodbye.at : ctx.clock.now();
      const why = goodbye === undefined ? {} : goodbye.reason === 'sleep' ? { reason: goodbye.reason, nextWakeAt: goodbye.nextWakeAt } : { reason: goodbye.reason };
      const status: StatusMessageT = { state: 'offline', bootId: sequencer.bootId, ts, ...why };
      const offline = StatusOffline.parse(status);
      const { qos, retain } = CHANNEL_RULES.status;
      await client
        .publish(deviceTopic(opts.deviceId, 'status'), JSON.stringify(offline), { qos, retain })
        .catch((err: unknown) => ctx.logger.debug({ err }, 'offline status not delivered'));
    }
    // The link may have died meanwhile.
    if (this.client !== client) return;
    await client.end();
    this.closed(client);
  }

  requireClient(): MqttSession {
    if (!this.client) throw new Error(`${this.deps.opts.deviceId} is not connected`);
    return this.client;
  }

  private async handshake(client: MqttSession): Promise<void> {
    const { opts, ctx } = this.deps;
    // §13.2: a persistent session the broker kept still holds the subscription.
    if (this.deps.clean || client.sessionPresent !== true) {
      const granted = await client.subscribe(deviceTopic(opts.deviceId, 'cmd'), 1);
      if (this.client !== client) throw new Error('connection lost before SUBACK');
      if (granted === 128) throw new Error('broker refused the cmd subscription');
    }
    // Steps 3-5 run synchronously up to `ready`, so nothing can slip in between on the wire
    // (publishQueued stamps before its first await).
    const deliveries = [this.transmit(this.stamp('status', this.deps.hello()), client)];
    const snapshot = (): void => void deliveries.push(this.transmit(this.stamp('state', this.deps.snapshot()), client));
    if (!this.deps.replayFirst) snapshot();
    const backlog = this.outbox.all();
    ctx.stats.replayed += backlog.length;
    deliveries.push(...backlog.map((entry) => this.publishQueued(entry, client)));
    if (this.deps.replayFirst) snapshot();
    this.ready = true;
    ctx.events.emit('connected');
    const held = this.held;
    this.held = [];
    for (const payload of held) this.deps.onCommand(payload);
    await Promise.all(deliveries);
  }

  private async publishQueued(entry: OutboxEntry, client: MqttSession): Promise<void> {
    const { msg } = entry;
    const stamped = msg.channel === 'events' ? this.stamp('events', msg.body, msg.ts) : this.stamp('acks', msg.body, msg.ts);
    await this.transmit(stamped, client);
    this.outbox.delivered(entry);
  }

  private stamp<C extends UplinkChannel>(channel: C, body: UplinkBody<C>, ts?: number): StampedMessage<C> {
    const msg = this.deps.sequencer.stamp(channel, body, ts);
    this.sent.add(msg);
    // A generic C cannot be narrowed to the distributive union; the value is one of its members.
    this.deps.ctx.events.emit('uplink', msg as AnyStampedMessage);
    return msg;
  }

  private async transmit(msg: StampedMessage, client: MqttSession): Promise<void> {
    const rules = CHANNEL_RULES[msg.channel];
    await client.publish(msg.topic, msg.payload, { qos: rules.qos, retain: rules.retain });
    this.deps.ctx.stats.published += 1;
  }

  private closed(client: MqttSession): void {
    if (this.client !== client) return;
    this.client = null;
    this.ready = false;
    this.held = [];
    // A forced end fails the in-flight QoS 1 publishes; their messages stay queued for replay.
    void client.destroy();
    this.outbox.discardUnreplayable();
    this.deps.ctx.events.emit('disconnected');
  }
}
