import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { issueCommand } from '../../src/app/commands.js';
import { createLocker, createSite, provisionDevice } from '../../src/app/provisioning.js';
import { loadConfig } from '../../src/config.js';
import { startGateway } from '../../src/gateway.js';
import { createLogger } from '../../src/logger.js';
import { percentile } from '../lib/stats.js';

/**
 * Child process: a real gateway (temp data dir, embedded broker with its hooks, SQLite with
 * synchronous=FULL) plus the command driver. A round trip is the gateway's whole command path:
 * command committed → published → device acks → ack applied and committed → command done.
 */
const dir = mkdtempSync(join(tmpdir(), 'lockergate-bench-rtt-'));
const config = loadConfig({ LOCKERGATE_DATA_DIR: dir, LOCKERGATE_HTTP_PORT: '0', LOCKERGATE_MQTT_PORT: '0', LOCKERGATE_HTTP_HOST: '127.0.0.1', LOCKERGATE_MQTT_HOST: '0.0.0.0', LOCKERGATE_LOG_LEVEL: 'warn', LOCKERGATE_MQTT_CONNECT_BURST_PER_IP: '100000' });
const gw = await startGateway({ config, log: createLogger('warn'), runJobs: false });

process.on('message', async (msg: { provision?: number; run?: { durationMs: number; inflight: number }; stop?: boolean }) => {
  if (msg.provision) {
    const site = await createSite(gw.ctx, { name: 'bench', kind: 'office', regionCode: '220102', address: 'bench' }, 'bench');
    const devices: Array<{ id: string; secret: string; lockerId: string }> = [];
    for (let i = 0; i < msg.provision; i++) {
      const { locker } = await createLocker(gw.ctx, { siteId: site.id, name: `b${i}`, kind: 'smart_locker', layout: 'S:4' }, 'bench');
      const { device, secret } = await provisionDevice(gw.ctx, locker.id, 'bench');
      devices.push({ id: device.id, secret, lockerId: locker.id });
    }
    process.send?.({ port: gw.mqttPort, devices });
  } else if (msg.run) {
    const lockers = (await gw.ctx.store.read((tx) => tx.lockers.list())).map((l) => l.id);
    const started = new Map<string, number>();
    const latencies: number[] = [];
    let issued = 0;
    let done = 0;
    let stopAt = 0;
    let finish: () => void = () => undefined;
    const finished = new Promise<void>((r) => (finish = r));
    const issue = (): void => {
      if (Date.now() >= stopAt) {
        if (started.size === 0) finish();
        return;
      }
      const lockerId = lockers[issued++ % lockers.length]!;
      issueStarts.push(performance.now());
      issueCommand(gw.ctx, { lockerId, type: 'ping', params: {}, actor: 'bench' }).catch(() => undefined);
    };
    // Commits are FIFO, so the n-th new command announced is the n-th issued: pair it with its start.
    const issueStarts: number[] = [];
    gw.ctx.events.onCommand((c) => {
      if (c.attempts === 1 && c.state === 'sent' && !started.has(c.id)) started.set(c.id, issueStarts.shift()!);
      if (c.state !== 'done') return;
      const t0 = started.get(c.id);
      if (t0 === undefined) return;
      started.delete(c.id);
      latencies.push(performance.now() - t0);
      done++;
      issue();
    });
    const cpu0 = process.cpuUsage();
    stopAt = Date.now() + msg.run.durationMs;
    const t = performance.now();
    for (let i = 0; i < msg.run.inflight; i++) issue();
    await Promise.race([finished, new Promise((r) => setTimeout(r, msg.run!.durationMs + 10_000))]);
    const seconds = (performance.now() - t) / 1000;
    const cpu = process.cpuUsage(cpu0);
    latencies.sort((a, b) => a - b);
    process.send?.({ rate: done / seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99), issued, done, lost: started.size, cpuMs: (cpu.user + cpu.system) / 1000 });
  } else if (msg.stop) {
    await gw.close();
    rmSync(dir, { recursive: true, force: true });
    process.exit(0);
  }
});
process.send?.({ up: true });
