import { deviceCodeKey } from './offline/code-key.js';
import { LockergateError } from '../domain/errors.js';
import { parseLayout, type Compartment, type Locker, type LockerKind, type LockerStatus, type Site, type SiteKind } from '../domain/locker.js';
import type { Device } from '../domain/device.js';
import type { AppContext } from './context.js';
import { hashSecret, newId, newSecret } from './ids.js';

export interface NewSite {
  id?: string | undefined;
  name: string;
  kind: SiteKind;
  regionCode: string;
  address: string;
}

export async function createSite(ctx: AppContext, input: NewSite, actor: string): Promise<Site> {
  const site: Site = { ...input, id: input.id ?? newId(ctx.random, 'site'), createdAt: ctx.clock.now() };
  await ctx.store.transact((tx) => {
    tx.sites.insert(site);
    tx.audit.append({ at: site.createdAt, actor, action: 'site.create', target: site.id, details: { name: site.name } });
  });
  return site;
}

export interface NewLocker {
  id?: string | undefined;
  siteId: string;
  name: string;
  kind: LockerKind;
  /** e.g. "S:8,M:10,L:6" — see parseLayout. */
  layout: string;
  status?: LockerStatus | undefined;
}

export async function createLocker(ctx: AppContext, input: NewLocker, actor: string): Promise<{ locker: Locker; compartments: Compartment[] }> {
  const specs = parseLayout(input.layout);
  const now = ctx.clock.now();
  const status = input.status ?? 'active';
  const locker: Locker = {
    id: input.id ?? newId(ctx.random, 'lkr'),
    siteId: input.siteId,
    name: input.name,
    kind: input.kind,
    status,
    commissionedAt: status === 'active' ? now : null,
    createdAt: now,
  };
  const compartments: Compartment[] = specs.map((s, i) => ({
    lockerId: locker.id,
    index: i + 1,
    size: s.size,
    hasOccupancySensor: s.hasOccupancySensor,
    state: 'available',
    door: 'unknown',
    occupancy: 'unknown',
    sensedAt: null,
    doorOpenedAt: null,
  }));
  await ctx.store.transact((tx) => {
    if (!tx.sites.get(input.siteId)) throw new LockergateError('SITE_NOT_FOUND', `No site "${input.siteId}".`);
    tx.lockers.insert(locker, compartments);
    tx.audit.append({ at: now, actor, action: 'locker.create', target: locker.id, details: { layout: input.layout } });
  });
  return { locker, compartments };
}

export interface ProvisionedDevice {
  device: Device;
  /** Shown once; only its hash is stored. */
  secret: string;
  /** The controller's code key for offline codes (protocol §12.1), hex; derived, shown with the secret. */
  codeKey: string;
}

export async function provisionDevice(ctx: AppContext, lockerId: string, actor: string, deviceId?: string): Promise<ProvisionedDevice> {
  const secret = newSecret(ctx.random);
  const now = ctx.clock.now();
  const device: Device = {
    id: deviceId ?? newId(ctx.random, 'dev'),
    lockerId,
    model: null,
    firmware: null,
    protocol: null,
    bootId: null,
    lastSeq: 0,
    online: false,
    lastSeenAt: null,
    connectedAt: null,
    revokedAt: null,
    createdAt: now,
    telemetry: null,
    wakeIntervalS: null,
    asleepUntil: null,
  };
  await ctx.store.transact((tx) => {
    if (!tx.lockers.get(lockerId)) throw new LockergateError('LOCKER_NOT_FOUND', `No locker "${lockerId}".`);
    if (tx.devices.byLocker(lockerId)) throw new LockergateError('LOCKER_HAS_DEVICE');
    tx.devices.insert(device, hashSecret(secret));
    tx.audit.append({ at: now, actor, action: 'device.provision', target: device.id, details: { lockerId } });
  });
  return { device, secret, codeKey: deviceCodeKey(ctx.keys.pickupCode, device.id).toString('hex') };
}

/** Issues a new secret; the old one stops working and the live session is closed at once. */
export async function rotateDeviceSecret(ctx: AppContext, deviceId: string, actor: string): Promise<ProvisionedDevice> {
  const secret = newSecret(ctx.random);
  const now = ctx.clock.now();
  const device = await ctx.store.transact((tx) => {
    const d = tx.devices.get(deviceId);
    if (!d) throw new LockergateError('DEVICE_NOT_FOUND');
    tx.devices.setSecret(deviceId, hashSecret(secret));
    tx.devices.update({ ...d, revokedAt: null });
    tx.audit.append({ at: now, actor, action: 'device.rotate_secret', target: deviceId, details: {} });
    return { ...d, revokedAt: null };
  });
  ctx.transport.disconnect(deviceId);
  return { device, secret, codeKey: deviceCodeKey(ctx.keys.pickupCode, device.id).toString('hex') };
}

export async function revokeDevice(ctx: AppContext, deviceId: string, actor: string): Promise<Device> {
  const now = ctx.clock.now();
  const device = await ctx.store.transact((tx) => {
    const d = tx.devices.get(deviceId);
    if (!d) throw new LockergateError('DEVICE_NOT_FOUND');
    const revoked = { ...d, revokedAt: now };
    tx.devices.update(revoked);
    tx.audit.append({ at: now, actor, action: 'device.revoke', target: deviceId, details: {} });
    return revoked;
  });
  ctx.transport.disconnect(deviceId);
  return device;
}
