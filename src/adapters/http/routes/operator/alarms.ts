import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { acknowledgeAlarm, listAlarms } from '../../../../app/alarms.js';
import { ALARM_KINDS } from '../../../../domain/alarm.js';
import { actorOf, requireRole } from '../../auth.js';
import type { HttpDeps } from '../../deps.js';
import { RegionCode } from '../reports/schemas.js';

const security = [{ operatorToken: [] }];

export async function alarmRoutes(fastify: FastifyInstance, deps: HttpDeps): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { ctx } = deps;

  app.get('/v1/alarms', {
    onRequest: requireRole(ctx, 'viewer'),
    schema: {
      tags: ['alarms'],
      security,
      summary: 'Alarms, newest first',
      querystring: z.object({
        state: z.enum(['open', 'acknowledged', 'cleared']).optional(),
        lockerId: z.string().max(64).optional(),
        kind: z.enum(ALARM_KINDS).optional(),
        region: RegionCode.optional().describe('Only alarms of lockers at sites in this region (its whole subtree)'),
        limit: z.coerce.number().int().min(1).max(1000).default(100),
      }).strict(),
    },
  }, async (req) => ({ alarms: await listAlarms(ctx, req.query) }));

  app.post('/v1/alarms/:id/ack', {
    onRequest: requireRole(ctx, 'operator'),
    schema: {
      tags: ['alarms'],
      security,
      summary: 'Acknowledge an open alarm (audited)',
      params: z.object({ id: z.string().uuid() }),
      body: z.object({ note: z.string().max(500).optional() }).strict().nullish(),
    },
  }, async (req) => ({ alarm: await acknowledgeAlarm(ctx, req.params.id, actorOf(req), req.body?.note) }));
}
