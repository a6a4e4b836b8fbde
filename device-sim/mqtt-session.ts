import { connectAsync, type MqttClient } from 'mqtt';

/** CONNACK refusal; `code` is the MQTT return code (4 = bad username or password, 5 = not authorized). */
export class ConnectRefusedError extends Error {
  override readonly name = 'ConnectRefusedError';

  constructor(
    message: string,
    readonly code: number,
  ) {
    super(message);
  }
}

export interface SessionOptions {
  url: string;
  deviceId: string;
  secret: string;
  keepalive: number;
  will: { topic: string; payload: string };
  connectTimeoutMs: number;
}

/**
 * One MQTT connection. reconnectPeriod 0 because reconnecting is the controller's decision:
 * mqtt.js would otherwise retry a refused password forever, and would resume with stale state
 * instead of the hello + snapshot a (re)connect requires.
 */
export async function openSession(opts: SessionOptions): Promise<MqttClient> {
  try {
    return await connectAsync(
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
      },
      false,
    );
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'number') {
      throw new ConnectRefusedError((err as Error).message, code);
    }
    throw err;
  }
}
