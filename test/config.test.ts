import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';
import { loadOrCreateKeys } from '../src/keys.js';

function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw new Error(`expected a ConfigError, got ${String(e)}`);
  }
  throw new Error(`expected ${JSON.stringify(env)} to be refused`);
}

describe('loadConfig', () => {
  it('fills every setting from the defaults when nothing is set', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      LOCKERGATE_HTTP_HOST: '0.0.0.0',
      LOCKERGATE_HTTP_PORT: 8080,
      LOCKERGATE_MQTT_HOST: '0.0.0.0',
      LOCKERGATE_MQTT_PORT: 1883,
      LOCKERGATE_DATA_DIR: './data',
      LOCKERGATE_LOG_LEVEL: 'info',
      LOCKERGATE_MQTT_MAX_PACKET_BYTES: 65_536,
      LOCKERGATE_COMMAND_TTL_S: 60,
      LOCKERGATE_TRUST_PROXY: false,
    });
  });

  it('reads numbers, enums and booleans from their string form', () => {
    const c = loadConfig({
      LOCKERGATE_HTTP_PORT: '9090',
      LOCKERGATE_MQTT_PORT: '0',
      LOCKERGATE_LOG_LEVEL: 'debug',
      LOCKERGATE_TRUST_PROXY: '1',
      LOCKERGATE_COMMAND_TTL_S: '2.5',
    });
    expect(c).toMatchObject({
      LOCKERGATE_HTTP_PORT: 9090,
      LOCKERGATE_MQTT_PORT: 0,
      LOCKERGATE_LOG_LEVEL: 'debug',
      LOCKERGATE_TRUST_PROXY: true,
      LOCKERGATE_COMMAND_TTL_S: 2.5,
    });
  });

  it('ignores variables that are not LOCKERGATE_*, and empty ones', () => {
    const c = loadConfig({ PATH: '/usr/bin', HOME: '/root', LOCKERGATE_HTTP_PORT: '' });
    expect(c.LOCKERGATE_HTTP_PORT).toBe(8080);
  });

  it.each(['abc', '70000', '-1', '80.5'])('LOCKERGATE_HTTP_PORT=%s stops boot with a message naming the variable', (value) => {
    const e = configError({ LOCKERGATE_HTTP_PORT: value });
    expect(e.problems).toHaveLength(1);
    expect(e.problems[0]).toContain(`LOCKERGATE_HTTP_PORT="${value}"`);
    expect(e.message).toContain('LOCKERGATE_HTTP_PORT');
  });

  it('names each bad variable when several are wrong', () => {
    const e = configError({ LOCKERGATE_LOG_LEVEL: 'loud', LOCKERGATE_DATA_KEY: 'abc', LOCKERGATE_TRUST_PROXY: 'yes' });
    expect(e.problems).toHaveLength(3);
    for (const name of ['LOCKERGATE_LOG_LEVEL', 'LOCKERGATE_DATA_KEY', 'LOCKERGATE_TRUST_PROXY']) expect(e.message).toContain(name);
  });

  it('refuses an unknown LOCKERGATE_ variable (a typo would otherwise be ignored)', () => {
    const e = configError({ LOCKERGATE_HTTP_PROT: '9090' });
    expect(e.problems).toEqual([expect.stringContaining('LOCKERGATE_HTTP_PROT: unknown setting')]);
  });

  it('notifications: defaults, and a recipient webhook URL needs its secret (named in the message)', () => {
    expect(loadConfig({})).toMatchObject({ LOCKERGATE_NOTIFY_MAX_ATTEMPTS: 10, LOCKERGATE_PERSONAL_DATA_RETENTION_DAYS: 30 });
    expect(loadConfig({})).not.toHaveProperty('LOCKERGATE_RECIPIENT_WEBHOOK_URL');
    const e = configError({ LOCKERGATE_RECIPIENT_WEBHOOK_URL: 'https://sms.example.com/hook' });
    expect(e.problems).toEqual([expect.stringContaining('LOCKERGATE_RECIPIENT_WEBHOOK_SECRET')]);
    expect(e.problems[0]).toContain('required when LOCKERGATE_RECIPIENT_WEBHOOK_URL is set');
    expect(configError({ LOCKERGATE_RECIPIENT_WEBHOOK_URL: 'ftp://sms.example.com/hook', LOCKERGATE_RECIPIENT_WEBHOOK_SECRET: 'x'.repeat(16) }).message).toContain('LOCKERGATE_RECIPIENT_WEBHOOK_URL');
    expect(configError({ LOCKERGATE_RECIPIENT_WEBHOOK_SECRET: 'too-short' }).message).toContain('LOCKERGATE_RECIPIENT_WEBHOOK_SECRET');
    const c = loadConfig({ LOCKERGATE_RECIPIENT_WEBHOOK_URL: 'https://sms.example.com/hook', LOCKERGATE_RECIPIENT_WEBHOOK_SECRET: 'x'.repeat(16) });
    expect(c.LOCKERGATE_RECIPIENT_WEBHOOK_URL).toBe('https://sms.example.com/hook');
  });

  it('returns a frozen object', () => {
    const c = loadConfig({});
    expect(Object.isFrozen(c)).toBe(true);
    expect(() => {
      (c as { LOCKERGATE_HTTP_PORT: number }).LOCKERGATE_HTTP_PORT = 1;
    }).toThrow(TypeError);
    expect(c.LOCKERGATE_HTTP_PORT).toBe(8080);
  });
});

describe('loadOrCreateKeys', () => {
  let root: string;
  const HEX_A = 'a'.repeat(64);
  const HEX_B = '0123456789abcdef'.repeat(4);

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'lockergate-keys-'));
  });
  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it('generates keys.json (mode 0600) in an empty data dir on first start, and returns the same keys after', () => {
    const dataDir = join(root, 'data'); // does not exist yet
    const config = loadConfig({ LOCKERGATE_DATA_DIR: dataDir });
    const first = loadOrCreateKeys(config);
    const file = join(dataDir, 'keys.json');

    expect(statSync(file).mode & 0o777).toBe(0o600);
    const stored = JSON.parse(readFileSync(file, 'utf8')) as { pickupCode: string; data: string };
    expect(stored.pickupCode).toMatch(/^[0-9a-f]{64}$/);
    expect(stored.data).toMatch(/^[0-9a-f]{64}$/);
    expect(stored.pickupCode).not.toBe(stored.data);
    expect(first.pickupCode.toString('hex')).toBe(stored.pickupCode);
    expect(first.data.toString('hex')).toBe(stored.data);
    expect(first.pickupCode).toHaveLength(32);

    const second = loadOrCreateKeys(config);
    expect(second.pickupCode.equals(first.pickupCode)).toBe(true);
    expect(second.data.equals(first.data)).toBe(true);
  });

  it('uses keys from the environment over a keys.json', () => {
    const dataDir = join(root, 'data');
    loadOrCreateKeys(loadConfig({ LOCKERGATE_DATA_DIR: dataDir }));
    const keys = loadOrCreateKeys(loadConfig({ LOCKERGATE_DATA_DIR: dataDir, LOCKERGATE_PICKUP_CODE_KEY: HEX_A, LOCKERGATE_DATA_KEY: HEX_B }));
    expect(keys.pickupCode.toString('hex')).toBe(HEX_A);
    expect(keys.data.toString('hex')).toBe(HEX_B);
  });

  it('with both keys in the environment, writes no keys.json', () => {
    const dataDir = join(root, 'data');
    const keys = loadOrCreateKeys(loadConfig({ LOCKERGATE_DATA_DIR: dataDir, LOCKERGATE_PICKUP_CODE_KEY: HEX_A, LOCKERGATE_DATA_KEY: HEX_B }));
    expect(keys.data.toString('hex')).toBe(HEX_B);
    expect(existsSync(join(dataDir, 'keys.json'))).toBe(false);
  });

  it('refuses a damaged keys.json instead of replacing it', () => {
    const dataDir = join(root, 'data');
    mkdirSync(dataDir);
    writeFileSync(join(dataDir, 'keys.json'), JSON.stringify({ pickupCode: 'short', data: HEX_B }));
    expect(() => loadOrCreateKeys(loadConfig({ LOCKERGATE_DATA_DIR: dataDir }))).toThrow(/keys\.json is damaged/);
    expect(readFileSync(join(dataDir, 'keys.json'), 'utf8')).toContain('short');
  });
});
