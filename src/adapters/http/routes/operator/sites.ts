import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { createSite } from '../../../../app/provisioning.js';
import { SITE_KINDS } from '../../../../domain/locker.js';
import { actorOf, requireRole } from '../../auth.js';
import type { HttpDeps } from '../../deps.js';

const security = [{ operatorToken: [] }];

export async function siteRoutes(fastify: FastifyInstance, deps: HttpDeps): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { ctx } = deps;

  app.get('/v1/sites', { onRequest: requireRole(ctx, 'viewer'), schema: { tags: ['sites'], security, summary: 'List sites' } },
    async () => ({ sites: await ctx.store.read((tx) => tx.sites.list()) }));

  app.post('/v1/sites', {
    onRequest: requireRole(ctx, 'operator'),
    schema: {
      tags: ['sites'],
      security,
      summary: 'Create a site (where lockers stand)',
      body: z.object({
        id: z.string().regex(/^[a-z0-9][a-z0-9-]{2,40}$/).optional(),
        name: z.string().min(1).max(120),
        kind: z.enum(SITE_KINDS),
        regionCode: z.string().regex(/^\d{6}$/, '6-digit administrative region code (GB/T 2260)'),
        address: z.string().min(1).max(300),
      }).strict(),
    },
  }, async (req, reply) => reply.status(201).send(await createSite(ctx, req.body, actorOf(req))));
}
