import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { revokeDevice, rotateDeviceSecret } from '../../../../app/provisioning.js';
import { actorOf, requireRole } from '../../auth.js';
import type { HttpDeps } from '../../deps.js';

const security = [{ operatorToken: [] }];
const params = z.object({ id: z.string().regex(/^[a-z0-9][a-z0-9-]{2,22}$/) });

export async function deviceRoutes(fastify: FastifyInstance, deps: HttpDeps): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { ctx } = deps;
  const operator = requireRole(ctx, 'operator');

  app.post('/v1/devices/:id/rotate-secret', {
    onRequest: operator,
    schema: { tags: ['devices'], security, summary: 'New secret for a controller; its live session is closed at once', params },
  }, async (req, reply) => {
    const { device, secret, codeKey } = await rotateDeviceSecret(ctx, req.params.id, actorOf(req));
    return reply.header('cache-control', 'no-store').send({ deviceId: device.id, secret, codeKey });
  });

  app.post('/v1/devices/:id/revoke', {
    onRequest: operator,
    schema: { tags: ['devices'], security, summary: 'Revoke a controller: disconnected now, refused from then on', params },
  }, async (req) => {
    const device = await revokeDevice(ctx, req.params.id, actorOf(req));
    return { deviceId: device.id, revokedAt: device.revokedAt };
  });
}
