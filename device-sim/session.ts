/**
 * One MQTT 3.1.1 connection of a controller, whatever carries it: mqtt.js (`mqtt-session.ts`,
 * also MQTT over WebSocket) or mqtt-packet over a raw TCP socket (`raw-session.ts`, the mass
 * mode: a few KB per connection instead of a full client). The controller's Link only sees this.
 */
export interface SessionOptions {
  /** mqtt://host:port, or ws://host:port/mqtt (mqtt.js sessions only). */
  url: string;
  deviceId: string;
  secret: string;
  keepalive: number;
  will: { topic: string; payload: string };
  connectTimeoutMs: number;
  /** Source address of the TCP connection (e.g. 127.0.0.2), to spread over loopback addresses. */
  localAddress?: string | undefined;
  /** Clean session flag; default true. v1.1 mailbox banks connect with false (README §13.2). */
  clean?: boolean | undefined;
}

export interface PublishOptions {
  qos: 0 | 1;
  retain: boolean;
}

export interface MqttSession {
  /** True once the connection has ended, for whatever reason. */
  readonly closed: boolean;
  /** CONNACK's session-present flag (only ever true for a clean-session-0 connect); absent = false. */
  readonly sessionPresent?: boolean;
  /** QoS 1 resolves on PUBACK, QoS 0 once written; rejects when the connection ends first. */
  publish(topic: string, payload: string | Buffer, opts: PublishOptions): Promise<void>;
  /** Resolves with the granted QoS (0x80 = refused). */
  subscribe(topic: string, qos: 0 | 1): Promise<number>;
  /** Orderly end: DISCONNECT (the broker discards the will), then close. */
  end(): Promise<void>;
  /** Abrupt end: the socket dies without DISCONNECT, so the broker publishes the will. */
  destroy(): Promise<void>;
  onMessage(fn: (topic: string, payload: Buffer) => void): void;
  onClose(fn: () => void): void;
}

export type SessionFactory = (opts: SessionOptions) => Promise<MqttSession>;

/** CONNACK refusal; `code` is the MQTT return code (3 = server unavailable, 4 = bad username or password, 5 = not authorized). */
export class ConnectRefusedError extends Error {
  override readonly name = 'ConnectRefusedError';

  constructor(
    message: string,
    readonly code: number,
  ) {
    super(message);
  }
}
