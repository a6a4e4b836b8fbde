import type { z } from 'zod';
import type { AppContext } from '../../../app/context.js';
import type { UplinkVerdict } from '../../../app/device-session.js';

/** One handler per uplink channel: the schema its payload must pass and the use case it feeds. */
export interface UplinkHandler<S extends z.ZodType = z.ZodType> {
  schema: S;
  apply(ctx: AppContext, deviceId: string, message: z.infer<S>): Promise<UplinkVerdict>;
}
