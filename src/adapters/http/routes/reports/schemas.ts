import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { GRANULARITIES, isIsoDate } from '../../../../domain/calendar.js';
import type { AppContext } from '../../../../app/context.js';
import { requireRole } from '../../auth.js';

export const IsoDate = z.string().refine(isIsoDate, 'must be a date YYYY-MM-DD');
export const RegionCode = z.string().regex(/^\d{6}$/, 'must be a 6-digit region code (GB/T 2260)');
export const Format = z.enum(['json', 'csv']).optional();

export const RangeQuery = {
  region: RegionCode.optional(),
  from: IsoDate.optional(),
  to: IsoDate.optional(),
  format: Format,
};

export const ShareQuery = z.object({ ...RangeQuery, granularity: z.enum(GRANULARITIES).optional() }).strict();

export const viewerSecurity = [{ operatorToken: [] }];

/** The share report's gate: open when LOCKERGATE_OPEN_SHARE_DATA says so, otherwise a viewer token. */
export function shareDataGate(ctx: AppContext, open: boolean) {
  const viewer = requireRole(ctx, 'viewer');
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (!open) await viewer(request, reply);
  };
}
