import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { IClientOptions } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deviceTopic } from '../../protocol/topics.js';
import { createLocker, createSite, provisionDevice } from '../../src/app/provisioning.js';
import { metric, startTestGateway, until, type TestGateway } from '../helpers/gateway.js';
import { ConnackError, connectDevice, RawDevice } from '../helpers/mqtt.js';

/**
 * MQTTS with the certificates made by the deploy recipe itself (deploy/tls/make-certs.sh), so
 * the recipe is tested too. Device certificates are optional (CA given) or required.
 */
const RECIPE = fileURLToPath(new URL('../../deploy/tls/make-certs.sh', import.meta.url));
const A = 'dev-tls-a';
const B = 'dev-tls-b';

let certs: string;
let rogueCa: string;
const file = (dir: string, name: string) => readFileSync(join(dir, name));

function makeCerts(dir: string, ...devices: string[]): void {
  execFileSync('bash', [RECIPE, dir, ...devices], { stdio: 'pipe' });
}

beforeAll(() => {
  certs = mkdtempSync(join(tmpdir(), 'lockergate-tls-'));
  rogueCa = mkdtempSync(join(tmpdir(), 'lockergate-rogue-ca-'));
  makeCerts(certs, A, B);
  makeCerts(rogueCa, A); // a certificate with the right CN from a CA the gateway does not trust
});
afterAll(() => {
  rmSync(certs, { recursive: true, force: true });
  rmSync(rogueCa, { recursive: true, force: true });
});

function tlsEnv(required: boolean): Record<string, string> {
  return {
    LOCKERGATE_MQTTS_PORT: '0',
    LOCKERGATE_TLS_CERT_FILE: join(certs, 'server.crt'),
    LOCKERGATE_TLS_KEY_FILE: join(certs, 'server.key'),
    LOCKERGATE_TLS_CA_FILE: join(certs, 'ca.crt'),
    LOCKERGATE_TLS_REQUIRE_CLIENT_CERT: String(required),
  };
}

async function withDevices(gw: TestGateway): Promise<Record<string, string>> {
  const site = await createSite(gw.ctx, { name: 'TLS site', kind: 'residential', regionCode: '220102', address: 'x' }, 'test');
  const secrets: Record<string, string> = {};
  for (const id of [A, B]) {
    const { locker } = await createLocker(gw.ctx, { siteId: site.id, name: id, kind: 'smart_locker', layout: 'S:2' }, 'test');
    secrets[id] = (await provisionDevice(gw.ctx, locker.id, 'test', id)).secret;
  }
  return secrets;
}

/** Client TLS options: the gateway's certificate is always verified against the recipe's CA. */
function tls(certDir?: string, device?: string): IClientOptions {
  const client = certDir && device ? { cert: file(certDir, `devices/${device}.crt`), key: file(certDir, `devices/${device}.key`) } : {};
  return { ca: file(certs, 'ca.crt'), rejectUnauthorized: true, ...client };
}

async function refusal(p: Promise<unknown>): Promise<number | undefined> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ConnackError) return e.code;
    throw e;
  }
  throw new Error('connection was accepted');
}

describe('MQTTS with optional device certificates', () => {
  let gw: TestGateway;
  let secrets: Record<string, string>;
  let url: string;

  beforeAll(async () => {
    gw = await startTestGateway({ env: tlsEnv(false) });
    secrets = await withDevices(gw);
    url = `mqtts://127.0.0.1:${gw.mqttsPort}`;
  });
  afterAll(async () => gw.stop());

  it('accepts the right certificate and works end to end: hello applied, command delivered', async () => {
    const client = await connectDevice(url, A, secrets[A]!, tls(certs, A));
    const dev = new RawDevice(client, A);
    await dev.hello(2);
    expect(await gw.ctx.store.read((tx) => tx.devices.get(A)?.firmware)).toBe('0.0.1');
    const delivered = new Promise<string>((resolve) => client.once('message', (topic, payload) => resolve(`${topic} ${JSON.parse(payload.toString()).id}`)));
    await gw.mqtt.send(A, { id: 'cmd-tls-ping-1', type: 'ping', issuedAt: Date.now(), expiresAt: Date.now() + 60_000 });
    expect(await delivered).toBe(`${deviceTopic(A, 'cmd')} cmd-tls-ping-1`);
    await client.endAsync();
  });

  it('refuses a certificate naming another device with CONNACK 5, even with the right secret', async () => {
    expect(await refusal(connectDevice(url, A, secrets[A]!, tls(certs, B)))).toBe(5);
    expect(await metric(gw.metrics.connectionsRefused, { reason: 'certificate_mismatch' })).toBe(1);
  });

  it('refuses a certificate with the right CN from an untrusted CA with CONNACK 5', async () => {
    expect(await refusal(connectDevice(url, A, secrets[A]!, tls(rogueCa, A)))).toBe(5);
    expect(await metric(gw.metrics.connectionsRefused, { reason: 'certificate_invalid' })).toBe(1);
  });

  it('accepts a device without a certificate (the secret still has to be right), and plain MQTT keeps working', async () => {
    const noCert = await connectDevice(url, B, secrets[B]!, tls());
    await until(() => gw.mqtt.isConnected(B), Boolean);
    await noCert.endAsync();
    expect(await refusal(connectDevice(url, B, 'wrong-secret', tls()))).toBe(4);
    const plain = await connectDevice(gw.mqttUrl, B, secrets[B]!);
    await plain.endAsync();
  });
});

describe('MQTTS with LOCKERGATE_TLS_REQUIRE_CLIENT_CERT=true', () => {
  let gw: TestGateway;
  let secrets: Record<string, string>;
  let url: string;

  beforeAll(async () => {
    gw = await startTestGateway({ env: tlsEnv(true) });
    secrets = await withDevices(gw);
    url = `mqtts://127.0.0.1:${gw.mqttsPort}`;
  });
  afterAll(async () => gw.stop());

  it('refuses a connection without a certificate in the TLS handshake: no CONNACK at all', async () => {
    // ConnackError carries the TLS alert's code here (a string), never a CONNACK return code.
    expect(String(await refusal(connectDevice(url, A, secrets[A]!, tls())))).toBe('ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED');
    // An untrusted certificate: the server aborts the handshake (the client sees an alert or a reset).
    expect(typeof (await refusal(connectDevice(url, A, secrets[A]!, tls(rogueCa, A))))).not.toBe('number');
    expect(await metric(gw.metrics.clientErrors, { reason: 'tls_handshake' })).toBeGreaterThanOrEqual(2);
    expect(gw.mqtt.isConnected(A)).toBe(false);
  });

  it('accepts the device with its own certificate and still refuses another device’s', async () => {
    expect(await refusal(connectDevice(url, B, secrets[B]!, tls(certs, A)))).toBe(5);
    const client = await connectDevice(url, A, secrets[A]!, tls(certs, A));
    await until(() => gw.mqtt.isConnected(A), Boolean);
    await client.endAsync();
  });
});
