import { DeviceEvent } from '../../../../protocol/schemas/events.js';
import { applyDeviceEvent } from '../../../app/device-events.js';
import type { UplinkHandler } from './types.js';

/** events: door, occupancy, open_result, keypad, fault — sequenced, applied once. */
export const eventsHandler: UplinkHandler<typeof DeviceEvent> = {
  schema: DeviceEvent,
  apply: applyDeviceEvent,
};
