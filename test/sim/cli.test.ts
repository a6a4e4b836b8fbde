import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFleet } from '../../device-sim/fleet/fleet.js';
import type { Summary } from '../../device-sim/run/summary.js';
import { SIM_SMS_SECRET, startSimRig, type SimRig } from '../helpers/sim-rig.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
let rig: SimRig;
let smsPort: number;
let dir: string;

/** A port that was free a moment ago: the CLI's SMS receiver listens there, the gateway posts to it. */
async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as { port: number };
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

beforeAll(async () => {
  smsPort = await freePort();
  rig = await startSimRig({ LOCKERGATE_RECIPIENT_WEBHOOK_URL: `http://127.0.0.1:${smsPort}/sms` });
  dir = mkdtempSync(join(tmpdir(), 'lockergate-sim-cli-'));
});
afterAll(async () => {
  await rig.stop();
  rmSync(dir, { recursive: true, force: true });
});

interface Run {
  child: ChildProcess;
  stderr: () => string;
  waitFor(text: RegExp): Promise<void>;
  done: Promise<{ code: number | null; stdout: string }>;
}

function sim(args: string[]): Run {
  const child = spawn(process.execPath, ['--import', 'tsx', 'device-sim/cli.ts', '--sms-listen', `127.0.0.1:${smsPort}`, '--sms-secret', SIM_SMS_SECRET, ...args], { cwd: ROOT, env: { PATH: process.env['PATH'] ?? '' } });
  let stdout = '';
  let stderr = '';
  const waiters: Array<() => void> = [];
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
    for (const w of waiters.splice(0)) w();
  });
  const done = new Promise<{ code: number | null; stdout: string }>((resolve) => child.on('close', (code) => resolve({ code, stdout })));
  return {
    child,
    stderr: () => stderr,
    waitFor: async (text) => {
      const deadline = Date.now() + 45_000;
      while (!text.test(stderr)) {
        if (child.exitCode !== null || Date.now() > deadline) throw new Error(`no ${text} on stderr (exit ${child.exitCode}):\n${stderr}`);
        await new Promise<void>((r) => {
          waiters.push(r);
          setTimeout(r, 500);
        });
      }
    },
    done,
  };
}

const fast = ['--speed', '20', '--dwell', '2-10', '--open-delay-ms', '20', '--jam-window-ms', '300', '--backoff-scale', '0.05', '--retrieve-poll', '0.2', '--no-status'];

describe('lockergate-sim CLI', () => {
  it('provisions through the operator API, saves the fleet (0600), runs, and prints the JSON summary; exit 0', async () => {
    const fleetFile = join(dir, 'fleet.json');
    const run = sim(['--provision', '4', '--operator-token', rig.token, '--http', rig.httpUrl, '--mqtt', rig.mqttUrl, '--save-fleet', fleetFile, '--scenario', 'steady', '--rate', '4', '--duration', '2', ...fast]);
    const { code, stdout } = await run.done;
    expect(code, run.stderr()).toBe(0);
    const summary = JSON.parse(stdout) as Summary;
    expect(summary).toMatchObject({ verdict: 'ok', scenario: 'steady', fleet: { lockers: 4, processes: 0, engine: 'raw' }, controllers: { online: 4 } });
    expect(summary.operations.deposits.done).toBeGreaterThan(0);
    expect(summary.oracle).toMatchObject({ lockers: 4, unexplained: 0 });
    expect(statSync(fleetFile).mode & 0o777).toBe(0o600);
    const fleet = JSON.parse(readFileSync(fleetFile, 'utf8'));
    expect(fleet.lockers).toHaveLength(4);
    expect(fleet.carrierKeys).toHaveLength(2);
  }, 120_000);

  it('SIGUSR2 runs the oracle on demand; an unexplained mismatch makes the run exit 1', async () => {
    const fleet = await rig.fleet(2, { mailboxShare: 0 });
    const fleetFile = join(dir, 'fleet2.json');
    writeFleet(fleetFile, fleet);
    const run = sim(['--fleet', fleetFile, '--token', rig.token, '--scenario', 'idle', '--duration', '0', ...fast]);
    await run.waitFor(/2 controllers, scenario idle/);
    run.child.kill('SIGUSR2');
    await run.waitFor(/oracle: 0 unexplained/);
    // Behind the simulator's back the gateway now believes compartment 2 holds a parcel.
    const lockerId = fleet.lockers[0]!.lockerId;
    await rig.gw.ctx.store.transact((tx) => tx.lockers.updateCompartment({ ...tx.lockers.compartment(lockerId, 2)!, state: 'occupied' }));
    run.child.kill('SIGUSR2');
    await run.waitFor(/oracle: 1 unexplained[\s\S]*phantom_parcel/);
    run.child.kill('SIGINT');
    const { code, stdout } = await run.done;
    expect(code).toBe(1);
    const summary = JSON.parse(stdout) as Summary;
    expect(summary.verdict).toBe('unexplained_mismatches');
    expect(summary.oracle?.mismatches).toEqual([{ kind: 'phantom_parcel', lockerId, compartment: 2, gateway: 'occupied', truth: 'empty', explainedBy: [] }]);
  }, 120_000);

  it('explains its usage and exits 2 on bad arguments', async () => {
    const { code } = await sim(['--fleet', 'x.json', '--scenario', 'nope']).done;
    expect(code).toBe(2);
  });
});
