import { EventEmitter } from 'node:events';
import net from 'node:net';
import { randomUUID } from 'node:crypto';
import { Aedes, type AedesOptions } from 'aedes';
import { connectAsync, type MqttClient } from 'mqtt';
import { Command, deviceTopic, parseDeviceTopic, type Channel, type CommandT } from '../../protocol/index.js';

export interface BrokerLogEntry {
  kind: 'subscribe' | 'publish';
  topic: string;
  qos: number;
  retain: boolean;
  payload: string;
}

export interface TestBroker {
  broker: Aedes;
  url: string;
  /** Broker-side view, in the order the broker handled them: QoS and retain as published. */
  log: BrokerLogEntry[];
  /** Resolves once an entry matching `pred` is in the log (the broker emits after delivering). */
  logged(pred: (e: BrokerLogEntry) => boolean, timeoutMs?: number): Promise<BrokerLogEntry>;
  close(): Promise<void>;
}

/** A bare Aedes on an ephemeral port; `log` records device-topic traffic only. */
export async function startBroker(opts: AedesOptions = {}): Promise<TestBroker> {
  const broker = await Aedes.createBroker(opts);
  const server = net.createServer(broker.handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as net.AddressInfo;
  const log: BrokerLogEntry[] = [];
  const changed = new EventEmitter();
  const add = (entry: BrokerLogEntry): void => {
    log.push(entry);
    changed.emit('entry', entry);
  };
  broker.on('subscribe', (subs) => {
    for (const s of subs) add({ kind: 'subscribe', topic: s.topic, qos: s.qos, retain: false, payload: '' });
  });
  broker.on('publish', (packet) => {
    if (!packet.topic.startsWith('lg/')) return;
    const payload = Buffer.isBuffer(packet.payload) ? packet.payload.toString('utf8') : String(packet.payload);
    add({ kind: 'publish', topic: packet.topic, qos: packet.qos, retain: packet.retain, payload });
  });
  const logged = (pred: (e: BrokerLogEntry) => boolean, timeoutMs = 5000): Promise<BrokerLogEntry> => {
    const found = log.find(pred);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const listener = (e: BrokerLogEntry): void => {
        if (!pred(e)) return;
        clearTimeout(timer);
        changed.off('entry', listener);
        resolve(e);
      };
      const timer = setTimeout(() => {
        changed.off('entry', listener);
        reject(new Error(`broker logged no matching entry within ${timeoutMs} ms`));
      }, timeoutMs);
      changed.on('entry', listener);
    });
  };
  return {
    broker,
    url: `mqtt://127.0.0.1:${port}`,
    log,
    logged,
    close: async () => {
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export interface Seen {
  index: number;
  topic: string;
  channel: Channel | undefined;
  raw: string;
  /** Parsed JSON, or undefined when the payload is not JSON. */
  json: Record<string, unknown> | undefined;
}

type Predicate = (m: Seen) => boolean;
interface Waiter {
  pred: Predicate;
  from: number;
  resolve(m: Seen): void;
}

/** Plays the gateway: records everything under lg/v1/ and can send commands. */
export class Observer {
  readonly messages: Seen[] = [];
  private readonly waiters = new Set<Waiter>();

  private constructor(private readonly client: MqttClient) {
    client.on('message', (topic, payload) => this.record(topic, payload));
  }

  static async connect(url: string): Promise<Observer> {
    const client = await connectAsync(url, { clientId: `gw-${randomUUID()}`, reconnectPeriod: 0 });
    const observer = new Observer(client);
    await client.subscribeAsync('lg/v1/#', { qos: 1 });
    return observer;
  }

  /** Cursor for `next`: only messages recorded after this point match. */
  mark(): number {
    return this.messages.length;
  }

  /** The first message at or after `from` matching `pred`, waiting for it if needed. */
  next(pred: Predicate, from = 0, timeoutMs = 5000): Promise<Seen> {
    const found = this.messages.slice(from).find(pred);
    if (found) return Promise.resolve(found);
    return new Promise<Seen>((resolve, reject) => {
      const waiter: Waiter = { pred, from, resolve: (m) => { clearTimeout(timer); resolve(m); } };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`no matching message within ${timeoutMs} ms; saw:\n${this.dump(from)}`));
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  /** Publishes a command after checking it against the protocol schema. */
  async send(deviceId: string, command: CommandT): Promise<void> {
    const valid = Command.parse(command);
    await this.client.publishAsync(deviceTopic(deviceId, 'cmd'), JSON.stringify(valid), { qos: 1 });
  }

  async publish(topic: string, payload: string): Promise<void> {
    await this.client.publishAsync(topic, payload, { qos: 1 });
  }

  async close(): Promise<void> {
    await this.client.endAsync(true);
  }

  dump(from = 0): string {
    return this.messages.slice(from).map((m) => `  #${m.index} ${m.topic} ${m.raw}`).join('\n');
  }

  private record(topic: string, payload: Buffer): void {
    const raw = payload.toString('utf8');
    let json: Record<string, unknown> | undefined;
    try {
      const parsed: unknown = JSON.parse(raw);
      if (parsed !== null && typeof parsed === 'object') json = parsed as Record<string, unknown>;
    } catch {
      json = undefined;
    }
    const seen: Seen = { index: this.messages.length, topic, channel: parseDeviceTopic(topic)?.channel, raw, json };
    this.messages.push(seen);
    for (const w of [...this.waiters]) {
      if (seen.index >= w.from && w.pred(seen)) {
        this.waiters.delete(w);
        w.resolve(seen);
      }
    }
  }
}

/** Message predicates, so tests read as the protocol does. */
export const on = {
  channel: (channel: Channel) => (m: Seen) => m.channel === channel,
  status: (state: 'online' | 'offline') => (m: Seen) => m.channel === 'status' && m.json?.['state'] === state,
  ack: (commandId: string) => (m: Seen) => m.channel === 'acks' && m.json?.['commandId'] === commandId,
  event: (type: string, extra: Record<string, unknown> = {}) => (m: Seen) =>
    m.channel === 'events' &&
    m.json?.['type'] === type &&
    Object.entries(extra).every(([k, v]) => m.json?.[k] === v),
};

let counter = 0;

/** A valid command of the given type, expiring a minute from now unless overridden. */
export function command<T extends CommandT['type']>(
  type: T,
  fields: Partial<Omit<Extract<CommandT, { type: T }>, 'type'>> = {},
): Extract<CommandT, { type: T }> {
  const now = Date.now();
  counter += 1;
  const base = { id: `cmd-${counter}-${randomUUID().slice(0, 8)}`, issuedAt: now, expiresAt: now + 60_000, type };
  return Command.parse({ ...base, ...fields }) as Extract<CommandT, { type: T }>;
}
