import { connectAsync, type MqttClient } from 'mqtt';
import { ConnectRefusedError, type MqttSession, type PublishOptions, type SessionOptions } from './session.js';

export { ConnectRefusedError } from './session.js';

/**
 * One mqtt.js connection. reconnectPeriod 0 because reconnecting is the controller's decision:
 * mqtt.js would otherwise retry a refused password forever, and would resume with stale state
 * instead of the hello + snapshot a (re)connect requires.
 */
export async function openMqttJsSession(opts: SessionOptions): Promise<MqttSession> {
  try {
    const client = await connectAsync(
      opts.url,
      {
        clientId: opts.deviceId,
        username: opts.deviceId,
        password: opts.secret,
        clean: true,
        keepalive: opts.keepalive,
        reconnectPeriod: 0,
        connectTimeout: opts.connectTimeoutMs,
        protocolVersion: 4,
        will: { topic: opts.will.topic, payload: Buffer.from(opts.will.payload), qos: 1, retain: true },
        ...(opts.localAddress ? { localAddress: opts.localAddress } : {}),
      },
      false,
    );
    return new MqttJsSession(client);
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'number') {
      throw new ConnectRefusedError((err as Error).message, code);
    }
    throw err;
  }
}

class MqttJsSession implements MqttSession {
  constructor(private readonly client: MqttClient) {
    client.on('error', () => undefined); // surfaced as a close; the controller decides what to do
  }

  get closed(): boolean {
    return this.client.disconnected || this.client.stream?.destroyed === true;
  }

  async publish(topic: string, payload: string | Buffer, opts: PublishOptions): Promise<void> {
    await this.client.publishAsync(topic, payload, opts);
  }

  async subscribe(topic: string, qos: 0 | 1): Promise<number> {
    const [grant] = await this.client.subscribeAsync(topic, { qos });
    return grant?.qos ?? 128;
  }

  async end(): Promise<void> {
    // A closed mqtt.js client never finishes endAsync().
    if (this.closed) return;
    await this.client.endAsync(false);
  }

  async destroy(): Promise<void> {
    const closed = this.client.stream?.destroyed
      ? Promise.resolve()
      : new Promise<void>((resolve) => this.client.once('close', () => resolve()));
    // A forced end fails the in-flight QoS 1 callbacks; the controller keeps those messages queued.
    this.client.end(true);
    await closed;
  }

  onMessage(fn: (topic: string, payload: Buffer) => void): void {
    this.client.on('message', (topic, payload) => fn(topic, payload));
  }

  onClose(fn: () => void): void {
    this.client.on('close', fn);
  }
}
