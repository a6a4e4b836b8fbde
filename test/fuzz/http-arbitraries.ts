import fc from 'fast-check';
import type { RouteRequest } from '../helpers/http-routes.js';
import { ROLES, type Role } from '../helpers/http-world.js';

/**
 * fast-check arbitraries that bend a well-formed request of a route: path parameters, query
 * strings, bodies (JSON of any shape, one field broken, raw text in any content type, too
 * large) and headers (credentials of the wrong kind, bad content types, odd idempotency keys).
 */
export interface FuzzedRequest {
  role: Role;
  url: string;
  query: Record<string, string | string[]>;
  payload: string | Record<string, unknown> | undefined;
  headers: Record<string, string>;
}

const nasty = fc.constantFrom('', ' ', '..', '../..', '%2e%2e', '%00', '\u0000', '-1', '0', '1e309', 'NaN', 'null', 'true', '[]', '{}', '🙂', 'a'.repeat(2000), '<script>', "' OR 1=1 --", 'lgo_', 'lgc_', 'dep-000000000000', 'pcl-000000000000', '220000', '2026-02-30');
const text = fc.oneof(nasty, fc.string({ maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 40 }), fc.string({ unit: 'grapheme', maxLength: 20 }));

/** A path segment: usually URL-encoded, sometimes raw (a broken percent-encoding must be a clean 400). */
const segment = fc.oneof({ weight: 4, arbitrary: text.map((s) => encodeURIComponent(s)) }, { weight: 1, arbitrary: fc.constantFrom('%', '%zz', '%E0%A4%A', '%C0%AF', ';', '..%2F') });

function withPathParams(path: string, url: string): fc.Arbitrary<string> {
  const names = path.split('/').map((p, i) => (p.startsWith(':') ? i : -1)).filter((i) => i >= 0);
  if (names.length === 0) return fc.constant(url);
  const parts = url.split('/');
  return fc.tuple(...names.map(() => fc.option(segment, { freq: 2 }))).map((replacements) => {
    const out = [...parts];
    names.forEach((at, k) => {
      const r = replacements[k];
      if (r !== null && r !== undefined) out[at] = r === '' ? 'x' : r;
    });
    return out.join('/');
  });
}

const jsonValue = fc.jsonValue({ maxDepth: 3 });

function withBody(base: Record<string, unknown> | undefined): fc.Arbitrary<{ payload: FuzzedRequest['payload']; contentType: string | undefined }> {
  const keys = Object.keys(base ?? {});
  const broken = fc.record({ key: keys.length > 0 ? fc.oneof(fc.constantFrom(...keys), fc.string({ maxLength: 8 })) : fc.string({ maxLength: 8 }), value: fc.option(jsonValue) }).map(({ key, value }) => {
    const b: Record<string, unknown> = { ...base };
    if (value === null) delete b[key];
    else b[key] = value;
    return b;
  });
  const json = (p: fc.Arbitrary<FuzzedRequest['payload']>) => p.map((payload) => ({ payload, contentType: 'application/json' }));
  return fc.oneof(
    { weight: 2, arbitrary: fc.constant({ payload: base, contentType: base ? 'application/json' : undefined }) },
    { weight: 4, arbitrary: json(broken) },
    { weight: 2, arbitrary: json(jsonValue.map((v) => JSON.stringify(v))) },
    { weight: 1, arbitrary: json(fc.constantFrom('{', '{"a":', 'nul', '[1,]', '\ufeff{}', '{"__proto__":{"x":1}}', '{"constructor":{"prototype":{}}}', '')) },
    { weight: 1, arbitrary: fc.record({ payload: fc.string({ maxLength: 200 }), contentType: fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', 'application/json; charset=utf-16', '*/*', 'application/json, text/plain') }) },
    { weight: 1, arbitrary: fc.constant({ payload: JSON.stringify({ pad: 'x'.repeat(70 * 1024) }), contentType: 'application/json' }) },
  );
}

const authorization = (wellFormed: Record<string, string>) =>
  fc.oneof(
    { weight: 6, arbitrary: fc.constant(wellFormed) },
    { weight: 1, arbitrary: fc.constantFrom('Bearer', 'Bearer ', 'Basic dXNlcjpwYXNz', 'bearer lgo_x', 'Bearer lgo_' + 'A'.repeat(32), 'Bearer lgc_' + 'A'.repeat(32), 'Bearer  lgo_', 'Bearer lgo_\u0000').map((a) => ({ authorization: a })) },
    { weight: 1, arbitrary: text.map((t) => ({ authorization: `Bearer ${t.replace(/[^\x20-\x7e]/g, '')}` })) },
  );

/**
 * A fuzzed request derived from the route's well-formed one. Three times in four as a role the
 * route lets past authentication (`admitted`), so most requests reach validation and the use case.
 */
export function fuzzedRequest(path: string, base: RouteRequest, headersOf: (role: Role) => Record<string, string>, admitted: readonly Role[]): fc.Arbitrary<FuzzedRequest> {
  const role = admitted.length > 0 ? fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...admitted) }, { weight: 1, arbitrary: fc.constantFrom(...ROLES) }) : fc.constantFrom(...ROLES);
  return fc
    .record({
      role,
      url: withPathParams(path, base.url),
      keepQuery: fc.boolean(),
      extraQuery: fc.dictionary(fc.oneof(fc.constantFrom('waitS', 'region', 'from', 'to', 'granularity', 'format', 'limit', 'state', 'kind', 'siteId'), fc.string({ maxLength: 8 })), fc.oneof(text, fc.array(text, { maxLength: 3 })), { maxKeys: 3 }),
      body: withBody(base.payload),
      extraHeaders: fc.record({ 'idempotency-key': text, accept: fc.constantFrom('text/csv', 'application/xml', '*/*', ''), 'x-forwarded-for': text.map((t) => t.replace(/[^\x20-\x7e]/g, '')) }, { requiredKeys: [] }),
    })
    .chain((r) =>
      authorization(headersOf(r.role)).map((auth): FuzzedRequest => {
        const headers: Record<string, string> = { ...auth, ...Object.fromEntries(Object.entries(r.extraHeaders).map(([k, v]) => [k, String(v).replace(/[^\x20-\x7e]/g, '')])) };
        if (r.body.contentType) headers['content-type'] = r.body.contentType;
        return { role: r.role, url: r.url, query: { ...(r.keepQuery ? base.query : {}), ...r.extraQuery }, payload: r.body.payload, headers };
      }),
    );
}
