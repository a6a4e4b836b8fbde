import { describe, expect, it } from 'vitest';
import { ConnectionLimiter } from '../../../src/adapters/mqtt/connection-limiter.js';

function limiter(opts: { maxConnections?: number; ratePerIp?: number; burstPerIp?: number } = {}) {
  const clock = { now: 1_000_000 };
  const l = new ConnectionLimiter({ maxConnections: 100, ratePerIp: 1, burstPerIp: 3, ...opts }, () => clock.now);
  return { l, clock };
}

describe('ConnectionLimiter', () => {
  it('refuses a new connection once the live connections reach the cap', () => {
    const { l } = limiter({ maxConnections: 10, burstPerIp: 100 });
    expect(l.admit('10.0.0.1', 9)).toBe('ok');
    expect(l.admit('10.0.0.1', 10)).toBe('connection_cap');
    expect(l.admit('10.0.0.2', 11)).toBe('connection_cap');
  });

  it('a refusal for the cap does not use up the IP’s allowance', () => {
    const { l } = limiter({ maxConnections: 1, burstPerIp: 2 });
    for (let i = 0; i < 5; i++) expect(l.admit('10.0.0.1', 1)).toBe('connection_cap');
    expect([l.admit('10.0.0.1', 0), l.admit('10.0.0.1', 0), l.admit('10.0.0.1', 0)]).toEqual(['ok', 'ok', 'ip_rate']);
  });

  it('admits a burst per IP, then limits that IP only', () => {
    const { l } = limiter({ burstPerIp: 3 });
    expect([1, 2, 3, 4].map(() => l.admit('10.0.0.1', 0))).toEqual(['ok', 'ok', 'ok', 'ip_rate']);
    expect(l.admit('10.0.0.2', 0)).toBe('ok');
  });

  it('refills at ratePerIp connections per second', () => {
    const { l, clock } = limiter({ ratePerIp: 2, burstPerIp: 2 });
    expect([l.admit('ip', 0), l.admit('ip', 0), l.admit('ip', 0)]).toEqual(['ok', 'ok', 'ip_rate']);
    clock.now += 499; // 0.998 of a token
    expect(l.admit('ip', 0)).toBe('ip_rate');
    clock.now += 1; // a full token, even though the refused attempt came in between
    expect(l.admit('ip', 0)).toBe('ok');
    expect(l.admit('ip', 0)).toBe('ip_rate');
  });

  it('refills no further than the burst after a long pause', () => {
    const { l, clock } = limiter({ ratePerIp: 10, burstPerIp: 3 });
    for (let i = 0; i < 3; i++) l.admit('ip', 0);
    clock.now += 3_600_000;
    expect([1, 2, 3, 4].map(() => l.admit('ip', 0))).toEqual(['ok', 'ok', 'ok', 'ip_rate']);
  });
});
