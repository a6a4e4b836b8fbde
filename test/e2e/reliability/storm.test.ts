import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { GatewayApi } from '../../../device-sim/api/gateway-api.js';
import type { FleetFileT } from '../../../device-sim/fleet/fleet.js';
import { provisionFleet } from '../../../device-sim/fleet/provision.js';
import { seededRandom } from '../../../device-sim/random.js';
import { Supervisor } from '../../../device-sim/run/supervisor.js';
import type { Summary } from '../../../device-sim/run/summary.js';
import { until } from '../../helpers/gateway.js';
import { RawMqttSocket } from '../../helpers/raw-socket.js';
import { LatencyProbe, reliabilitySeed, type LatencySummary } from '../../helpers/reliability.js';
import { ServedGateway } from '../../helpers/served-gateway.js';
import { testOptions, unexplained } from '../../helpers/sim-rig.js';
import { openStoreReadOnly } from '../../helpers/store-invariants.js';

/**
 * Reconnect storm (issue 7): every controller drops at once and reconnects with the §3.6
 * backoff (1–2 s, ±50 % jitter) while operators open compartments through the API, a frozen
 * client and a slow one sit on the broker, and a dashboard keeps reading. CI: 2,000
 * controllers. Long mode: RELIABILITY_CONTROLLERS=20000 (npm run reliability:storm): one
 * gateway process per 10,000 (the per-process open-files limit here is 20,000), simulator
 * workers of ≤ 5,000 and loopback source addresses of ≤ 500 controllers each.
 */
const CONTROLLERS = Number(process.env['RELIABILITY_CONTROLLERS'] ?? 2000);
const SEED = reliabilitySeed();
const PER_GATEWAY = 10_000;
const BACK_WITHIN_S = 10;
const COMMAND_TTL_S = 15;
const OUTCOME_S = 5;
const LONG = CONTROLLERS > 2000;
/** Node flags for the gateway processes, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof" (how the storm was profiled). */
const PROFILING = process.env['RELIABILITY_GATEWAY_NODE_ARGS'] ?? '';

interface Cell {
  gw: ServedGateway;
  token: string;
  fleet: FleetFileT;
  supervisor: Supervisor;
  run: Promise<Summary>;
  frozen: RawMqttSocket;
  slow: RawMqttSocket;
  slowDevice: { lockerId: string; deviceId: string };
  frozenDevice: { lockerId: string; deviceId: string };
  probe: LatencyProbe;
}

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const fn of cleanups.reverse()) await fn().catch(() => undefined);
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** CPU seconds (user + system) a process has used so far, from /proc (Linux); null elsewhere. */
function processCpuS(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

/** CPU seconds so far of the gateways, the simulator's worker processes (as last reported) and this test process. */
function cpuNow(cells: readonly Cell[]): { gateways: number | null; simulator: number; runner: number } {
  const gw = cells.map((c) => processCpuS(c.gw.pid));
  const sim = cells.reduce((n, c) => n + (c.supervisor.totals().cpuUserUs + c.supervisor.totals().cpuSystemUs) / 1e6, 0);
  const own = process.cpuUsage();
  return { gateways: gw.some((v) => v === null) ? null : gw.reduce((a, b) => a! + b!, 0), simulator: sim, runner: (own.user + own.system) / 1e6 };
}

async function operatorOpen(gw: ServedGateway, token: string, lockerId: string, compartment: number): Promise<{ status: number; commandId?: string }> {
  const res = await fetch(`${gw.httpUrl}/v1/lockers/${lockerId}/compartments/${compartment}/open?waitS=0`, { method: 'POST', headers: { authorization: `Bearer ${token}` } }).catch(() => null);
  if (!res) return { status: 0 };
  const body = (await res.json().catch(() => ({}))) as { command?: { id: string } };
  return { status: res.status, ...(body.command ? { commandId: body.command.id } : {}) };
}

/** A gateway process with its share of the fleet, two extra devices held by raw sockets, and its simulator. */
async function startCell(index: number, controllers: number, ipBase: number): Promise<Cell> {
  const gw = ServedGateway.create({
    LOCKERGATE_COMMAND_TTL_S: String(COMMAND_TTL_S),
    LOCKERGATE_COMMAND_ACK_TIMEOUT_S: '1',
    LOCKERGATE_OPEN_OUTCOME_TIMEOUT_S: String(OUTCOME_S),
    ...(PROFILING ? { RELIABILITY_GATEWAY_NODE_ARGS: PROFILING } : {}),
  });
  cleanups.push(async () => {
    if (PROFILING) await gw.stop(); // an orderly exit writes the CPU profile
    await gw.dispose();
  });
  const token = await gw.operatorToken();
  await gw.start();
  const api = new GatewayApi(gw.httpUrl, 16);
  const all = await provisionFleet({
    api, operatorToken: token, httpUrl: gw.httpUrl, mqttUrls: [gw.mqttUrl], lockers: controllers + 2, mailboxShare: 0, carriers: 1, prefix: `st${index}`, seed: SEED + index, concurrency: 16,
  }).finally(() => api.close());
  const [frozenL, slowL] = all.lockers.slice(-2) as [FleetFileT['lockers'][number], FleetFileT['lockers'][number]];
  const fleet: FleetFileT = { ...all, lockers: all.lockers.slice(0, -2) };

  // The frozen client: CONNECT, SUBSCRIBE, then it never reads again.
  const frozen = await RawMqttSocket.open(Number(new URL(gw.mqttUrl).port));
  cleanups.push(async () => frozen.destroy());
  expect(await frozen.connectAs(frozenL.deviceId, frozenL.secret, 600)).toBe(0);
  frozen.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: `lg/v1/${frozenL.deviceId}/cmd`, qos: 1 }] });
  await frozen.next('suback');
  frozen.socket.pause();
  // The slow client reads a few bytes' worth every half second.
  const slow = await RawMqttSocket.open(Number(new URL(gw.mqttUrl).port));
  cleanups.push(async () => slow.destroy());
  expect(await slow.connectAs(slowL.deviceId, slowL.secret, 600)).toBe(0);
  slow.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: `lg/v1/${slowL.deviceId}/cmd`, qos: 1 }] });
  await slow.next('suback');
  slow.socket.pause();
  const trickle = setInterval(() => {
    slow.socket.resume();
    setTimeout(() => slow.socket.pause(), 2);
  }, 500);
  cleanups.push(async () => clearInterval(trickle));

  const workers = Math.max(2, Math.ceil(controllers / 5000));
  const sourceIps = Array.from({ length: Math.ceil(controllers / 500) }, (_, i) => `127.0.${Math.floor((ipBase + i) / 250)}.${2 + ((ipBase + i) % 250)}`);
  const options = testOptions({
    scenario: 'idle', seed: SEED + index, rate: 0, durationS: 0, keepaliveS: 60, telemetryS: 120,
    connectConcurrency: LONG ? 100 : 200, backoffScale: 1, settleTimeoutS: 120,
  });
  const supervisor = new Supervisor({ fleet, options, workers, sourceIps, sms: null, token, statusLine: false, log: (l) => console.log(l) });
  const run = supervisor.run().then((r) => r.summary);
  const probeLocker = fleet.lockers[0]!.lockerId;
  return { gw, token, fleet, supervisor, run, frozen, slow, slowDevice: slowL, frozenDevice: frozenL, probe: new LatencyProbe(`${gw.httpUrl}/v1/lockers/${probeLocker}`, token, 4, 20) };
}

describe(`reconnect storm: ${CONTROLLERS} controllers (seed ${SEED})`, () => {
  it('all drop at once and are back within 10 s; every command issued meanwhile ends done or expired and runs at most once; HTTP p99 < 200 ms; frozen and slow clients stall nobody', async () => {
    console.log(`reconnect storm: seed ${SEED}, ${CONTROLLERS} controllers (replay: RELIABILITY_SEED=${SEED})`);
    const random = seededRandom(SEED, 'storm');
    const t0 = Date.now();
    const cells: Cell[] = [];
    for (let i = 0, left = CONTROLLERS; left > 0; i += 1, left -= PER_GATEWAY) cells.push(await startCell(i, Math.min(PER_GATEWAY, left), i * 100));
    const online = () => cells.reduce((n, c) => n + c.supervisor.totals().online, 0);
    // Completed connections (hello and snapshot acknowledged), as the nodes last reported them.
    const connects = () => cells.reduce((n, c) => n + c.supervisor.totals().connects, 0);
    await until(online, (n) => n === CONTROLLERS, LONG ? 600_000 : 60_000, 'every controller online');
    const upS = (Date.now() - t0) / 1000;

    // The storm, with operators opening compartments (each its own) and a dashboard reading.
    for (const c of cells) c.probe.start();
    await sleep(500);
    const connectsBefore = connects();
    const cpuBefore = cpuNow(cells);
    const stormAt = Date.now();
    console.log(`reconnect storm: the storm starts at ${new Date(stormAt).toISOString()}`);
    for (const c of cells) c.supervisor.storm(1);
    const opens: Array<{ cell: Cell; lockerId: string; status: number; commandId?: string }> = [];
    const perCell = LONG ? 300 : 150;
    const issuing = cells.flatMap((cell) => {
      const lockers = [...cell.fleet.lockers].sort(() => random() - 0.5).slice(0, perCell);
      return lockers.map(async (l) => {
        await sleep(random() * 8000);
        opens.push({ cell, lockerId: l.lockerId, ...(await operatorOpen(cell.gw, cell.token, l.lockerId, 1)) });
      });
    });
    // The frozen client's and the slow client's command topics get traffic too.
    const stuffing = cells.map(async (cell) => {
      for (let i = 0; i < 20; i += 1) {
        await operatorOpen(cell.gw, cell.token, cell.slowDevice.lockerId, 1 + (i % 4));
        await operatorOpen(cell.gw, cell.token, cell.frozenDevice.lockerId, 1 + (i % 4));
        await sleep(200);
      }
    });
    await until(() => ({ online: online(), reconnected: connects() - connectsBefore }), (v) => v.reconnected >= CONTROLLERS && v.online === CONTROLLERS, 120_000, 'every controller back online');
    // When the last controller's hello and snapshot were acknowledged, as its simulator node
    // recorded it (nodes report once a second: the moment the report arrives would add up to 1 s).
    const lastBackAt = Math.max(...cells.map((c) => c.supervisor.totals().lastConnectAt));
    const back = (lastBackAt - stormAt) / 1000;
    const noticed = (Date.now() - stormAt) / 1000;
    // Where the storm's CPU went (2 cores shared by everything here); the simulator's figure is as of its last report.
    const cpuAfter = cpuNow(cells);
    const cpu = {
      gateways: cpuAfter.gateways === null || cpuBefore.gateways === null ? null : cpuAfter.gateways - cpuBefore.gateways,
      simulator: cpuAfter.simulator - cpuBefore.simulator,
      runner: cpuAfter.runner - cpuBefore.runner,
    };
    await Promise.all([...issuing, ...stuffing]);
    const latency: LatencySummary[] = [];
    for (const c of cells) latency.push(await c.probe.stop());

    // Every accepted command ends; then the simulator's truth shows which ones ran.
    const accepted = opens.filter((o) => o.commandId !== undefined);
    const states = new Map<string, string>();
    await until(() => {
      for (const cell of cells) {
        const ids = accepted.filter((o) => o.cell === cell).map((o) => o.commandId!);
        if (ids.length === 0) continue;
        const db = openStoreReadOnly(cell.gw.dataDir);
        try {
          const rows = db.prepare(`SELECT id, state FROM commands WHERE id IN (${ids.map(() => '?').join(',')})`).all(...ids) as Array<{ id: string; state: string }>;
          for (const r of rows) states.set(r.id, r.state);
        } finally {
          db.close();
        }
      }
      return [...states.values()].filter((s) => !['done', 'failed', 'expired'].includes(s)).length + (accepted.length - states.size);
    }, (open) => open === 0, (COMMAND_TTL_S + OUTCOME_S + 10) * 1000, 'every command finished');
    for (const c of cells) c.supervisor.interrupt();
    const summaries = await Promise.all(cells.map((c) => c.run));
    const executed = new Map<string, number>();
    const doorsOpen = new Set<string>();
    for (const c of cells) {
      for (const t of c.supervisor.truths) {
        for (const l of t.lockers) {
          for (const id of l.executed ?? []) executed.set(id, (executed.get(id) ?? 0) + 1);
          if (l.open.includes(1)) doorsOpen.add(l.lockerId);
        }
      }
    }

    const byState: Record<string, number> = {};
    for (const s of states.values()) byState[s] = (byState[s] ?? 0) + 1;
    const refused: Record<string, number> = {};
    for (const o of opens.filter((x) => x.commandId === undefined)) refused[o.status] = (refused[o.status] ?? 0) + 1;
    const connectFailures: Record<string, number> = {};
    for (const c of cells) for (const [k, v] of Object.entries(c.supervisor.totals().connectFailures)) connectFailures[k] = (connectFailures[k] ?? 0) + v;
    const lat = latency.reduce((a, l) => ({ requests: a.requests + l.requests, errors: a.errors + l.errors, p99: Math.max(a.p99, l.p99 ?? 0), max: Math.max(a.max, l.max ?? 0) }), { requests: 0, errors: 0, p99: 0, max: 0 });
    console.log(`reconnect storm: ${CONTROLLERS} online ${upS.toFixed(1)} s after the start over ${cells.length} gateway process(es); all back ${back.toFixed(1)} s after the storm (reported by ${noticed.toFixed(1)} s); ` +
      `opens: ${accepted.length} accepted ${JSON.stringify(byState)}, refused ${JSON.stringify(refused)}; executed ${[...executed.values()].reduce((a, b) => a + b, 0)}; ` +
      `HTTP during the storm: ${lat.requests} requests, p99 ${lat.p99.toFixed(1)} ms, max ${lat.max.toFixed(1)} ms, ${lat.errors} errors; ` +
      `CPU until all were back: gateways ${cpu.gateways?.toFixed(1) ?? '?'} s (${cpu.gateways === null ? '?' : ((cpu.gateways * 1000) / CONTROLLERS).toFixed(2)} ms per reconnect), simulator ${cpu.simulator.toFixed(1)} s, test process ${cpu.runner.toFixed(1)} s; ` +
      `connects ${summaries.reduce((n, s) => n + s.controllers.connects, 0)}, failed connect attempts ${JSON.stringify(connectFailures)}, gateway RSS peak ${summaries.map((s) => s.gateway.rssMBPeak).join('/')} MB`);

    for (const s of summaries) {
      expect(unexplained(s), JSON.stringify(s.oracle?.mismatches.slice(0, 10))).toEqual([]);
      expect(s.verdict).toBe('ok');
      expect(s.faults['storm']).toBeGreaterThan(0);
    }
    // No command lost: each accepted one ended done (run exactly once, its door open) or expired (never run).
    // Enough accepted commands for the check to mean something: opens are issued over the first
    // 8 s, and in long mode most controllers are still away then (refused 503, nothing to check).
    expect(accepted.length).toBeGreaterThan(Math.min(perCell * cells.length * 0.3, 50));
    for (const o of accepted) {
      const state = states.get(o.commandId!);
      const runs = executed.get(o.commandId!) ?? 0;
      expect([state, runs], `${o.commandId} at ${o.lockerId}`).toEqual(state === 'done' ? ['done', 1] : ['expired', 0]);
      if (state === 'done') expect(doorsOpen.has(o.lockerId), `${o.lockerId} door`).toBe(true);
    }
    expect(byState['done']).toBeGreaterThan(0);
    expect(lat.errors).toBe(0);
    expect(lat.requests).toBeGreaterThan(100);
    expect(lat.p99).toBeLessThan(200);
    // The slow client got its commands (slowly); the frozen one held its socket without stalling anyone above.
    for (const c of cells) expect(await c.slow.next('publish', 10_000)).toMatchObject({ topic: `lg/v1/${c.slowDevice.deviceId}/cmd` });
    // Last, so a long-mode run that misses the time still shows every other guarantee held.
    expect(back).toBeLessThanOrEqual(BACK_WITHIN_S);
  }, LONG ? 1_800_000 : 120_000);
});
