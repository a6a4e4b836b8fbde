import { afterAll, expect, it } from 'vitest';
import { startTestGateway, until, type TestGateway } from '../helpers/gateway.js';
import { generate } from 'mqtt-packet';
import { fillVarintCache, gcExposed, settledMemory } from './memory.js';
import { runFuzz, type FuzzStats } from './mqtt-fuzzer.js';
import { fuzzDevices, WellBehaved } from './well-behaved.js';

/**
 * CI mode of the MQTT fuzzer (the 10-minute mode: `npm run fuzz:mqtt -- --minutes 10`).
 * Seeded: LOCKERGATE_FUZZ_SEED replays a run. A warm-up round runs first so that the memory
 * baseline is taken with JIT code, pools and SQLite's page cache already in place; what grows
 * after it, across 100,000 more cases, is what the cases left behind.
 */
const SEED = Number(process.env['LOCKERGATE_FUZZ_SEED'] ?? 20_261_128);
const LANES = 24;
const CASES = 100_000;
/**
 * Bounds on growth over the 100,000 cases, after full GCs, with every fuzz connection closed.
 * Measured growth is about 1 MB of heap, under 1 MB of buffers and none of RSS (README). A leak
 * of 100 bytes per case would add 10 MB of heap; one retained buffer per connection (~900) of
 * a typical 8 KB read would add 7 MB of external memory. RSS also holds allocator arenas and
 * SQLite's pages, which settle but are not returned to the system, hence its looser bound.
 */
const MAX_HEAP_GROWTH_MB = 10;
const MAX_EXTERNAL_GROWTH_MB = 6;
const MAX_RSS_GROWTH_MB = 64;

let gw: TestGateway | undefined;
afterAll(async () => gw?.stop());

const summary = (s: FuzzStats) => [...s.byLabel.entries()].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k}=${n}`).join(' ');

it(`survives ${CASES} malformed and mutated MQTT cases with memory flat and a controller served throughout`, async () => {
  gw = await startTestGateway({ env: { LOCKERGATE_LOG_LEVEL: 'error', LOCKERGATE_MQTT_CONNECT_TIMEOUT_S: '1' } });
  const devices = await fuzzDevices(gw, 2 * LANES + 1);
  const wellBehaved = await WellBehaved.start(gw, 1000);
  const target = { port: gw.mqttPort, maxPacketBytes: gw.config.LOCKERGATE_MQTT_MAX_PACKET_BYTES, connectTimeoutMs: 1000, lanes: LANES, devices };
  const idle = () => until(() => gw!.mqtt.aedes.connectedClients, (n) => n === 1, 10_000, 'fuzz connections to close');

  fillVarintCache((n) => generate({ cmd: 'publish', topic: 't', payload: Buffer.alloc(n), qos: 0, retain: false, dup: false }));
  const warmup = await runFuzz({ ...target, seed: SEED, cases: 10_000, deadline: Date.now() + 30_000 });
  await idle();
  const before = await settledMemory();
  const started = Date.now();
  const stats = await runFuzz({ ...target, seed: SEED + 1, cases: CASES, deadline: Date.now() + 90_000 });
  const seconds = (Date.now() - started) / 1000;
  await idle();
  const after = await settledMemory();
  const served = await wellBehaved.stop();
  const health = await fetch(`${gw.httpUrl}/healthz`);

  console.log(
    `mqtt fuzz (seed ${SEED}): ${stats.cases} cases in ${stats.sessions} connections in ${seconds.toFixed(1)} s (${Math.round(stats.cases / seconds)}/s) after a warm-up of ${warmup.cases}; ` +
      `memory before/after (gc ${gcExposed ? 'on' : 'off'}): heap ${before.heapUsedMb}/${after.heapUsedMb} MB, external ${before.externalMb}/${after.externalMb} MB, rss ${before.rssMb}/${after.rssMb} MB; ` +
      `well-behaved controller: ${served.opens} opens, max ${served.maxLatencyMs} ms, ${served.failures.length} failures, ${served.connects} connect(s)\n  ${summary(stats)}`,
  );
  expect([...warmup.violations, ...stats.violations].slice(0, 10)).toEqual([]);
  expect(stats.cases).toBeGreaterThanOrEqual(CASES);
  expect(health.status).toBe(200);
  expect(served).toMatchObject({ failures: [], connects: 1 });
  expect(served.opens).toBeGreaterThanOrEqual(3);
  // No subscription outlives its connection (Aedes keeps a closed client alive through one).
  const matcher = (gw.mqtt.aedes as unknown as { mq: { _matcher: { match(t: string): unknown[] } } }).mq._matcher;
  expect(devices.map((d) => matcher.match(`lg/v1/${d.id}/cmd`).length).filter((n) => n > 0)).toEqual([]);
  expect(gw.logLines.filter((l) => (JSON.parse(l) as { level: number }).level >= 50)).toEqual([]);
  expect(after.heapUsedMb - before.heapUsedMb).toBeLessThan(MAX_HEAP_GROWTH_MB);
  expect(after.externalMb - before.externalMb).toBeLessThan(MAX_EXTERNAL_GROWTH_MB);
  expect(after.rssMb - before.rssMb).toBeLessThan(MAX_RSS_GROWTH_MB);
}, 180_000);
