import { afterEach, describe, expect, it } from 'vitest';
import { until } from '../../helpers/gateway.js';
import { GatewayPool } from '../../helpers/gateway-pool.js';
import { latestCode, SignedInbox, smsEnv, startSmsInbox, type CarrierEvent, type CarrierHooks, type SmsInbox } from '../../helpers/inbox.js';
import { addCarrier, Courier, onlineLocker, PHONE, residentPickup } from '../../helpers/parcels.js';
import { stopAllSims } from '../../helpers/sim.js';
import { TcpRelay } from '../../helpers/tcp-relay.js';

const pool = new GatewayPool();
afterEach(async () => {
  await stopAllSims();
  await pool.cleanup();
});

async function receivers(): Promise<{ sms: SmsInbox; hooks: CarrierHooks }> {
  const sms = await startSmsInbox();
  const hooks = await SignedInbox.start<CarrierEvent>();
  pool.defer(() => sms.close());
  pool.defer(() => hooks.close());
  return { sms, hooks };
}

const gateway = (sms: SmsInbox, opts: { manualClock?: boolean; dataDir?: string } = {}) => pool.start({ ...opts, env: smsEnv(sms) });

describe('carrier webhook retries', () => {
  it('a receiver that fails twice gets the event on the third attempt, after the backoff, with one delivery id', async () => {
    const { sms, hooks } = await receivers();
    const gw = await gateway(sms, { manualClock: true });
    sms.now = hooks.now = () => gw.clock!.now();
    const { fx, sim } = await onlineLocker(gw, 'S:1');
    const carrier = await addCarrier(gw, fx.operatorToken, hooks.url('/sf'));
    hooks.secret = carrier.webhookSecret!;
    hooks.rx.statuses = [500, 503];
    const d = await new Courier(gw, carrier).depositParcel(sim, fx.lockerId);

    expect(await gw.dispatchNotifications()).toEqual({ delivered: 1, retried: 1, failed: 0, logged: 0 }); // SMS ok, webhook 500
    expect(hooks.all()).toHaveLength(1);
    gw.clock!.advance(3_999); // the first backoff is 5 s ± 20 %: not yet
    expect(await gw.dispatchNotifications()).toEqual({ delivered: 0, retried: 0, failed: 0, logged: 0 });
    gw.clock!.advance(2_001);
    expect(await gw.dispatchNotifications()).toEqual({ delivered: 0, retried: 1, failed: 0, logged: 0 }); // 503
    gw.clock!.advance(7_999); // the second is 10 s ± 20 %
    expect(await gw.dispatchNotifications()).toEqual({ delivered: 0, retried: 0, failed: 0, logged: 0 });
    gw.clock!.advance(4_001);
    expect(await gw.dispatchNotifications()).toEqual({ delivered: 1, retried: 0, failed: 0, logged: 0 });
    expect(await gw.dispatchNotifications()).toEqual({ delivered: 0, retried: 0, failed: 0, logged: 0 });

    const attempts = hooks.all();
    expect(attempts).toHaveLength(3);
    expect(new Set(attempts.map((a) => a.delivery)).size).toBe(1);
    expect(attempts.every((a) => a.signed && a.event === 'parcel.deposited' && a.body.data.parcelId === d.parcelId)).toBe(true);
    const row = await gw.ctx.store.read((tx) => tx.outbox.get(attempts[0]!.delivery));
    expect(row).toMatchObject({ state: 'delivered', attempts: 3, deliveredAt: gw.clock!.now() });
  });

  it('a carrier without a webhook URL gets its events kept as logged, and nothing is posted', async () => {
    const { sms, hooks } = await receivers();
    const gw = await gateway(sms);
    const { fx, sim } = await onlineLocker(gw, 'S:1');
    const carrier = await addCarrier(gw, fx.operatorToken);
    expect(carrier.webhookSecret).toBeNull();
    await new Courier(gw, carrier).depositParcel(sim, fx.lockerId);
    expect(await gw.dispatchNotifications()).toEqual({ delivered: 1, retried: 0, failed: 0, logged: 0 }); // the SMS only
    expect(hooks.all()).toEqual([]);
    const kept = await gw.ctx.store.read((tx) => tx.outbox.list({ carrierId: carrier.id, limit: 10 }));
    expect(kept.map((m) => [m.event, m.state])).toEqual([['parcel.deposited', 'logged']]);
  });
});

describe('the outbox survives a restart', () => {
  it('notifications written before a stop are delivered by the next gateway on the same data dir, and the code works there', async () => {
    const { sms, hooks } = await receivers();
    const first = await gateway(sms);
    const relay = await TcpRelay.start(first.mqttPort);
    pool.defer(() => relay.close());
    const { fx, sim } = await onlineLocker(first, 'S:1', { url: relay.url });
    const carrier = await addCarrier(first, fx.operatorToken, hooks.url('/sf'));
    hooks.secret = carrier.webhookSecret!;
    const d = await new Courier(first, carrier).depositParcel(sim, fx.lockerId);
    // Stopped before any dispatcher pass: both messages exist only in the outbox.
    await pool.stopKeepingData(first);
    expect(sms.all()).toEqual([]);
    await until(() => sim.connected, (c) => !c);

    const second = await gateway(sms, { dataDir: first.dataDir });
    expect(await second.dispatchNotifications()).toEqual({ delivered: 2, retried: 0, failed: 0, logged: 0 });
    expect(hooks.all().map((h) => [h.event, h.signed, h.body.data.parcelId])).toEqual([['parcel.deposited', true, d.parcelId]]);
    expect(sms.all().map((m) => [m.event, m.signed, m.body.to])).toEqual([['pickup_code', true, PHONE]]);
    const code = latestCode(sms, d.parcelId);

    relay.retarget(second.mqttPort);
    await sim.reconnect();
    await until(() => second.mqtt.isConnected(fx.deviceId), Boolean);
    const res = await residentPickup(second, fx.lockerId, code);
    expect(res.json()).toMatchObject({ compartment: d.compartment, state: 'done' });
    expect(await second.dispatchNotifications()).toMatchObject({ delivered: 1 }); // parcel.picked_up
    expect(hooks.all().map((h) => h.event)).toEqual(['parcel.deposited', 'parcel.picked_up']);
  });
});
