import type { SmsReceiver } from '../api/sms-receiver.js';
import type { Unsettled } from './messages.js';
import type { OracleReport } from './oracle.js';
import type { RunOptions } from './options.js';
import { mergeStats, percentile, type NodeStats, type OpStats } from './stats.js';

export interface GatewaySample {
  rssBytesPeak: number | null;
  rssBytesEnd: number | null;
  cpuSecondsStart: number | null;
  cpuSecondsEnd: number | null;
}

/** The final JSON summary of a run (stdout, or --summary FILE). */
export interface Summary {
  verdict: 'ok' | 'unexplained_mismatches' | 'not_settled' | 'error';
  scenario: string;
  seed: number;
  speed: number;
  durationS: number;
  fleet: { lockers: number; processes: number; sourceIps: string[]; engine: string };
  controllers: {
    online: number;
    /** From the start signal until every controller was online (hello + snapshot acknowledged). */
    allOnlineAfterS: number | null;
    /** Per controller: from the start signal to its hello + snapshot acknowledged (queueing included). */
    connectMs: { p50: number | null; p95: number | null; max: number | null };
    connects: number;
    connectFailures: Record<string, number>;
  };
  operations: {
    deposits: OpStats; pickups: OpStats; retrievals: OpStats; pickupCodesReceived: number;
    /** From a courier's POST /v1/deposits to the compartment's door opening. */
    depositOpenMs: { p50: number | null; p99: number | null; count: number };
  };
  heartbeats: { pingreq: number; pingresp: number; telemetry: number };
  faults: Record<string, number>;
  errors: Record<string, number>;
  sms: SmsReceiver['counts'] | null;
  simulator: {
    /** CPU of every simulator process over the run, % of one core; the sum is the simulator's load. */
    processes: Array<{ pid: number; cpuPct: number; rssMB: number }>;
    cpuPctTotal: number;
  };
  gateway: { rssMBPeak: number | null; rssMBEnd: number | null; cpuPct: number | null };
  oracle: (Omit<OracleReport, 'mismatches'> & { mismatches: OracleReport['mismatches']; truncated: boolean }) | null;
  /** False when operations or reconnects were still running when the oracle looked. */
  settled: boolean;
  unsettled?: Unsettled;
  fatal?: string;
}

const MB = 1024 * 1024;

export function buildSummary(input: {
  options: RunOptions;
  workers: number;
  sourceIps: string[];
  startedAt: number;
  startAt: number;
  allOnlineAt: number | null;
  nodes: Array<{ stats: NodeStats; connectLatencyMs: number[]; depositOpenMs?: Array<[number, number]> }>;
  oracle: OracleReport | null;
  settled: boolean;
  unsettled: Unsettled | null;
  gateway: GatewaySample;
  sms: SmsReceiver['counts'] | null;
  fatal: string | null;
}): Summary {
  const wallS = (Date.now() - input.startedAt) / 1000;
  const total = mergeStats(input.nodes.map((n) => n.stats));
  const latencies = input.nodes.flatMap((n) => n.connectLatencyMs).sort((a, b) => a - b);
  const openMs = input.nodes.flatMap((n) => (n.depositOpenMs ?? []).map(([, ms]) => ms)).sort((a, b) => a - b);
  const processes = input.nodes.map((n) => ({
    pid: n.stats.pid,
    cpuPct: round(((n.stats.cpuUserUs + n.stats.cpuSystemUs) / 1e6 / wallS) * 100),
    rssMB: round(n.stats.rssBytes / MB),
  }));
  const g = input.gateway;
  const gatewayCpu = g.cpuSecondsStart !== null && g.cpuSecondsEnd !== null ? round(((g.cpuSecondsEnd - g.cpuSecondsStart) / wallS) * 100) : null;
  const oracle = input.oracle;
  const verdict: Summary['verdict'] = input.fatal ? 'error' : oracle && oracle.unexplained > 0 ? 'unexplained_mismatches' : !input.settled ? 'not_settled' : 'ok';
  return {
    verdict,
    scenario: input.options.scenario,
    seed: input.options.seed,
    speed: input.options.speed,
    durationS: round(wallS),
    fleet: { lockers: total.controllers, processes: input.workers, sourceIps: input.sourceIps, engine: input.options.engine },
    controllers: {
      online: total.online,
      allOnlineAfterS: latencies.length === total.controllers && total.controllers > 0
        ? round((latencies.at(-1) ?? 0) / 1000)
        : input.allOnlineAt === null ? null : round((input.allOnlineAt - input.startAt) / 1000),
      connectMs: { p50: percentile(latencies, 50), p95: percentile(latencies, 95), max: latencies.at(-1) ?? null },
      connects: total.connects,
      connectFailures: total.connectFailures,
    },
    operations: {
      deposits: total.deposits, pickups: total.pickups, retrievals: total.retrievals, pickupCodesReceived: total.codesReceived,
      depositOpenMs: { p50: percentile(openMs, 50), p99: percentile(openMs, 99), count: openMs.length },
    },
    heartbeats: { pingreq: total.pingreq, pingresp: total.pingresp, telemetry: total.telemetrySent },
    faults: Object.fromEntries(Object.entries(total.faults).filter(([, n]) => n > 0)),
    errors: total.errors,
    sms: input.sms,
    simulator: { processes, cpuPctTotal: round(processes.reduce((s, p) => s + p.cpuPct, 0)) },
    gateway: { rssMBPeak: g.rssBytesPeak === null ? null : round(g.rssBytesPeak / MB), rssMBEnd: g.rssBytesEnd === null ? null : round(g.rssBytesEnd / MB), cpuPct: gatewayCpu },
    oracle: oracle ? { ...oracle, mismatches: oracle.mismatches.slice(0, 200), truncated: oracle.mismatches.length > 200 } : null,
    settled: input.settled,
    ...(input.unsettled ? { unsettled: input.unsettled } : {}),
    ...(input.fatal ? { fatal: input.fatal } : {}),
  };
}

const round = (n: number): number => Math.round(n * 10) / 10;
