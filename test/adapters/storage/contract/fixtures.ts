import { afterEach, beforeEach } from 'vitest';
import type { AlarmDraft } from '../../../../src/domain/alarm.js';
import type { Command } from '../../../../src/domain/command.js';
import type { Device } from '../../../../src/domain/device.js';
import type { Compartment, Locker, Site } from '../../../../src/domain/locker.js';
import type { OperatorToken } from '../../../../src/domain/token.js';
import type { Store } from '../../../../src/app/ports.js';

/** What a contract suite gets from the adapter under test: a fresh, empty store per test. */
export interface StoreHandle {
  store: Store;
  /** Closes whatever is still open and removes every trace (temp files …). */
  cleanup(): Promise<void>;
  /**
   * For persistent adapters: opens the same data again (after `store.close()`), so a suite can
   * check that committed writes survive a restart. Absent for purely in-memory adapters.
   */
  reopen?: () => Promise<Store>;
}

export type MakeStore = () => Promise<StoreHandle>;

export const T0 = Date.UTC(2026, 10, 28, 2, 0, 0);

export function site(id: string, overrides: Partial<Site> = {}): Site {
  return { id, name: `Site ${id}`, kind: 'residential', regionCode: '220102', address: '1 Test road', createdAt: T0, ...overrides };
}

export function locker(id: string, siteId: string, overrides: Partial<Locker> = {}): Locker {
  return { id, siteId, name: `Locker ${id}`, kind: 'smart_locker', status: 'active', commissionedAt: T0, createdAt: T0, ...overrides };
}

export function compartments(lockerId: string, count: number): Compartment[] {
  return Array.from({ length: count }, (_, i) => ({
    lockerId,
    index: i + 1,
    size: i % 2 === 0 ? 'S' : 'L',
    hasOccupancySensor: i % 3 !== 2,
    state: 'available',
    door: 'unknown',
    occupancy: 'unknown',
    sensedAt: null,
    doorOpenedAt: null,
  }));
}

export function device(id: string, lockerId: string, overrides: Partial<Device> = {}): Device {
  return {
    id,
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
    createdAt: T0,
    telemetry: null,
    wakeIntervalS: null,
    asleepUntil: null,
    ...overrides,
  };
}

export function command(id: string, deviceId: string, lockerId: string, overrides: Partial<Command> = {}): Command {
  return {
    id,
    deviceId,
    lockerId,
    type: 'open',
    params: { compartment: 1 },
    state: 'queued',
    outcome: null,
    createdAt: T0,
    expiresAt: T0 + 60_000,
    sentAt: null,
    acceptedAt: null,
    completedAt: null,
    attempts: 0,
    actor: 'operator:tok-1',
    ...overrides,
  };
}

export function alarmDraft(overrides: Partial<AlarmDraft> = {}): AlarmDraft {
  return { kind: 'door_forced', lockerId: 'lkr-a', compartment: 1, details: {}, ...overrides };
}

export function token(id: string, overrides: Partial<OperatorToken> = {}): OperatorToken {
  return { id, name: `token ${id}`, role: 'operator', createdAt: T0, revokedAt: null, ...overrides };
}

/** Site `site-a` with lockers `lkr-a` (4 compartments) and `lkr-b` (2), devices `dev-a`, `dev-b`. */
export async function seedLockers(store: Store): Promise<void> {
  await store.transact((tx) => {
    tx.sites.insert(site('site-a'));
    tx.lockers.insert(locker('lkr-a', 'site-a'), compartments('lkr-a', 4));
    tx.lockers.insert(locker('lkr-b', 'site-a'), compartments('lkr-b', 2));
    tx.devices.insert(device('dev-a', 'lkr-a'), Buffer.alloc(32, 1));
    tx.devices.insert(device('dev-b', 'lkr-b'), Buffer.alloc(32, 2));
  });
}

/** Gives every test of the enclosing describe a fresh store (call it inside the describe). */
export function useStore(make: MakeStore): { readonly store: Store; readonly handle: StoreHandle } {
  let current: StoreHandle | undefined;
  beforeEach(async () => {
    current = await make();
  });
  afterEach(async () => {
    await current?.cleanup();
    current = undefined;
  });
  return {
    get store(): Store {
      if (!current) throw new Error('store used outside a test');
      return current.store;
    },
    get handle(): StoreHandle {
      if (!current) throw new Error('store used outside a test');
      return current;
    },
  };
}
