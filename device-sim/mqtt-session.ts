import { connect, type IClientOptions, type IConnackPacket, type MqttClient } from 'mqtt';
import { ConnectRefusedError, type MqttSession, type PublishOptions, type SessionOptions } from './session.js';

export { ConnectRefusedError } from './session.js';

/**
 * One mqtt.js connection. reconnectPeriod 0 because reconnecting is the controller's decision:
 * mqtt.js would otherwise retry a refused password forever, and would resume with stale state
 * instead of the hello + snapshot a (re)connect requires.
 */
export async function openMqttJsSession(opts: SessionOptions): Promise<MqttSession> {
  try {
    const { client, connack } = await connectWithConnack(
      opts.url,
      {
        clientId: opts.deviceId,
        username: opts.deviceId,
        password: opts.secret,
        clean: opts.clean ?? true,
        keepalive: opts.keepalive,
        reconnectPeriod: 0,
        connectTimeout: opts.connectTimeoutMs,
        protocolVersion: 4,
        will: { topic: opts.will.topic, payload: Buffer.from(opts.will.payload), qos: 1, retain: true },
        ...(opts.localAddress ? { localAddress: opts.localAddress } : {}),
      },
    );
    return new MqttJsSession(client, connack.sessionPresent);
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'number') {
      throw new ConnectRefusedError((err as Error).message, code);
    }
    throw err;
  }
}

/**
 * mqtt.js's connectAsync without retries, keeping the CONNACK: its session-present flag decides
 * whether a persistent-session controller subscribes (README §13.2).
 */
function connectWithConnack(url: string, options: IClientOptions): Promise<{ client: MqttClient; connack: IConnackPacket }> {
  return new Promise((resolve, reject) => {
    const client = connect(url, options);
    const settle = (): void => {
      client.off('connect', onConnect);
      client.off('error', onError);
      client.off('close', onClose);
    };
    const onConnect = (connack: IConnackPacket): void => {
      settle();
      resolve({ client, connack });
    };
    const onError = (err: Error): void => {
      settle();
      client.end(true);
      reject(err);
    };
    const onClose = (): void => onError(new Error("Couldn't connect to server"));
    client.on('connect', onConnect);
    client.on('error', onError);
    client.on('close', onClose);
  });
}

class MqttJsSession implements MqttSession {
  constructor(
    private readonly client: MqttClient,
    readonly sessionPresent: boolean,
  ) {
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
