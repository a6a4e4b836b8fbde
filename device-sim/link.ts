import type { MqttClient } from 'mqtt';
import { CHANNEL_RULES, StatusOffline, deviceTopic, type UplinkChannel } from '../protocol/index.js';
import { openSession } from './mqtt-session.js';
import { Outbox } from './outbox.js';
import type { SimContext, SimControllerOptions } from './types.js';
import { SentLog, type Sequencer, type StampedMessage, type UplinkBody } from './uplink.js';

export interface LinkDeps {
  opts: SimControllerOptions;
  ctx: SimContext;
  sequencer: Sequencer;
  hello(): UplinkBody<'status'>;
  snapshot(): UplinkBody<'state'>;
  onCommand(payload: Buffer): void;
}

/** The controller's MQTT side: connect sequence, outbox, and what happens when the link dies. */
export class Link {
  readonly sent = new SentLog(256);
  readonly outbox: Outbox;
  client: MqttClient | null = null;
  /** Until the hello, snapshot and replay are on the wire, new uplinks wait in the outbox. */
  ready = false;
  private held: Buffer[] = [];
  private connecting = false;

  constructor(private readonly deps: LinkDeps) {
    this.outbox = new Outbox(deps.ctx.stats);
  }

  async connect(): Promise<void> {
    const { opts, ctx, sequencer } = this.deps;
    if (this.client || this.connecting) throw new Error(`${opts.deviceId} is already connected or connecting`);
    const will = StatusOffline.parse({ state: 'offline', bootId: sequencer.bootId });
    this.connecting = true;
    const client = await openSession({
      url: opts.url,
      deviceId: opts.deviceId,
      secret: opts.secret,
      keepalive: opts.keepalive ?? 60,
      connectTimeoutMs: opts.connectTimeoutMs ?? 10_000,
      will: { topic: deviceTopic(opts.deviceId, 'status'), payload: JSON.stringify(will) },
    }).finally(() => (this.connecting = false));
    this.client = client;
    ctx.stats.connects += 1;
    client.on('error', (err) => ctx.logger.warn({ err, deviceId: opts.deviceId }, 'mqtt error'));
    client.on('close', () => this.closed(client));
    client.on('message', (_topic, payload) => {
      if (this.ready) this.deps.onCommand(payload);
      else this.held.push(payload); // acks must not overtake the hello and snapshot
    });
    try {
      await this.handshake(client);
    } catch (err) {
      // Without a hello the gateway cannot use this session, so end it (the will fires).
      await this.drop();
      throw err;
    }
  }

  private async handshake(client: MqttClient): Promise<void> {
    const { opts, ctx } = this.deps;
    const [grant] = await client.subscribeAsync(deviceTopic(opts.deviceId, 'cmd'), { qos: 1 });
    if (this.client !== client) throw new Error('connection lost before SUBACK');
    if (!grant || grant.qos === 128) throw new Error('broker refused the cmd subscription');
    // From here to `ready` is synchronous, so nothing can slip in between on the wire.
    const first = [this.stamp('status', this.deps.hello()), this.stamp('state', this.deps.snapshot())];
    const deliveries = first.map((m) => this.transmit(m, client));
    deliveries.push(...this.outbox.replay((m) => this.transmit(m, client)));
    this.ready = true;
    ctx.events.emit('connected');
    const held = this.held;
    this.held = [];
    for (const payload of held) this.deps.onCommand(payload);
    await Promise.all(deliveries);
  }

  async drop(): Promise<void> {
    const client = this.client;
    if (!client) return;
    const closed = client.stream?.destroyed
      ? Promise.resolve()
      : new Promise<void>((resolve) => client.once('close', () => resolve()));
    client.end(true);
    await closed;
    this.closed(client);
  }

  async disconnect(): Promise<void> {
    const client = this.client;
    if (!client) return;
    await client.endAsync(false);
    this.closed(client);
  }

  stamp<C extends UplinkChannel>(channel: C, body: UplinkBody<C>): StampedMessage<C> {
    const msg = this.deps.sequencer.stamp(channel, body);
    this.sent.add(msg);
    this.deps.ctx.events.emit('uplink', msg);
    return msg;
  }

  /** Events and acks go through the outbox so a lost connection loses nothing. */
  sendQueued(msg: StampedMessage): void {
    this.outbox.add(msg);
    if (this.ready && this.client) {
      this.transmit(msg, this.client).catch((err: unknown) => {
        this.deps.ctx.logger.debug({ err, seq: msg.seq }, 'not delivered, kept for replay');
      });
    }
  }

  async transmit(msg: StampedMessage, client: MqttClient): Promise<void> {
    const rules = CHANNEL_RULES[msg.channel];
    await client.publishAsync(msg.topic, msg.payload, { qos: rules.qos, retain: rules.retain });
    this.deps.ctx.stats.published += 1;
    this.outbox.delivered(msg);
  }

  requireClient(): MqttClient {
    if (!this.client) throw new Error(`${this.deps.opts.deviceId} is not connected`);
    return this.client;
  }

  private closed(client: MqttClient): void {
    if (this.client !== client) return;
    this.client = null;
    this.ready = false;
    this.held = [];
    // mqtt.js fails in-flight QoS 1 callbacks only on a forced end; they stay in the outbox.
    client.end(true);
    this.deps.ctx.events.emit('disconnected');
  }
}
