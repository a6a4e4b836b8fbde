import { CodeSyncPump } from '../../src/app/offline/sync.js';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Alarm } from '../../src/domain/alarm.js';
import { ManualClock } from '../../src/domain/clock.js';
import type { Command } from '../../src/domain/command.js';
import type { AppContext } from '../../src/app/context.js';
import { deviceConnected, deviceDisconnected } from '../../src/app/device-session.js';
import { AppEventBus } from '../../src/app/events.js';
import { createLocker, createSite, provisionDevice } from '../../src/app/provisioning.js';
import { DEFAULT_SETTINGS } from '../../src/app/settings.js';
import { SqliteStore } from '../../src/adapters/storage/sqlite/db.js';
import type { StatusOnlineT } from '../../protocol/schemas/status.js';
import { FakeTransport } from './fakes.js';

export interface Harness {
  ctx: AppContext;
  clock: ManualClock;
  transport: FakeTransport;
  store: SqliteStore;
  /** The SQLite file, for tests that close the store and open it again (a restart). */
  dbFile: string;
  lockerId: string;
  deviceId: string;
  /** Every alarm the event bus announced as new. */
  raised: Alarm[];
  /** Every command change the event bus announced. */
  changes: Command[];
  controller: FakeController;
  cleanup(): Promise<void>;
}

/** Stamps uplink envelopes like a controller does: one seq counter per boot (protocol README §5). */
export class FakeController {
  seq = 0;
  private boots = 0;
  bootId = '';

  constructor(private readonly clock: ManualClock, private readonly compartmentCount: number) {
    this.reboot();
  }

  reboot(): void {
    this.boots++;
    this.bootId = `boot-${String(this.boots).padStart(4, '0')}`;
    this.seq = 0;
  }

  envelope(): { bootId: string; seq: number; ts: number } {
    this.seq++;
    return { bootId: this.bootId, seq: this.seq, ts: this.clock.now() };
  }

  hello(): StatusOnlineT {
    return { ...this.envelope(), state: 'online', model: 'LG-C2', firmware: '2.4.1', protocol: '1.0', compartments: this.compartmentCount };
  }
}

/** A real SqliteStore in a fresh temp dir, a ManualClock, one site, one locker "S:4,M:2,L:2", one device. */
export async function startHarness(layout = 'S:4,M:2,L:2'): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'lockergate-app-'));
  const dbFile = join(dir, 'lockergate.db');
  const store = new SqliteStore({ file: dbFile });
  const clock = new ManualClock();
  const transport = new FakeTransport();
  const events = new AppEventBus();
  const raised: Alarm[] = [];
  const changes: Command[] = [];
  events.onAlarm((a) => raised.push(a));
  events.onCommand((c) => changes.push(c));
  const ctx: AppContext = { store, clock, random: randomBytes, transport, events, settings: DEFAULT_SETTINGS, startedAt: clock.now(), keys: { pickupCode: Buffer.alloc(32, 1), data: Buffer.alloc(32, 2) }, codeSync: new CodeSyncPump() };
  const site = await createSite(ctx, { name: 'Harbour', kind: 'residential', regionCode: '220102', address: '1 Quay' }, 'test');
  const { locker, compartments } = await createLocker(ctx, { siteId: site.id, name: 'Block A', kind: 'smart_locker', layout }, 'test');
  const { device } = await provisionDevice(ctx, locker.id, 'test');
  return {
    ctx,
    clock,
    transport,
    store,
    dbFile,
    lockerId: locker.id,
    deviceId: device.id,
    raised,
    changes,
    controller: new FakeController(clock, compartments.length),
    async cleanup() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The device's MQTT session comes up (what the broker adapter reports before the hello). */
export async function connect(h: Harness): Promise<void> {
  h.transport.connected.add(h.deviceId);
  await deviceConnected(h.ctx, h.deviceId);
}

export async function disconnect(h: Harness): Promise<void> {
  h.transport.connected.delete(h.deviceId);
  await deviceDisconnected(h.ctx, h.deviceId);
}

export function getCommand(h: Harness, id: string): Promise<Command | undefined> {
  return h.store.read((tx) => tx.commands.get(id));
}

export function liveAlarm(h: Harness, kind: Alarm['kind'], compartment: number | null): Promise<Alarm | undefined> {
  return h.store.read((tx) => tx.alarms.live(h.lockerId, compartment, kind));
}

export function alarmsOf(h: Harness, kind: Alarm['kind']): Promise<Alarm[]> {
  return h.store.read((tx) => tx.alarms.list({ kind, lockerId: h.lockerId, limit: 100 }));
}
