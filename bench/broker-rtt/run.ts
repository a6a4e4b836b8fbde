import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { driveMosquitto, startMosquitto } from './mosquitto.js';

export interface RttResult {
  rate: number;
  p50: number;
  p99: number;
  issued: number;
  done: number;
  lost: number;
  brokerCpuMs: number | null;
  loadGenCpuMs: number;
}

const here = (f: string) => fileURLToPath(new URL(f, import.meta.url));
const TSX = ['--import', 'tsx'];

function once<T>(child: ChildProcess, pick: (m: Record<string, unknown>) => boolean): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMsg = (m: Record<string, unknown>) => {
      if (!pick(m)) return;
      child.off('message', onMsg);
      resolve(m as T);
    };
    child.on('message', onMsg);
    child.once('exit', (code) => reject(new Error(`child exited with ${code}`)));
  });
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as { port: number };
  await new Promise((r) => s.close(r));
  return port;
}

/** QoS 1 command round trips through lockergate's embedded broker (whole command path). */
export async function runLockergate(devicesN: number, durationMs: number, inflight: number): Promise<RttResult> {
  // BENCH_GATEWAY_NODE_ARGS (as for the other workloads, bench/lib/gateway.ts): e.g. "--cpu-prof --cpu-prof-dir=DIR".
  const extra = (process.env['BENCH_GATEWAY_NODE_ARGS'] ?? '').split(' ').filter(Boolean);
  const host = fork(here('./lockergate-host.ts'), [], { execArgv: [...TSX, ...extra] });
  await once(host, (m) => m['up'] === true);
  host.send({ provision: devicesN });
  const { port, devices } = await once<{ port: number; devices: Array<{ id: string; secret: string }> }>(host, (m) => 'port' in m);
  const load = fork(here('./devices.ts'), [], { execArgv: TSX });
  load.send({ start: { host: '127.0.0.1', port, devices, protocolHello: true } });
  await once(load, (m) => m['ready'] === true);
  host.send({ run: { durationMs, inflight } });
  const r = await once<Omit<RttResult, 'brokerCpuMs' | 'loadGenCpuMs'> & { cpuMs: number }>(host, (m) => 'rate' in m);
  load.send({ report: true });
  const l = await once<{ cpuMs: number }>(load, (m) => 'cpuMs' in m);
  host.send({ stop: true });
  await new Promise((res) => host.once('exit', res));
  return { rate: r.rate, p50: r.p50, p99: r.p99, issued: r.issued, done: r.done, lost: r.lost, brokerCpuMs: r.cpuMs, loadGenCpuMs: l.cpuMs };
}

/** The same load generator and devices against Mosquitto 2 with an equivalent ACL. */
export async function runMosquitto(devicesN: number, durationMs: number, inflight: number): Promise<RttResult> {
  const port = await freePort();
  const devices = Array.from({ length: devicesN }, (_, i) => ({ id: `dev-bench-${i}`, secret: `secret-${i}-bench` }));
  const mosq = await startMosquitto(port, devices, 'gateway-secret');
  try {
    const load = fork(here('./devices.ts'), [], { execArgv: TSX });
    load.send({ start: { host: '127.0.0.1', port, devices, protocolHello: false } });
    await once(load, (m) => m['ready'] === true);
    const cpuBefore = procCpuMs(mosq.proc.pid!);
    const r = await driveMosquitto(port, 'gateway-secret', devices.map((d) => d.id), durationMs, inflight);
    const brokerCpuMs = procCpuMs(mosq.proc.pid!) - cpuBefore;
    load.send({ report: true });
    const l = await once<{ cpuMs: number }>(load, (m) => 'cpuMs' in m);
    return { ...r, brokerCpuMs, loadGenCpuMs: l.cpuMs };
  } finally {
    mosq.stop();
  }
}

/** utime+stime of another process from /proc, in ms (Linux). */
function procCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1000) / 100;
}
