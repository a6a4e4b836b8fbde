/**
 * Long mode of the MQTT fuzzer (not in CI):
 *
 *   npm run fuzz:mqtt -- --minutes 10 [--seed N] [--lanes 24]
 *
 * The same fuzzer as test/fuzz/mqtt-fuzz.test.ts against an in-process gateway, in one-minute
 * rounds with a memory sample (after GC, fuzz connections closed) between rounds. Exits 1 on any
 * oracle violation, a failed maintenance open of the well-behaved controller, or memory growth
 * past the bounds below from the first round's sample.
 */
import { parseArgs } from 'node:util';
import { generate } from 'mqtt-packet';
import { startTestGateway, until } from '../helpers/gateway.js';
import { fillVarintCache, gcExposed, settledMemory } from './memory.js';
import { runFuzz, type Violation } from './mqtt-fuzzer.js';
import { fuzzDevices, WellBehaved } from './well-behaved.js';

const { values } = parseArgs({ options: { minutes: { type: 'string', default: '10' }, seed: { type: 'string' }, lanes: { type: 'string', default: '24' } } });
const minutes = Number(values.minutes);
const seed = Number(values.seed ?? Date.now() % 1_000_000_007);
const lanes = Number(values.lanes);
if (!(minutes > 0) || !(lanes > 0) || !Number.isFinite(seed)) throw new Error('usage: npm run fuzz:mqtt -- --minutes 10 [--seed N] [--lanes 24]');
const MAX_HEAP_GROWTH_MB = 24;
const MAX_EXTERNAL_GROWTH_MB = 12;

const gw = await startTestGateway({ env: { LOCKERGATE_LOG_LEVEL: 'error', LOCKERGATE_MQTT_CONNECT_TIMEOUT_S: '1' } });
const devices = await fuzzDevices(gw, 2 * lanes + 1);
const wellBehaved = await WellBehaved.start(gw, 3000);
const target = { port: gw.mqttPort, maxPacketBytes: gw.config.LOCKERGATE_MQTT_MAX_PACKET_BYTES, connectTimeoutMs: 1000, lanes, devices };
fillVarintCache((n) => generate({ cmd: 'publish', topic: 't', payload: Buffer.alloc(n), qos: 0, retain: false, dup: false }));
console.log(`mqtt fuzz long mode: ${minutes} min, seed ${seed}, ${lanes} lanes, gc ${gcExposed ? 'on' : 'off'}`);

const end = Date.now() + minutes * 60_000;
const violations: Violation[] = [];
let cases = 0;
let baseline: Awaited<ReturnType<typeof settledMemory>> | undefined;
let worst = { heap: 0, external: 0 };
for (let round = 0; Date.now() < end; round++) {
  const started = Date.now();
  const stats = await runFuzz({ ...target, seed: seed + round, cases: Number.MAX_SAFE_INTEGER, deadline: Math.min(end, started + 60_000) });
  await until(() => gw.mqtt.aedes.connectedClients, (n) => n === 1, 15_000, 'fuzz connections to close');
  const mem = await settledMemory();
  baseline ??= mem;
  worst = { heap: Math.max(worst.heap, mem.heapUsedMb - baseline.heapUsedMb), external: Math.max(worst.external, mem.externalMb - baseline.externalMb) };
  cases += stats.cases;
  violations.push(...stats.violations);
  const rate = Math.round(stats.cases / ((Date.now() - started) / 1000));
  console.log(`round ${round + 1}: ${stats.cases} cases (${rate}/s), ${cases} total, ${violations.length} violations; heap ${mem.heapUsedMb} MB, external ${mem.externalMb} MB, rss ${mem.rssMb} MB`);
}
const served = await wellBehaved.stop();
const health = await fetch(`${gw.httpUrl}/healthz`);
await gw.stop();

console.log(`well-behaved controller: ${served.opens} opens, max ${served.maxLatencyMs} ms, ${served.failures.length} failures, ${served.connects} connect(s); /healthz ${health.status}`);
console.log(`memory growth from round 1: heap ${worst.heap.toFixed(1)} MB (bound ${MAX_HEAP_GROWTH_MB}), external ${worst.external.toFixed(1)} MB (bound ${MAX_EXTERNAL_GROWTH_MB})`);
for (const v of violations.slice(0, 20)) console.log(`violation: lane ${v.lane} seed ${v.seed} ${v.session}/${v.label}: ${v.problem}`);
const ok = violations.length === 0 && served.failures.length === 0 && served.connects === 1 && health.status === 200 && worst.heap < MAX_HEAP_GROWTH_MB && worst.external < MAX_EXTERNAL_GROWTH_MB;
console.log(ok ? `PASS: ${cases} cases` : 'FAIL');
process.exit(ok ? 0 : 1);
