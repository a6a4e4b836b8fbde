/**
 * `npm run bench` — every workload in its own processes (gateway, load generator, Mosquitto),
 * each figure the median of ≥3 runs with min–max, printed as a markdown table and written with
 * raw JSON to bench/results/. `--quick` shrinks the workloads to finish in about two minutes.
 */
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { runAedesBaseline, runCapacity, type CapacityRun } from './capacity.js';
import { runCycle, type CycleRun } from './cycle.js';
import { diskSyncLatency } from './lib/disk.js';
import { machine, markdown, row, save, type Row } from './lib/report.js';
import { runLockergate, runMosquitto, type RttResult } from './broker-rtt/run.js';

const quick = process.argv.includes('--quick');
const mode = quick ? 'quick' : 'full';
const RUNS = 3;

function hasMosquitto(): boolean {
  try {
    execFileSync('sh', ['-c', 'command -v mosquitto && command -v mosquitto_passwd'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

async function brokerRtt(): Promise<Row[]> {
  const devices = quick ? 200 : 1000;
  const durationMs = quick ? 2000 : 15_000;
  const inflight = 200;
  const lg: RttResult[] = [];
  const mq: RttResult[] = [];
  const withMosquitto = hasMosquitto();
  for (let i = 0; i < RUNS; i++) {
    lg.push(await runLockergate(devices, durationMs, inflight));
    if (withMosquitto) mq.push(await runMosquitto(devices, durationMs, inflight));
    process.stderr.write(`  broker-rtt run ${i + 1}/${RUNS} done\n`);
  }
  const w = `command round trip (QoS 1, ${devices} devices, ${inflight} in flight)`;
  const rows: Row[] = [
    row(w, 'lockergate: round trips/s', '1/s', lg.map((r) => r.rate)),
    row(w, 'lockergate: p50', 'ms', lg.map((r) => r.p50)),
    row(w, 'lockergate: p99', 'ms', lg.map((r) => r.p99)),
    row(w, 'lockergate: gateway CPU per round trip', 'ms', lg.map((r) => (r.brokerCpuMs ?? 0) / Math.max(1, r.done))),
    row(w, 'lockergate: lost', 'msgs', lg.map((r) => r.lost), { text: '0', ok: (m) => m === 0 }),
  ];
  if (withMosquitto) {
    rows.push(
      row(w, 'mosquitto 2: round trips/s', '1/s', mq.map((r) => r.rate)),
      row(w, 'mosquitto 2: p50', 'ms', mq.map((r) => r.p50)),
      row(w, 'mosquitto 2: p99', 'ms', mq.map((r) => r.p99)),
      row(w, 'mosquitto 2: broker CPU per round trip', 'ms', mq.map((r) => (r.brokerCpuMs ?? 0) / Math.max(1, r.done))),
      row(w, 'mosquitto 2: lost', 'msgs', mq.map((r) => r.lost), { text: '0', ok: (m) => m === 0 }),
      row(w, 'ratio lockergate / mosquitto (round trips/s)', '×', lg.map((r, i) => r.rate / mq[i]!.rate), { text: '≥ 1.0', ok: (m) => m >= 1 }, 'lockergate commits each command and ack with fsync; Mosquitto stores nothing'),
    );
  } else {
    process.stderr.write('  mosquitto not found: apt-get install -y mosquitto to compare\n');
  }
  rows.push(row(w, 'load generator CPU per round trip', 'ms', lg.map((r) => r.loadGenCpuMs / Math.max(1, r.done))));
  return rows;
}

const KB = 1024;
/** Full mode: memory read after this long idle following a GC (bench/lib/settle.ts); quick mode does not wait. */
const SETTLE_S = 30;
const raw: Record<string, unknown> = {};
const log = (line: string): void => void process.stderr.write(`  ${line}\n`);

async function capacity(n: number): Promise<Row[]> {
  const runs: CapacityRun[] = [];
  for (let i = 0; i < RUNS; i++) {
    runs.push(await runCapacity(n, quick ? 2 : 10, quick ? 0 : SETTLE_S));
    const r = runs.at(-1)!;
    log(`capacity ${n} run ${i + 1}/${RUNS}: ${r.rssPerConnection === null ? 'not settled' : `${(r.rssPerConnection / KB).toFixed(1)} KB/conn settled`} (${(r.rssPerConnectionAtOnce / KB).toFixed(1)} at once), all online ${runs.at(-1)!.connectAllS} s, storm back ${runs.at(-1)!.stormBackS} s`);
  }
  raw[`capacity-${n}`] = runs;
  // Full mode, 10,000 only: plain Aedes under the same controllers, read the same way (the issue's comparison).
  const baseline: Array<{ rssPerConnection: number; heapPerConnection: number }> = [];
  if (!quick && n === 10_000) {
    for (let i = 0; i < RUNS; i++) {
      baseline.push(await runAedesBaseline(n, SETTLE_S));
      log(`plain Aedes ${n} run ${i + 1}/${RUNS}: ${(baseline.at(-1)!.rssPerConnection / KB).toFixed(1)} KB/conn settled`);
    }
    raw[`aedes-baseline-${n}`] = baseline;
  }
  const w = `connection capacity (${n.toLocaleString('en-US')} idle controllers, keepalive 60 s)`;
  const nan = (x: number | null): number => x ?? Number.NaN;
  return [
    ...(quick
      ? []
      : [row(w, 'gateway RSS per connection, settled (after − before connect, / N)', 'KB', runs.map((r) => (r.rssPerConnection ?? Number.NaN) / KB), { text: '≤ 10', ok: (v) => v <= 10 }, `each read ${SETTLE_S} s after a full GC, the gateway idle; "before" on a gateway restarted on the provisioned store`)]),
    row(w, `gateway RSS per connection, read 1 s after the last connect (GC, not settled)`, 'KB', runs.map((r) => r.rssPerConnectionAtOnce / KB), undefined, 'counts memory just freed and not yet given back, and the young generation the connect burst grew'),
    row(w, 'of which JS heap per connection', 'KB', runs.map((r) => r.heapPerConnection / KB)),
    ...(baseline.length > 0
      ? [
          row(w, 'plain Aedes, same controllers: RSS per connection, settled', 'KB', baseline.map((b) => b.rssPerConnection / KB), undefined, 'Aedes defaults, no hooks: it also keeps every retained hello and snapshot'),
          row(w, 'plain Aedes: of which JS heap per connection', 'KB', baseline.map((b) => b.heapPerConnection / KB)),
        ]
      : []),
    row(w, 'V8 heap reserved per connection (heapTotal after − before, / N)', 'KB', runs.map((r) => r.heapTotalPerConnection / KB)),
    row(w, 'gateway RSS with all connected', 'MB', runs.map((r) => r.rssAfter / KB / KB)),
    row(w, 'time to connect all (hello + snapshot acknowledged)', 's', runs.map((r) => r.connectAllS)),
    row(w, 'gateway CPU while idle', '% of a core', runs.map((r) => r.idleCpuPct)),
    row(w, 'reconnect storm (all drop): all connected again', 's', runs.map((r) => nan(r.stormBackS)), undefined, 'includes the firmware backoff of 0.5–3 s'),
    row(w, 'reconnect storm: … and ping round trips to 100 of them done', 's', runs.map((r) => nan(r.stormCommandsS))),
  ];
}

async function cycles(): Promise<Row[]> {
  const lockers = quick ? 200 : 400;
  const offered = quick ? 1500 : 3000;
  // Full mode: 3 sessions (fresh gateway each), one window each; quick: 3 windows of one session.
  const sessions = quick ? 1 : RUNS;
  const windows = quick ? RUNS : 1;
  const timing = { warmupS: quick ? 2 : 8, windowS: quick ? 3 : 15, windows };
  const sat: CycleRun[] = [];
  for (let i = 0; i < sessions; i++) {
    sat.push(...(await runCycle({ lockers, rate: offered, ...timing })));
    log(`cycle saturation session ${i + 1}/${sessions}: ${sat.slice(-windows).map((r) => `${r.cyclesPerS.toFixed(0)} cycles/s, ${r.cpuMsPerCycle.toFixed(2)} ms CPU/cycle`).join('; ')}; errors ${(sat.at(-1)!.errorRate * 100).toFixed(2)} %, oracle ${sat.at(-1)!.oracle.verdict}`);
  }
  const satMedian = [...sat.map((r) => r.cyclesPerS)].sort((a, b) => a - b)[Math.floor(sat.length / 2)]!;
  const halfRate = Math.max(1, Math.round(satMedian / 2));
  const half: CycleRun[] = [];
  for (let i = 0; i < sessions; i++) {
    half.push(...(await runCycle({ lockers, rate: halfRate, ...timing })));
    log(`cycle half saturation (${halfRate}/s) session ${i + 1}/${sessions}: ${half.slice(-windows).map((r) => `p50 ${r.openP50} ms, p99 ${r.openP99} ms`).join('; ')}`);
  }
  raw['cycle-saturation'] = sat;
  raw['cycle-half'] = half;
  const w = `full parcel cycle (${lockers} lockers × 20 compartments, keypad pickups${quick ? '; quick: 3 windows of one session' : ''})`;
  const okRuns = (rs: CycleRun[]): number[] => rs.map((r) => (r.errorRate <= 0.01 && r.oracle.verdict === 'ok' ? 1 : 0));
  return [
    row(w, `cycles/s at saturation (offered ${offered} deposits/s)`, '1/s', sat.map((r) => r.cyclesPerS), { text: '≥ 2,000', ok: (v) => v >= 2000 }),
    row(w, 'gateway CPU per cycle (at saturation)', 'ms', sat.map((r) => r.cpuMsPerCycle), { text: '≤ 0.5', ok: (v) => v <= 0.5 }),
    row(w, 'gateway CPU at saturation', '% of a core', sat.map((r) => r.gatewayCpuPct)),
    row(w, 'errors at saturation (failed deposits + pickups / started)', '%', sat.map((r) => r.errorRate * 100), { text: '≤ 1', ok: (v) => v <= 1 }),
    row(w, 'runs with ≤ 1 % errors and a clean oracle (saturation)', 'of 1', okRuns(sat), { text: '1', ok: (v) => v === 1 }),
    row(w, `open latency p50 at half saturation (${halfRate} deposits/s)`, 'ms', half.map((r) => r.openP50), undefined, 'courier POST /v1/deposits → door open at the controller'),
    row(w, `open latency p99 at half saturation (${halfRate} deposits/s)`, 'ms', half.map((r) => r.openP99), { text: '≤ 20', ok: (v) => v <= 20 }),
    row(w, 'of which in the gateway: POST /v1/deposits received → answered, p99 at half saturation', 'ms', half.map((r) => r.depositServedP99), undefined, "from the gateway's own histograms, as the next three rows"),
    row(w, 'any state change requested → durable, p99 at half saturation (queue + commit batch + WAL fsync)', 'ms', half.map((r) => r.store.ackWaitP99)),
    row(w, 'WAL fsync p99 at half saturation', 'ms', half.map((r) => r.store.fsyncP99)),
    row(w, 'one commit batch holding the event loop, p99 at half saturation', 'ms', half.map((r) => r.store.batchHoldP99)),
    row(w, 'gateway CPU per cycle (at half saturation)', 'ms', half.map((r) => r.cpuMsPerCycle)),
    row(w, 'runs with ≤ 1 % errors and a clean oracle (half saturation)', 'of 1', okRuns(half), { text: '1', ok: (v) => v === 1 }),
  ];
}

/** The disk's own fdatasync latency, idle (context for the WAL fsync figures of the cycle). */
function disk(): Row[] {
  const runs = Array.from({ length: RUNS }, () => diskSyncLatency());
  raw['disk'] = runs;
  log(`disk: ${runs.map((r) => `p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms`).join('; ')}`);
  const w = 'disk under the data dir, idle (64 KB write + fdatasync, 500 times)';
  return [row(w, 'p50', 'ms', runs.map((r) => r.p50)), row(w, 'p99', 'ms', runs.map((r) => r.p99))];
}

function reports(): Row[] {
  const out = execFileSync(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./reports.ts', import.meta.url)), '--json'], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  const line = out.split('\n').find((l) => l.startsWith('BENCH_JSON '));
  if (!line) throw new Error(`reports bench printed no BENCH_JSON line:\n${out}`);
  const r = JSON.parse(line.slice('BENCH_JSON '.length)) as { parcels: number; fillS: number; rounds: Array<{ p50: number; p99: number }> };
  raw['share-report'] = r;
  log(`share report: fill ${r.fillS.toFixed(1)} s, ${JSON.stringify(r.rounds)}`);
  const w = `share report (synthetic year, ${(r.parcels / 1e6).toFixed(1)} M parcels, province by day)`;
  return [
    row(w, 'p50 (rounds of 200)', 'ms', r.rounds.map((x) => x.p50)),
    row(w, 'p99 (rounds of 200)', 'ms', r.rounds.map((x) => x.p99), { text: '≤ 50', ok: (v) => v <= 50 }),
  ];
}

const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length).split(',');
const want = (w: string): boolean => !only || only.includes(w);
const rows: Row[] = [];
const t0 = Date.now();
const loadStart = os.loadavg().map((x) => x.toFixed(2)).join(' ');
process.stderr.write(`lockergate bench (${mode})\n`);
if (want('rtt')) rows.push(...(await brokerRtt()));
if (want('capacity')) for (const n of quick ? [2000] : [10_000, 19_000]) rows.push(...(await capacity(n)));
if (want('cycle')) rows.push(...disk(), ...(await cycles()));
if (want('reports')) rows.push(...reports());
const m = { ...machine(), loadavgStart: loadStart, loadavg: os.loadavg().map((x) => x.toFixed(2)).join(' '), wallS: Math.round((Date.now() - t0) / 1000) };
process.stdout.write(markdown(rows, m, mode));
const base = save(new URL('./results', import.meta.url).pathname, rows, m, mode, raw);
process.stderr.write(`written: ${base}.md and .json\n`);
