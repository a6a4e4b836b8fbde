export * from './common.js';
export * from './status.js';
export * from './state.js';
export * from './events.js';
export * from './acks.js';
export * from './telemetry.js';
export * from './commands.js';
