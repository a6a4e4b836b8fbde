import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { getParcel, resendCode } from '../../../../app/parcels/parcels.js';
import { retrieveParcel } from '../../../../app/parcels/pickups.js';
import { carrierOf, requireCarrier } from '../../auth.js';
import type { HttpDeps } from '../../deps.js';

const security = [{ carrierKey: [] }];
// 12 random characters (ids made before time-ordered ids) or 9 of time and 8 random (app/ids.ts).
const ParcelId = z.string().regex(/^pcl-(?:[a-z0-9]{12}|[a-z0-9]{17})$/);

export async function parcelRoutes(fastify: FastifyInstance, deps: HttpDeps): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { ctx } = deps;
  const carrier = requireCarrier(ctx);

  app.get('/v1/parcels/:id', {
    onRequest: carrier,
    schema: { tags: ['courier'], security, summary: 'One of your parcels with its timeline (phone masked)', params: z.object({ id: ParcelId }) },
  }, async (req) => getParcel(ctx, carrierOf(req).id, req.params.id));

  app.post('/v1/parcels/:id/resend-code', {
    onRequest: carrier,
    schema: { tags: ['courier'], security, summary: 'Send the recipient a new pickup code; the old one stops working', params: z.object({ id: ParcelId }) },
  }, async (req, reply) => {
    await resendCode(ctx, carrierOf(req).id, req.params.id);
    return reply.status(202).send({ parcelId: req.params.id, codeSent: true });
  });

  app.post('/v1/retrievals', {
    onRequest: carrier,
    schema: {
      tags: ['courier'],
      security,
      summary: 'Take back a deposited or expired parcel: opens its compartment (200 when open, 202 while opening)',
      body: z.object({ parcelId: ParcelId }).strict(),
      querystring: z.object({ waitS: z.coerce.number().min(0).max(60).optional() }).strict(),
    },
  }, async (req, reply) => {
    const { pickup, command } = await retrieveParcel(ctx, carrierOf(req).id, req.body.parcelId, (req.query.waitS ?? deps.operatorOpenWaitS) * 1000);
    return reply.status(pickup.state === 'opening' ? 202 : 200).send({ retrievalId: pickup.id, parcelId: pickup.parcelId, compartment: pickup.compartment, state: pickup.state, reason: pickup.reason ?? command.outcome });
  });
}
