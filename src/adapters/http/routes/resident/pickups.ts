import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { pickupByCode } from '../../../../app/parcels/pickups.js';
import type { HttpDeps } from '../../deps.js';

/**
 * Residents prove possession of the pickup code; no account. Codes are low-entropy, so guesses
 * are capped twice: per client here (rate limit) and per locker in the use case (lockout + alarm).
 */
export async function pickupRoutes(fastify: FastifyInstance, deps: HttpDeps): Promise<void> {
  await fastify.register(rateLimit, { global: false });
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { ctx } = deps;

  app.post('/v1/pickups', {
    config: { rateLimit: { max: deps.pickupRatePerMinute, timeWindow: 60_000 } },
    schema: {
      tags: ['resident'],
      summary: 'Collect a parcel with its pickup code (app or QR): opens the compartment. 200 when the open finished (state done, or failed with the reason, e.g. jammed), 202 while still opening',
      body: z.object({ lockerId: z.string().min(3).max(64), code: z.string().regex(/^\d{4,10}$/) }).strict(),
    },
  }, async (req, reply) => {
    const { pickup, command } = await pickupByCode(ctx, { ...req.body, waitMs: deps.operatorOpenWaitS * 1000 });
    return reply.status(pickup.state === 'opening' ? 202 : 200).send({
      pickupId: pickup.id,
      lockerId: pickup.lockerId,
      compartment: pickup.compartment,
      state: pickup.state,
      reason: pickup.reason ?? (pickup.state === 'failed' ? command.outcome : null),
    });
  });
}
