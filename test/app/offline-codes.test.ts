import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CODE_SYNC_MAX_ENTRIES, type CodeSyncCommandT, type CommandT } from '../../protocol/schemas/commands.js';
import { addCarrier } from '../../src/app/carriers.js';
import { applyDeviceEvent } from '../../src/app/device-events.js';
import { applyHello } from '../../src/app/device-session.js';
import { applyCommandAck } from '../../src/app/device-uplink.js';
import { createHousehold } from '../../src/app/households.js';
import { newId } from '../../src/app/ids.js';
import { deviceCodeKey, offlineCodeHash } from '../../src/app/offline/code-key.js';
import { syncLockers } from '../../src/app/offline/sync.js';
import { issuePickupCode } from '../../src/app/parcels/codes.js';
import { OFFLINE_CODE_HISTORY_MS, runHoldRules } from '../../src/app/parcels/expiry.js';
import { completePickup } from '../../src/app/parcels/lifecycle.js';
import { createLocker, provisionDevice } from '../../src/app/provisioning.js';
import type { Parcel } from '../../src/domain/parcel.js';
import { alarmsOf, connect, startHarness, type Harness } from './harness.js';

/**
 * Offline codes (protocol §12) at the use-case level: the gateway's desired code set per
 * controller, the code_sync commands that bring the controller there, and the reconciliation
 * rule for openings the controller decided itself. The broker is the FakeTransport boundary;
 * the end-to-end tests (test/e2e/offline/) run the same flows with the real simulator.
 */

let h: Harness;
let carrierId: string;
let key: Buffer;

beforeEach(async () => {
  h = await startHarness('S:4,M:2,L:2');
  carrierId = (await addCarrier(h.ctx, { name: 'Courier' }, 'test')).carrier.id;
  key = deviceCodeKey(h.ctx.keys.pickupCode, h.deviceId);
});
afterEach(async () => h.cleanup());

const HOLD_MS = 72 * 3_600_000;

/** A parcel deposited in `compartment`, with its pickup code (as the recipient got it). */
async function deposited(compartment: number, householdId: string | null = null): Promise<{ parcel: Parcel; code: string }> {
  const now = h.clock.now();
  return h.store.transact((tx) => {
    const parcel: Parcel = {
      id: newId(h.ctx.random, 'pcl', 12), carrierId, trackingNumber: `TN-${newId(h.ctx.random, 'x', 8)}`, lockerId: h.lockerId, compartment,
      size: 'S', state: 'deposited', recipientPhoneSealed: null, recipientPhoneMasked: null, holdHours: 72, holdUntil: now + HOLD_MS,
      reminderSentAt: null, createdAt: now, depositedAt: now, completedAt: null, householdId,
    };
    tx.parcels.insert(parcel);
    const c = tx.lockers.compartment(h.lockerId, compartment)!;
    tx.lockers.updateCompartment({ ...c, state: 'occupied', door: 'closed', occupancy: 'present' });
    return { parcel, code: householdId === null ? issuePickupCode(h.ctx, tx, parcel, now) : '' };
  });
}

/** The parcel leaves through the online flow: a resident's pickup or the carrier's retrieval. */
async function collectOnline(parcel: Parcel, kind: 'resident' | 'retrieval'): Promise<void> {
  await h.store.transact((tx) => {
    const pickup = {
      id: newId(h.ctx.random, 'pck', 12), kind, channel: kind === 'resident' ? 'api' as const : 'carrier' as const, parcelId: parcel.id, lockerId: h.lockerId,
      compartment: parcel.compartment, state: 'opening' as const, reason: null, commandId: null, createdAt: h.clock.now(), completedAt: null,
    };
    tx.pickups.insert(pickup);
    completePickup(h.ctx, tx, pickup, h.clock.now());
  });
}

async function hello(codeVersion: number | undefined): Promise<void> {
  const verdict = await applyHello(h.ctx, h.deviceId, {
    ...h.controller.envelope(), state: 'online', model: 'LG-C2', firmware: '3.0.0', protocol: codeVersion === undefined ? '1.0' : '1.1', compartments: 8,
    ...(codeVersion === undefined ? {} : { codeVersion }),
  });
  expect(verdict).toBe('applied');
}

const syncs = (): CodeSyncCommandT[] => h.transport.sent.map((s) => s.command).filter((c): c is CodeSyncCommandT => c.type === 'code_sync');
const lastSync = (): CodeSyncCommandT => syncs().at(-1)!;

async function ack(command: CommandT, status: 'accepted' | 'rejected' = 'accepted', reason?: 'out_of_sync'): Promise<void> {
  await applyCommandAck(h.ctx, h.deviceId, { ...h.controller.envelope(), commandId: command.id, status, ...(reason ? { reason } : {}) });
}

const syncState = () => h.store.read((tx) => tx.offlineCodes.state(h.lockerId));
const parcelOf = (id: string) => h.store.read((tx) => tx.parcels.get(id)!);

describe('code sync', () => {
  it('sends a v1.1 controller its set on hello, then deltas as codes come and go; a v1.0 controller gets none', async () => {
    const a = await deposited(1);
    const b = await deposited(2);
    await connect(h);
    await hello(undefined);
    expect(syncs()).toEqual([]);

    // Version 0 is the empty set, so everything comes as one delta from 0.
    await hello(0);
    const full = lastSync();
    expect(full).toMatchObject({ mode: 'delta', fromVersion: 0, version: 2, revoke: [] });
    expect(full.add).toEqual([
      { h: offlineCodeHash(key, a.code), compartment: 1, kind: 'pickup', expiresAt: a.parcel.holdUntil },
      { h: offlineCodeHash(key, b.code), compartment: 2, kind: 'pickup', expiresAt: b.parcel.holdUntil },
    ]);
    // Only keyed hashes travel: never the code itself.
    expect(JSON.stringify(full)).not.toContain(a.code);
    await ack(full);
    expect(await syncState()).toMatchObject({ version: 2, reportedVersion: 2, sentVersion: null });

    const c = await deposited(3);
    await syncLockers(h.ctx, [h.lockerId]);
    expect(lastSync()).toMatchObject({ mode: 'delta', fromVersion: 2, version: 3, add: [{ h: offlineCodeHash(key, c.code), compartment: 3 }], revoke: [] });
    await ack(lastSync());

    // Used online: revoked on the controller at once.
    await collectOnline(a.parcel, 'resident');
    await syncLockers(h.ctx, [h.lockerId]);
    expect(lastSync()).toMatchObject({ mode: 'delta', fromVersion: 3, version: 4, add: [], revoke: [offlineCodeHash(key, a.code)] });
  });

  it('chains deltas while one is in flight, and answers out_of_sync with a full set', async () => {
    await connect(h);
    await hello(0);
    await deposited(1);
    await syncLockers(h.ctx, [h.lockerId]);
    const first = lastSync();
    await deposited(2);
    await syncLockers(h.ctx, [h.lockerId]);
    expect(lastSync()).toMatchObject({ mode: 'delta', fromVersion: first.version, version: first.version + 1 });

    await ack(lastSync(), 'rejected', 'out_of_sync');
    await syncLockers(h.ctx, [h.lockerId]);
    const resync = lastSync();
    expect(resync).toMatchObject({ mode: 'full', version: 2, part: 1, parts: 1 });
    expect(resync.add).toHaveLength(2);
  });

  it(`splits a full set into parts of at most ${CODE_SYNC_MAX_ENTRIES} and counts it held only when the last part is acknowledged`, async () => {
    const { locker } = await createLocker(h.ctx, { siteId: (await h.store.read((tx) => tx.sites.list()))[0]!.id, name: 'Big', kind: 'smart_locker', layout: 'S:450' }, 'test');
    const { device } = await provisionDevice(h.ctx, locker.id, 'test');
    h.lockerId = locker.id;
    h.deviceId = device.id;
    key = deviceCodeKey(h.ctx.keys.pickupCode, device.id);
    for (let i = 1; i <= 450; i++) await deposited(i);
    await connect(h);
    // A version the gateway never issued: the controller's set is unknown, so a full set follows.
    await hello(1000);
    const parts = syncs();
    const sizes = parts.map((p) => p.add.length);
    expect(parts.every((p) => p.mode === 'full' && p.version === 1001 && p.parts === parts.length)).toBe(true);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(450);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(CODE_SYNC_MAX_ENTRIES);
    expect(parts.length).toBe(Math.ceil(450 / CODE_SYNC_MAX_ENTRIES));
    for (const p of parts.slice(0, -1)) await ack(p);
    expect((await syncState()).reportedVersion).toBe(-1);
    await ack(parts.at(-1)!);
    expect((await syncState()).reportedVersion).toBe(1001);
  });

  it('gives a controller that claims a newer version than the gateway (a restored backup) a full set with a version above both', async () => {
    await deposited(1);
    await connect(h);
    await hello(40);
    expect(lastSync()).toMatchObject({ mode: 'full', version: 41 });
  });

  it('revokes an expiring parcel\'s code on the controller', async () => {
    const a = await deposited(1);
    await connect(h);
    await hello(0);
    await ack(lastSync());
    h.clock.advance(HOLD_MS + 1);
    await runHoldRules(h.ctx);
    await syncLockers(h.ctx, [h.lockerId]);
    expect(lastSync()).toMatchObject({ mode: 'delta', revoke: [offlineCodeHash(key, a.code)] });
  });
});

/** `code` was typed at the controller at `ts` while it held `codeVersion`, and it opened. */
const localOpen = (code: string, compartment: number, codeVersion: number, ts: number, kind: 'pickup' | 'household' = 'pickup') => ({
  ...h.controller.envelope(), ts, type: 'local_open' as const, openId: `lo-${newId(h.ctx.random, 'x', 10).slice(2)}`, compartment, kind, h: offlineCodeHash(key, code), codeVersion,
});

describe('history', () => {
  it('forgets revoked entries after 30 days; a controller whose version is older than that gets a full set', async () => {
    const a = await deposited(1);
    await deposited(2);
    await connect(h);
    await hello(0);
    await ack(lastSync());
    h.transport.connected.delete(h.deviceId);
    h.clock.advance(HOLD_MS + 1);
    expect((await runHoldRules(h.ctx)).expired).toBe(2);
    h.clock.advance(OFFLINE_CODE_HISTORY_MS + 1);
    expect((await runHoldRules(h.ctx)).prunedCodes).toBe(2);
    expect(await h.store.read((tx) => tx.offlineCodes.history(h.lockerId, offlineCodeHash(key, a.code), 100))).toEqual([]);
    await connect(h);
    await hello(2);
    expect(lastSync()).toMatchObject({ mode: 'full', version: 4, add: [] });
  });
});

describe('local opens (offline pickups) are reconciled by the written rule', () => {
  async function syncedThenOffline(): Promise<number> {
    await connect(h);
    await hello(0);
    await ack(lastSync());
    h.transport.connected.delete(h.deviceId);
    return (await syncState()).version;
  }

  it('a deposited parcel is picked up at the controller\'s time, its codes revoked everywhere, and the door opening is expected', async () => {
    const a = await deposited(1);
    const held = await syncedThenOffline();
    const typedAt = h.clock.now() + 60_000;
    h.clock.advance(600_000);
    await connect(h);
    await hello(held);
    expect(await applyDeviceEvent(h.ctx, h.deviceId, localOpen(a.code, 1, held, typedAt))).toBe('applied');
    await applyDeviceEvent(h.ctx, h.deviceId, { ...h.controller.envelope(), type: 'door', compartment: 1, door: 'open' });
    const parcel = await parcelOf(a.parcel.id);
    expect(parcel).toMatchObject({ state: 'picked_up', completedAt: typedAt });
    const events = await h.store.read((tx) => tx.parcels.events(a.parcel.id));
    expect(events.at(-1)).toMatchObject({ type: 'picked_up', at: typedAt, details: { offline: true, channel: 'keypad' } });
    expect(await h.store.read((tx) => tx.lockers.compartment(h.lockerId, 1)!.state)).toBe('available');
    expect(await alarmsOf(h, 'door_forced')).toEqual([]);
    // The same code no longer opens online either.
    expect(await h.store.read((tx) => tx.offlineCodes.liveForParcel(a.parcel.id))).toEqual([]);
  });

  it('an expired parcel, or one whose code was reissued meanwhile, is still picked up: it is physically gone', async () => {
    const a = await deposited(1);
    h.clock.advance(HOLD_MS / 2);
    const b = await deposited(2);
    const held = await syncedThenOffline();
    h.clock.advance(HOLD_MS / 2 + 1);
    await runHoldRules(h.ctx);
    const reissued = await h.store.transact((tx) => issuePickupCode(h.ctx, tx, tx.parcels.get(b.parcel.id)!, h.clock.now()));
    await connect(h);
    await hello(held);
    await applyDeviceEvent(h.ctx, h.deviceId, localOpen(a.code, 1, held, h.clock.now()));
    await applyDeviceEvent(h.ctx, h.deviceId, localOpen(b.code, 2, held, h.clock.now()));
    expect((await parcelOf(a.parcel.id)).state).toBe('picked_up');
    expect((await parcelOf(b.parcel.id)).state).toBe('picked_up');
    const opens = await h.store.read((tx) => tx.localOpens.listForLocker(h.lockerId, 10));
    expect(opens.map((o) => o.outcome).sort()).toEqual(['picked_up', 'picked_up_after_expiry']);
    // The reissued code died with the pickup.
    expect(await h.store.read((tx) => tx.offlineCodes.live(h.lockerId, offlineCodeHash(key, reissued)))).toBeUndefined();
    expect(await alarmsOf(h, 'offline_pickup_conflict')).toEqual([]);
  });

  it('a parcel that had already left raises offline_pickup_conflict and changes nothing', async () => {
    const a = await deposited(1);
    const held = await syncedThenOffline();
    await collectOnline(a.parcel, 'retrieval');
    await connect(h);
    await hello(held);
    await applyDeviceEvent(h.ctx, h.deviceId, localOpen(a.code, 1, held, h.clock.now()));
    expect((await parcelOf(a.parcel.id)).state).toBe('returned');
    const [alarm] = await alarmsOf(h, 'offline_pickup_conflict');
    expect(alarm).toMatchObject({ compartment: 1, details: { parcelId: a.parcel.id, parcelState: 'returned' } });
  });

  it('a code the controller was never given, or one revoked before the version it held, raises offline_code_unknown', async () => {
    const a = await deposited(1);
    await connect(h);
    await hello(0);
    await ack(lastSync());
    await collectOnline(a.parcel, 'resident');
    await syncLockers(h.ctx, [h.lockerId]);
    await ack(lastSync());
    const held = (await syncState()).reportedVersion!;
    await applyDeviceEvent(h.ctx, h.deviceId, localOpen(a.code, 1, held, h.clock.now()));
    await applyDeviceEvent(h.ctx, h.deviceId, localOpen('99999999', 2, held, h.clock.now()));
    const alarms = await alarmsOf(h, 'offline_code_unknown');
    expect(alarms.map((x) => [x.compartment, x.details['problem']]).sort()).toEqual([[1, 'revoked_before'], [2, 'never_given']]);
    expect(alarms[0]!.severity).toBe('critical');
  });
});

describe('households', () => {
  it('a household code opening its mailbox collects the mail waiting there', async () => {
    const { locker } = await createLocker(h.ctx, { siteId: (await h.store.read((tx) => tx.sites.list()))[0]!.id, name: 'Mailboxes', kind: 'mailbox_bank', layout: 'S:6' }, 'test');
    const { device } = await provisionDevice(h.ctx, locker.id, 'test');
    h.lockerId = locker.id;
    h.deviceId = device.id;
    key = deviceCodeKey(h.ctx.keys.pickupCode, device.id);
    const { household, code } = await createHousehold(h.ctx, { lockerId: locker.id, compartment: 3, label: 'Flat 3' }, 'test');
    expect(code).toMatch(/^\d{8}$/);
    const mail = await deposited(3, household.id);
    await connect(h);
    await hello(0);
    expect(lastSync().add).toContainEqual({ h: offlineCodeHash(key, code), compartment: 3, kind: 'household' });
    await ack(lastSync());
    await applyDeviceEvent(h.ctx, h.deviceId, localOpen(code, 3, (await syncState()).version, h.clock.now(), 'household'));
    expect((await parcelOf(mail.parcel.id)).state).toBe('picked_up');
    // The household code stays: it is not single use.
    expect(await h.store.read((tx) => tx.offlineCodes.live(locker.id, offlineCodeHash(key, code)))).toMatchObject({ kind: 'household' });
  });
});
