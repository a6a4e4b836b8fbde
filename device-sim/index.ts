export { SimController, type RawPublishOptions } from './controller.js';
export { ConnectRefusedError, type MqttSession, type SessionFactory, type SessionOptions } from './session.js';
export { openMqttJsSession } from './mqtt-session.js';
export { openRawSession, rawSessionStats } from './raw-session.js';
export { systemClock, type Clock } from './clock.js';
export type { CompartmentSize, CompartmentSpec, PhysicalState } from './compartment.js';
export type { KeypadOutcome, KeypadReply, LocalKeypadDeny, LocalKeypadOpen } from './keypad.js';
export { OFFLINE_LOCKOUT } from './keypad.js';
export type { SleepyOptions, SleepPhase } from './sleepy.js';
export type { BatteryOptions } from './battery.js';
export type { CodeKindT, HeldCode } from './codes.js';
export type { Goodbye } from './link.js';
export type { SimControllerEvents, SimControllerOptions, SimLogger, SimStats } from './types.js';
export type { AnyStampedMessage, StampedMessage, UplinkMessage } from './uplink.js';
export type { QueuedMessage } from './outbox.js';

// Fleets, scenarios and the oracle (what lockergate-sim runs), for programs and tests.
export { Supervisor, type SupervisorConfig } from './run/supervisor.js';
export { runOptions, DEFAULT_OPTIONS, SCENARIOS, type RunOptions, type ScenarioName } from './run/options.js';
export { NO_FAULTS, FAULT_KINDS, type FaultOptions, type FaultKind } from './run/faults.js';
export type { Summary } from './run/summary.js';
export type { OracleReport, Mismatch, MismatchKind } from './run/oracle.js';
export { readFleet, writeFleet, type FleetFileT, type FleetLockerT } from './fleet/fleet.js';
export { provisionFleet } from './fleet/provision.js';
export { SmsReceiver, type Sms } from './api/sms-receiver.js';
export { GatewayApi } from './api/gateway-api.js';
