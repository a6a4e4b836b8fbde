import { FAULT_KINDS, type FaultKind } from './faults.js';

export interface OpStats {
  started: number;
  done: number;
  failed: number;
  /** Why operations failed or were refused (API error codes, deposit reasons, keypad answers). */
  reasons: Record<string, number>;
}

export interface NodeStats {
  pid: number;
  controllers: number;
  online: number;
  connects: number;
  /** Epoch ms at which the last connect completed (hello and snapshot acknowledged); 0 before any. */
  lastConnectAt: number;
  connectFailures: Record<string, number>;
  deposits: OpStats;
  pickups: OpStats;
  retrievals: OpStats;
  codesReceived: number;
  telemetrySent: number;
  pingreq: number;
  pingresp: number;
  inFlight: number;
  /** Unexpected errors (not a refusal the scenario expects), by code. */
  errors: Record<string, number>;
  faults: Record<FaultKind, number>;
  /** process.cpuUsage() of the node's process, microseconds. */
  cpuUserUs: number;
  cpuSystemUs: number;
  rssBytes: number;
}

export const opStats = (): OpStats => ({ started: 0, done: 0, failed: 0, reasons: {} });

export function emptyStats(): NodeStats {
  return {
    pid: process.pid, controllers: 0, online: 0, connects: 0, lastConnectAt: 0, connectFailures: {},
    deposits: opStats(), pickups: opStats(), retrievals: opStats(), codesReceived: 0, telemetrySent: 0,
    pingreq: 0, pingresp: 0, inFlight: 0, errors: {},
    faults: Object.fromEntries(FAULT_KINDS.map((k) => [k, 0])) as Record<FaultKind, number>,
    cpuUserUs: 0, cpuSystemUs: 0, rssBytes: 0,
  };
}

export function bump(counts: Record<string, number>, key: string, by = 1): void {
  counts[key] = (counts[key] ?? 0) + by;
}

function mergeCounts(into: Record<string, number>, from: Record<string, number>): void {
  for (const [k, v] of Object.entries(from)) bump(into, k, v);
}

function mergeOp(into: OpStats, from: OpStats): void {
  into.started += from.started;
  into.done += from.done;
  into.failed += from.failed;
  mergeCounts(into.reasons, from.reasons);
}

/** Sum of the nodes' stats (pid and memory are per node and not summed meaningfully: rss is the total). */
export function mergeStats(all: readonly NodeStats[]): NodeStats {
  const total = emptyStats();
  for (const s of all) {
    total.controllers += s.controllers;
    total.online += s.online;
    total.connects += s.connects;
    total.lastConnectAt = Math.max(total.lastConnectAt, s.lastConnectAt);
    mergeCounts(total.connectFailures, s.connectFailures);
    mergeOp(total.deposits, s.deposits);
    mergeOp(total.pickups, s.pickups);
    mergeOp(total.retrievals, s.retrievals);
    total.codesReceived += s.codesReceived;
    total.telemetrySent += s.telemetrySent;
    total.pingreq += s.pingreq;
    total.pingresp += s.pingresp;
    total.inFlight += s.inFlight;
    mergeCounts(total.errors, s.errors);
    mergeCounts(total.faults, s.faults);
    total.cpuUserUs += s.cpuUserUs;
    total.cpuSystemUs += s.cpuSystemUs;
    total.rssBytes += s.rssBytes;
  }
  return total;
}

export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] ?? null;
}
