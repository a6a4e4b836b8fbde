import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/adapters/storage/sqlite/db.js';
import { connectDevice, RawDevice } from '../helpers/mqtt.js';
import { exited, runCli, startServe } from '../helpers/process.js';

const dirs: string[] = [];
function dataDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'lockergate-cli-'));
  dirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('lockergate CLI', () => {
  it('adds a site and locker, provisions a device (secret shown once, stored hashed) and creates a token', async () => {
    const env = { LOCKERGATE_DATA_DIR: dataDir() };
    expect((await runCli(['site', 'add', '--name', 'Nanguan Garden', '--region', '220102', '--id', 'site-ng'], env)).stdout).toContain('site site-ng created');
    const locker = await runCli(['locker', 'add', '--site', 'site-ng', '--name', 'Block 3', '--layout', 'S:8,M:10,L:6', '--id', 'lkr-ng-3'], env);
    expect(locker.stdout).toContain('locker lkr-ng-3 created with 24 compartments');
    const dev = await runCli(['device', 'provision', 'lkr-ng-3', '--json'], env);
    const { deviceId, secret } = JSON.parse(dev.stdout) as { deviceId: string; secret: string };
    expect(deviceId).toMatch(/^dev-[a-z2-9]{10}$/);
    const store = new SqliteStore({ file: join(env.LOCKERGATE_DATA_DIR, 'lockergate.db') });
    const hash = await store.read((tx) => tx.devices.credentials(deviceId)?.secretHash);
    expect(hash?.length).toBe(32);
    expect(hash?.toString('utf8')).not.toContain(secret);
    await store.close();
    const again = await runCli(['device', 'provision', 'lkr-ng-3'], env);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('LOCKER_HAS_DEVICE');
    const token = JSON.parse((await runCli(['token', 'create', '--role', 'viewer', '--json'], env)).stdout) as { token: string; role: string };
    expect(token).toMatchObject({ role: 'viewer', token: expect.stringMatching(/^lgo_/) });
    const list = await runCli(['locker', 'list'], env);
    expect(list.stdout).toContain('lkr-ng-3\tsmart_locker\tactive\t24 compartments');
  });

  it('generates its keys into the data dir on first start, readable only by its owner', async () => {
    const dir = dataDir();
    await runCli(['site', 'add', '--name', 'x', '--region', '220102'], { LOCKERGATE_DATA_DIR: dir });
    const serve = await startServe({ LOCKERGATE_DATA_DIR: dir });
    serve.child.kill('SIGTERM');
    await exited(serve.child);
    expect(statSync(join(dir, 'keys.json')).mode & 0o777).toBe(0o600);
  });

  it('stops at boot with a message naming a bad variable', async () => {
    const res = await runCli(['serve'], { LOCKERGATE_DATA_DIR: dataDir(), LOCKERGATE_HTTP_PORT: 'eighty' });
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('LOCKERGATE_HTTP_PORT="eighty"');
    const typo = await runCli(['serve'], { LOCKERGATE_DATA_DIR: dataDir(), LOCKERGATE_MQTT_PROT: '1883' });
    expect(typo.stderr).toContain('LOCKERGATE_MQTT_PROT: unknown setting');
  });

  it('rejects an unknown command with a pointer to help', async () => {
    const res = await runCli(['locker', 'explode'], { LOCKERGATE_DATA_DIR: dataDir() });
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('lockergate help');
  });
});

describe('durability', () => {
  it('keeps every change it acknowledged (PUBACK, HTTP 201) across kill -9', async () => {
    const dir = dataDir();
    const env = { LOCKERGATE_DATA_DIR: dir };
    await runCli(['site', 'add', '--name', 'S', '--region', '220102', '--id', 'site-k'], env);
    await runCli(['locker', 'add', '--site', 'site-k', '--name', 'K', '--layout', 'S:4', '--id', 'lkr-k'], env);
    const { deviceId, secret } = JSON.parse((await runCli(['device', 'provision', 'lkr-k', '--json'], env)).stdout) as { deviceId: string; secret: string };
    const { token } = JSON.parse((await runCli(['token', 'create', '--json'], env)).stdout) as { token: string };

    const serve = await startServe(env);
    const client = await connectDevice(`mqtt://127.0.0.1:${serve.mqttPort}`, deviceId, secret);
    const dev = new RawDevice(client, deviceId);
    await dev.hello(4);
    await dev.snapshot([1, 2, 3, 4].map((index) => ({ index, door: 'closed', occupancy: 'absent' })));
    await dev.send('events', { type: 'door', compartment: 2, door: 'open' }); // resolves on PUBACK
    const site = await fetch(`http://127.0.0.1:${serve.httpPort}/v1/sites`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'site-acked', name: 'Acked', kind: 'office', regionCode: '220102', address: 'x' }),
    });
    expect(site.status).toBe(201);
    serve.child.kill('SIGKILL');
    await exited(serve.child);
    client.end(true);

    const store = new SqliteStore({ file: join(dir, 'lockergate.db') });
    try {
      expect(await store.read((tx) => tx.sites.get('site-acked'))).toMatchObject({ name: 'Acked' });
      expect(await store.read((tx) => tx.lockers.compartment('lkr-k', 2))).toMatchObject({ door: 'open' });
      expect(await store.read((tx) => tx.alarms.live('lkr-k', 2, 'door_forced'))).toMatchObject({ state: 'open' });
      expect(await store.read((tx) => tx.devices.get(deviceId))).toMatchObject({ bootId: 'boot-raw', lastSeq: 3 });
    } finally {
      await store.close();
    }
  });
});
