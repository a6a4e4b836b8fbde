import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { buildDeploymentReport, buildFleetReport } from '../../../../app/reports/fleet-report.js';
import { requireRole } from '../../auth.js';
import { sendCsv, toCsv, wantsCsv } from '../../csv.js';
import type { HttpDeps } from '../../deps.js';
import { Format, RangeQuery, RegionCode, viewerSecurity as security } from './schemas.js';

/** Deployment progress and fleet figures: always behind a viewer token (they describe the fleet). */
export async function fleetRoutes(fastify: FastifyInstance, deps: HttpDeps): Promise<void> {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { ctx } = deps;

  app.get('/v1/reports/deployment', {
    onRequest: requireRole(ctx, 'viewer'),
    schema: {
      tags: ['reports'],
      security,
      summary: 'Locker groups commissioned and public pickup stations of a region and its children, against the targets',
      querystring: z.object({ region: RegionCode.optional(), format: Format }).strict(),
    },
  }, async (req, reply) => {
    const report = await buildDeploymentReport(ctx, req.query.region);
    if (!wantsCsv(req, req.query.format)) return report;
    const header = ['code', 'nameZh', 'nameEn', 'lockerGroupsCommissioned', 'lockerGroupsTarget', 'lockerGroupsPct', 'publicStations', 'publicStationsTarget'];
    const rows = report.rows.map((r) => [r.code, r.nameZh, r.nameEn, r.lockerGroups.commissioned, r.lockerGroups.target, r.lockerGroups.pct, r.publicStations.count, r.publicStations.target]);
    return sendCsv(reply, `deployment-${report.rows[0]?.code ?? 'all'}.csv`, toCsv(header, rows));
  });

  app.get('/v1/reports/fleet', {
    onRequest: requireRole(ctx, 'viewer'),
    schema: {
      tags: ['reports'],
      security,
      summary: 'Lockers online, open alarms, utilisation now; dwell, expiries and delivery times over [from, to] (default 30 days)',
      querystring: z.object(RangeQuery).strict(),
    },
  }, async (req, reply) => {
    const f = await buildFleetReport(ctx, req.query);
    if (!wantsCsv(req, req.query.format)) return f;
    const rows: Array<[string, number | null]> = [
      ['lockers.total', f.lockers.total], ['lockers.online', f.lockers.online], ['lockers.offline', f.lockers.offline],
      ['alarms.open', f.alarms.open],
      ['compartments.total', f.compartments.total], ['compartments.occupied', f.compartments.occupied], ['compartments.utilisationPct', f.compartments.utilisationPct],
      ['dwell.medianHours', f.dwell.medianHours], ['dwell.within24hPct', f.dwell.within24hPct], ['dwell.within72hPct', f.dwell.within72hPct],
      ['expiredRatePct', f.expiredRatePct],
      ['deliveryTime.within24hPct', f.deliveryTime.within24hPct], ['deliveryTime.within72hPct', f.deliveryTime.within72hPct],
      ['deliveryTime.target24hPct', f.deliveryTime.target24hPct], ['deliveryTime.target72hPct', f.deliveryTime.target72hPct],
    ];
    return sendCsv(reply, 'fleet.csv', toCsv(['metric', 'value'], rows));
  });
}
