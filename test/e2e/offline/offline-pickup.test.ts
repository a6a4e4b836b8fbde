import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SimController } from '../../../device-sim/index.js';
import { createLocker, createSite, provisionDevice } from '../../../src/app/provisioning.js';
import { createOperatorToken } from '../../../src/app/tokens.js';
import { startTestGateway, until, type TestGateway } from '../../helpers/gateway.js';
import { latestCode, smsEnv, startSmsInbox, type SmsInbox } from '../../helpers/inbox.js';
import { addCarrier, alarmsOf, Courier, simLayout } from '../../helpers/parcels.js';
import { simFor, stopAllSims } from '../../helpers/sim.js';

/**
 * Offline pickup end to end (protocol §12): the real gateway, the real simulator speaking v1.1
 * with its code key, real MQTT. The locker's network is cut while residents collect; afterwards
 * the gateway's view must match what is physically in every compartment, with no false alarms.
 */

let gw: TestGateway;
let sms: SmsInbox;
let courier: Courier;
let n = 0;

beforeAll(async () => {
  sms = await startSmsInbox();
  gw = await startTestGateway({ env: smsEnv(sms) });
  const token = (await createOperatorToken(gw.ctx, 'op', 'operator')).secret;
  courier = new Courier(gw, await addCarrier(gw, token));
});
afterEach(async () => stopAllSims());
afterAll(async () => {
  await gw.stop();
  await sms.close();
});

interface OfflineLocker {
  lockerId: string;
  deviceId: string;
  sim: SimController;
}

/** A smart locker whose v1.1 controller holds its code key, online and in sync. */
async function offlineCapableLocker(layout = 'S:6'): Promise<OfflineLocker> {
  n += 1;
  const site = await createSite(gw.ctx, { id: `off-site-${n}`, name: `Offline ${n}`, kind: 'residential', regionCode: `98${String(n).padStart(4, '0')}`, address: `${n} Test road` }, 'test');
  const { locker } = await createLocker(gw.ctx, { siteId: site.id, name: `Offline locker ${n}`, kind: 'smart_locker', layout }, 'test');
  const { device, secret, codeKey } = await provisionDevice(gw.ctx, locker.id, 'test');
  const sim = simFor(gw.mqttUrl, { lockerId: locker.id, deviceId: device.id, secret, operatorToken: '', viewerToken: '' }, simLayout(layout), { codeKey, protocol: '1.1' });
  await sim.start();
  await until(() => gw.mqtt.isConnected(device.id), Boolean, 5000, 'connection');
  return { lockerId: locker.id, deviceId: device.id, sim };
}

const syncState = (lockerId: string) => gw.ctx.store.read((tx) => tx.offlineCodes.state(lockerId));

/** The controller holds the version the gateway wants (desired = reported). */
async function inSync(l: OfflineLocker): Promise<void> {
  await until(async () => ({ want: (await syncState(l.lockerId)).version, held: l.sim.codeVersion, reported: (await syncState(l.lockerId)).reportedVersion }), (v) => v.held === v.want && v.reported === v.want, 5000, 'code set in sync');
}

async function depositWithCode(l: OfflineLocker): Promise<{ parcelId: string; compartment: number; code: string }> {
  const d = await courier.depositParcel(l.sim, l.lockerId);
  await gw.dispatchNotifications();
  return { parcelId: d.parcelId, compartment: d.compartment, code: latestCode(sms, d.parcelId) };
}

async function goOffline(l: OfflineLocker): Promise<void> {
  await l.sim.dropConnection();
  await until(() => gw.mqtt.isConnected(l.deviceId), (c) => !c, 5000, 'gateway sees the locker offline');
}

async function comeBack(l: OfflineLocker): Promise<void> {
  await l.sim.reconnect();
  await until(() => Promise.resolve(l.sim.queued.length), (q) => q === 0, 5000, 'replay acknowledged');
}

/** The resident takes the parcel out once the door is open, and shuts the door. */
async function takeOut(l: OfflineLocker, compartment: number): Promise<void> {
  await until(() => Promise.resolve(l.sim.physical(compartment).door), (d) => d === 'open', 5000, 'door opens');
  l.sim.removeParcel(compartment);
  l.sim.closeDoor(compartment);
}

/** The code as this controller holds it (it has a code key, so there is a hash). */
function hashOf(l: OfflineLocker, code: string): string {
  const h = l.sim.codeHash(code);
  if (h === null) throw new Error('the controller has no code key');
  return h;
}

const parcelState = (id: string) => gw.ctx.store.read((tx) => tx.parcels.get(id)?.state);

/** The oracle for one locker: every compartment holding a parcel is occupied in the gateway's eyes, and only those. */
async function expectGatewayMatchesPhysical(l: OfflineLocker): Promise<void> {
  const compartments = await gw.ctx.store.read((tx) => tx.lockers.compartments(l.lockerId));
  const mismatches = compartments
    .map((c) => ({ index: c.index, state: c.state, occupied: l.sim.physical(c.index).parcel }))
    .filter((c) => (c.state === 'occupied') !== c.occupied || c.state === 'reserved');
  expect(mismatches).toEqual([]);
}

describe('offline pickup (protocol §12)', () => {
  it('a resident collects while the network is down; on reconnect the pickup is reconciled at the controller\'s time, with no false alarm', async () => {
    const l = await offlineCapableLocker();
    const parcels = [await depositWithCode(l), await depositWithCode(l), await depositWithCode(l)];
    await inSync(l);
    expect(l.sim.codeCount).toBe(3);

    await goOffline(l);
    const first = parcels[0]!;
    const wrong = await l.sim.typeCode('00000000');
    expect(wrong).toMatchObject({ local: true, result: 'deny', reason: 'invalid' });
    const typedAt = Date.now();
    const opened = await l.sim.typeCode(first.code);
    expect(opened).toMatchObject({ local: true, result: 'open', compartment: first.compartment, kind: 'pickup' });
    await takeOut(l, first.compartment);
    // Single use: the same code does not open twice, even offline.
    expect(await l.sim.typeCode(first.code)).toMatchObject({ local: true, result: 'deny' });

    await comeBack(l);
    const parcel = await gw.ctx.store.read((tx) => tx.parcels.get(first.parcelId)!);
    expect(parcel.state).toBe('picked_up');
    expect(parcel.completedAt).toBeGreaterThanOrEqual(typedAt - 1000);
    expect(parcel.completedAt).toBeLessThan(Date.now());
    const timeline = await gw.ctx.store.read((tx) => tx.parcels.events(first.parcelId));
    expect(timeline.at(-1)).toMatchObject({ type: 'picked_up', details: { offline: true, channel: 'keypad' } });
    expect(await parcelState(parcels[1]!.parcelId)).toBe('deposited');
    expect(await parcelState(parcels[2]!.parcelId)).toBe('deposited');
    await expectGatewayMatchesPhysical(l);
    expect(await alarmsOf(gw, l.lockerId)).toEqual([]);
    await inSync(l);
    expect(l.sim.codeCount).toBe(2);

    // Online again: the used code is refused by the gateway, the others still work at the keypad.
    expect(await l.sim.typeCode(first.code)).toMatchObject({ result: 'deny' });
    const second = parcels[1]!;
    expect(await l.sim.typeCode(second.code)).toMatchObject({ result: 'open', compartment: second.compartment });
    expect((await l.sim.typeCode(second.code)).local).toBeUndefined();
  });

  it('a code revoked while the locker is online never opens offline; one reissued while it is offline still does, by the written rule', async () => {
    const l = await offlineCapableLocker();
    const a = await depositWithCode(l);
    const b = await depositWithCode(l);
    await inSync(l);

    // Reissued online: the old code is revoked on the controller at once.
    expect((await courier.resendCode(a.parcelId)).statusCode).toBe(202);
    await gw.dispatchNotifications();
    const aNew = latestCode(sms, a.parcelId);
    await inSync(l);
    expect(l.sim.holdsCode(hashOf(l, a.code))).toBe(false);
    expect(l.sim.holdsCode(hashOf(l, aNew))).toBe(true);

    await goOffline(l);
    expect(await l.sim.typeCode(a.code)).toMatchObject({ local: true, result: 'deny', reason: 'invalid' });
    expect(await l.sim.typeCode(aNew)).toMatchObject({ local: true, result: 'open', compartment: a.compartment });
    await takeOut(l, a.compartment);

    // Reissued while the controller cannot hear it: its old code is still valid there.
    expect((await courier.resendCode(b.parcelId)).statusCode).toBe(202);
    await gw.dispatchNotifications();
    const bNew = latestCode(sms, b.parcelId);
    expect(await l.sim.typeCode(b.code)).toMatchObject({ local: true, result: 'open', compartment: b.compartment });
    await takeOut(l, b.compartment);

    await comeBack(l);
    expect(await parcelState(a.parcelId)).toBe('picked_up');
    expect(await parcelState(b.parcelId)).toBe('picked_up');
    const bTimeline = await gw.ctx.store.read((tx) => tx.parcels.events(b.parcelId));
    expect(bTimeline.at(-1)).toMatchObject({ type: 'picked_up', details: { offline: true, codeReissued: true } });
    // The reissued code died with the pickup, everywhere.
    await inSync(l);
    expect(l.sim.holdsCode(hashOf(l, bNew))).toBe(false);
    expect(l.sim.codeCount).toBe(0);
    await expectGatewayMatchesPhysical(l);
    expect(await alarmsOf(gw, l.lockerId)).toEqual([]);
  });

  it('a v1.0 controller gets no codes and its keypad stays online-only', async () => {
    n += 1;
    const site = await createSite(gw.ctx, { id: `off-site-${n}`, name: `Old ${n}`, kind: 'residential', regionCode: `98${String(n).padStart(4, '0')}`, address: 'x' }, 'test');
    const { locker } = await createLocker(gw.ctx, { siteId: site.id, name: 'Old', kind: 'smart_locker', layout: 'S:2' }, 'test');
    const { device, secret, codeKey } = await provisionDevice(gw.ctx, locker.id, 'test');
    const sim = simFor(gw.mqttUrl, { lockerId: locker.id, deviceId: device.id, secret, operatorToken: '', viewerToken: '' }, simLayout('S:2'), { codeKey, protocol: '1.0' });
    await sim.start();
    const l = { lockerId: locker.id, deviceId: device.id, sim };
    await until(() => gw.mqtt.isConnected(device.id), Boolean, 5000, 'connection');
    const p = await depositWithCode(l);
    const sent = await gw.ctx.store.read((tx) => tx.commands.listForLocker(locker.id, 50));
    expect(sent.filter((c) => c.type === 'code_sync')).toEqual([]);
    await goOffline(l);
    await expect(sim.typeCode(p.code)).rejects.toThrow(/offline/);
  });
});
