import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { cancelDeposit, confirmDeposit, resizeDeposit } from '../../../../app/parcels/deposit-actions.js';
import { getDeposit, startDeposit } from '../../../../app/parcels/deposits.js';
import type { Deposit } from '../../../../domain/deposit.js';
import { SIZE_CLASSES } from '../../../../domain/locker.js';
import { carrierOf, requireCarrier } from '../../auth.js';
import type { HttpDeps } from '../../deps.js';

const security = [{ carrierKey: [] }];
// 12 random characters (ids made before time-ordered ids) or 9 of time and 8 random (app/ids.ts).
const params = z.object({ id: z.string().regex(/^dep-(?:[a-z0-9]{12}|[a-z0-9]{17})$/) });

/** What a courier sees of a deposit; `reason` says why it failed. */
const view = (d: Deposit) => ({
  depositId: d.id,
  parcelId: d.parcelId,
  lockerId: d.lockerId,
  compartment: d.compartment,
  size: d.size,
  state: d.state,
  reason: d.reason,
  confirmedAt: d.confirmedAt,
  createdAt: d.createdAt,
  updatedAt: d.updatedAt,
});

export async function depositRoutes(fastify: FastifyInstance, deps: HttpDeps): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { ctx } = deps;
  const carrier = requireCarrier(ctx);

  app.post('/v1/deposits', {
    onRequest: carrier,
    schema: {
      tags: ['courier'],
      security,
      summary: 'Deposit a parcel: reserves the best-fitting compartment and opens it (202). Retries with the same Idempotency-Key (or tracking number) return the same deposit.',
      headers: z.object({ 'idempotency-key': z.string().min(8).max(100).optional() }).passthrough(),
      body: z.object({
        lockerId: z.string().min(3).max(64),
        size: z.enum(SIZE_CLASSES),
        trackingNumber: z.string().regex(/^[A-Za-z0-9-]{4,40}$/, '4-40 letters, digits or dashes'),
        recipientPhone: z.string().regex(/^\+?[0-9 -]{7,20}$/, 'a phone number').optional().describe('Required, except for householdId mail'),
        householdId: z.string().regex(/^hh-[A-Za-z0-9]{10}$/).optional().describe("Mail for a mailbox bank's household: goes into its own compartment, no pickup code"),
        holdHours: z.number().int().min(1).max(720).optional(),
      }).strict(),
    },
  }, async (req, reply) => {
    const { deposit, created } = await startDeposit(ctx, carrierOf(req), { ...req.body, idempotencyKey: req.headers['idempotency-key'] });
    return reply.status(created ? 202 : 200).header('location', `/v1/deposits/${deposit.id}`).send(view(deposit));
  });

  app.get('/v1/deposits/:id', { onRequest: carrier, schema: { tags: ['courier'], security, summary: 'Progress of a deposit: opening, open, deposited, failed (with reason) or cancelled', params } },
    async (req) => view(await getDeposit(ctx, carrierOf(req).id, req.params.id)));

  app.post('/v1/deposits/:id/confirm', { onRequest: carrier, schema: { tags: ['courier'], security, summary: 'Confirm the parcel is in (compartments without an occupancy sensor), door closed', params } },
    async (req) => view(await confirmDeposit(ctx, carrierOf(req).id, req.params.id)));

  app.post('/v1/deposits/:id/cancel', { onRequest: carrier, schema: { tags: ['courier'], security, summary: 'Cancel before the door closes on the parcel; the compartment is freed', params } },
    async (req) => view(await cancelDeposit(ctx, carrierOf(req).id, req.params.id)));

  app.post('/v1/deposits/:id/resize', { onRequest: carrier, schema: { tags: ['courier'], security, summary: 'The parcel does not fit: open a larger compartment and free this one', params } },
    async (req, reply) => reply.status(202).send(view(await resizeDeposit(ctx, carrierOf(req).id, req.params.id))));
}
