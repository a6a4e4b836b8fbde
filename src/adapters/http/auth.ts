import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../app/context.js';
import { authenticateOperator } from '../../app/tokens.js';
import { authenticateCarrier } from '../../app/carriers.js';
import type { Carrier } from '../../domain/parcel.js';
import { LockergateError } from '../../domain/errors.js';
import type { OperatorToken, OperatorRole } from '../../domain/token.js';

declare module 'fastify' {
  interface FastifyRequest {
    operator?: OperatorToken;
    carrier?: Carrier;
  }
}

const RANK: Record<OperatorRole, number> = { viewer: 1, operator: 2 };

/** onRequest hook (runs before the body is parsed or validated): a bearer operator token with at least `role` (viewer < operator). */
export function requireRole(ctx: AppContext, role: OperatorRole) {
  return async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    const header = request.headers.authorization;
    const secret = header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
    const token = secret ? await authenticateOperator(ctx, secret) : undefined;
    if (!token) throw new LockergateError('UNAUTHENTICATED', 'Send an operator token: "Authorization: Bearer lgo_…".');
    if (RANK[token.role] < RANK[role]) throw new LockergateError('FORBIDDEN', `This needs the ${role} role; your token is ${token.role}.`);
    request.operator = token;
    request.log = request.log.child({ operator: token.id });
  };
}

export function actorOf(request: FastifyRequest): string {
  return request.operator ? `operator:${request.operator.id}` : 'anonymous';
}

/** onRequest hook: a carrier API key (`Authorization: Bearer lgc_…`); scopes the request to that carrier. */
export function requireCarrier(ctx: AppContext) {
  return async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    const header = request.headers.authorization;
    const key = header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
    const carrier = key ? await authenticateCarrier(ctx, key) : undefined;
    if (!carrier) throw new LockergateError('UNAUTHENTICATED', 'Send your carrier API key: "Authorization: Bearer lgc_…".');
    request.carrier = carrier;
    request.log = request.log.child({ carrier: carrier.id });
  };
}

/** The authenticated carrier; only call behind requireCarrier. */
export function carrierOf(request: FastifyRequest): Carrier {
  if (!request.carrier) throw new LockergateError('UNAUTHENTICATED');
  return request.carrier;
}
