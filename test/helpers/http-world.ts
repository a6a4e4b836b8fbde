import { createLocker, provisionDevice } from '../../src/app/provisioning.js';
import { createHousehold } from '../../src/app/households.js';
import type { SimController } from '../../device-sim/index.js';
import { startTestGateway, until, type TestGateway } from './gateway.js';
import { latestCode, smsEnv, startSmsInbox, type SmsInbox } from './inbox.js';
import { addCarrier, Courier, lockerFixture, onlineLocker, type LockerFixture } from './parcels.js';
import { seedJilin } from './seed.js';
import { stopAllSims } from './sim.js';

/**
 * One gateway with something behind every route, and a caller for every role: the world of the
 * authorisation matrix and the HTTP fuzzer. `fresh*` helpers make a new resource for a call
 * that is expected to succeed (and so to use it up); calls expected to fail share one.
 */
export const ROLES = ['anonymous', 'resident', 'carrierA', 'carrierB', 'viewer', 'operator'] as const;
export type Role = (typeof ROLES)[number];

export interface World {
  gw: TestGateway;
  sms: SmsInbox;
  fx: LockerFixture;
  sim: SimController;
  noSensor: { fx: LockerFixture; sim: SimController };
  a: Courier;
  b: Courier;
  /** A's deposited parcel; B must not see it. */
  parcelId: string;
  /** A's deposit of that parcel. */
  depositId: string;
  /** The code of a parcel waiting in fx, as the resident got it by SMS. */
  residentCode: string;
  /** A household of a mailbox bank; the resident role holds its app token. */
  household: { id: string; appToken: string; lockerId: string };
  headers(role: Role): Record<string, string>;
  close(): Promise<void>;
}

export async function startWorld(env: Record<string, string> = {}): Promise<World> {
  const sms = await startSmsInbox();
  // Wrong codes are part of the matrix and the fuzz: they must not lock the locker mid-test.
  const gw = await startTestGateway({ env: { ...smsEnv(sms), LOCKERGATE_CODE_MAX_FAILURES: '100', LOCKERGATE_PICKUP_RATE_PER_MIN: '10000', ...env } });
  await seedJilin(gw);
  const { fx, sim } = await onlineLocker(gw, 'S:12,M:6,L:6', { regionCode: '220102' });
  const noSensor = await onlineLocker(gw, 'S:6:nosensor', { regionCode: '220102' });
  const a = new Courier(gw, await addCarrier(gw, fx.operatorToken));
  const b = new Courier(gw, await addCarrier(gw, fx.operatorToken));
  const kept = await a.depositParcel(sim, fx.lockerId);
  const forResident = await a.depositParcel(sim, fx.lockerId);
  await gw.dispatchNotifications();
  const residentCode = latestCode(sms, forResident.parcelId);
  const world = { gw, fx } as World;
  const household = await freshHousehold(world);
  const headers = (role: Role): Record<string, string> => {
    const bearer = { carrierA: a.carrier.apiKey, carrierB: b.carrier.apiKey, viewer: fx.viewerToken, operator: fx.operatorToken }[role as string];
    return bearer ? { authorization: `Bearer ${bearer}` } : {};
  };
  return {
    gw, sms, fx, sim, noSensor, a, b, parcelId: kept.parcelId, depositId: kept.depositId, residentCode, household, headers,
    async close() {
      await stopAllSims();
      await gw.stop();
      await sms.close();
    },
  };
}

/** A's new deposit whose door is open (cancel, resize). */
export async function freshOpenDeposit(w: World): Promise<string> {
  return (await w.a.openDeposit(w.fx.lockerId)).depositId;
}

/** A's new deposit in a compartment without a sensor, parcel in and door shut: waiting for confirm. */
export async function freshDepositToConfirm(w: World): Promise<string> {
  const d = await w.a.openDeposit(w.noSensor.fx.lockerId);
  w.noSensor.sim.placeParcel(d.compartment);
  w.noSensor.sim.closeDoor(d.compartment);
  // The gateway's view, not the simulator's: confirm checks the sensed door.
  await until(() => w.gw.ctx.store.read((tx) => tx.lockers.compartment(w.noSensor.fx.lockerId, d.compartment)?.door), (door) => door === 'closed');
  return d.depositId;
}

/** A's new deposited parcel (retrieval). */
export async function freshParcel(w: World): Promise<string> {
  return (await w.a.depositParcel(w.sim, w.fx.lockerId)).parcelId;
}

/** A new locker without a controller (provisioning). */
export async function freshBareLocker(w: World): Promise<string> {
  return (await createLocker(w.gw.ctx, { siteId: w.fx.siteId, name: 'bare', kind: 'smart_locker', layout: 'S:1' }, 'test')).locker.id;
}

/** A new mailbox bank with a provisioned (sleeping) controller: households live here. */
export async function freshMailboxBank(w: World): Promise<string> {
  const { locker } = await createLocker(w.gw.ctx, { siteId: w.fx.siteId, name: 'mailboxes', kind: 'mailbox_bank', layout: 'S:4' }, 'test');
  await provisionDevice(w.gw.ctx, locker.id, 'test');
  return locker.id;
}

/** A new household in a new mailbox bank: its id and app token. */
export async function freshHousehold(w: World): Promise<{ id: string; appToken: string; lockerId: string }> {
  const lockerId = await freshMailboxBank(w);
  const { household, appToken } = await createHousehold(w.gw.ctx, { lockerId, compartment: 1, label: 'Flat 1' }, 'test');
  return { id: household.id, appToken, lockerId };
}

/** A new offline controller (rotate, revoke). */
export async function freshDevice(w: World): Promise<string> {
  return (await lockerFixture(w.gw, 'S:1', { siteId: w.fx.siteId })).deviceId;
}

/** A new open alarm on a new locker (acknowledge). */
export async function freshAlarm(w: World): Promise<string> {
  const lockerId = await freshBareLocker(w);
  const now = w.gw.ctx.clock.now();
  return w.gw.ctx.store.transact((tx) => tx.alarms.raise({ kind: 'tamper', lockerId, compartment: null, details: {} }, now).alarm.id);
}

/** Yesterday in Asia/Shanghai: a date a volume report may have. */
export function yesterday(): string {
  return new Date(Date.now() + 8 * 3_600_000 - 86_400_000).toISOString().slice(0, 10);
}
