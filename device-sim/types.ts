import type { EventEmitter } from 'node:events';
import type { CommandAckT, CommandT, OpenResultEventT } from '../protocol/index.js';
import type { Clock, Timers } from './clock.js';
import type { CompartmentSpec } from './compartment.js';
import type { SessionFactory } from './session.js';
import type { AnyStampedMessage, UplinkBody } from './uplink.js';

/** The subset of pino's API the simulator uses, so a pino logger can be passed as is. */
export interface SimLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

export const silentLogger: SimLogger = { debug() {}, info() {}, warn() {} };

export interface SimControllerOptions {
  /** mqtt://host:port or ws://host:port/mqtt */
  url: string;
  deviceId: string;
  secret: string;
  compartments: CompartmentSpec[] | number;
  model?: string;
  firmware?: string;
  /** Protocol version announced in the hello, "major.minor". */
  protocol?: string;
  /** MQTT keepalive in seconds. */
  keepalive?: number;
  clock?: Clock;
  /** Relay pulse to door sensor reporting open. */
  openDelayMs?: number;
  /** How long a jammed door is given before the controller reports `jammed`. */
  jamWindowMs?: number;
  /** Extra time between the reboot command's PUBACK and going down; default 0. */
  rebootDelayMs?: number;
  /** How long a typed code stays pending, waiting for its keypad_reply (§6.7); default 20 s. */
  keypadTimeoutMs?: number;
  connectTimeoutMs?: number;
  /** How the MQTT connection is made; default mqtt.js. The mass mode passes `openRawSession`. */
  session?: SessionFactory;
  /** Source address of the TCP connection, e.g. 127.0.0.2 (spreads a fleet over loopback addresses). */
  localAddress?: string;
  random?: () => number;
  logger?: SimLogger;
  /**
   * Boot ids must never repeat across starts (§5). A seeded `random` would repeat them from one
   * run to the next, so runs against a long-lived gateway draw them from here (e.g. crypto).
   */
  bootId?: () => string;
  /** Mailbox banks often run on battery: telemetry then reports batteryPct and mainsPower false. */
  power?: 'mains' | 'battery';
  /** Fault injection: how long the firmware waits before sending an ack (0 = at once). */
  ackDelayMs?: (ack: UplinkBody<'acks'>) => number;
}

export interface SimStats {
  connects: number;
  /** Messages the broker has acknowledged (QoS 1) or that were written (QoS 0). */
  published: number;
  /** Queued events and acks published by a connect sequence (§3.5 step 5). */
  replayed: number;
  commandsReceived: number;
  /** Dropped (no usable id) or rejected `invalid`/`unsupported`. */
  invalidCommands: number;
  duplicateCommands: number;
  rejectedCommands: number;
  telemetryDropped: number;
}

export interface SimControllerEvents {
  connected: [];
  disconnected: [];
  reboot: [bootId: string];
  command: [command: CommandT];
  invalid_command: [payload: Buffer, reason: string];
  ack: [ack: CommandAckT];
  /** The door opened; commandId is undefined when nobody commanded it (forced). */
  opened: [compartment: number, commandId: string | undefined];
  open_result: [result: OpenResultEventT];
  /** Every sequenced message, when it is stamped, i.e. handed to MQTT (§5). */
  uplink: [message: AnyStampedMessage];
  keypad_display: [text: string];
}

/** What the behaviour modules need from the controller; keeps them free of MQTT. */
export interface SimContext {
  readonly clock: Clock;
  readonly timers: Timers;
  readonly random: () => number;
  readonly logger: SimLogger;
  readonly events: EventEmitter<SimControllerEvents>;
  readonly stats: SimStats;
  readonly openDelayMs: number;
  readonly jamWindowMs: number;
  /** Whether the link is up and the hello is out (keypad refuses codes otherwise). */
  online(): boolean;
  /** Queue an uplink; resolves true once PUBACKed, false if discarded (never rejects). */
  sendEvent(body: UplinkBody<'events'>, replayable?: boolean): Promise<boolean>;
  sendAck(body: UplinkBody<'acks'>): Promise<boolean>;
}
