import type { FastifyInstance } from 'fastify';
import type { HttpDeps } from '../../deps.js';

/** Liveness, readiness and Prometheus metrics; unauthenticated, for load balancers and scrapers. */
export async function healthRoutes(app: FastifyInstance, deps: HttpDeps): Promise<void> {
  app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));

  app.get('/readyz', { schema: { hide: true } }, async (_req, reply) => {
    const checks = {
      // The store answers a read: one primary-key lookup (it used to list every locker per probe).
      store: await deps.ctx.store
        .read((tx) => {
          tx.lockers.get('readyz-probe');
          return true;
        })
        .catch(() => false),
      broker: deps.isBrokerReady(),
    };
    const ready = checks.store && checks.broker;
    return reply.status(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not_ready', checks });
  });

  app.get('/metrics', { schema: { hide: true } }, async (_req, reply) => {
    const text = await deps.metrics.registry.metrics();
    return reply.type(deps.metrics.registry.contentType).send(text);
  });
}
