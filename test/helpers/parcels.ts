import { expect } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import type { CompartmentSpec, SimController, SimControllerOptions } from '../../device-sim/index.js';
import { createLocker, createSite, provisionDevice } from '../../src/app/provisioning.js';
import { createOperatorToken } from '../../src/app/tokens.js';
import { until, type Fixture, type TestGateway } from './gateway.js';
import { simFor } from './sim.js';

export const PHONE = '+8613800138000';
/** The part of the number that must never show up unmasked. */
export const PHONE_DIGITS = '13800138000';
export const MASKED_PHONE = '*********8000';

export type Size = 'XS' | 'S' | 'M' | 'L' | 'XL';

export interface LockerFixture extends Fixture {
  siteId: string;
}

let seq = 0;
const unique = () => `${process.pid.toString(36)}${(++seq).toString(36)}`;

/** A tracking number no other test uses. */
export const tracking = () => `TN-${unique()}`;

/** The simulator's compartments for a layout string ('S:8,M:10,L:6', 'M:2:nosensor'). */
export function simLayout(layout: string): CompartmentSpec[] {
  return layout.split(',').flatMap((part) => {
    const [size, count, flag] = part.trim().split(':');
    return Array.from({ length: Number(count) }, () => ({ size: size as Size, occupancySensor: flag !== 'nosensor' }));
  });
}

export interface LockerOptions {
  /** Put the locker on this site instead of a new one. */
  siteId?: string;
  /** Region of the new site; unique by default so no other test's locker is "nearby". */
  regionCode?: string;
  lockerId?: string;
  status?: 'commissioning' | 'active' | 'maintenance' | 'retired';
}

/** A locker with its controller provisioned (not connected), plus operator and viewer tokens. */
export async function lockerFixture(gw: TestGateway, layout: string, opts: LockerOptions = {}): Promise<LockerFixture> {
  const n = unique();
  const siteId = opts.siteId ?? (await createSite(gw.ctx, { id: `site-${n}`, name: `Site ${n}`, kind: 'residential', regionCode: opts.regionCode ?? `9${String(seq).padStart(5, '0')}`, address: `${n} Test road` }, 'test')).id;
  const { locker } = await createLocker(gw.ctx, { id: opts.lockerId, status: opts.status, siteId, name: `Locker ${n}`, kind: 'smart_locker', layout }, 'test');
  const { device, secret } = await provisionDevice(gw.ctx, locker.id, 'test');
  const operator = await createOperatorToken(gw.ctx, 'op', 'operator');
  const viewer = await createOperatorToken(gw.ctx, 'view', 'viewer');
  return { siteId, lockerId: locker.id, deviceId: device.id, secret, operatorToken: operator.secret, viewerToken: viewer.secret };
}

/** A locker whose simulated controller is connected, said hello and sent its snapshot. */
export async function onlineLocker(
  gw: TestGateway,
  layout: string,
  opts: LockerOptions & { url?: string; sim?: Partial<SimControllerOptions> } = {},
): Promise<{ fx: LockerFixture; sim: SimController }> {
  const fx = await lockerFixture(gw, layout, opts);
  const sim = simFor(opts.url ?? gw.mqttUrl, fx, simLayout(layout), { clock: gw.clock, ...opts.sim });
  await sim.start();
  await until(() => gw.ctx.store.read((tx) => tx.devices.get(fx.deviceId)?.bootId), (b) => b === sim.bootId, 5000, 'hello');
  await until(() => gw.mqtt.isConnected(fx.deviceId), Boolean, 5000, 'connection');
  return { fx, sim };
}

export interface TestCarrier {
  id: string;
  apiKey: string;
  webhookSecret: string | null;
}

/** Adds a carrier through the operator API (201, key shown once). */
export async function addCarrier(gw: TestGateway, operatorToken: string, webhookUrl?: string): Promise<TestCarrier> {
  const res = await gw.http.inject({
    method: 'POST',
    url: '/v1/carriers',
    headers: { authorization: `Bearer ${operatorToken}` },
    payload: { name: `Carrier ${unique()}`, ...(webhookUrl ? { webhookUrl } : {}) },
  });
  expect(res.statusCode).toBe(201);
  const { carrier, apiKey, webhookSecret } = res.json();
  return { id: carrier.id, apiKey, webhookSecret };
}

export function expectError(res: LightMyRequestResponse, status: number, code: string): void {
  expect([res.statusCode, res.json().error?.code]).toEqual([status, code]);
}

/** `text` holds `digits` as a whole number, not inside a longer run of digits (a timestamp, a port). */
export function mentionsNumber(text: string, digits: string): boolean {
  return new RegExp(`(?<!\\d)${digits}(?!\\d)`).test(text);
}

/** A code of the same shape that is none of `codes`. */
export function wrongCode(...codes: string[]): string {
  let n = Number(codes[0] ?? '0');
  do n = (n + 1) % 1_000_000; while (codes.includes(String(n).padStart(6, '0')));
  return String(n).padStart(6, '0');
}

export interface DepositBody {
  lockerId: string;
  size: Size;
  trackingNumber: string;
  recipientPhone: string;
  holdHours?: number;
}

/**
 * The courier API as one carrier calls it. Every response body is kept in `seen`, so a test can
 * check what a courier was ever shown (e.g. never the full phone number).
 */
export class Courier {
  readonly seen: string[] = [];

  constructor(readonly gw: TestGateway, readonly carrier: TestCarrier) {}

  async call(method: 'GET' | 'POST', url: string, payload?: object, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    const res = await this.gw.http.inject({ method, url, ...(payload ? { payload } : {}), headers: { authorization: `Bearer ${this.carrier.apiKey}`, ...headers } });
    this.seen.push(res.body);
    return res;
  }

  body(lockerId: string, over: Partial<DepositBody> = {}): DepositBody {
    return { lockerId, size: 'S', trackingNumber: tracking(), recipientPhone: PHONE, ...over };
  }

  deposit(body: DepositBody, idempotencyKey?: string): Promise<LightMyRequestResponse> {
    return this.call('POST', '/v1/deposits', body, idempotencyKey ? { 'idempotency-key': idempotencyKey } : {});
  }

  getDeposit = (id: string) => this.call('GET', `/v1/deposits/${id}`);
  getParcel = (id: string) => this.call('GET', `/v1/parcels/${id}`);
  confirm = (id: string) => this.call('POST', `/v1/deposits/${id}/confirm`);
  cancel = (id: string) => this.call('POST', `/v1/deposits/${id}/cancel`);
  resize = (id: string) => this.call('POST', `/v1/deposits/${id}/resize`);
  resendCode = (id: string) => this.call('POST', `/v1/parcels/${id}/resend-code`);
  retrieve = (parcelId: string) => this.call('POST', '/v1/retrievals', { parcelId });

  /** Waits until the deposit reaches `state` (as GET /v1/deposits/:id shows it) and returns it. */
  async waitDeposit(id: string, state: string): Promise<Record<string, unknown>> {
    return until(async () => (await this.getDeposit(id)).json() as Record<string, unknown>, (d) => d['state'] === state, 5000, `deposit ${id} ${state}`);
  }

  /** Starts a deposit (202) and waits until its door is open. */
  async openDeposit(lockerId: string, over: Partial<DepositBody> = {}): Promise<{ depositId: string; parcelId: string; compartment: number }> {
    const res = await this.deposit(this.body(lockerId, over));
    expect(res.statusCode).toBe(202);
    const { depositId, parcelId } = res.json();
    const open = await this.waitDeposit(depositId, 'open');
    return { depositId, parcelId, compartment: open['compartment'] as number };
  }

  /** The whole courier side: door opens, parcel in, door closed, deposited. */
  async depositParcel(sim: SimController, lockerId: string, over: Partial<DepositBody> = {}): Promise<{ depositId: string; parcelId: string; compartment: number }> {
    const d = await this.openDeposit(lockerId, over);
    sim.placeParcel(d.compartment);
    sim.closeDoor(d.compartment);
    await this.waitDeposit(d.depositId, 'deposited');
    return d;
  }
}

/** A resident collecting through the app; `client` is the caller's address (the rate limit is per client). */
export function residentPickup(gw: TestGateway, lockerId: string, code: string, client = '203.0.113.10'): Promise<LightMyRequestResponse> {
  return gw.http.inject({ method: 'POST', url: '/v1/pickups', payload: { lockerId, code }, remoteAddress: client });
}

/** The operator's view of one compartment (GET /v1/lockers/:id). */
export async function compartment(gw: TestGateway, fx: Fixture, index: number): Promise<{ state: string; door: string; occupancy: string }> {
  const res = await gw.http.inject({ url: `/v1/lockers/${fx.lockerId}`, headers: { authorization: `Bearer ${fx.viewerToken}` } });
  return res.json().compartments.find((c: { index: number }) => c.index === index);
}

/** The alarms of a locker, as [kind, compartment] pairs, oldest first. */
export async function alarmsOf(gw: TestGateway, lockerId: string): Promise<Array<[string, number | null]>> {
  const alarms = await gw.ctx.store.read((tx) => tx.alarms.list({ lockerId, limit: 50 }));
  return alarms.reverse().map((a) => [a.kind, a.compartment]);
}
