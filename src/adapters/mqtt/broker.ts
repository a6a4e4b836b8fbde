import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { writeToStream } from 'mqtt-packet';
import { Aedes, type Client, type PublishPacket, type Subscription } from 'aedes';
import type { Logger } from 'pino';
import { CHANNEL_RULES, deviceTopic, parseDeviceTopic, type UplinkChannel } from '../../../protocol/topics.js';
import type { CommandT } from '../../../protocol/schemas/commands.js';
import { StatusOffline } from '../../../protocol/schemas/status.js';
import type { AppContext } from '../../app/context.js';
import { deviceConnected, deviceDisconnected } from '../../app/device-session.js';
import type { CommandTransport } from '../../app/ports.js';
import type { GatewayMetrics } from '../metrics.js';
import { ConnectGate } from './connect-gate.js';
import { guardPacketSize } from './packet-size-guard.js';
import { classifyClientError } from './refusals.js';
import { createMqttsServer, type TlsListenerOptions, type TlsPeer } from './tls.js';
import { skipRetainedScanForCommandTopics } from './retained-lookup.js';
import { skipRoutingOfUnreadablePublishes } from './device-publish-routing.js';
import { handleUplink } from './uplink.js';
import { useLeanParserBuffer } from './lean-parser.js';

/** QoS 2 messages a connection may leave unreleased (no PUBREL); one more closes it. */
export const INBOUND_QOS2_WINDOW = 16;

/** Aedes keeps the CONNECT will on the client and passes that same object when it publishes it; not in its types. */
type ClientWithWill = Client & { will?: unknown };
/** The client's current subscriptions by topic, as Aedes keeps them; not in its types. */
type ClientWithSubscriptions = Client & { subscriptions: Record<string, { qos: 0 | 1 | 2 } | undefined> };

export interface BrokerOptions {
  maxPacketBytes: number;
  maxConnections: number;
  connectRatePerIp: number;
  connectBurstPerIp: number;
  connectTimeoutMs: number;
  keepaliveMaxS: number;
}

/**
 * The embedded broker (Aedes) with lockergate's rules in its hooks: device authentication,
 * a per-device ACL, admission control, packet size limits, and uplink messages consumed in
 * `authorizePublish` — before the PUBACK, so a device's message is acknowledged only once its
 * effect is committed (docs/adr/0002).
 */
export class MqttGateway implements CommandTransport {
  readonly aedes: Aedes;
  private readonly live = new Map<string, Client>();
  /** Admission and authentication (connect-gate.ts). */
  private readonly gate: ConnectGate;
  private readonly servers: Server[] = [];
  private readonly sockets = new Set<Socket>();
  private ctx: AppContext | undefined;

  private constructor(aedes: Aedes, private readonly opts: BrokerOptions, private readonly metrics: GatewayMetrics, private readonly log: Logger) {
    this.aedes = aedes;
    this.gate = new ConnectGate(opts, () => this.app(), metrics, log);
  }

  static async create(opts: BrokerOptions, metrics: GatewayMetrics, log: Logger): Promise<MqttGateway> {
    // mqtt-packet's default pre-builds a 2-byte buffer for each of the 65,536 message ids on its
    // first write: measured 7 MB of heap and 17 MB of RSS for good, to save allocating 2 bytes
    // per packet (issue 6). Same bytes on the wire either way.
    writeToStream.cacheNumbers = false;
    const aedes = await Aedes.createBroker({
      connectTimeout: opts.connectTimeoutMs,
      maxClientsIdLength: 23,
      maxTopicLevels: 8,
      // QoS 2 publishes waiting for PUBREL, per connection (Aedes' default is 1000: 64 MB at the
      // packet limit). Devices publish at QoS 0/1 (protocol/README.md §2); a few are plenty.
      maxInflightInbound: INBOUND_QOS2_WINDOW,
      heartbeatInterval: 60_000,
    });
    skipRetainedScanForCommandTopics(aedes);
    skipRoutingOfUnreadablePublishes(aedes);
    const gw = new MqttGateway(aedes, opts, metrics, log.child({ component: 'mqtt' }));
    gw.installHooks();
    return gw;
  }

  /** The use cases, wired after construction because they use this broker as their transport. */
  attach(ctx: AppContext): void {
    this.ctx = ctx;
  }

  /** Shared by every connection's packet size guard (no closure per connection). */
  private readonly onOversizePacket = (reason: string, conn: Duplex): void => {
    this.metrics.clientErrors.inc({ reason: 'packet_too_large' });
    this.log.debug({ remoteIp: this.gate.remoteIp(conn), reason }, 'connection closed by packet size guard');
  };

  /** Hands a transport stream (TCP socket or WebSocket stream) to the broker. */
  handle(conn: Duplex, remoteIp: string, tlsPeer?: TlsPeer): void {
    this.gate.track(conn, remoteIp, tlsPeer);
    guardPacketSize(conn, this.opts.maxPacketBytes, this.onOversizePacket);
    this.aedes.handle(conn);
    useLeanParserBuffer(conn);
  }

  /**
   * TCP_NODELAY on every device socket: MQTT packets are small, and with Nagle's algorithm a
   * command or PUBACK written while an earlier one is unacknowledged waits for the controller's
   * (possibly delayed) ACK. Command round trips (bench, 200 devices): 5,366–5,720/s with Nagle,
   * 8,797–8,909/s without; p50 35 → 20 ms.
   */
  async listenTcp(port: number, host: string): Promise<AddressInfo> {
    return this.listen(createServer({ noDelay: true }, (socket: Socket) => this.handle(socket, socket.remoteAddress ?? 'unknown')), port, host);
  }

  /** MQTT over TLS, optionally with device certificates (CN = device id, checked in `authenticate`). */
  async listenTls(port: number, host: string, tls: TlsListenerOptions): Promise<AddressInfo> {
    const server = createMqttsServer(
      tls,
      (socket, peer) => this.handle(socket, socket.remoteAddress ?? 'unknown', peer),
      () => this.metrics.clientErrors.inc({ reason: 'tls_handshake' }),
    );
    return this.listen(server, port, host);
  }

  private async listen(server: Server, port: number, host: string): Promise<AddressInfo> {
    // The raw socket, tracked from accept on, so close() also ends sockets stuck in a TLS handshake.
    const sockets = this.sockets;
    function forget(this: Socket): void {
      sockets.delete(this);
    }
    server.on('connection', (socket: Socket) => {
      sockets.add(socket);
      socket.on('close', forget); // one shared listener, not a closure per connection
    });
    this.servers.push(server);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    return server.address() as AddressInfo;
  }

  isConnected(deviceId: string): boolean {
    return this.live.has(deviceId);
  }

  connectedCount(): number {
    return this.live.size;
  }

  send(deviceId: string, command: CommandT): Promise<void> {
    // Never into a sleeping mailbox bank's broker-side session: the gateway's own command queue
    // delivers on its next hello, with expiry, so the broker holds nothing for sleepers.
    const client = this.live.get(deviceId);
    if (!client) return Promise.resolve();
    const packet: PublishPacket = {
      cmd: 'publish',
      topic: deviceTopic(deviceId, 'cmd'),
      payload: Buffer.from(JSON.stringify(command)),
      qos: 1,
      retain: false,
      dup: false,
    };
    return new Promise((resolve, reject) => {
      const sent = (err?: Error | null): void => {
        if (err) return reject(err);
        this.metrics.messagesOut.inc({ type: command.type });
        resolve();
      };
      // The one subscriber of a cmd topic is its device (the ACL allows no other): straight into
      // its session, without matching the topic against every subscription of the fleet. Not
      // subscribed yet, or a persistent session: through Aedes' routing, which knows what to do.
      const subscribed = (client as ClientWithSubscriptions).subscriptions[packet.topic] !== undefined;
      if (subscribed && client.clean) client.publish(packet, sent);
      else this.aedes.publish(packet, sent);
    });
  }

  disconnect(deviceId: string): void {
    this.live.get(deviceId)?.close();
  }

  /** Stops accepting, closes every session (Aedes), then waits for the listeners to finish. */
  async close(): Promise<void> {
    this.gate.close();
    const listenersClosed = this.servers.map((s) => new Promise<void>((r) => s.close(() => r())));
    await new Promise<void>((resolve) => this.aedes.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await Promise.all(listenersClosed);
  }

  private app(): AppContext {
    if (!this.ctx) throw new Error('MqttGateway used before attach()');
    return this.ctx;
  }

  private installHooks(): void {
    const { aedes, metrics, log } = this;

    aedes.preConnect = (client, packet, done) => {
      this.gate.preConnect(client, packet, aedes.connectedClients);
      done(null, true);
    };
    aedes.authenticate = (client, username, password, done) => this.gate.authenticate(client, username, password, done);

    aedes.authorizeSubscribe = (client, sub: Subscription, done) => {
      // A device subscribes to its own command topic only: no wildcards, no $SYS, no other device.
      if (sub.topic !== deviceTopic(client.id, 'cmd')) {
        metrics.rejected.inc({ reason: 'acl_subscribe' });
        return done(null, null);
      }
      // Aedes 1.2 replaces a subscription whose QoS changes; if an UNSUBSCRIBE of the same topic is
      // still in flight, its completion then deletes the *new* entry from the client while the
      // new handler stays registered: it outlives the connection and keeps the closed client in
      // memory (found by the fuzzer: UNSUBSCRIBE + SUBSCRIBE pipelined). Keeping the QoS of an
      // existing subscription means Aedes never replaces one within a connection.
      const existing = (client as ClientWithSubscriptions).subscriptions[sub.topic]?.qos;
      done(null, { ...sub, qos: existing ?? (Math.min(sub.qos, 1) as 0 | 1) });
    };

    aedes.authorizePublish = (client, packet, done) => this.onPublish(client, packet, done);

    aedes.on('client', (client) => {
      this.live.set(client.id, client);
      metrics.connectedDevices.set(this.live.size);
      deviceConnected(this.app(), client.id).catch((err: unknown) => log.error({ err }, 'recording connect failed'));
    });
    aedes.on('clientDisconnect', (client) => {
      // Only the device's current connection may mark it offline: after a takeover the old one closes late.
      if (this.live.get(client.id) !== client) return;
      this.live.delete(client.id);
      metrics.connectedDevices.set(this.live.size);
      deviceDisconnected(this.app(), client.id).catch((err: unknown) => log.error({ err }, 'recording disconnect failed'));
    });
    aedes.on('clientError', (_client, err) => metrics.clientErrors.inc({ reason: classifyClientError(err) }));
    aedes.on('connectionError', (_client, err) => metrics.clientErrors.inc({ reason: classifyClientError(err) }));
    aedes.on('keepaliveTimeout', () => metrics.clientErrors.inc({ reason: 'keepalive_timeout' }));
  }

  private onPublish(client: Client | null, packet: PublishPacket, done: (error?: Error | null) => void): void {
    if (!client) return done(new Error('obsolete will dropped'));
    const topic = parseDeviceTopic(packet.topic);
    if (!topic || topic.deviceId !== client.id || CHANNEL_RULES[topic.channel].direction !== 'up') {
      this.metrics.rejected.inc({ reason: 'acl_publish' });
      return done(new Error('not authorized')); // closes the connection: MQTT 3.1.1 has no error reply
    }
    if (packet === (client as ClientWithWill).will) return this.onWill(client, packet, done);
    // Nothing a device publishes is stored or routed by the broker (device-publish-routing.ts).
    handleUplink(this.app(), this.metrics, this.log, client.id, topic.channel as UplinkChannel, packet.payload as Buffer).then(
      () => done(null),
      (err: unknown) => {
        // Not acknowledged: the device resends it after reconnecting.
        this.log.error({ err, deviceId: client.id }, 'applying device message failed');
        done(err instanceof Error ? err : new Error(String(err)));
      },
    );
  }

  /** The last will is published only if it is the device's current connection and a valid offline status. */
  private onWill(client: Client, packet: PublishPacket, done: (error?: Error | null) => void): void {
    const current = this.live.get(client.id);
    if (current !== undefined && current !== client) {
      this.metrics.duplicates.inc({ reason: 'late_will' });
      return done(new Error('late will after reconnect'));
    }
    try {
      StatusOffline.parse(JSON.parse((packet.payload as Buffer).toString('utf8')));
    } catch {
      this.metrics.rejected.inc({ reason: 'invalid_will' });
      return done(new Error('invalid will'));
    }
    done(null);
  }
}
