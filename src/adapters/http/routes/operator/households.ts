import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { createHousehold, listHouseholds, removeHousehold, resetHouseholdCode } from '../../../../app/households.js';
import { actorOf, requireRole } from '../../auth.js';
import type { HttpDeps } from '../../deps.js';

const security = [{ operatorToken: [] }];
const LockerParams = z.object({ id: z.string().regex(/^[a-z0-9][a-z0-9-]{2,40}$/) });
const HouseholdParams = z.object({ id: z.string().regex(/^hh-[A-Za-z0-9]{10}$/) });

/** Households of mailbox banks (protocol §13): their own compartment, keypad code and app token. */
export async function householdRoutes(fastify: FastifyInstance, deps: HttpDeps): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { ctx } = deps;
  const viewer = requireRole(ctx, 'viewer');
  const operator = requireRole(ctx, 'operator');

  app.get('/v1/lockers/:id/households', {
    onRequest: viewer,
    schema: { tags: ['households'], security, summary: "A mailbox bank's households, with the mail waiting for each", params: LockerParams },
  }, async (req) => ({ households: await listHouseholds(ctx, req.params.id) }));

  app.post('/v1/lockers/:id/households', {
    onRequest: operator,
    schema: {
      tags: ['households'],
      security,
      summary: "Give a household its own compartment of a mailbox bank: returns its keypad code and app token, once",
      params: LockerParams,
      body: z.object({ compartment: z.number().int().min(1).max(999), label: z.string().min(1).max(80) }).strict(),
    },
  }, async (req, reply) => {
    const { household, code, appToken } = await createHousehold(ctx, { lockerId: req.params.id, ...req.body }, actorOf(req));
    return reply.status(201).header('cache-control', 'no-store').send({ householdId: household.id, lockerId: household.lockerId, compartment: household.compartment, label: household.label, code, appToken });
  });

  app.post('/v1/households/:id/reset-code', {
    onRequest: operator,
    schema: { tags: ['households'], security, summary: 'A new keypad code for the household; the old one is revoked on the controller', params: HouseholdParams },
  }, async (req, reply) => {
    const { household, code } = await resetHouseholdCode(ctx, req.params.id, actorOf(req));
    return reply.header('cache-control', 'no-store').send({ householdId: household.id, code });
  });

  app.post('/v1/households/:id/remove', {
    onRequest: operator,
    schema: { tags: ['households'], security, summary: 'The household moves out: its code and app token stop working', params: HouseholdParams },
  }, async (req) => {
    const h = await removeHousehold(ctx, req.params.id, actorOf(req));
    return { householdId: h.id, removedAt: h.removedAt };
  });
}
