import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { HttpDeps } from './deps.js';
import { frameworkErrors, installErrorHandler } from './error-handler.js';
import { alarmRoutes } from './routes/operator/alarms.js';
import { deviceRoutes } from './routes/operator/devices.js';
import { lockerRoutes } from './routes/operator/lockers.js';
import { siteRoutes } from './routes/operator/sites.js';
import { healthRoutes } from './routes/system/health.js';
import { depositRoutes } from './routes/courier/deposits.js';
import { parcelRoutes } from './routes/courier/parcels.js';
import { pickupRoutes } from './routes/resident/pickups.js';
import { householdAppRoutes } from './routes/resident/household.js';
import { householdRoutes } from './routes/operator/households.js';
import { carrierRoutes } from './routes/operator/carriers.js';
import { reportRoutes } from './routes/reports/index.js';
import { volumeReportRoutes } from './routes/courier/volume-reports.js';
import { dashboardRoutes } from './routes/dashboard/plugin.js';


/** Builds the HTTP app without listening: tests use `inject`, main.ts listens. */
export async function buildApp(deps: HttpDeps): Promise<FastifyInstance> {
  const app = Fastify({
    // pino's Logger is a FastifyBaseLogger; only the generic custom-levels parameter differs.
    loggerInstance: deps.log.child({ component: 'http' }) as FastifyBaseLogger,
    // One debug line per request from our onResponse hook instead of two info lines from fastify.
    logController: new LogController({ disableRequestLogging: true }),
    trustProxy: deps.trustProxy,
    bodyLimit: 64 * 1024,
    requestTimeout: 30_000,
    frameworkErrors,
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandler(app);

  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    deps.metrics.httpDuration.observe({ method: request.method, route, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
    request.log.debug({ method: request.method, route, status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'request');
  });

  await app.register(fastifySwagger, {
    openapi: {
      info: { title: 'lockergate', version: '0.1.0', description: 'Smart parcel locker gateway. Times are milliseconds since the Unix epoch. Errors are { error: { code, message, details? } } with codes from docs/errors.md.' },
      components: {
        securitySchemes: {
          operatorToken: { type: 'http', scheme: 'bearer', description: 'Operator token (lgo_…) from `lockergate token create`' },
          carrierKey: { type: 'http', scheme: 'bearer', description: 'Carrier API key (lgc_…) from `lockergate carrier add`' },
          householdToken: { type: 'http', scheme: 'bearer', description: "A mailbox bank household's app token (lgh_…), from POST /v1/lockers/:id/households" },
        },
      },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs' });

  await app.register(healthRoutes, deps);
  await app.register(siteRoutes, deps);
  await app.register(lockerRoutes, deps);
  await app.register(deviceRoutes, deps);
  await app.register(alarmRoutes, deps);
  await app.register(carrierRoutes, deps);
  await app.register(depositRoutes, deps);
  await app.register(parcelRoutes, deps);
  await app.register(pickupRoutes, deps);
  await app.register(householdRoutes, deps);
  await app.register(householdAppRoutes, deps);
  await app.register(reportRoutes, deps);
  await app.register(volumeReportRoutes, deps);
  await app.register(dashboardRoutes);
  return app;
}
