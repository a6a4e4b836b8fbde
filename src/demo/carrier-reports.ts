import type { AppContext } from '../app/context.js';
import { buildShareReport } from '../app/reports/share-report.js';
import { submitVolumeReport } from '../app/reports/volume-reports.js';
import { shanghaiDay } from '../domain/calendar.js';

/**
 * The demo's stand-in for carriers' daily volume reports (the share's denominator): every few
 * seconds one carrier reports, for each district with lockers, all the parcels it delivered
 * there today — the locker deliveries so far plus the door-to-door ones. Each district gets its
 * own locker share between about 5.5% and 11.5%, so the dashboard shows regions both meeting and
 * missing the 10% target, and the figures move as the simulated couriers work.
 */
export function startDemoCarrierReports(ctx: AppContext, carrierId: string, districts: readonly string[], everyMs = 10_000): () => void {
  const shareOf = (code: string) => 0.055 + (Number(code.slice(-2)) % 7) * 0.01;
  let busy = false;
  const tick = async () => {
    if (busy) return;
    busy = true;
    try {
      const date = shanghaiDay(ctx.clock.now());
      for (const regionCode of districts) {
        const report = await buildShareReport(ctx, { region: regionCode, from: date, to: date, granularity: 'day' });
        const inLockers = report.rows[0]?.lockerDeliveries.total ?? 0;
        if (inLockers === 0) continue;
        const deliveredTotal = Math.round(inLockers / shareOf(regionCode));
        await submitVolumeReport(ctx, carrierId, { regionCode, date, deliveredTotal, deliveredWithin24h: Math.round(deliveredTotal * 0.83), deliveredWithin72h: Math.round(deliveredTotal * 0.95) });
      }
    } catch {
      // A demo nicety: a failed round is simply tried again at the next tick.
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void tick(), everyMs);
  return () => clearInterval(timer);
}
