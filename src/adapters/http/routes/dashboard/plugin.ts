import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { LockergateError } from '../../../../domain/errors.js';
import { loadAssets, type Asset } from './assets.js';

/**
 * The page loads only its own files (no inline script or style, no CDN) and talks only to this
 * gateway; the operator token travels in an Authorization header, never in a URL.
 */
const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

function send(request: FastifyRequest, reply: FastifyReply, asset: Asset, cacheControl: string): FastifyReply {
  reply
    .header('content-type', asset.type)
    .header('etag', asset.etag)
    .header('cache-control', cacheControl)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer');
  if (request.headers['if-none-match'] === asset.etag) return reply.status(304).send();
  return reply.send(asset.body);
}

/** The operator dashboard: the page at `/`, its files under `/dashboard/`. Data comes from the /v1 API. */
export async function dashboardRoutes(app: FastifyInstance): Promise<void> {
  const { own, vendor } = loadAssets();
  const index = own.get('index.html');
  if (!index) throw new Error('dashboard-assets/index.html is missing (did the build copy dashboard-assets?)');
  // Revalidated each time (ETag), so a gateway upgrade never leaves a phone on a stale page.
  const revalidate = 'no-cache';

  app.get('/', { schema: { hide: true } }, async (request, reply) => {
    reply.header('content-security-policy', CSP).header('x-frame-options', 'DENY');
    return send(request, reply, index, revalidate);
  });

  app.get<{ Params: { file: string } }>('/dashboard/:file', { schema: { hide: true } }, async (request, reply) => {
    const asset = own.get(request.params.file);
    if (!asset || request.params.file === 'index.html') throw new LockergateError('ROUTE_NOT_FOUND');
    return send(request, reply, asset, revalidate);
  });

  app.get<{ Params: { file: string } }>('/dashboard/vendor/:file', { schema: { hide: true } }, async (request, reply) => {
    const asset = vendor.get(request.params.file);
    if (!asset) throw new LockergateError('ROUTE_NOT_FOUND');
    return send(request, reply, asset, revalidate);
  });
}
