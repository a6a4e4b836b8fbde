import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { deviceTopic } from '../../protocol/topics.js';

export class ConnackError extends Error {
  constructor(readonly code: number | undefined, message: string) {
    super(message);
  }
}

/** A plain MQTT client (no reconnects) that resolves on CONNACK 0 and rejects with the refusal code. */
export function connectRaw(url: string, opts: IClientOptions): Promise<MqttClient> {
  return new Promise((resolve, reject) => {
    const client = mqtt.connect(url, { reconnectPeriod: 0, connectTimeout: 5000, keepalive: 60, protocolVersion: 4, ...opts });
    client.once('connect', () => resolve(client));
    client.once('error', (err: Error & { code?: number }) => {
      client.end(true);
      reject(new ConnackError(err.code, err.message));
    });
    client.once('close', () => reject(new ConnackError(undefined, 'closed before CONNACK')));
  });
}

export function connectDevice(url: string, deviceId: string, secret: string, extra: IClientOptions = {}): Promise<MqttClient> {
  return connectRaw(url, {
    clientId: deviceId,
    username: deviceId,
    password: secret,
    will: { topic: deviceTopic(deviceId, 'status'), payload: Buffer.from(JSON.stringify({ state: 'offline', bootId: 'boot-raw' })), qos: 1, retain: true },
    ...extra,
  });
}

/** Resolves when the client's connection closes (the broker closed it, or we did). */
export function closed(client: MqttClient): Promise<void> {
  return new Promise((resolve) => {
    if (client.disconnected) return resolve();
    client.once('close', () => resolve());
  });
}

/** A minimal protocol-v1 speaker for tests that need byte-level control over what a device sends. */
export class RawDevice {
  seq = 0;
  constructor(readonly client: MqttClient, readonly deviceId: string, readonly bootId = 'boot-raw') {}

  async hello(compartments: number): Promise<void> {
    await this.client.subscribeAsync(deviceTopic(this.deviceId, 'cmd'), { qos: 1 });
    await this.send('status', { state: 'online', model: 'raw', firmware: '0.0.1', protocol: '1.0', compartments }, { retain: true });
  }

  async snapshot(compartments: Array<{ index: number; door: string; occupancy: string }>): Promise<void> {
    await this.send('state', { compartments }, { retain: true });
  }

  /** Publishes an envelope-stamped message and waits for its PUBACK. */
  async send(channel: 'status' | 'state' | 'events' | 'acks' | 'telemetry', body: Record<string, unknown>, opts: { retain?: boolean; seq?: number } = {}): Promise<number> {
    const seq = opts.seq ?? ++this.seq;
    const payload = JSON.stringify({ bootId: this.bootId, seq, ts: Date.now(), ...body });
    await this.client.publishAsync(deviceTopic(this.deviceId, channel), payload, { qos: channel === 'telemetry' ? 0 : 1, retain: opts.retain ?? false });
    return seq;
  }

  async sendRaw(channel: string, payload: string | Buffer): Promise<void> {
    await this.client.publishAsync(`lg/v1/${this.deviceId}/${channel}`, payload, { qos: 1 });
  }
}
