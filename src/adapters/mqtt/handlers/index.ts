import type { UplinkChannel } from '../../../../protocol/topics.js';
import { acksHandler } from './acks.js';
import { eventsHandler } from './events.js';
import { stateHandler } from './state.js';
import { statusHandler } from './status.js';
import { telemetryHandler } from './telemetry.js';
import type { UplinkHandler } from './types.js';

export const UPLINK_HANDLERS: Readonly<Record<UplinkChannel, UplinkHandler>> = Object.freeze({
  status: statusHandler as UplinkHandler,
  state: stateHandler as UplinkHandler,
  events: eventsHandler as UplinkHandler,
  acks: acksHandler as UplinkHandler,
  telemetry: telemetryHandler as UplinkHandler,
});
