import type { Packet } from 'mqtt-packet';
import { connectCase, type FuzzDevice } from './connect-cases.js';
import { FuzzConnection } from './fuzz-connection.js';
import { Prng } from './prng.js';
import { INBOUND_QOS2_WINDOW } from '../../src/adapters/mqtt/broker.js';
import { CLOSE_TIMEOUT_MS, connected, connectScenario, describe, qos2Flood, REPLY_TIMEOUT_MS, takeover, type Fail, type Lane, type ScenarioKind } from './scenarios.js';
import { fatalCase, GRANTED_ANY, releaseCase, sessionCase, type Reply, type SessionState } from './session-cases.js';

/**
 * The MQTT fuzzer: lanes of sequential sessions over real TCP sockets, all lanes in parallel.
 * A session is one connection: a malformed or refused CONNECT, or a device's authenticated
 * session of many in-session cases ending in a fatal one, or one of the slow or flooding
 * scenarios. Every case has an oracle (the exact reply, a close, or "no CONNACK 0"); a case
 * that breaks it is a violation, reported with the session's seed so it can be replayed.
 */
export interface FuzzOptions {
  port: number;
  maxPacketBytes: number;
  connectTimeoutMs: number;
  seed: number;
  lanes: number;
  /**
   * 2 × lanes + 1 devices: one per lane (no accidental takeovers between lanes), one per lane for
   * the persistent-session case (kept apart from the lane's own sessions), and the ACL's "other
   * device", which never connects.
   */
  devices: FuzzDevice[];
  /** Stop once this many cases ran ... */
  cases: number;
  /** ... or at this time (Date.now()), whichever comes first. */
  deadline: number;
  /** Override the mix of session kinds (e.g. only `device` sessions while chasing a finding). */
  weights?: Partial<Record<SessionKind, number>>;
  /** Called after every session (progress lines, the test's warm-up baseline). */
  onSession?: (stats: FuzzStats) => void;
}

export interface Violation {
  lane: number;
  seed: number;
  session: string;
  label: string;
  problem: string;
}

export class FuzzStats {
  cases = 0;
  sessions = 0;
  readonly byLabel = new Map<string, number>();
  readonly violations: Violation[] = [];

  count(label: string, n = 1): void {
    this.cases += n;
    this.byLabel.set(label, (this.byLabel.get(label) ?? 0) + n);
  }
}

export type SessionKind = 'device' | 'connect' | 'takeover' | 'qos2_flood' | ScenarioKind;
const SESSION_WEIGHTS: Record<SessionKind, number> = { device: 50, connect: 35, garbage_after_connect: 3, takeover: 3, qos2_flood: 4, persistent_session: 1, slow_complete: 2, slow_stall: 2, idle: 1 };

export async function runFuzz(opts: FuzzOptions): Promise<FuzzStats> {
  if (opts.devices.length < 2 * opts.lanes + 1) throw new Error(`need ${2 * opts.lanes + 1} devices for ${opts.lanes} lanes`);
  const stats = new FuzzStats();
  const root = new Prng(opts.seed);
  const lanes = Array.from({ length: opts.lanes }, (_, i): Lane => ({
    index: i,
    device: opts.devices[i]!,
    persistent: opts.devices[opts.lanes + i]!,
    other: opts.devices[2 * opts.lanes]!,
    localAddress: `127.0.${1 + Math.floor(i / 200)}.${10 + (i % 200)}`,
  }));
  const weights = opts.weights ? ({ ...Object.fromEntries(Object.keys(SESSION_WEIGHTS).map((k) => [k, 0])), ...opts.weights } as Record<SessionKind, number>) : SESSION_WEIGHTS;
  const more = () => stats.cases < opts.cases && Date.now() < opts.deadline;
  await Promise.all(
    lanes.map(async (lane) => {
      const rng = root.fork();
      while (more()) {
        const seed = rng.next();
        const kind = new Prng(seed).weighted(weights);
        await runSession(kind, new Prng(seed ^ 0x5bd1e995), lane, opts, stats).catch((err: unknown) => {
          stats.violations.push({ lane: lane.index, seed, session: kind, label: 'runner', problem: String(err) });
        });
        stats.sessions++;
        opts.onSession?.(stats);
      }
    }),
  );
  return stats;
}

async function runSession(kind: SessionKind, rng: Prng, lane: Lane, opts: FuzzOptions, stats: FuzzStats): Promise<void> {
  const conn = await FuzzConnection.open(opts.port, lane.localAddress);
  const fail = (label: string, problem: string) => stats.violations.push({ lane: lane.index, seed: rng.seed, session: kind, label, problem });
  try {
    switch (kind) {
      case 'device':
        return await deviceSession(conn, rng, lane, opts, stats, fail);
      case 'connect':
        return await connectSession(conn, rng, lane, opts, stats, fail);
      case 'takeover':
        return await takeover(conn, lane, opts.port, stats, fail);
      case 'qos2_flood':
        return await qos2Flood(conn, lane.device, stats, fail, 1 + rng.int(4 * INBOUND_QOS2_WINDOW), 1 + rng.int(60_000), rng.chance(0.5) ? 64 : 60_000);
      default:
        return await connectScenario(kind, conn, rng, lane, opts.connectTimeoutMs, stats, fail);
    }
  } finally {
    conn.destroy();
  }
}

async function connectSession(conn: FuzzConnection, rng: Prng, lane: Lane, opts: FuzzOptions, stats: FuzzStats, fail: Fail): Promise<void> {
  const c = connectCase(rng, lane.device, opts.maxPacketBytes);
  stats.count(`connect_${c.label}`);
  await conn.write(c.bytes);
  if (c.expect.kind === 'any') return conn.end();
  const r = await conn.waitFor((p) => p.cmd === 'connack', opts.connectTimeoutMs + REPLY_TIMEOUT_MS);
  if (r === 'timeout') return fail(c.label, 'neither a CONNACK nor a close');
  if (c.expect.kind === 'not_accepted' && r !== 'closed' && r.cmd === 'connack' && r.returnCode === 0) return fail(c.label, 'a malformed CONNECT was accepted');
  if (c.expect.kind === 'connack' && (r === 'closed' || r.cmd !== 'connack' || r.returnCode !== c.expect.code)) return fail(c.label, `expected CONNACK ${c.expect.code}, got ${describe(r)}`);
  // A refusal ends the connection [MQTT-3.2.2-5].
  if (r !== 'closed' && !(await conn.waitClosed(CLOSE_TIMEOUT_MS))) fail(c.label, 'still open after a refusing CONNACK');
}

function grantedAsExpected(granted: Array<number | object>, expected: number[]): boolean {
  return granted.length === expected.length && expected.every((e, i) => (e === GRANTED_ANY ? typeof granted[i] === 'number' && granted[i] !== 128 : granted[i] === e));
}

const matches = (reply: NonNullable<Reply>) => (p: Packet) =>
  p.cmd === reply.cmd && (!('messageId' in reply) || ('messageId' in p && p.messageId === reply.messageId));

async function deviceSession(conn: FuzzConnection, rng: Prng, lane: Lane, opts: FuzzOptions, stats: FuzzStats, fail: Fail): Promise<void> {
  const problem = await connected(conn, lane.device);
  stats.count('device_connect');
  if (problem) return fail('device_connect', problem);
  const s: SessionState = { device: lane.device, other: lane.other, bootId: `fz${rng.int(1e9).toString(36)}`, nextId: 0, pendingQos2: [] };
  for (let left = 20 + rng.int(380); left > 0; ) {
    const release = releaseCase(s);
    const batch = [...(release ? [release] : []), ...Array.from({ length: Math.min(left, 1 + rng.int(32)) }, () => sessionCase(rng, s))];
    left -= batch.length;
    await conn.write(Buffer.concat(batch.map((c) => c.bytes)));
    for (const c of batch) {
      stats.count(c.label);
      if (!c.reply) continue;
      const r = await conn.waitFor(matches(c.reply), REPLY_TIMEOUT_MS);
      if (typeof r === 'string') return fail(c.label, `expected ${c.reply.cmd}, connection ${r} (batch: ${batch.map((b) => b.label).join(' ')})`);
      if (c.reply.cmd === 'suback' && r.cmd === 'suback' && !grantedAsExpected(r.granted, c.reply.granted)) {
        fail(c.label, `ACL: SUBACK granted ${JSON.stringify(r.granted)}, expected ${JSON.stringify(c.reply.granted)}`);
      }
    }
    conn.discard((p) => p.cmd === 'publish' || p.cmd === 'pubrec'); // commands (keypad replies) the gateway sends back; PUBRECs of released QoS 2
  }
  if (rng.chance(0.15)) return conn.destroy(); // the link just dies
  const f = fatalCase(rng, s, opts.maxPacketBytes);
  stats.count(`fatal_${f.label}`);
  await conn.write(f.bytes);
  if (f.expect === 'any') return conn.end();
  if (!(await conn.waitClosed(CLOSE_TIMEOUT_MS))) fail(`fatal_${f.label}`, 'the connection stayed open');
}
