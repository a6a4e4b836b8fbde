import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { submitVolumeReport } from '../../../../app/reports/volume-reports.js';
import { carrierOf, requireCarrier } from '../../auth.js';
import type { HttpDeps } from '../../deps.js';
import { IsoDate, RegionCode } from '../reports/schemas.js';

const security = [{ carrierKey: [] }];
const Count = z.number().int().min(0).max(100_000_000);

export async function volumeReportRoutes(fastify: FastifyInstance, deps: HttpDeps): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { ctx } = deps;

  app.post('/v1/volume-reports', {
    onRequest: requireCarrier(ctx),
    schema: {
      tags: ['courier'],
      security,
      summary: 'Report how many parcels you delivered in a region on a day (Asia/Shanghai); sending it again replaces it (201 new, 200 replaced)',
      body: z.object({
        regionCode: RegionCode,
        date: IsoDate,
        deliveredTotal: Count,
        deliveredWithin24h: Count.optional(),
        deliveredWithin72h: Count.optional(),
      }).strict(),
    },
  }, async (req, reply) => {
    const { report, created, lockerDeliveries } = await submitVolumeReport(ctx, carrierOf(req).id, req.body);
    return reply.status(created ? 201 : 200).send({ report, lockerDeliveries });
  });
}
