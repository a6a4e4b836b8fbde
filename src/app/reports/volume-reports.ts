import { shanghaiDay } from '../../domain/calendar.js';
import { isLockergateError, LockergateError } from '../../domain/errors.js';
import { volumeProblems, type VolumeInput, type VolumeReport } from '../../domain/volume.js';
import type { AppContext } from '../context.js';
import type { Tx } from '../ports.js';
import type { VolumeFigures } from './ports.js';
import { regionChain } from './regions.js';

export interface VolumeOutcome {
  report: VolumeReport;
  created: boolean;
  /** The carrier's own locker deliveries in that region and day when the report arrived. */
  lockerDeliveries: number;
}

function figuresOf(r: VolumeReport): VolumeFigures {
  return {
    total: r.deliveredTotal,
    within24h: r.deliveredWithin24h ?? 0,
    within24hBase: r.deliveredWithin24h === null ? 0 : r.deliveredTotal,
    within72h: r.deliveredWithin72h ?? 0,
    within72hBase: r.deliveredWithin72h === null ? 0 : r.deliveredTotal,
  };
}

/**
 * Re-counts the carrier's deliveries for the report's region and up the tree. A region counts its
 * own report if the carrier sent one (a city report covers its districts), else the sum of its
 * children; so the walk up stops at the first ancestor with a report of its own.
 */
function propagate(tx: Tx, r: VolumeReport): void {
  const chain = regionChain(tx, r.regionCode);
  for (let i = 0; i < chain.length; i++) {
    const code = chain[i]!;
    if (i > 0 && tx.volumes.get(r.carrierId, code, r.date)) break;
    const figures = i === 0 ? figuresOf(r) : tx.volumes.childRollupSum(code, r.date, r.carrierId);
    tx.volumes.setRollup(code, chain[i + 1] ?? null, r.date, r.carrierId, figures);
  }
}

/** Idempotent upsert per (carrier, region, day), checked against the carrier's own locker deposits. */
export function upsertVolumeReportInTx(tx: Tx, carrierId: string, input: VolumeInput, now: number): VolumeOutcome {
  if (!tx.regions.get(input.regionCode)) throw new LockergateError('REGION_NOT_FOUND', `No region "${input.regionCode}".`);
  const problems = volumeProblems(input, shanghaiDay(now));
  if (problems.length > 0) throw new LockergateError('VOLUME_REPORT_INVALID', problems.join('; '), { problems });
  const lockerDeliveries = tx.rollups.carrierDeliveries(carrierId, input.regionCode, input.date);
  const before = tx.volumes.get(carrierId, input.regionCode, input.date);
  const report: VolumeReport = {
    carrierId,
    regionCode: input.regionCode,
    date: input.date,
    deliveredTotal: input.deliveredTotal,
    deliveredWithin24h: input.deliveredWithin24h ?? null,
    deliveredWithin72h: input.deliveredWithin72h ?? null,
    inconsistent: input.deliveredTotal < lockerDeliveries,
    createdAt: before?.createdAt ?? now,
    updatedAt: now,
  };
  tx.volumes.upsert(report);
  propagate(tx, report);
  return { report, created: !before, lockerDeliveries };
}

export async function submitVolumeReport(ctx: AppContext, carrierId: string, input: VolumeInput): Promise<VolumeOutcome> {
  const now = ctx.clock.now();
  return ctx.store.transact((tx) => upsertVolumeReportInTx(tx, carrierId, input, now));
}

export interface ImportRow {
  /** Line in the source file, for error messages. */
  line: number;
  input: VolumeInput;
}

export interface ImportResult {
  imported: number;
  inconsistent: number;
  errors: Array<{ line: number; message: string }>;
}

/** One transaction for a batch of rows; a rejected row is reported by line and the others go in. */
export async function importVolumeBatch(ctx: AppContext, carrierId: string, rows: readonly ImportRow[]): Promise<ImportResult> {
  const now = ctx.clock.now();
  return ctx.store.transact((tx) => {
    if (!tx.carriers.get(carrierId)) throw new LockergateError('CARRIER_NOT_FOUND', `No carrier "${carrierId}".`);
    const result: ImportResult = { imported: 0, inconsistent: 0, errors: [] };
    for (const row of rows) {
      try {
        // Rules are checked before anything is written, so a rejected row leaves nothing behind.
        const { report } = upsertVolumeReportInTx(tx, carrierId, row.input, now);
        result.imported++;
        if (report.inconsistent) result.inconsistent++;
      } catch (e) {
        if (!isLockergateError(e)) throw e;
        result.errors.push({ line: row.line, message: `${e.code}: ${e.message}` });
      }
    }
    return result;
  });
}
