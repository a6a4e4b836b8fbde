import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { listRegions } from '../../../../app/reports/regions.js';
import { buildShareReport } from '../../../../app/reports/share-report.js';
import { sendCsv, toCsv, wantsCsv } from '../../csv.js';
import type { HttpDeps } from '../../deps.js';
import { Format, shareDataGate, ShareQuery, viewerSecurity } from './schemas.js';

const SHARE_HEADER = ['period', 'periodEnd', 'lockerDeliveries', 'smartLocker', 'mailboxBank', 'reportedTotal', 'sharePct', 'targetPct', 'status', 'neededPerDay'];

/** Aggregated share data: the region list and the share report (open without a token when configured). */
export async function shareRoutes(fastify: FastifyInstance, deps: HttpDeps): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { ctx } = deps;
  const open = deps.openShareData === true;
  const gate = shareDataGate(ctx, open);
  const security = open ? [] : viewerSecurity;

  app.get('/v1/regions', {
    onRequest: gate,
    schema: { tags: ['reports'], security, summary: 'Administrative regions (GB/T 2260 codes) with Chinese and English names', querystring: z.object({ format: Format }).strict() },
  }, async (req, reply) => {
    const regions = (await listRegions(ctx)).map(({ codeSource: _source, ...r }) => r);
    if (!wantsCsv(req, req.query.format)) return { regions };
    return sendCsv(reply, 'regions.csv', toCsv(['code', 'parentCode', 'level', 'nameZh', 'nameEn'], regions.map((r) => [r.code, r.parentCode, r.level, r.nameZh, r.nameEn])));
  });

  app.get('/v1/reports/share', {
    onRequest: gate,
    schema: {
      tags: ['reports'],
      security,
      summary: 'Locker share of a region per day/week/month/quarter/year (Asia/Shanghai) against its target, and of its direct children',
      querystring: ShareQuery,
    },
  }, async (req, reply) => {
    const report = await buildShareReport(ctx, req.query);
    if (!wantsCsv(req, req.query.format)) return report;
    const rows = report.rows.map((r) => [r.period, r.periodEnd, r.lockerDeliveries.total, r.lockerDeliveries.smart_locker, r.lockerDeliveries.mailbox_bank, r.reportedTotal, r.sharePct, r.targetPct, r.status, r.neededPerDay]);
    return sendCsv(reply, `share-${report.region.code}-${report.from}-${report.to}-${report.granularity}.csv`, toCsv(SHARE_HEADER, rows));
  });
}
