export { SimController, type RawPublishOptions } from './controller.js';
export { ConnectRefusedError } from './mqtt-session.js';
export { systemClock, type Clock } from './clock.js';
export type { CompartmentSize, CompartmentSpec, PhysicalState } from './compartment.js';
export type { KeypadReply } from './keypad.js';
export type { SimControllerEvents, SimControllerOptions, SimLogger, SimStats } from './types.js';
export type { AnyStampedMessage, StampedMessage, UplinkMessage } from './uplink.js';
export type { QueuedMessage } from './outbox.js';
