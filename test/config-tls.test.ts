import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  throw new Error(`expected ${JSON.stringify(env)} to be refused`);
}

describe('TLS settings', () => {
  it('are off by default: no certificate, no MQTTS listener', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ LOCKERGATE_MQTTS_PORT: 8883, LOCKERGATE_TLS_REQUIRE_CLIENT_CERT: false });
    expect(c.LOCKERGATE_TLS_CERT_FILE).toBeUndefined();
  });

  it('need the certificate and its key together, named in the message', () => {
    expect(problems({ LOCKERGATE_TLS_CERT_FILE: '/etc/x.crt' }).join('\n')).toContain('LOCKERGATE_TLS_KEY_FILE');
    expect(problems({ LOCKERGATE_TLS_KEY_FILE: '/etc/x.key' }).join('\n')).toContain('LOCKERGATE_TLS_CERT_FILE');
  });

  it('refuse to require client certificates without a CA to check them against', () => {
    const env = { LOCKERGATE_TLS_CERT_FILE: '/etc/x.crt', LOCKERGATE_TLS_KEY_FILE: '/etc/x.key', LOCKERGATE_TLS_REQUIRE_CLIENT_CERT: 'true' };
    expect(problems(env).join('\n')).toContain('LOCKERGATE_TLS_REQUIRE_CLIENT_CERT');
    expect(loadConfig({ ...env, LOCKERGATE_TLS_CA_FILE: '/etc/ca.crt' }).LOCKERGATE_TLS_REQUIRE_CLIENT_CERT).toBe(true);
  });
});
