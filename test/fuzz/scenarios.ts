import { generate, type Packet } from 'mqtt-packet';
import { deviceTopic } from '../../protocol/topics.js';
import { INBOUND_QOS2_WINDOW } from '../../src/adapters/mqtt/broker.js';
import { connectBytes, type FuzzDevice } from './connect-cases.js';
import { FuzzConnection } from './fuzz-connection.js';
import type { FuzzStats } from './mqtt-fuzzer.js';
import type { Prng } from './prng.js';

/** Sessions of the fuzzer that are one scenario each (not a stream of cases): see mqtt-fuzzer.ts. */
export const REPLY_TIMEOUT_MS = 10_000;
export const CLOSE_TIMEOUT_MS = 5_000;

export type Fail = (label: string, problem: string) => void;

export interface Lane {
  index: number;
  device: FuzzDevice;
  persistent: FuzzDevice;
  other: FuzzDevice;
  localAddress: string;
}

export function describe(r: Packet | string): string {
  return typeof r === 'string' ? r : r.cmd === 'connack' ? `CONNACK ${r.returnCode}` : r.cmd;
}

/** CONNECT as the device; null when accepted, else what went wrong. */
export async function connected(conn: FuzzConnection, device: FuzzDevice, clean = true): Promise<string | null> {
  await conn.write(connectBytes(device, { clean }));
  const r = await conn.waitFor((p) => p.cmd === 'connack', REPLY_TIMEOUT_MS);
  return typeof r !== 'string' && r.cmd === 'connack' && r.returnCode === 0 ? null : `device CONNECT not accepted: ${describe(r)}`;
}

export type ScenarioKind = 'garbage_after_connect' | 'persistent_session' | 'slow_complete' | 'slow_stall' | 'idle';

/** Scenarios around CONNECT: garbage behind it, a persistent session, slowloris, silence. */
export async function connectScenario(kind: ScenarioKind, conn: FuzzConnection, rng: Prng, lane: Lane, connectTimeoutMs: number, stats: FuzzStats, fail: Fail): Promise<void> {
  stats.count(kind);
  switch (kind) {
    case 'garbage_after_connect': {
      await conn.write(Buffer.concat([connectBytes(lane.device), rng.bytes(1 + rng.int(1024))]));
      const r = await conn.waitFor((p) => p.cmd === 'connack', REPLY_TIMEOUT_MS);
      if (r === 'timeout') fail(kind, 'no CONNACK and no close');
      return;
    }
    case 'persistent_session': {
      // A persistent session would keep unreleased QoS 2 messages across reconnects: refused.
      await conn.write(connectBytes(lane.persistent, { clean: false }));
      const r = await conn.waitFor((p) => p.cmd === 'connack', REPLY_TIMEOUT_MS);
      if (typeof r === 'string' || r.cmd !== 'connack' || r.returnCode !== 5) fail(kind, `expected CONNACK 5, got ${describe(r)}`);
      return;
    }
    case 'slow_complete':
    case 'slow_stall': {
      const bytes = connectBytes(lane.device);
      const upTo = kind === 'slow_complete' ? bytes.length : 1 + rng.int(bytes.length - 1);
      for (let i = 0; i < upTo && !conn.isClosed; i++) {
        await conn.write(bytes.subarray(i, i + 1));
        await new Promise((r) => setTimeout(r, rng.int(4))); // the slowness is the input here
      }
      const r = await conn.waitFor((p) => p.cmd === 'connack', connectTimeoutMs + REPLY_TIMEOUT_MS);
      // On a loaded event loop the trickle can outlast the connect timeout (counted from the
      // accept, just before our 'connect' event): then a close is right.
      const late = Date.now() - conn.openedAt >= connectTimeoutMs - 50;
      if (kind === 'slow_complete' && !(r === 'closed' && late) && (typeof r === 'string' || r.cmd !== 'connack' || r.returnCode !== 0)) fail(kind, `expected CONNACK 0, got ${describe(r)}`);
      if (kind === 'slow_stall' && r !== 'closed') fail(kind, `an unfinished CONNECT must be closed by the connect timeout, got ${describe(r)}`);
      return;
    }
    case 'idle':
      if (!(await conn.waitClosed(connectTimeoutMs + REPLY_TIMEOUT_MS))) fail(kind, 'a silent connection was not closed by the connect timeout');
  }
}

/** Two connections with one client id: the second (authenticated) one takes over, the first is closed. */
export async function takeover(first: FuzzConnection, lane: Lane, port: number, stats: FuzzStats, fail: Fail): Promise<void> {
  stats.count('takeover', 2);
  const problem = await connected(first, lane.device);
  if (problem) return fail('takeover_first', problem);
  const second = await FuzzConnection.open(port, lane.localAddress);
  try {
    const again = await connected(second, lane.device);
    if (again) return fail('takeover_second', again);
    if (!(await first.waitClosed(CLOSE_TIMEOUT_MS))) fail('takeover', 'the older connection was not closed');
    await second.write(generate({ cmd: 'pingreq' }));
    if (typeof (await second.waitFor((p) => p.cmd === 'pingresp', REPLY_TIMEOUT_MS)) === 'string') fail('takeover', 'the new connection does not answer');
  } finally {
    second.destroy();
  }
}

/**
 * QoS 2 publishes with PUBREL withheld. The broker answers PUBREC for each and holds at most
 * its inbound window (INBOUND_QOS2_WINDOW); one more closes the connection.
 */
export async function qos2Flood(conn: FuzzConnection, device: FuzzDevice, stats: FuzzStats, fail: Fail, count: number, firstId: number, payloadBytes: number): Promise<void> {
  const label = 'qos2_flood';
  const problem = await connected(conn, device);
  if (problem) return fail(label, problem);
  const topic = deviceTopic(device.id, 'telemetry');
  const payload = Buffer.alloc(payloadBytes, 0x20);
  const packets = Array.from({ length: count }, (_, i) => generate({ cmd: 'publish', topic, payload, qos: 2, retain: false, dup: false, messageId: ((firstId + i - 1) % 65_535) + 1 }));
  await conn.write(Buffer.concat(packets));
  stats.count(label, count);
  let recs = 0;
  while (recs < Math.min(count, INBOUND_QOS2_WINDOW) && typeof (await conn.waitFor((p) => p.cmd === 'pubrec', REPLY_TIMEOUT_MS)) !== 'string') recs++;
  // Past the window the connection closes, possibly before the PUBRECs of the first ones went out.
  if (count <= INBOUND_QOS2_WINDOW && recs < count) fail(label, `${recs} PUBRECs for ${count} QoS 2 publishes`);
  if (count > INBOUND_QOS2_WINDOW && !(await conn.waitClosed(CLOSE_TIMEOUT_MS))) fail(label, `still open after ${count} QoS 2 publishes without PUBREL`);
  if (count <= INBOUND_QOS2_WINDOW && conn.isClosed) fail(label, `closed after ${count} QoS 2 publishes, within the window`);
}
