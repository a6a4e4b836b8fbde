import type { FastifyInstance } from 'fastify';
import type { HttpDeps } from '../../deps.js';
import { fleetRoutes } from './fleet.js';
import { shareRoutes } from './share.js';

/** Operator reports: regions, locker share, deployment, fleet. */
export async function reportRoutes(fastify: FastifyInstance, deps: HttpDeps): Promise<void> {
  await fastify.register(shareRoutes, deps);
  await fastify.register(fleetRoutes, deps);
}
