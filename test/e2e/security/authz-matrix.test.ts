import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CATALOGUE } from '../../../src/domain/errors.js';
import { snapshotDb } from '../../helpers/db-snapshot.js';
import { ROUTES, routeKey } from '../../helpers/http-routes.js';
import { ROLES, startWorld, type Role, type World } from '../../helpers/http-world.js';

/**
 * Every route × every role. `ok` is any 2xx; a number is the exact status of the refusal.
 * The resident has no credential but the pickup code: on /v1/pickups everyone else sends a
 * wrong code. Carrier B asking for carrier A's deposit or parcel gets 404, as if it did not
 * exist. A refused call must change nothing in the store.
 */
const MATRIX = `
  route                                              anonymous resident carrierA carrierB viewer operator
  GET    /healthz                                    ok        ok       ok       ok       ok     ok
  GET    /readyz                                     ok        ok       ok       ok       ok     ok
  GET    /metrics                                    ok        ok       ok       ok       ok     ok
  GET    /                                           ok        ok       ok       ok       ok     ok
  GET    /dashboard/:file                            ok        ok       ok       ok       ok     ok
  GET    /dashboard/vendor/:file                     ok        ok       ok       ok       ok     ok
  GET    /v1/sites                                   401       401      401      401      ok     ok
  POST   /v1/sites                                   401       401      401      401      403    ok
  GET    /v1/lockers                                 401       401      401      401      ok     ok
  GET    /v1/lockers/:id                             401       401      401      401      ok     ok
  POST   /v1/lockers                                 401       401      401      401      403    ok
  POST   /v1/lockers/:id/device                      401       401      401      401      403    ok
  POST   /v1/lockers/:id/compartments/:n/open        401       401      401      401      403    ok
  PATCH  /v1/lockers/:id/compartments/:n             401       401      401      401      403    ok
  POST   /v1/devices/:id/rotate-secret               401       401      401      401      403    ok
  POST   /v1/devices/:id/revoke                      401       401      401      401      403    ok
  GET    /v1/alarms                                  401       401      401      401      ok     ok
  POST   /v1/alarms/:id/ack                          401       401      401      401      403    ok
  GET    /v1/carriers                                401       401      401      401      ok     ok
  POST   /v1/carriers                                401       401      401      401      403    ok
  PUT    /v1/carriers/:id/quotas/:lockerId           401       401      401      401      403    ok
  POST   /v1/deposits                                401       401      ok       ok       401    401
  GET    /v1/deposits/:id                            401       401      ok       404      401    401
  POST   /v1/deposits/:id/confirm                    401       401      ok       404      401    401
  POST   /v1/deposits/:id/cancel                     401       401      ok       404      401    401
  POST   /v1/deposits/:id/resize                     401       401      ok       404      401    401
  GET    /v1/parcels/:id                             401       401      ok       404      401    401
  POST   /v1/parcels/:id/resend-code                 401       401      ok       404      401    401
  POST   /v1/retrievals                              401       401      ok       404      401    401
  POST   /v1/volume-reports                          401       401      ok       ok       401    401
  POST   /v1/pickups                                 403       ok       403      403      403    403
  GET    /v1/lockers/:id/households                  401       401      401      401      ok     ok
  POST   /v1/lockers/:id/households                  401       401      401      401      403    ok
  POST   /v1/households/:id/reset-code               401       401      401      401      403    ok
  POST   /v1/households/:id/remove                   401       401      401      401      403    ok
  POST   /v1/household/open                          401       ok       401      401      401    401
  GET    /v1/regions                                 401       401      401      401      ok     ok
  GET    /v1/reports/share                           401       401      401      401      ok     ok
  GET    /v1/reports/deployment                      401       401      401      401      ok     ok
  GET    /v1/reports/fleet                           401       401      401      401      ok     ok
`;

type Expected = 'ok' | number;
const rows = MATRIX.trim().split('\n').slice(1).map((line) => {
  const [method, path, ...cells] = line.trim().split(/\s+/);
  const expected = Object.fromEntries(ROLES.map((role, i) => [role, cells[i] === 'ok' ? 'ok' : Number(cells[i])])) as Record<Role, Expected>;
  return { method: method!, path: path!, expected };
});

let w: World;
beforeAll(async () => {
  w = await startWorld();
}, 30_000);
afterAll(async () => w.close());

it('covers every route the API has (its OpenAPI document) and every route the tests know how to call', async () => {
  const doc = (await w.gw.http.inject({ url: '/docs/json' })).json() as { paths: Record<string, Record<string, unknown>> };
  const documented = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`));
  const inMatrix = rows.map(routeKey);
  expect(documented.filter((r) => !inMatrix.includes(r))).toEqual([]);
  expect(inMatrix.filter((r) => !w.gw.http.hasRoute({ method: r.split(' ')[0] as 'GET', url: r.split(' ')[1]! }))).toEqual([]);
  expect(ROUTES.map(routeKey).sort()).toEqual([...inMatrix].sort());
});

describe.each(rows)('$method $path', (row) => {
  const spec = ROUTES.find((r) => routeKey(r) === routeKey(row))!;

  it.each(ROLES)('as %s', async (role) => {
    const expected = row.expected[role];
    const req = await spec.request(w, role, expected === 'ok');
    const before = expected === 'ok' ? undefined : snapshotDb(w.gw.store.db);
    const res = await w.gw.http.inject({ method: row.method as 'GET', url: req.url, query: req.query, payload: req.payload, headers: { ...w.headers(role), ...req.headers }, remoteAddress: req.remoteAddress });
    if (expected === 'ok') {
      expect(res.statusCode, res.body).toBeGreaterThanOrEqual(200);
      expect(res.statusCode, res.body).toBeLessThan(300);
      await spec.settle?.(w, res.json(), role);
      return;
    }
    expect(res.statusCode, res.body).toBe(expected);
    expect(Object.keys(ERROR_CATALOGUE)).toContain(res.json().error?.code);
    expect(snapshotDb(w.gw.store.db)).toEqual(before);
  });
});
