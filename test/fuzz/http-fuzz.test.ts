import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STATUS_BY_KIND } from '../../src/adapters/http/error-handler.js';
import { ERROR_CATALOGUE, type ErrorCode } from '../../src/domain/errors.js';
import { CHANGES_ON_FAILURE, changeCounter } from '../helpers/db-snapshot.js';
import { until } from '../helpers/gateway.js';
import { ROUTES, routeKey } from '../helpers/http-routes.js';
import { ROLES, startWorld, type Role, type World } from '../helpers/http-world.js';
import { fuzzedRequest, type FuzzedRequest } from './http-arbitraries.js';

/**
 * Property-based fuzzing of every route (the authorisation matrix checks that ROUTES is every
 * route): bodies, path parameters, query strings and headers bent by fast-check, as every role.
 * A request that fails gets a 4xx whose code is in the catalogue with that code's status, and
 * changes nothing; no request gets a 5xx. Seeded (LOCKERGATE_FUZZ_SEED replays a run).
 */
const SEED = Number(process.env['LOCKERGATE_FUZZ_SEED'] ?? 20_261_128);
const RUNS_PER_ROUTE = Number(process.env['LOCKERGATE_HTTP_FUZZ_RUNS'] ?? 300);
/** Status counts over the whole run, printed at the end (README figures). */
const statuses = new Map<number, number>();
const SPECIAL_STATUS: Partial<Record<ErrorCode, number>> = { BODY_TOO_LARGE: 413, UNSUPPORTED_MEDIA_TYPE: 415 };

let w: World;
beforeAll(async () => {
  // The throwaway controller that rotate/revoke fuzz at is not the one the simulator uses.
  w = await startWorld();
}, 30_000);
afterAll(async () => {
  const total = [...statuses.values()].reduce((a, b) => a + b, 0);
  console.log(`http fuzz (seed ${SEED}): ${total} requests, by status: ${[...statuses.entries()].sort((a, b) => a[0] - b[0]).map(([k, v]) => `${k}=${v}`).join(' ')}`);
  await w.close();
});

/** Every write goes through the store's one connection: its change counter is an O(1) fingerprint. */
const totalChanges = () => w.gw.store.db.prepare('SELECT total_changes()').pluck().get() as number;

/** After a success, let what it started (a door opening) finish before the next fingerprint. */
const settled = () => until(() => w.gw.store.db.prepare("SELECT count(*) FROM commands WHERE state IN ('sent', 'accepted')").pluck().get() as number, (n) => n === 0, 10_000, 'commands to finish');

/**
 * The roles a route lets past authentication, found with a probe that cannot succeed (every path
 * parameter, the query and the body invalid): a 401/403 means the role stops at the door.
 */
async function admittedRoles(method: 'GET' | 'POST' | 'PUT' | 'PATCH', path: string, headersOf: (role: Role) => Record<string, string>): Promise<Role[]> {
  const url = path.replace(/:\w+/g, '!');
  const admitted: Role[] = [];
  for (const role of ROLES) {
    const res = await w.gw.http.inject({ method, url, query: { probe: '!' }, headers: headersOf(role), ...(method === 'GET' ? {} : { payload: { probe: '!' } }) });
    if (res.statusCode !== 401 && res.statusCode !== 403) admitted.push(role);
  }
  return admitted;
}

const show = (r: FuzzedRequest) => JSON.stringify({ ...r, payload: typeof r.payload === 'string' && r.payload.length > 200 ? `${r.payload.slice(0, 200)}…` : r.payload });

describe.each(ROUTES.map((r) => ({ ...r, key: routeKey(r) })))('$key', (spec) => {
  it(`answers ${RUNS_PER_ROUTE} fuzzed requests with a catalogued 4xx (no state change) or a success, never a 5xx`, async () => {
    // Built once as a success would be: fresh resources, so a fuzzed success uses up only those.
    const base = await spec.request(w, 'operator', true);
    // A credential some routes take besides the roles' own (a household's app token): the resident holds it.
    const residentExtra = (await spec.request(w, 'resident', false)).headers ?? {};
    const headersOf = (role: Role) => (role === 'resident' ? { ...w.headers(role), ...residentExtra } : w.headers(role));
    const admitted = await admittedRoles(spec.method, spec.path, headersOf);
    // Wrong codes are failures that must leave a trace (attempts, and after enough of them a
    // lockout with its keypad_lockout alarm): for pickups, compare everything else.
    const fingerprint = spec.path === '/v1/pickups' ? changeCounter(w.gw.store.db, [...CHANGES_ON_FAILURE, 'alarms']) : totalChanges;
    await fc.assert(
      fc.asyncProperty(fuzzedRequest(spec.path, base, headersOf, admitted), async (req) => {
        const before = fingerprint();
        const res = await w.gw.http.inject({ method: spec.method, url: req.url, query: req.query, payload: req.payload, headers: req.headers, remoteAddress: '198.51.100.7' });
        statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
        if (res.statusCode < 400) return void (await settled());
        expect(res.statusCode, `${show(req)} → ${res.body}`).toBeLessThan(500);
        const code = (res.json() as { error?: { code?: string } }).error?.code as ErrorCode;
        expect(Object.keys(ERROR_CATALOGUE), `${show(req)} → ${res.body}`).toContain(code);
        expect(res.statusCode, `${show(req)} → ${res.body}`).toBe(SPECIAL_STATUS[code] ?? STATUS_BY_KIND[ERROR_CATALOGUE[code].kind]);
        expect(fingerprint(), `state changed by ${show(req)} → ${res.statusCode} ${res.body}`).toBe(before);
      }),
      { seed: SEED, numRuns: RUNS_PER_ROUTE, endOnFailure: true },
    );
    const alarmKinds = w.gw.store.db.prepare('SELECT DISTINCT kind FROM alarms').pluck().all();
    // Only the alarms wrong codes raise by design, and freshAlarm's tamper.
    expect(alarmKinds.filter((k) => !['keypad_lockout', 'code_guessing', 'tamper'].includes(String(k)))).toEqual([]);
  }, Math.max(60_000, RUNS_PER_ROUTE * 40));
});

it('fuzzes every route the API documents (its OpenAPI document)', async () => {
  const doc = (await w.gw.http.inject({ url: '/docs/json' })).json() as { paths: Record<string, Record<string, unknown>> };
  const documented = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`));
  expect(documented.filter((r) => !ROUTES.some((spec) => routeKey(spec) === r))).toEqual([]);
});

it('answers unknown methods and paths with ROUTE_NOT_FOUND', async () => {
  await fc.assert(
    fc.asyncProperty(fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'), fc.webPath(), async (method, path) => {
      const before = totalChanges();
      const res = await w.gw.http.inject({ method, url: `/v1/x${path}` });
      expect(res.statusCode, `${method} /v1/x${path} → ${res.body}`).toBe(404);
      expect(res.json().error.code).toBe('ROUTE_NOT_FOUND');
      expect(totalChanges()).toBe(before);
    }),
    { seed: SEED, numRuns: 200, endOnFailure: true },
  );
});
