import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { FleetLocker, HostRequest, HostSample } from './gateway-host.js';

/**
 * The bench's side of a gateway child process (gateway-host.ts): a fresh gateway per run.
 * BENCH_GATEWAY_NODE_ARGS adds node flags to it, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof".
 */
export class GatewayProcess {
  private constructor(
    private readonly child: ChildProcess,
    readonly httpUrl: string,
    readonly mqttUrl: string,
    readonly token: string,
    private readonly env: Record<string, string>,
    private readonly dataDir: string,
  ) {}

  static async start(env: Record<string, string> = {}, dataDir?: string): Promise<GatewayProcess> {
    const extra = (process.env['BENCH_GATEWAY_NODE_ARGS'] ?? '').split(' ').filter(Boolean);
    const child = fork(fileURLToPath(new URL('./gateway-host.ts', import.meta.url)), [], {
      execArgv: ['--import', 'tsx', '--expose-gc', ...extra],
      env: { ...process.env, BENCH_GATEWAY_ENV: JSON.stringify(env), BENCH_GATEWAY_DATA_DIR: dataDir ?? '' },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const up = await reply<{ httpPort: number; mqttPort: number; token: string; dataDir: string }>(child, 'up');
    return new GatewayProcess(child, `http://127.0.0.1:${up.httpPort}`, `mqtt://127.0.0.1:${up.mqttPort}`, up.token, env, up.dataDir);
  }

  /** Stops this gateway and starts a fresh process on the same store (new ports, new token). */
  async restart(): Promise<GatewayProcess> {
    await this.stop(true);
    return GatewayProcess.start(this.env, this.dataDir);
  }

  get pid(): number {
    return this.child.pid!;
  }

  provision(lockers: number, layout: string, carriers: number): Promise<{ lockers: FleetLocker[]; carrierKeys: string[] }> {
    return this.ask({ t: 'provision', lockers, layout, carriers }, 'provisioned');
  }

  /** `gc`: after a full GC; `settleS`: … and that many seconds left alone for the memory to settle (settle.ts). */
  async sample(gc = false, settleS = 0): Promise<HostSample> {
    return (await this.ask<{ sample: HostSample }>({ t: 'sample', gc, settleS }, 'sample')).sample;
  }

  ping(lockerIds: string[], timeoutMs: number): Promise<{ ms: number; done: number }> {
    return this.ask({ t: 'ping', lockerIds, timeoutMs }, 'pinged');
  }

  watchStorm(n: number, lockerIds: string[], timeoutMs: number): Promise<{ droppedAt: number | null; backAt: number | null; pingDoneAt: number | null; pinged: number }> {
    return this.ask({ t: 'watch-storm', n, lockerIds, timeoutMs }, 'storm-watched');
  }

  async heapSnapshot(file: string): Promise<string> {
    return (await this.ask<{ file: string }>({ t: 'heap-snapshot', file }, 'heap-snapshot')).file;
  }

  async stop(keepData = false): Promise<void> {
    await stopChild(this.child, { t: 'stop', keepData } satisfies HostRequest);
  }

  private ask<T>(req: HostRequest, answer: string): Promise<T> {
    const p = reply<T>(this.child, answer);
    this.child.send(req);
    return p;
  }
}

/** Asks a bench child process to stop with `message`; kills it if it has not exited 30 s later. */
export async function stopChild(child: ChildProcess, message: object): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.send(message);
  await Promise.race([exited, new Promise((r) => setTimeout(r, 30_000))]);
  if (child.exitCode === null) child.kill('SIGKILL');
}

/** The next IPC message of type `t` from a bench child process; rejects if it exits first. */
export function reply<T>(child: ChildProcess, t: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMsg = (m: { t?: string }): void => {
      if (m.t !== t) return;
      cleanup();
      resolve(m as T);
    };
    const onExit = (code: number | null): void => {
      cleanup();
      reject(new Error(`gateway process exited (${code}) while waiting for "${t}"`));
    };
    const cleanup = (): void => {
      child.off('message', onMsg);
      child.off('exit', onExit);
    };
    child.on('message', onMsg);
    child.once('exit', onExit);
  });
}
