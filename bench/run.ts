/**
 * `npm run bench` — every workload in its own processes (gateway, load generator, Mosquitto),
 * each figure the median of ≥3 runs with min–max, printed as a markdown table and written with
 * raw JSON to bench/results/. `--quick` shrinks the workloads to finish in about two minutes.
 */
import { execFileSync } from 'node:child_process';
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
  const durationMs = quick ? 5000 : 15_000;
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

const rows: Row[] = [];
process.stderr.write(`lockergate bench (${mode})\n`);
rows.push(...(await brokerRtt()));
const m = machine();
process.stdout.write(markdown(rows, m, mode));
const base = save(new URL('./results', import.meta.url).pathname, rows, m, mode);
process.stderr.write(`written: ${base}.md and .json\n`);
