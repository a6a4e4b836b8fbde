import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { createOperatorToken } from '../../../src/app/tokens.js';
import { startTestGateway, until, type TestGateway } from '../../helpers/gateway.js';
import { SignedInbox, smsEnv, startSmsInbox, type CarrierEvent, type CarrierHooks, type SmsInbox } from '../../helpers/inbox.js';
import { connectDevice, ConnackError } from '../../helpers/mqtt.js';
import { addCarrier, Courier, lockerFixture, mentionsNumber, PHONE, PHONE_DIGITS, residentPickup, simLayout, wrongCode } from '../../helpers/parcels.js';
import { simFor, stopAllSims } from '../../helpers/sim.js';

/**
 * The full flows with debug logging, then every log line is searched for every secret the
 * flows handled: pickup codes, device secrets (first and rotated), operator tokens, carrier
 * API keys, webhook secrets, the SMS provider's secret, the keys in keys.json, phone numbers.
 */
let gw: TestGateway;
let sms: SmsInbox;
let hooks: CarrierHooks;
afterAll(async () => {
  await stopAllSims();
  await gw?.stop();
  await sms?.close();
  await hooks?.close();
});

const OTHER_PHONE = '+86 139-0013-9000';
const OTHER_PHONE_DIGITS = '13900139000';

it('no pickup code, secret, token, key or phone number reaches a log line at debug level', async () => {
  sms = await startSmsInbox();
  hooks = await SignedInbox.start<CarrierEvent>();
  gw = await startTestGateway({ manualClock: true, env: { ...smsEnv(sms), LOCKERGATE_LOG_LEVEL: 'debug' } });
  sms.now = hooks.now = () => gw.clock!.now();
  const secrets: string[] = [];
  const codes: string[] = [];

  // Provisioning through the API (the secret is in the response only), tokens, carriers with webhooks.
  const fx = await lockerFixture(gw, 'S:4,M:2');
  const operator = { authorization: `Bearer ${fx.operatorToken}` };
  const viewer = await createOperatorToken(gw.ctx, 'auditor', 'viewer');
  const carrier = await addCarrier(gw, fx.operatorToken, hooks.url('/sf'));
  hooks.secret = carrier.webhookSecret!;
  hooks.rx.statuses = [500]; // the first webhook delivery fails: the retry path logs too
  secrets.push(fx.secret, fx.operatorToken, fx.viewerToken, viewer.secret, carrier.apiKey, carrier.webhookSecret!, gw.config.LOCKERGATE_RECIPIENT_WEBHOOK_SECRET!);
  const keys = JSON.parse(readFileSync(join(gw.dataDir, 'keys.json'), 'utf8')) as { pickupCode: string; data: string };
  secrets.push(keys.pickupCode, keys.data);

  // The controller connects (a wrong secret first), says hello and sends its snapshot.
  await expect(connectDevice(gw.mqttUrl, fx.deviceId, `${fx.secret}x`)).rejects.toBeInstanceOf(ConnackError);
  const sim = simFor(gw.mqttUrl, fx, simLayout('S:4,M:2'), { clock: gw.clock });
  await sim.start();
  await until(() => gw.mqtt.isConnected(fx.deviceId), Boolean);

  // Deposits (two recipients), SMS delivery (one failure first), carrier webhooks.
  sms.rx.statuses = [503];
  const courier = new Courier(gw, carrier);
  const first = await courier.depositParcel(sim, fx.lockerId);
  const second = await courier.depositParcel(sim, fx.lockerId, { recipientPhone: OTHER_PHONE });
  expect(await gw.dispatchNotifications()).toMatchObject({ retried: 2 }); // one SMS and the webhook failed
  gw.clock!.advance(60_000); // past the backoff
  await gw.dispatchNotifications();
  expect(new Set(sms.all().filter((d) => d.signed && d.body.kind === 'pickup_code').map((d) => d.body.parcelId)).size).toBe(2);
  const codeOf = (parcelId: string) => sms.about(parcelId).filter((d) => d.body.kind === 'pickup_code').at(-1)!.body.code!;
  codes.push(codeOf(first.parcelId), codeOf(second.parcelId));

  // Wrong codes at the keypad and in the app, then the right ones: keypad and API pickups.
  expect(await sim.typeCode(wrongCode(...codes))).toMatchObject({ result: 'deny' });
  expect((await residentPickup(gw, fx.lockerId, wrongCode(...codes))).statusCode).toBe(403);
  expect(await sim.typeCode(codes[0]!)).toMatchObject({ result: 'open' });
  const resend = await courier.resendCode(second.parcelId);
  expect(resend.statusCode).toBe(202);
  await gw.dispatchNotifications();
  codes.push(codeOf(second.parcelId));
  expect(codes[2]).not.toBe(codes[1]);
  expect((await residentPickup(gw, fx.lockerId, codes.at(-1)!)).statusCode).toBeLessThan(300);

  // Token and key use, right and wrong; the secret rotated through the API.
  for (const auth of [operator, { authorization: `Bearer ${viewer.secret}` }, { authorization: `Bearer ${fx.operatorToken}x` }, { authorization: `Bearer ${carrier.apiKey}` }]) {
    await gw.http.inject({ url: `/v1/lockers/${fx.lockerId}`, headers: auth });
    await gw.http.inject({ url: `/v1/parcels/${first.parcelId}`, headers: auth });
  }
  // A keypad message that fails its schema with a real code in it (rejected and logged), and a
  // door forced open (an alarm, logged at warn).
  await sim.publishRaw('events', JSON.stringify({ bootId: sim.bootId, seq: sim.seq + 1, ts: gw.clock!.now(), type: 'keypad', requestId: 'kp-leak-1', code: `${codes[1]}#`, phone: PHONE }));
  sim.forceOpen(4);
  await until(() => gw.logLines.some((l) => l.includes('alarm raised')), Boolean, 5000, 'the door_forced alarm');
  const rotated = (await gw.http.inject({ method: 'POST', url: `/v1/devices/${fx.deviceId}/rotate-secret`, headers: operator })).json() as { secret: string };
  secrets.push(rotated.secret);
  await gw.dispatchNotifications();

  // The needles are real: each secret was handed out somewhere, and the logs are not empty.
  expect(codes.every((c) => /^\d{6}$/.test(c))).toBe(true);
  expect(secrets.every((s) => s.length >= 16)).toBe(true);
  const messages = gw.logLines.map((l) => (JSON.parse(l) as { msg: string }).msg);
  expect(messages.filter((m) => m === 'request').length).toBeGreaterThan(20);
  expect(messages).toContain('payload failed its schema');
  expect(messages).toContain('alarm raised');

  const leaks = gw.logLines.filter(
    (line) =>
      secrets.some((s) => line.includes(s)) ||
      codes.some((c) => mentionsNumber(line, c)) ||
      [PHONE_DIGITS, OTHER_PHONE_DIGITS, PHONE, OTHER_PHONE, '139-0013-9000'].some((p) => line.includes(p)),
  );
  expect(leaks).toEqual([]);
});
