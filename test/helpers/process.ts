import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI = ['--import', 'tsx', 'src/cli.ts'];

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real CLI (TypeScript sources through tsx) with the given LOCKERGATE_* environment. */
export function runCli(args: string[], env: Record<string, string>): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...CLI, ...args], { cwd: ROOT, env: { PATH: process.env['PATH'] ?? '', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export interface ServeProcess {
  child: ChildProcess;
  httpPort: number;
  mqttPort: number;
  output: () => string;
}

/** RELIABILITY_GATEWAY_NODE_ARGS: node flags for a served gateway, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof". */
function nodeArgs(env: Record<string, string>): string[] {
  return (env['RELIABILITY_GATEWAY_NODE_ARGS'] ?? '').split(' ').filter(Boolean);
}

/** Starts `lockergate serve` as its own process and resolves once it logs its listening ports. */
export function startServe(env: Record<string, string>): Promise<ServeProcess> {
  const child = spawn(process.execPath, [...nodeArgs(env), ...CLI, 'serve'], {
    cwd: ROOT,
    env: { PATH: process.env['PATH'] ?? '', LOCKERGATE_HTTP_PORT: '0', LOCKERGATE_MQTT_PORT: '0', LOCKERGATE_HTTP_HOST: '127.0.0.1', LOCKERGATE_MQTT_HOST: '127.0.0.1', ...env },
  });
  let out = '';
  return new Promise((resolve, reject) => {
    const onData = (d: Buffer) => {
      out += d.toString();
      for (const line of out.split('\n')) {
        if (!line.includes('lockergate is running')) continue;
        const entry = JSON.parse(line) as { http: string; mqtt: string };
        child.stdout?.off('data', onData);
        child.stdout?.on('data', (more: Buffer) => (out += more.toString()));
        resolve({ child, httpPort: Number(new URL(entry.http).port), mqttPort: Number(new URL(entry.mqtt).port), output: () => out });
        return;
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${out}`)));
  });
}

export function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
  });
}
