import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { householdByAppToken, openForHousehold } from '../../../../app/households.js';
import type { Household } from '../../../../app/offline/ports.js';
import { LockergateError } from '../../../../domain/errors.js';
import type { HttpDeps } from '../../deps.js';

const security = [{ householdToken: [] }];

/** A household's app: open its own mailbox compartment (queued until a sleeping bank wakes). */
export async function householdAppRoutes(fastify: FastifyInstance, deps: HttpDeps): Promise<void> {
  await fastify.register(rateLimit, { global: false });
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { ctx } = deps;

  const authenticate = async (req: FastifyRequest): Promise<Household> => {
    const header = req.headers.authorization;
    const token = header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
    const household = token ? await householdByAppToken(ctx, token) : undefined;
    if (!household) throw new LockergateError('UNAUTHENTICATED', 'Send the household app token: "Authorization: Bearer lgh_…".');
    return household;
  };

  app.post('/v1/household/open', {
    config: { rateLimit: { max: deps.pickupRatePerMinute, timeWindow: 60_000 } },
    schema: {
      tags: ['resident'],
      security,
      summary: "Open the household's own mailbox compartment (202): at once when the bank is awake, else on its next wake before the command expires",
    },
  }, async (req, reply) => {
    const household = await authenticate(req);
    const command = await openForHousehold(ctx, household);
    return reply.status(202).send({ commandId: command.id, state: command.state, expiresAt: command.expiresAt, lockerId: household.lockerId, compartment: household.compartment });
  });
}
