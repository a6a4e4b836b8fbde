import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';

describe('log redaction', () => {
  it('censors secrets, codes, tokens, phone numbers and payloads wherever they appear', () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (c: Buffer, _e, cb) => (lines.push(c.toString()), cb()) });
    const log = createLogger('debug', sink);
    log.info({ secret: 's3cr3t-value', code: '483920', device: { password: 'pw-value' }, req: { headers: { authorization: 'Bearer lgo_tokenvalue' } } }, 'one');
    log.info({ recipientPhone: '+8613800138000', parcel: { phone: '13800138000', code: '112233' }, payload: '{"code":"998877"}' }, 'two');
    const text = lines.join('');
    for (const s of ['s3cr3t-value', '483920', 'pw-value', 'lgo_tokenvalue', '13800138000', '112233', '998877']) expect(text).not.toContain(s);
    expect(text.match(/\[redacted\]/g)?.length).toBeGreaterThanOrEqual(7);
  });
});
