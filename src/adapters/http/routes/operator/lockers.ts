import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { getLocker, listLockers, maintenanceOpen } from '../../../../app/lockers.js';
import { createLocker, provisionDevice } from '../../../../app/provisioning.js';
import { LOCKER_KINDS, LOCKER_STATUSES } from '../../../../domain/locker.js';
import { actorOf, requireRole } from '../../auth.js';
import type { HttpDeps } from '../../deps.js';

const LockerId = z.string().regex(/^[a-z0-9][a-z0-9-]{2,40}$/);
const security = [{ operatorToken: [] }];

export async function lockerRoutes(fastify: FastifyInstance, deps: HttpDeps): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { ctx } = deps;
  const viewer = requireRole(ctx, 'viewer');
  const operator = requireRole(ctx, 'operator');

  app.get('/v1/lockers', {
    onRequest: viewer,
    schema: { tags: ['lockers'], security, summary: 'List lockers with their controller status', querystring: z.object({ siteId: z.string().max(64).optional() }).strict() },
  }, async (req) => ({ lockers: await listLockers(ctx, req.query.siteId) }));

  app.get('/v1/lockers/:id', {
    onRequest: viewer,
    schema: { tags: ['lockers'], security, summary: 'A locker with its compartments (operational and sensed state) and recent commands', params: z.object({ id: LockerId }) },
  }, async (req) => getLocker(ctx, req.params.id));

  app.post('/v1/lockers', {
    onRequest: operator,
    schema: {
      tags: ['lockers'],
      security,
      summary: 'Create a locker (one controller with its compartments)',
      body: z.object({
        id: LockerId.optional(),
        siteId: z.string().min(1).max(64),
        name: z.string().min(1).max(120),
        kind: z.enum(LOCKER_KINDS).default('smart_locker'),
        layout: z.string().min(3).max(400).describe('Compartments as SIZE:COUNT, e.g. "S:8,M:10,L:6"; add ":nosensor" for no occupancy sensor'),
        status: z.enum(LOCKER_STATUSES).optional(),
      }).strict(),
    },
  }, async (req, reply) => reply.status(201).send(await createLocker(ctx, req.body, actorOf(req))));

  app.post('/v1/lockers/:id/device', {
    onRequest: operator,
    schema: {
      tags: ['devices'],
      security,
      summary: 'Provision the locker controller: returns its device id, secret and offline code key, once',
      params: z.object({ id: LockerId }),
      body: z.object({ deviceId: z.string().regex(/^[a-z0-9][a-z0-9-]{2,22}$/).optional() }).strict().nullish(),
    },
  }, async (req, reply) => {
    const { device, secret, codeKey } = await provisionDevice(ctx, req.params.id, actorOf(req), req.body?.deviceId);
    return reply.status(201).header('cache-control', 'no-store').send({ deviceId: device.id, lockerId: device.lockerId, secret, codeKey });
  });

  app.post('/v1/lockers/:id/compartments/:n/open', {
    onRequest: operator,
    schema: {
      tags: ['lockers'],
      security,
      summary: 'Maintenance open (audited): sends an open command and waits for its outcome',
      params: z.object({ id: LockerId, n: z.coerce.number().int().min(1).max(999) }),
      body: z.object({ reason: z.string().max(200).optional() }).strict().nullish(),
      querystring: z.object({ waitS: z.coerce.number().min(0).max(120).optional() }).strict(),
    },
  }, async (req, reply) => {
    const command = await maintenanceOpen(ctx, {
      lockerId: req.params.id,
      compartment: req.params.n,
      actor: actorOf(req),
      reason: req.body?.reason,
      waitMs: (req.query.waitS ?? deps.operatorOpenWaitS) * 1000,
    });
    const finished = command.state === 'done' || command.state === 'failed' || command.state === 'expired';
    return reply.status(finished ? 200 : 202).send({ command });
  });
}
