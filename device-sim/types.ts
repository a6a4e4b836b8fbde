import type { EventEmitter } from 'node:events';
import type { CommandAckT, CommandT, LocalOpenEventT, OpenResultEventT } from '../protocol/index.js';
import type { BatteryOptions } from './battery.js';
import type { Clock, Timers } from './clock.js';
import type { CompartmentSpec } from './compartment.js';
import type { SessionFactory } from './session.js';
import type { SleepyOptions } from './sleepy.js';
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
  /**
   * Protocol version announced in the hello, "major.minor"; default PROTOCOL_VERSION (1.1).
   * "1.0" behaves exactly as a 1.0 controller: no codeVersion, code_sync answered `unsupported`,
   * snapshot before replay, no reason in the offline status.
   */
  protocol?: string;
  /**
   * v1.1: the device's code key (64 hex digits, from provisioning). With it the controller holds
   * an offline code set (README §12): hello carries codeVersion, code_sync is applied, codes typed
   * offline are checked locally.
   */
  codeKey?: string;
  /** What the controller drives; default smart_locker (mailbox_bank when `sleepy` is set). */
  kind?: 'smart_locker' | 'mailbox_bank';
  /** v1.1 sleepy mailbox bank (README §13): clean session 0, wake cycle, battery. */
  sleepy?: SleepyOptions;
  /** Battery model (power 'battery', always for sleepy controllers). */
  battery?: BatteryOptions;
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
  /** Mailbox banks often run on battery: telemetry then reports batteryPct, batteryMv and mainsPower false. Default: battery when sleepy. */
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
  /** v1.1: the controller granted a code itself (§12.4), when it happened (the event may be queued). */
  local_open: [open: Omit<LocalOpenEventT, 'bootId' | 'seq' | 'ts' | 'type'>];
  /** v1.1: a code_sync delta was applied, or the last part of a full set arrived. */
  codes: [version: number, count: number];
  /** v1.1 sleepy: went to sleep (or lost the link while awake) until nextWakeAt. */
  sleep: [nextWakeAt: number];
  /** Battery below the low threshold (the low_battery fault is queued once). */
  low_battery: [pct: number];
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
