import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exited, runCli, startServe, type ServeProcess } from './process.js';

/**
 * `lockergate serve` as a child process on a data dir of its own (SQLite in a temp dir), which a
 * test can kill -9 and start again on the same data dir and the same ports: the first start
 * takes port 0 and every restart reuses what it got, so clients reconnect to the same address.
 */
export class ServedGateway {
  private proc: ServeProcess | null = null;
  private ports: { http: number; mqtt: number } | null = null;
  /** Starts so far (1 + restarts). */
  starts = 0;

  private constructor(
    readonly dataDir: string,
    private readonly env: Record<string, string>,
  ) {}

  /** A fresh data dir; `env` are LOCKERGATE_* settings (the data dir and ports are set here). */
  static create(env: Record<string, string> = {}): ServedGateway {
    return new ServedGateway(mkdtempSync(join(tmpdir(), 'lockergate-served-')), env);
  }

  private get fullEnv(): Record<string, string> {
    return { LOCKERGATE_LOG_LEVEL: 'info', ...this.env, LOCKERGATE_DATA_DIR: this.dataDir };
  }

  get httpUrl(): string {
    return `http://127.0.0.1:${this.need().http}`;
  }

  get mqttUrl(): string {
    return `mqtt://127.0.0.1:${this.need().mqtt}`;
  }

  /** The process id while it runs. */
  get pid(): number | undefined {
    return this.proc?.child.pid;
  }

  get running(): boolean {
    return this.proc !== null;
  }

  /** What the process printed (info and above: serve announces its ports at info), for a failure message. */
  output(): string {
    return this.proc?.output() ?? '';
  }

  /** An operator token made with the CLI on the data dir (before the first start, or while running). */
  async operatorToken(): Promise<string> {
    const res = await runCli(['token', 'create', '--role', 'operator', '--name', 'reliability', '--json'], this.fullEnv);
    if (res.code !== 0) throw new Error(`token create failed: ${res.stderr}`);
    return (JSON.parse(res.stdout) as { token: string }).token;
  }

  /** Starts the gateway (port 0 the first time, the same ports after) and resolves once it listens. */
  async start(): Promise<void> {
    if (this.proc) throw new Error('already running');
    const ports: Record<string, string> = this.ports ? { LOCKERGATE_HTTP_PORT: String(this.ports.http), LOCKERGATE_MQTT_PORT: String(this.ports.mqtt) } : {};
    this.proc = await startServe({ ...this.fullEnv, ...ports });
    this.ports ??= { http: this.proc.httpPort, mqtt: this.proc.mqttPort };
    this.starts += 1;
  }

  /** kill -9: no shutdown hook runs, nothing is flushed that was not already committed. */
  async kill(): Promise<void> {
    const proc = this.need(true);
    proc.child.kill('SIGKILL');
    await exited(proc.child);
    this.proc = null;
  }

  /** An orderly stop (SIGTERM): listeners, broker, jobs and store closed in order. */
  async stop(): Promise<void> {
    const proc = this.proc;
    if (!proc) return;
    proc.child.kill('SIGTERM');
    await exited(proc.child);
    this.proc = null;
  }

  /** Stops whatever runs and removes the data dir. */
  async dispose(): Promise<void> {
    if (this.proc) await this.kill();
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  private need(): { http: number; mqtt: number };
  private need(proc: true): ServeProcess;
  private need(proc?: true): ServeProcess | { http: number; mqtt: number } {
    if (proc) {
      if (!this.proc) throw new Error('not running');
      return this.proc;
    }
    if (!this.ports) throw new Error('never started');
    return this.ports;
  }
}
