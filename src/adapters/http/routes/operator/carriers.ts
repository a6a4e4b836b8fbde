import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { addCarrier, setCarrierQuota } from '../../../../app/carriers.js';
import { LockergateError } from '../../../../domain/errors.js';
import { actorOf, requireRole } from '../../auth.js';
import type { HttpDeps } from '../../deps.js';

const security = [{ operatorToken: [] }];

export async function carrierRoutes(fastify: FastifyInstance, deps: HttpDeps): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { ctx } = deps;
  const operator = requireRole(ctx, 'operator');

  app.get('/v1/carriers', { onRequest: requireRole(ctx, 'viewer'), schema: { tags: ['carriers'], security, summary: 'Carriers' } },
    async () => ({ carriers: await ctx.store.read((tx) => tx.carriers.list()) }));

  app.post('/v1/carriers', {
    onRequest: operator,
    schema: {
      tags: ['carriers'],
      security,
      summary: 'Add a carrier: its API key (and webhook secret) are in this response only',
      body: z.object({ name: z.string().min(1).max(120), webhookUrl: z.string().url().regex(/^https?:\/\//).optional() }).strict(),
    },
  }, async (req, reply) => {
    const { carrier, apiKey, webhookSecret } = await addCarrier(ctx, req.body, actorOf(req));
    return reply.status(201).header('cache-control', 'no-store').send({ carrier, apiKey, webhookSecret });
  });

  app.put('/v1/carriers/:id/quotas/:lockerId', {
    onRequest: operator,
    schema: {
      tags: ['carriers'],
      security,
      summary: "Cap the compartments a carrier's parcels may hold in a locker (null removes the cap)",
      params: z.object({ id: z.string().max(64), lockerId: z.string().max(64) }),
      body: z.object({ maxCompartments: z.number().int().min(0).max(999).nullable() }).strict(),
    },
  }, async (req) => {
    await setCarrierQuota(ctx, req.params.id, req.params.lockerId, req.body.maxCompartments, actorOf(req));
    return { carrierId: req.params.id, lockerId: req.params.lockerId, maxCompartments: req.body.maxCompartments };
  });

  app.patch('/v1/lockers/:id/compartments/:n', {
    onRequest: operator,
    schema: {
      tags: ['lockers'],
      security,
      summary: 'Set a compartment in or out of service (audited), e.g. after clearing a parcel left behind',
      params: z.object({ id: z.string().max(64), n: z.coerce.number().int().min(1).max(999) }),
      body: z.object({ state: z.enum(['available', 'out_of_service']), note: z.string().max(300).optional() }).strict(),
    },
  }, async (req) => {
    const now = ctx.clock.now();
    return ctx.store.transact((tx) => {
      const c = tx.lockers.compartment(req.params.id, req.params.n);
      if (!c) throw new LockergateError(tx.lockers.get(req.params.id) ? 'COMPARTMENT_NOT_FOUND' : 'LOCKER_NOT_FOUND');
      if (tx.parcels.liveInCompartment(c.lockerId, c.index)) throw new LockergateError('COMPARTMENT_IN_USE');
      tx.lockers.updateCompartment({ ...c, state: req.body.state });
      tx.audit.append({ at: now, actor: actorOf(req), action: 'compartment.set_state', target: `${c.lockerId}/${c.index}`, details: { from: c.state, to: req.body.state, note: req.body.note ?? null } });
      return { ...c, state: req.body.state };
    });
  });
}
