import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { backoffMs, dispatchDue, verifySignature, type DispatchDeps } from '../../src/app/dispatch-notifications.js';
import { notifyCarrier, notifyRecipient, purgeOutboxBodies, type RecipientMessage } from '../../src/app/notifications.js';
import { decrypt, encrypt } from '../../src/app/personal-data.js';
import type { NotificationLog } from '../../src/app/notification-ports.js';
import { FetchPoster } from '../../src/adapters/notify/fetch-poster.js';
import { pinoNotificationLog } from '../../src/adapters/notify/pino-log.js';
import { SqliteStore } from '../../src/adapters/storage/sqlite/db.js';
import { createLogger } from '../../src/logger.js';
import { closedPortUrl, WebhookReceiver } from '../helpers/webhook-receiver.js';
import { startHarness, type Harness } from './harness.js';

const CARRIER_SECRET = 'whsec-carrier-0123456789';
const SMS_SECRET = 'whsec-sms-provider-0123456789';
const PHONE = '+8613800138000';
const CODE = '483920';
const DAY = 86_400_000;

let h: Harness;
let rx: WebhookReceiver;
let logEntries: Array<Parameters<NotificationLog['recipient']>[0]>;

beforeEach(async () => {
  h = await startHarness();
  rx = await WebhookReceiver.start();
  logEntries = [];
});
afterEach(async () => {
  await rx.close();
  await h.cleanup();
});

function deps(over: Partial<DispatchDeps> = {}): DispatchDeps {
  return { poster: new FetchPoster(), recipientEndpoint: null, log: { recipient: (e) => logEntries.push(e) }, maxAttempts: 5, batch: 50, timeoutMs: 2_000, ...over };
}
const smsEndpoint = () => ({ url: `${rx.url}/sms`, secret: SMS_SECRET });
const nothing = { delivered: 0, retried: 0, failed: 0, logged: 0 };

let carriers = 0;
async function addCarrier(webhookUrl: string | null): Promise<string> {
  const id = `car-${++carriers}`;
  const carrier = { id, name: 'SF Express', webhookUrl, createdAt: h.clock.now(), disabledAt: null };
  await h.store.transact((tx) => tx.carriers.insert(carrier, randomBytes(32), encrypt(h.ctx.keys.data, CARRIER_SECRET)));
  return id;
}
const deposited = (carrierId: string) =>
  h.store.transact((tx) => notifyCarrier(h.ctx, tx, carrierId, 'parcel.deposited', { parcelId: 'pcl-1', recipientPhone: '*********8000' }, h.clock.now()));
const pickupCode: RecipientMessage = {
  kind: 'pickup_code', phone: PHONE, code: CODE, parcelId: 'pcl-1', lockerName: 'Block A', address: '1 Quay', holdUntil: Date.UTC(2026, 10, 30, 2, 0), compartmentSize: 'M',
};
const toRecipient = (m: RecipientMessage) => h.store.transact((tx) => notifyRecipient(h.ctx, tx, m, h.clock.now()));
const stored = (id: string) => h.store.read((tx) => tx.outbox.get(id));
const nowS = () => Math.floor(h.clock.now() / 1000);

describe('carrier webhooks', () => {
  it('deliver a JSON body once, signed so that verifySignature accepts it and nothing else', async () => {
    const carrierId = await addCarrier(`${rx.url}/hooks/sf`);
    const m = await deposited(carrierId);
    expect(m).toMatchObject({ state: 'pending', channel: 'carrier_webhook', event: 'parcel.deposited', attempts: 0, nextAttemptAt: h.clock.now() });
    expect(m.id).toMatch(/^ntf-[a-z2-9]{17}$/);

    expect(await dispatchDue(h.ctx, deps())).toEqual({ ...nothing, delivered: 1 });
    const [req] = rx.requests;
    expect(req).toMatchObject({ method: 'POST', path: '/hooks/sf' });
    expect(req!.headers).toMatchObject({ 'content-type': 'application/json', 'lockergate-event': 'parcel.deposited', 'lockergate-delivery': m.id });
    expect(JSON.parse(req!.body)).toEqual({ id: m.id, event: 'parcel.deposited', occurredAt: h.clock.now(), data: { parcelId: 'pcl-1', recipientPhone: '*********8000' } });
    const sig = String(req!.headers['lockergate-signature']);
    expect(sig).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(verifySignature(CARRIER_SECRET, sig, req!.body, 300, nowS())).toBe(true);
    expect(verifySignature('some-other-secret-value', sig, req!.body, 300, nowS())).toBe(false);
    expect(verifySignature(CARRIER_SECRET, sig, req!.body.replace('pcl-1', 'pcl-2'), 300, nowS())).toBe(false);
    expect(verifySignature(CARRIER_SECRET, sig, req!.body, 300, nowS() + 301)).toBe(false);
    expect(await stored(m.id)).toMatchObject({ state: 'delivered', attempts: 1, deliveredAt: h.clock.now() });

    expect(await dispatchDue(h.ctx, deps())).toEqual(nothing);
    expect(rx.requests).toHaveLength(1);
  });

  it('retry non-2xx answers with exponential backoff, recording each attempt, until a 2xx', async () => {
    rx.statuses = [500, 500];
    const m = await deposited(await addCarrier(`${rx.url}/hook`));
    const delays: number[] = [];
    for (const [attempts, low, high] of [[1, 4_000, 6_000], [2, 8_000, 12_000]] as const) {
      expect(await dispatchDue(h.ctx, deps())).toEqual({ ...nothing, retried: 1 });
      const after = (await stored(m.id))!;
      // The receiver's response body echoes a phone number: only the status is recorded.
      expect(after).toMatchObject({ state: 'pending', attempts, lastError: 'HTTP 500', deliveredAt: null });
      const delay = after.nextAttemptAt - h.clock.now();
      expect(delay).toBeGreaterThanOrEqual(low);
      expect(delay).toBeLessThanOrEqual(high);
      delays.push(delay);
      expect(await dispatchDue(h.ctx, deps())).toEqual(nothing); // not due before its time
      h.clock.set(after.nextAttemptAt);
    }
    expect(await dispatchDue(h.ctx, deps())).toEqual({ ...nothing, delivered: 1 });
    expect(await stored(m.id)).toMatchObject({ state: 'delivered', attempts: 3, deliveredAt: h.clock.now() });
    expect(rx.requests.map((r) => r.headers['lockergate-delivery'])).toEqual([m.id, m.id, m.id]);
  });

  it('to a receiver that is down are retried with the connection error, then failed after maxAttempts', async () => {
    const m = await deposited(await addCarrier(await closedPortUrl()));
    for (const attempts of [1, 2]) {
      expect(await dispatchDue(h.ctx, deps({ maxAttempts: 3 }))).toEqual({ ...nothing, retried: 1 });
      const after = (await stored(m.id))!;
      expect(after).toMatchObject({ state: 'pending', attempts, lastError: 'ECONNREFUSED' });
      h.clock.set(after.nextAttemptAt);
    }
    expect(await dispatchDue(h.ctx, deps({ maxAttempts: 3 }))).toEqual({ ...nothing, failed: 1 });
    expect(await stored(m.id)).toMatchObject({ state: 'failed', attempts: 3, lastError: 'ECONNREFUSED', deliveredAt: null });
    h.clock.advance(DAY);
    expect(await dispatchDue(h.ctx, deps({ maxAttempts: 3 }))).toEqual(nothing);
  });

  it('that time out count as a failed attempt with TIMEOUT', async () => {
    const m = await deposited(await addCarrier(`${rx.url}/hook`));
    const release = rx.hold();
    expect(await dispatchDue(h.ctx, deps({ timeoutMs: 200 }))).toEqual({ ...nothing, retried: 1 });
    release();
    expect(await stored(m.id)).toMatchObject({ state: 'pending', attempts: 1, lastError: 'TIMEOUT' });
  });

  it('for a carrier without a webhook URL are kept as logged (for polling), never sent', async () => {
    const carrierId = await addCarrier(null);
    const m = await deposited(carrierId);
    expect(m.state).toBe('logged');
    expect(await dispatchDue(h.ctx, deps())).toEqual(nothing);
    const [kept] = await h.store.read((tx) => tx.outbox.list({ carrierId, limit: 10 }));
    expect(JSON.parse(decrypt(h.ctx.keys.data, kept!.bodySealed!))).toMatchObject({ id: m.id, event: 'parcel.deposited' });
  });

  it('written by a transaction that rolled back are never sent; its neighbour in the same commit is', async () => {
    const carrierId = await addCarrier(`${rx.url}/hook`);
    const failing = h.store.transact((tx) => {
      notifyCarrier(h.ctx, tx, carrierId, 'parcel.cancelled', { parcelId: 'pcl-x' }, h.clock.now());
      notifyRecipient(h.ctx, tx, pickupCode, h.clock.now());
      throw new Error('the deposit failed after notifying');
    });
    const ok = deposited(carrierId); // same event-loop turn: same group commit, its own savepoint
    await expect(failing).rejects.toThrow('the deposit failed after notifying');
    await ok;
    expect(await dispatchDue(h.ctx, deps({ recipientEndpoint: smsEndpoint() }))).toEqual({ ...nothing, delivered: 1 });
    expect(rx.requests.map((r) => r.headers['lockergate-event'])).toEqual(['parcel.deposited']);
  });

  it('are delivered by one pass at a time: a second pass while one is in flight does nothing', async () => {
    await deposited(await addCarrier(`${rx.url}/hook`));
    const release = rx.hold();
    const arrived = rx.nextRequest();
    const first = dispatchDue(h.ctx, deps());
    await arrived;
    expect(await dispatchDue(h.ctx, deps())).toEqual(nothing);
    release();
    expect(await first).toEqual({ ...nothing, delivered: 1 });
    expect(rx.requests).toHaveLength(1);
  });
});

describe('backoffMs', () => {
  it('doubles from 5 s, is capped at an hour, and jitters within ±20 %', () => {
    const low = () => Buffer.alloc(4, 0);
    const high = () => Buffer.alloc(4, 0xff);
    expect([1, 2, 3, 10, 11, 50].map((a) => backoffMs(a, low))).toEqual([4_000, 8_000, 16_000, 2_048_000, 2_880_000, 2_880_000]);
    expect([1, 2, 3, 10, 11, 50].map((a) => backoffMs(a, high))).toEqual([6_000, 12_000, 24_000, 3_072_000, 4_320_000, 4_320_000]);
  });
});

describe('recipient messages', () => {
  it('are sealed at rest: neither the phone nor the code is in the row or the database files', async () => {
    await toRecipient(pickupCode);
    await toRecipient({ kind: 'reminder', phone: PHONE, parcelId: 'pcl-1', lockerName: 'Block A', address: '1 Quay', holdUntil: pickupCode.holdUntil });
    const rows = h.store.db.prepare('SELECT * FROM outbox').all();
    expect(rows).toHaveLength(2);
    const raw = JSON.stringify(rows);
    const files = [h.dbFile, `${h.dbFile}-wal`].filter(existsSync).map((f) => readFileSync(f).toString('latin1')).join('');
    for (const secret of ['13800138000', CODE]) {
      expect(raw).not.toContain(secret);
      expect(files).not.toContain(secret);
    }
  });

  it('go to the SMS provider webhook signed, with the phone, the code and a bilingual text', async () => {
    const m = await toRecipient(pickupCode);
    const revoked = await toRecipient({ kind: 'code_revoked', phone: PHONE, parcelId: 'pcl-1' });
    expect(await dispatchDue(h.ctx, deps({ recipientEndpoint: smsEndpoint() }))).toEqual({ ...nothing, delivered: 2 });
    const byId = new Map(rx.requests.map((r) => [String(r.headers['lockergate-delivery']), r]));
    const sms = byId.get(m.id)!;
    expect(sms.path).toBe('/sms');
    expect(sms.headers['lockergate-event']).toBe('pickup_code');
    expect(verifySignature(SMS_SECRET, String(sms.headers['lockergate-signature']), sms.body, 300, nowS())).toBe(true);
    const body = JSON.parse(sms.body) as Record<string, string>;
    expect(body).toMatchObject({ id: m.id, to: PHONE, kind: 'pickup_code', parcelId: 'pcl-1', code: CODE });
    for (const part of ['【lockergate】', '取件码 483920', 'Pickup code 483920', 'Block A', '2026-11-30 10:00']) expect(body['text']).toContain(part);
    const revokedBody = JSON.parse(byId.get(revoked.id)!.body) as Record<string, string>;
    expect(revokedBody).toMatchObject({ kind: 'code_revoked', to: PHONE });
    expect(revokedBody).not.toHaveProperty('code');
  });

  it('without an SMS endpoint go to the log channel: masked phone, never the code, never the full phone', async () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (c: Buffer, _e, cb) => (lines.push(c.toString()), cb()) });
    const log = pinoNotificationLog(createLogger('debug', sink));
    const ids = [
      (await toRecipient(pickupCode)).id,
      (await toRecipient({ kind: 'reminder', phone: PHONE, parcelId: 'pcl-1', lockerName: 'Block A', address: '1 Quay', holdUntil: 0 })).id,
      (await toRecipient({ kind: 'code_revoked', phone: PHONE, parcelId: 'pcl-1' })).id,
    ];
    expect(await dispatchDue(h.ctx, deps({ log }))).toEqual({ ...nothing, logged: 3 });
    const text = lines.join('');
    expect(lines).toHaveLength(3);
    for (const id of ids) {
      expect(text).toContain(id);
      expect(await stored(id)).toMatchObject({ state: 'logged' });
    }
    expect(text).toContain('*********8000');
    expect(text).not.toContain(CODE);
    expect(text).not.toContain('13800138000');
    expect(rx.requests).toHaveLength(0);
  });
});

describe('durability', () => {
  it('messages pending when the store closes are delivered by a fresh dispatcher after reopening', async () => {
    rx.statuses = [500];
    const webhook = await deposited(await addCarrier(`${rx.url}/hook`));
    expect(await dispatchDue(h.ctx, deps())).toEqual({ ...nothing, retried: 1 });
    const sms = await toRecipient(pickupCode);
    await h.store.close();

    const reopened = new SqliteStore({ file: h.dbFile });
    try {
      const ctx = { ...h.ctx, store: reopened };
      h.clock.advance(60_000);
      expect(await dispatchDue(ctx, deps({ recipientEndpoint: smsEndpoint() }))).toEqual({ ...nothing, delivered: 2 });
      expect(await reopened.read((tx) => tx.outbox.get(webhook.id))).toMatchObject({ state: 'delivered', attempts: 2 });
      expect(await reopened.read((tx) => tx.outbox.get(sms.id))).toMatchObject({ state: 'delivered', attempts: 1 });
    } finally {
      await reopened.close();
    }
  });

  it('purge drops the bodies of finished messages past retention and keeps pending and recent ones', async () => {
    const oldDelivered = await deposited(await addCarrier(`${rx.url}/hook`));
    await dispatchDue(h.ctx, deps());
    const oldPending = await toRecipient(pickupCode);
    h.clock.advance(30 * DAY + 60_000);
    const recentLogged = await deposited(await addCarrier(null));

    expect(await purgeOutboxBodies(h.ctx, 30 * DAY)).toBe(1);
    expect(await stored(oldDelivered.id)).toMatchObject({ state: 'delivered', bodySealed: null });
    expect((await stored(oldPending.id))!.bodySealed).toBe(oldPending.bodySealed);
    expect((await stored(recentLogged.id))!.bodySealed).toBe(recentLogged.bodySealed);
    expect(await purgeOutboxBodies(h.ctx, 30 * DAY)).toBe(0);
  });
});
