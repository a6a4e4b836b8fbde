import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { STATUS_BY_KIND } from '../../src/adapters/http/error-handler.js';
import { ERROR_CATALOGUE, LockergateError, type ErrorCode } from '../../src/domain/errors.js';

const DOC_PATH = new URL('../../docs/errors.md', import.meta.url);

/** Codes the HTTP handler answers with a status other than the one of their kind. */
const STATUS_OVERRIDES: Partial<Record<ErrorCode, number>> = { BODY_TOO_LARGE: 413, UNSUPPORTED_MEDIA_TYPE: 415 };

interface DocRow {
  code: string;
  kind: string;
  status: string;
}

/** Rows of the form "| `CODE` | kind | status | when |", codes being UPPER_SNAKE. */
function documentedCodes(markdown: string): Map<string, DocRow> {
  const rows = new Map<string, DocRow>();
  for (const line of markdown.split('\n')) {
    const m = /^\|\s*`([A-Z][A-Z0-9_]*)`\s*\|([^|]*)\|([^|]*)\|/.exec(line);
    if (m) rows.set(m[1]!, { code: m[1]!, kind: m[2]!.trim(), status: m[3]!.trim() });
  }
  return rows;
}

describe('error catalogue', () => {
  const doc = readFileSync(DOC_PATH, 'utf8');
  const rows = documentedCodes(doc);
  const catalogue = Object.keys(ERROR_CATALOGUE);

  it('documents every catalogue code in docs/errors.md', () => {
    expect(catalogue.filter((code) => !rows.has(code))).toEqual([]);
  });

  it('documents no code that is not in the catalogue', () => {
    expect([...rows.keys()].filter((code) => !catalogue.includes(code))).toEqual([]);
  });

  it('gives each code the kind of the catalogue and the status the HTTP handler answers with', () => {
    for (const [code, entry] of Object.entries(ERROR_CATALOGUE) as Array<[ErrorCode, (typeof ERROR_CATALOGUE)[ErrorCode]]>) {
      const row = rows.get(code);
      expect(row?.kind, code).toBe(entry.kind);
      expect(row?.status, code).toBe(String(STATUS_OVERRIDES[code] ?? STATUS_BY_KIND[entry.kind]));
    }
  });

  it('documents each MQTT rejection reason and connection refusal', () => {
    const reasons = [
      'oversize', 'invalid_json', 'schema_invalid', 'unknown_device', 'unknown_compartment',
      'unknown_command', 'acl_publish', 'acl_subscribe', 'invalid_will',
      'connection_cap', 'ip_rate', 'invalid_client_id', 'keepalive_out_of_range', 'invalid_will_topic',
      'username_mismatch', 'bad_secret', 'revoked', 'server_error', 'shutting_down',
    ];
    const documented = new Set([...doc.matchAll(/^\|\s*`([a-z_]+)`\s*\|/gm)].map((m) => m[1]));
    expect(reasons.filter((r) => !documented.has(r))).toEqual([]);
    expect(doc).toContain('lockergate_mqtt_rejected_total');
    expect(doc).toContain('lockergate_mqtt_connections_refused_total');
  });

  it('LockergateError carries the code, its kind and the default message', () => {
    const e = new LockergateError('LOCKER_OFFLINE');
    expect(e).toBeInstanceOf(Error);
    expect(e.code).toBe('LOCKER_OFFLINE');
    expect(e.kind).toBe('unavailable');
    expect(e.message).toBe(ERROR_CATALOGUE.LOCKER_OFFLINE.message);
  });
});
