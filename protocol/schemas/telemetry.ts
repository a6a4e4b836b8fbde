import { z } from 'zod';
import { Envelope } from './common.js';

export const Telemetry = Envelope.extend({
  uptimeS: z.number().int().min(0),
  rssiDbm: z.number().int().min(-150).max(0).optional(),
  batteryPct: z.number().min(0).max(100).optional(),
  batteryMv: z.number().int().min(0).max(60_000).optional(),
  mainsPower: z.boolean().optional(),
  temperatureC: z.number().min(-60).max(120).optional(),
}).strict();

export type TelemetryT = z.infer<typeof Telemetry>;
