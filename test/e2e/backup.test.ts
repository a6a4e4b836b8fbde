import { copyFileSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startTestGateway, until } from '../helpers/gateway.js';
import { latestCode, smsEnv, startSmsInbox } from '../helpers/inbox.js';
import { addCarrier, Courier, MASKED_PHONE, onlineLocker, residentPickup, simLayout } from '../helpers/parcels.js';
import { runCli } from '../helpers/process.js';
import { simFor, stopAllSims } from '../helpers/sim.js';

const dirs: string[] = [];
const tempDir = (prefix: string) => {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
};
afterAll(async () => {
  await stopAllSims();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('lockergate backup (online) and restore', () => {
  it('backs up while the gateway runs and commits; the restored copy serves the parcel with its old code', async () => {
    const sms = await startSmsInbox();
    const gw = await startTestGateway({ env: smsEnv(sms) });
    const { fx, sim } = await onlineLocker(gw, 'S:2');
    const courier = new Courier(gw, await addCarrier(gw, fx.operatorToken));
    const parcel = await courier.depositParcel(sim, fx.lockerId);
    await gw.dispatchNotifications();
    const code = latestCode(sms, parcel.parcelId);

    // A writer commits new sites for as long as the backup runs (each one an fsynced transaction).
    const countSites = () => gw.ctx.store.read((tx) => tx.sites.list().length);
    const before = await countSites();
    let writing = true;
    let written = 0;
    const writer = (async () => {
      while (writing) {
        const res = await gw.http.inject({ method: 'POST', url: '/v1/sites', headers: { authorization: `Bearer ${fx.operatorToken}` }, payload: { name: `busy ${written}`, kind: 'office', regionCode: '220102', address: 'x' } });
        expect(res.statusCode).toBe(201);
        written++;
      }
    })();
    const target = join(tempDir('lockergate-backup-'), 'lockergate-backup.db');
    const res = await runCli(['backup', target, '--json'], { LOCKERGATE_DATA_DIR: gw.dataDir });
    writing = false;
    await writer;
    const after = await countSites();
    expect(res.code, res.stderr).toBe(0);
    expect(JSON.parse(res.stdout)).toMatchObject({ database: target, keys: `${target}.keys.json` });
    expect(written).toBeGreaterThan(0); // the gateway really was committing during the backup
    expect(statSync(target).mode & 0o777).toBe(0o600);
    expect(statSync(`${target}.keys.json`).mode & 0o777).toBe(0o600);
    expect((await runCli(['backup', target], { LOCKERGATE_DATA_DIR: gw.dataDir })).stderr).toContain('already exists');
    await sim.stop();
    await gw.stop();

    // Restore as deploy/README.md says: a stopped gateway, both files copied into the data dir.
    const restoredDir = tempDir('lockergate-restored-');
    copyFileSync(target, join(restoredDir, 'lockergate.db'));
    copyFileSync(`${target}.keys.json`, join(restoredDir, 'keys.json'));
    const restored = await startTestGateway({ dataDir: restoredDir, env: smsEnv(sms) });
    try {
      const sites = await restored.ctx.store.read((tx) => tx.sites.list().length);
      expect(sites).toBeGreaterThanOrEqual(before);
      expect(sites).toBeLessThanOrEqual(after);
      // The operator token, the carrier key, the device secret and the keys all came back.
      const view = await new Courier(restored, courier.carrier).getParcel(parcel.parcelId);
      expect(view.json().parcel).toMatchObject({ state: 'deposited', recipientPhone: MASKED_PHONE });
      const again = simFor(restored.mqttUrl, fx, simLayout('S:2'));
      await again.start();
      await until(() => restored.mqtt.isConnected(fx.deviceId), Boolean);
      const pickup = await residentPickup(restored, fx.lockerId, code);
      expect(pickup.statusCode).toBeLessThan(300);
      expect(pickup.json()).toMatchObject({ compartment: parcel.compartment });
    } finally {
      await restored.stop();
      await sms.close();
    }
  });
});
