import { NO_FAULTS, type FaultOptions } from './faults.js';

export const SCENARIOS = ['idle', 'steady', 'day', 'storm', 'chaos'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

/** Everything a run needs besides the fleet; plain data so it crosses to worker processes. */
export interface RunOptions {
  scenario: ScenarioName;
  seed: number;
  /** Simulated time runs this many times faster than real time (people's timings, the day's schedule). */
  speed: number;
  /** steady: deposits per second over the whole fleet (pickups follow at the same rate). */
  rate: number;
  /** idle/steady: real seconds to run (0 = until interrupted). */
  durationS: number;
  /** day: simulated days (0 = until interrupted). */
  days: number;
  /** day: the simulated day starts at this hour (and ends at 23:00). */
  startHour: number;
  /** day: share of a locker's compartments that receive a parcel per day. */
  fill: number;
  /** Share of recipients who never come: their parcels expire and couriers retrieve them. */
  noShow: number;
  /** Share of pickups through the app (POST /v1/pickups) instead of the keypad. */
  appShare: number;
  /** Hold time of deposits in hours; null = what fits the speed (at least the API's minimum of 1). */
  holdHours: number | null;
  /** steady: simulated seconds from the pickup code to the resident at the locker. */
  dwellS: [number, number];
  engine: 'raw' | 'mqttjs';
  keepaliveS: number;
  /** Seconds between telemetry messages of a controller (protocol §4.6 recommends 300). */
  telemetryS: number;
  /** Connection attempts in flight per node. */
  connectConcurrency: number;
  /**
   * Mailbox banks run sleepy (protocol 1.1 §13), waking every this many simulated seconds
   * (10–86 400); 0 = they stay connected like smart lockers.
   */
  mailboxWakeS: number;
  /** Multiplies the §3.6 reconnect backoff (1–2 s doubling to 5 min); tests use 0.1. */
  backoffScale: number;
  /** Relay pulse to door sensor, ms (real). */
  openDelayMs: number;
  /** Controller window before reporting a jam, ms (real). */
  jamWindowMs: number;
  faults: FaultOptions;
  /** Compare with the gateway at the end (and on SIGUSR2). */
  oracle: boolean;
  /** Seconds to wait for operations in progress to finish before the oracle looks. */
  settleTimeoutS: number;
  /** Operations in progress per node, at most. */
  maxInFlight: number;
  /** Seconds between checks whether an uncollected parcel has expired. */
  retrievePollS: number;
  /** HTTP keep-alive sockets per node. */
  httpSockets: number;
}

/** The defaults of every option (the CLI's, and what tests and the demo start from). */
const defaults: RunOptions = {
  scenario: 'steady',
  seed: 1,
  speed: 1,
  rate: 2,
  durationS: 60,
  days: 1,
  startHour: 7,
  fill: 0.5,
  noShow: 0.05,
  appShare: 0.1,
  holdHours: null,
  dwellS: [20, 120],
  engine: 'raw',
  keepaliveS: 60,
  telemetryS: 300,
  connectConcurrency: 200,
  mailboxWakeS: 0,
  backoffScale: 1,
  openDelayMs: 300,
  jamWindowMs: 5000,
  faults: NO_FAULTS,
  oracle: true,
  settleTimeoutS: 60,
  maxInFlight: 2000,
  retrievePollS: 30,
  httpSockets: 16,
};
export const DEFAULT_OPTIONS: Readonly<RunOptions> = Object.freeze(defaults);

export function runOptions(overrides: Partial<RunOptions> = {}): RunOptions {
  return { ...DEFAULT_OPTIONS, ...overrides, faults: { ...NO_FAULTS, ...overrides.faults } };
}
