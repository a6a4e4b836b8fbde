import { connect as netConnect, type Socket } from 'node:net';
import { generate, parser as mqttParser, type Packet } from 'mqtt-packet';
import { ConnectRefusedError, type MqttSession, type PublishOptions, type SessionOptions } from './session.js';

/** Process-wide counters of the raw sessions, for the simulator's own report. */
export const rawSessionStats = { opened: 0, live: 0, pingreq: 0, pingresp: 0, deadLinks: 0 };

/**
 * Keepalive for every raw session of the process from one 1-second timer instead of a timer per
 * connection: a PINGREQ when nothing was written for a keepalive period ([MQTT-3.1.2-23]), and
 * the link is declared dead when no PINGRESP came back within another period.
 */
class HeartbeatWheel {
  private readonly sessions = new Set<RawSession>();
  private timer: NodeJS.Timeout | null = null;

  add(s: RawSession): void {
    this.sessions.add(s);
    if (!this.timer) {
      this.timer = setInterval(() => this.tick(), WHEEL_TICK_MS);
      this.timer.unref();
    }
  }

  delete(s: RawSession): void {
    this.sessions.delete(s);
    if (this.sessions.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }

  private tick(): void {
    const now = Date.now();
    for (const s of this.sessions) s.heartbeat(now);
  }
}

const WHEEL_TICK_MS = 1000;
const wheel = new HeartbeatWheel();

interface Waiter {
  resolve(value: number): void;
  reject(err: Error): void;
}

/** MQTT 3.1.1 over a plain TCP socket with mqtt-packet: what a mass-mode controller costs. */
export class RawSession implements MqttSession {
  closed = false;
  sessionPresent = false;
  private readonly pending = new Map<number, Waiter>();
  private readonly messageFns: Array<(topic: string, payload: Buffer) => void> = [];
  private readonly closeFns: Array<() => void> = [];
  private nextId = 1;
  private lastWriteAt = Date.now();
  /** Corked until the end of this tick (see `write`). */
  private corked = false;
  private pingSentAt: number | null = null;
  private counted = false;
  private readonly whenClosed: Promise<void>;

  private constructor(
    private readonly socket: Socket,
    private readonly keepaliveMs: number,
  ) {
    this.whenClosed = new Promise((resolve) => socket.once('close', () => resolve()));
  }

  static open(opts: SessionOptions): Promise<RawSession> {
    const url = new URL(opts.url);
    if (url.protocol !== 'mqtt:') throw new Error(`raw sessions speak mqtt:// only, not ${url.protocol}`);
    const socket = netConnect({ host: url.hostname, port: Number(url.port || 1883), ...(opts.localAddress ? { localAddress: opts.localAddress } : {}) });
    socket.setNoDelay(true);
    const session = new RawSession(socket, opts.keepalive * 1000);
    rawSessionStats.opened += 1;
    return new Promise<RawSession>((resolve, reject) => {
      let settled = false;
      const fail = (err: Error): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        socket.destroy();
        reject(err);
      };
      const timer = setTimeout(() => fail(new Error(`no CONNACK within ${opts.connectTimeoutMs} ms`)), opts.connectTimeoutMs);
      const parser = mqttParser({ protocolVersion: 4 });
      parser.on('packet', (packet: Packet) => {
        if (settled) return session.receive(packet);
        if (packet.cmd !== 'connack') return fail(new Error(`expected CONNACK, got ${packet.cmd}`));
        if (packet.returnCode !== 0) return fail(new ConnectRefusedError(`connection refused: code ${packet.returnCode}`, packet.returnCode ?? -1));
        settled = true;
        clearTimeout(timer);
        session.sessionPresent = packet.sessionPresent === true;
        session.live();
        resolve(session);
      });
      parser.on('error', (err: Error) => {
        fail(err);
        socket.destroy();
      });
      socket.on('data', (chunk: Buffer) => parser.parse(chunk));
      socket.on('error', (err) => fail(err));
      socket.once('close', () => {
        fail(new Error('connection closed before CONNACK'));
        session.onSocketClosed();
      });
      socket.once('connect', () =>
        session.write({
          cmd: 'connect',
          protocolId: 'MQTT',
          protocolVersion: 4,
          clean: opts.clean ?? true,
          clientId: opts.deviceId,
          keepalive: opts.keepalive,
          username: opts.deviceId,
          password: Buffer.from(opts.secret),
          will: { topic: opts.will.topic, payload: Buffer.from(opts.will.payload), qos: 1, retain: true },
        }),
      );
    });
  }

  publish(topic: string, payload: string | Buffer, opts: PublishOptions): Promise<void> {
    if (this.closed) return Promise.reject(new Error('connection closed'));
    const body = typeof payload === 'string' ? Buffer.from(payload) : payload;
    if (opts.qos === 0) {
      return new Promise((resolve, reject) => {
        this.write({ cmd: 'publish', topic, payload: body, qos: 0, retain: opts.retain, dup: false }, (err) => (err ? reject(err) : resolve()));
      });
    }
    return this.request((messageId) => ({ cmd: 'publish', topic, payload: body, qos: 1, retain: opts.retain, dup: false, messageId })).then(() => undefined);
  }

  subscribe(topic: string, qos: 0 | 1): Promise<number> {
    if (this.closed) return Promise.reject(new Error('connection closed'));
    return this.request((messageId) => ({ cmd: 'subscribe', messageId, subscriptions: [{ topic, qos }] }));
  }

  async end(): Promise<void> {
    if (this.closed) return;
    this.write({ cmd: 'disconnect' });
    this.socket.end();
    await this.whenClosed;
  }

  async destroy(): Promise<void> {
    if (!this.closed) this.socket.destroy();
    await this.whenClosed;
  }

  onMessage(fn: (topic: string, payload: Buffer) => void): void {
    this.messageFns.push(fn);
  }

  onClose(fn: () => void): void {
    this.closeFns.push(fn);
  }

  /** Called by the wheel once a second. */
  heartbeat(now: number): void {
    if (this.pingSentAt !== null && now - this.pingSentAt >= this.keepaliveMs) {
      rawSessionStats.deadLinks += 1;
      this.socket.destroy();
      return;
    }
    // The wheel turns once a second, so ping up to a second early: the broker allows 1.5 × keepalive.
    if (this.pingSentAt === null && now - this.lastWriteAt >= Math.max(this.keepaliveMs / 2, this.keepaliveMs - WHEEL_TICK_MS)) {
      this.pingSentAt = now;
      rawSessionStats.pingreq += 1;
      this.write({ cmd: 'pingreq' });
    }
  }

  private live(): void {
    this.counted = true;
    rawSessionStats.live += 1;
    wheel.add(this);
  }

  private receive(packet: Packet): void {
    switch (packet.cmd) {
      case 'puback':
        return this.settle(packet.messageId, 0);
      case 'suback':
        return this.settle(packet.messageId, packet.granted[0] as number);
      case 'pingresp':
        rawSessionStats.pingresp += 1;
        this.pingSentAt = null;
        return;
      case 'publish': {
        if (packet.qos === 1) this.write({ cmd: 'puback', messageId: packet.messageId });
        const payload = typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;
        for (const fn of this.messageFns) fn(packet.topic, payload);
        return;
      }
      default:
        return;
    }
  }

  private request(build: (messageId: number) => Packet): Promise<number> {
    const messageId = this.allocateId();
    return new Promise<number>((resolve, reject) => {
      this.pending.set(messageId, { resolve, reject });
      this.write(build(messageId));
    });
  }

  private allocateId(): number {
    for (;;) {
      const id = this.nextId;
      this.nextId = this.nextId >= 65535 ? 1 : this.nextId + 1;
      if (!this.pending.has(id)) return id;
    }
  }

  private settle(messageId: number | undefined, value: number): void {
    if (messageId === undefined) return;
    const waiter = this.pending.get(messageId);
    if (!waiter) return;
    this.pending.delete(messageId);
    waiter.resolve(value);
  }

  /** Packets written in one tick leave in one segment (hello and snapshot, a run of PUBACKs): one system call, as a firmware's TCP stack would batch them. */
  private write(packet: Packet, cb?: (err?: Error | null) => void): void {
    this.lastWriteAt = Date.now();
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      process.nextTick(uncork, this);
    }
    this.socket.write(generate(packet), cb);
  }

  /** The end of the tick's writes (see `write`). */
  flushWrites(): void {
    this.corked = false;
    this.socket.uncork();
  }

  private onSocketClosed(): void {
    if (this.closed) return;
    this.closed = true;
    wheel.delete(this);
    if (this.counted) rawSessionStats.live -= 1;
    this.counted = false;
    const err = new Error('connection closed');
    for (const w of this.pending.values()) w.reject(err);
    this.pending.clear();
    for (const fn of this.closeFns) fn();
  }
}

function uncork(session: RawSession): void {
  session.flushWrites();
}

export const openRawSession = (opts: SessionOptions): Promise<MqttSession> => RawSession.open(opts);
