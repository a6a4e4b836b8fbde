import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate, parser as mqttParser, type Packet } from 'mqtt-packet';
import { percentile } from '../lib/stats.js';

/**
 * Mosquitto 2 with a per-client ACL equivalent to lockergate's: a device may read only its own
 * cmd topic and write only its own channels; the "gateway" user writes commands and reads acks.
 * `max_inflight_messages 0` and `max_queued_messages 0` lift the defaults (20 / 1000) that drop
 * QoS 1 messages under this load; losses are counted on both sides anyway. `set_tcp_nodelay true`
 * as lockergate's listeners do (Mosquitto's default keeps Nagle's algorithm on).
 */
export async function startMosquitto(port: number, devices: Array<{ id: string; secret: string }>, gatewaySecret: string): Promise<{ proc: ChildProcess; stop(): void }> {
  const dir = mkdtempSync(join(tmpdir(), 'lockergate-bench-mosq-'));
  const passwd = join(dir, 'passwd');
  // Plain "user:password" lines, hashed in place by one `mosquitto_passwd -U` call.
  writeFileSync(passwd, [`gateway:${gatewaySecret}`, ...devices.map((d) => `${d.id}:${d.secret}`)].join('\n') + '\n');
  execFileSync('mosquitto_passwd', ['-U', passwd]);
  writeFileSync(join(dir, 'acl'), ['user gateway', 'topic write lg/v1/+/cmd', 'topic read lg/v1/+/acks', '', 'pattern read lg/v1/%u/cmd', 'pattern write lg/v1/%u/+', ''].join('\n'));
  writeFileSync(
    join(dir, 'mosquitto.conf'),
    [`listener ${port} 0.0.0.0`, 'allow_anonymous false', `password_file ${passwd}`, `acl_file ${join(dir, 'acl')}`, 'max_inflight_messages 0', 'max_queued_messages 0', 'set_tcp_nodelay true', 'persistence false', 'log_type error', ...(process.getuid?.() === 0 ? ['user root'] : []), ''].join('\n'),
  );
  const proc = spawn('mosquitto', ['-c', join(dir, 'mosquitto.conf')], { stdio: ['ignore', 'ignore', 'inherit'] });
  for (let i = 0; i < 100; i++) {
    const up = await new Promise<boolean>((r) => connect(port, '127.0.0.1').once('connect', function (this: import('node:net').Socket) { this.destroy(); r(true); }).once('error', () => r(false)));
    if (up) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return { proc, stop: () => { proc.kill('SIGTERM'); rmSync(dir, { recursive: true, force: true }); } };
}

/** The "gateway" side on Mosquitto: publishes commands QoS 1 and waits for each ack. */
export async function driveMosquitto(port: number, secret: string, deviceIds: string[], durationMs: number, inflight: number) {
  const socket = connect(port, '127.0.0.1');
  socket.setNoDelay(true);
  await new Promise((r) => socket.once('connect', r));
  const p = mqttParser();
  const waiters = new Map<string, () => void>();
  const started = new Map<string, number>();
  const latencies: number[] = [];
  let mid = 0;
  let issued = 0;
  let done = 0;
  let stopAt = 0;
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((r) => (finish = r));
  const send = (pkt: Parameters<typeof generate>[0]) => socket.write(generate(pkt));
  const issue = (): void => {
    if (Date.now() >= stopAt) {
      if (started.size === 0) finish();
      return;
    }
    const device = deviceIds[issued % deviceIds.length]!;
    const id = `cmd-bench-${issued++}`;
    started.set(id, performance.now());
    mid = (mid % 65535) + 1;
    send({ cmd: 'publish', topic: `lg/v1/${device}/cmd`, qos: 1, retain: false, dup: false, messageId: mid, payload: JSON.stringify({ id, type: 'ping', issuedAt: Date.now(), expiresAt: Date.now() + 60_000 }) });
  };
  p.on('packet', (pkt: Packet) => {
    if (pkt.cmd === 'publish') {
      if (pkt.qos === 1 && pkt.messageId !== undefined) send({ cmd: 'puback', messageId: pkt.messageId });
      const ack = JSON.parse(pkt.payload.toString()) as { commandId: string };
      const t0 = started.get(ack.commandId);
      if (t0 === undefined) return;
      started.delete(ack.commandId);
      latencies.push(performance.now() - t0);
      done++;
      issue();
      return;
    }
    waiters.get(pkt.cmd)?.();
  });
  socket.on('data', (d) => p.parse(d));
  const expect = (cmd: string) => new Promise<void>((r) => waiters.set(cmd, r));
  const connack = expect('connack');
  send({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, clientId: 'gateway', keepalive: 60, username: 'gateway', password: Buffer.from(secret) });
  await connack;
  const suback = expect('suback');
  send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'lg/v1/+/acks', qos: 1 }] });
  await suback;
  stopAt = Date.now() + durationMs;
  const t = performance.now();
  for (let i = 0; i < inflight; i++) issue();
  await Promise.race([finished, new Promise((r) => setTimeout(r, durationMs + 10_000))]);
  const seconds = (performance.now() - t) / 1000;
  socket.destroy();
  latencies.sort((a, b) => a - b);
  return { rate: done / seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99), issued, done, lost: started.size };
}
