/**
 * §12.1 of protocol/README.md shows a worked example of the code hash; it must be what
 * protocol/scripts/code-hash-example.ts computes. And every valid code_sync fits in 16 KiB.
 */
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CODE_SYNC_MAX_ENTRIES, CodeSyncCommand, MAX_PAYLOAD_BYTES, offlineCodeHash } from '../../protocol/index.js';
import { EXAMPLE_CODE, EXAMPLE_CODE_KEY } from '../../protocol/scripts/code-hash-example.js';

const readme = readFileSync(fileURLToPath(new URL('../../protocol/README.md', import.meta.url)), 'utf8');

describe('offline code hash (README §12.1)', () => {
  it('is the first 32 hex digits of HMAC-SHA256(code key, code as ASCII)', () => {
    const full = createHmac('sha256', Buffer.from(EXAMPLE_CODE_KEY, 'hex')).update(EXAMPLE_CODE).digest('hex');
    expect(offlineCodeHash(EXAMPLE_CODE_KEY, EXAMPLE_CODE)).toBe(full.slice(0, 32));
    expect(offlineCodeHash(EXAMPLE_CODE_KEY, '04829')).not.toBe(offlineCodeHash(EXAMPLE_CODE_KEY, '4829')); // leading zeros count
  });

  it('the README worked example shows the computed key, code and hash', () => {
    const h = offlineCodeHash(EXAMPLE_CODE_KEY, EXAMPLE_CODE);
    expect(readme).toContain(`code key  ${EXAMPLE_CODE_KEY}`);
    expect(readme).toContain(`code      ${EXAMPLE_CODE}`);
    expect(readme).toContain(`h         ${h}`);
  });

  it('refuses keys and codes of the wrong shape', () => {
    expect(() => offlineCodeHash('abc', '1234')).toThrow(/code key/);
    expect(() => offlineCodeHash(EXAMPLE_CODE_KEY, '12a4')).toThrow(/code/);
  });
});

describe('code_sync size', () => {
  it('the widest valid code_sync (both arrays full) fits in MAX_PAYLOAD_BYTES', () => {
    const big = 8_640_000_000_000_000;
    const widest = {
      id: 'x'.repeat(40), issuedAt: big, expiresAt: big, type: 'code_sync', mode: 'delta',
      fromVersion: Number.MAX_SAFE_INTEGER, version: Number.MAX_SAFE_INTEGER,
      add: Array.from({ length: CODE_SYNC_MAX_ENTRIES }, () => ({ h: 'f'.repeat(32), compartment: 999, kind: 'household', expiresAt: big })),
      revoke: Array.from({ length: CODE_SYNC_MAX_ENTRIES }, () => 'f'.repeat(32)),
    };
    expect(CodeSyncCommand.safeParse(widest).success).toBe(true);
    expect(Buffer.byteLength(JSON.stringify(widest))).toBeLessThanOrEqual(MAX_PAYLOAD_BYTES);
  });
});
