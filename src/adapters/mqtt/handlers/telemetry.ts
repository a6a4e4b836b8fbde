import { Telemetry } from '../../../../protocol/schemas/telemetry.js';
import { applyTelemetry } from '../../../app/device-uplink.js';
import type { UplinkHandler } from './types.js';

export const telemetryHandler: UplinkHandler<typeof Telemetry> = {
  schema: Telemetry,
  apply: applyTelemetry,
};
