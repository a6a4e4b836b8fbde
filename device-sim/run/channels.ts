import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { FromNode, NodeChannel, ToNode } from './messages.js';
import { SimNode } from './node.js';

/** A node in this process: for tests and small fleets (no IPC, one process to profile). */
export function inProcessNode(): NodeChannel {
  const listeners: Array<(msg: FromNode) => void> = [];
  let gone!: () => void;
  const exited = new Promise<void>((resolve) => (gone = resolve));
  const node = new SimNode((msg) => {
    // Asynchronous like IPC, so neither side re-enters the other.
    setImmediate(() => {
      for (const fn of listeners) fn(msg);
      if (msg.t === 'stopped') gone();
    });
  });
  return {
    send: (msg: ToNode) => {
      node.handle(msg).catch((err: unknown) => {
        for (const fn of listeners) fn({ t: 'fatal', message: String((err as Error)?.stack ?? err) });
      });
    },
    onMessage: (fn) => listeners.push(fn),
    exited,
    kill: () => gone(),
  };
}

/**
 * A node in a worker process. From TypeScript sources (tests, `tsx`) the worker is loaded
 * through tsx; from dist/ it is plain JavaScript.
 */
export function forkedNode(): NodeChannel {
  const here = import.meta.url;
  const fromSource = here.endsWith('.ts');
  const workerPath = fileURLToPath(new URL(fromSource ? './worker.ts' : './worker.js', here));
  const child = fork(workerPath, [], {
    // A young generation of up to 2 × 64 MB (V8's default here is 2 × 16 MB): a reconnect storm
    // allocates a new socket, parser and session per controller at once. With the default, much of
    // it was promoted and then marked: GC took about a quarter of the workers' CPU in the 20,000
    // storm, over half of it marking; with this, about an eighth, mostly scavenges (perf).
    // SIM_WORKER_NODE_ARGS: node flags for the workers, e.g. "--cpu-prof --cpu-prof-dir=DIR" (profiling the simulator).
    execArgv: [
      ...(fromSource ? ['--import', import.meta.resolve('tsx')] : []),
      '--max-semi-space-size=64',
      ...(process.env['SIM_WORKER_NODE_ARGS'] ?? '').split(' ').filter(Boolean),
    ],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    serialization: 'advanced',
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const listeners: Array<(msg: FromNode) => void> = [];
  let stopped = false;
  child.on('message', (msg: FromNode) => {
    if (msg.t === 'stopped') stopped = true;
    for (const fn of listeners) fn(msg);
  });
  child.once('exit', (code, signal) => {
    // Gone before its final report (killed, crashed): whoever waits on it must not wait forever.
    if (!stopped) for (const fn of listeners) fn({ t: 'fatal', message: `worker ${child.pid} exited (${signal ?? `code ${code}`}) before the run ended` });
  });
  return {
    send: (msg: ToNode) => {
      if (child.connected) child.send(msg);
    },
    onMessage: (fn) => listeners.push(fn),
    exited,
    kill: () => child.kill('SIGKILL'),
  };
}
