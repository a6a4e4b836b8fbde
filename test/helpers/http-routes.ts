import {
  freshAlarm, freshBareLocker, freshDepositToConfirm, freshDevice, freshHousehold, freshMailboxBank, freshOpenDeposit, freshParcel, yesterday, type Role, type World,
} from './http-world.js';
import { tracking, wrongCode } from './parcels.js';

/**
 * A well-formed request for every route of the API, as a caller with `role` would send it.
 * `succeeds` says whether the matrix expects this call to work; then it gets a resource of its
 * own (a success uses it up), otherwise a shared one. The HTTP fuzzer starts from these too.
 */
export interface RouteRequest {
  url: string;
  payload?: Record<string, unknown>;
  query?: Record<string, string>;
  remoteAddress?: string;
  /** Credentials the role does not carry in World.headers (a household's app token). */
  headers?: Record<string, string>;
}

export interface RouteSpec {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH';
  /** Fastify's path, e.g. /v1/lockers/:id */
  path: string;
  request(w: World, role: Role, succeeds: boolean): Promise<RouteRequest> | RouteRequest;
  /** Waits until what a success started has settled (doors open), so the next call sees a still store. */
  settle?(w: World, body: Record<string, unknown>, role: Role): Promise<void>;
}

let n = 0;
const unique = () => `${process.pid}-${++n}`;
const FREE = { open: 24, patch: 23 }; // L compartments of the world's locker that no deposit takes (smallest fit first)

const waitOpen = (w: World, body: Record<string, unknown>, role: Role) => (role === 'carrierB' ? w.b : w.a).waitDeposit(String(body['depositId']), 'open').then(() => undefined);

export const ROUTES: RouteSpec[] = [
  { method: 'GET', path: '/healthz', request: () => ({ url: '/healthz' }) },
  { method: 'GET', path: '/readyz', request: () => ({ url: '/readyz' }) },
  { method: 'GET', path: '/metrics', request: () => ({ url: '/metrics' }) },
  { method: 'GET', path: '/', request: () => ({ url: '/' }) },
  { method: 'GET', path: '/dashboard/:file', request: () => ({ url: '/dashboard/app.js' }) },
  { method: 'GET', path: '/dashboard/vendor/:file', request: () => ({ url: '/dashboard/vendor/chart.umd.min.js' }) },

  { method: 'GET', path: '/v1/sites', request: () => ({ url: '/v1/sites' }) },
  { method: 'POST', path: '/v1/sites', request: () => ({ url: '/v1/sites', payload: { name: `Site ${unique()}`, kind: 'office', regionCode: '220102', address: '1 Test road' } }) },
  { method: 'GET', path: '/v1/lockers', request: () => ({ url: '/v1/lockers' }) },
  { method: 'GET', path: '/v1/lockers/:id', request: (w) => ({ url: `/v1/lockers/${w.fx.lockerId}` }) },
  { method: 'POST', path: '/v1/lockers', request: (w) => ({ url: '/v1/lockers', payload: { siteId: w.fx.siteId, name: `Locker ${unique()}`, layout: 'S:2' } }) },
  { method: 'POST', path: '/v1/lockers/:id/device', request: async (w, _r, ok) => ({ url: `/v1/lockers/${ok ? await freshBareLocker(w) : w.fx.lockerId}/device` }) },
  { method: 'POST', path: '/v1/lockers/:id/compartments/:n/open', request: (w) => ({ url: `/v1/lockers/${w.fx.lockerId}/compartments/${FREE.open}/open`, query: { waitS: '5' } }) },
  { method: 'PATCH', path: '/v1/lockers/:id/compartments/:n', request: (w) => ({ url: `/v1/lockers/${w.fx.lockerId}/compartments/${FREE.patch}`, payload: { state: 'available' } }) },
  { method: 'POST', path: '/v1/devices/:id/rotate-secret', request: async (w, _r, ok) => ({ url: `/v1/devices/${ok ? await freshDevice(w) : w.fx.deviceId}/rotate-secret` }) },
  { method: 'POST', path: '/v1/devices/:id/revoke', request: async (w, _r, ok) => ({ url: `/v1/devices/${ok ? await freshDevice(w) : w.fx.deviceId}/revoke` }) },
  { method: 'GET', path: '/v1/alarms', request: () => ({ url: '/v1/alarms' }) },
  { method: 'POST', path: '/v1/alarms/:id/ack', request: async (w) => ({ url: `/v1/alarms/${await freshAlarm(w)}/ack`, payload: { note: 'seen' } }) },
  { method: 'GET', path: '/v1/carriers', request: () => ({ url: '/v1/carriers' }) },
  { method: 'POST', path: '/v1/carriers', request: () => ({ url: '/v1/carriers', payload: { name: `Carrier ${unique()}` } }) },
  { method: 'PUT', path: '/v1/carriers/:id/quotas/:lockerId', request: (w) => ({ url: `/v1/carriers/${w.a.carrier.id}/quotas/${w.fx.lockerId}`, payload: { maxCompartments: null } }) },

  { method: 'POST', path: '/v1/deposits', request: (w) => ({ url: '/v1/deposits', payload: { lockerId: w.fx.lockerId, size: 'S', trackingNumber: tracking(), recipientPhone: '+8613800138000' } }), settle: waitOpen },
  { method: 'GET', path: '/v1/deposits/:id', request: (w) => ({ url: `/v1/deposits/${w.depositId}` }) },
  { method: 'POST', path: '/v1/deposits/:id/confirm', request: async (w, _r, ok) => ({ url: `/v1/deposits/${ok ? await freshDepositToConfirm(w) : w.depositId}/confirm` }) },
  { method: 'POST', path: '/v1/deposits/:id/cancel', request: async (w, _r, ok) => ({ url: `/v1/deposits/${ok ? await freshOpenDeposit(w) : w.depositId}/cancel` }) },
  { method: 'POST', path: '/v1/deposits/:id/resize', request: async (w, _r, ok) => ({ url: `/v1/deposits/${ok ? await freshOpenDeposit(w) : w.depositId}/resize` }), settle: waitOpen },
  { method: 'GET', path: '/v1/parcels/:id', request: (w) => ({ url: `/v1/parcels/${w.parcelId}` }) },
  { method: 'POST', path: '/v1/parcels/:id/resend-code', request: (w) => ({ url: `/v1/parcels/${w.parcelId}/resend-code` }) },
  { method: 'POST', path: '/v1/retrievals', request: async (w, _r, ok) => ({ url: '/v1/retrievals', payload: { parcelId: ok ? await freshParcel(w) : w.parcelId }, query: { waitS: '5' } }) },
  { method: 'POST', path: '/v1/volume-reports', request: () => ({ url: '/v1/volume-reports', payload: { regionCode: '220102', date: yesterday(), deliveredTotal: 1000 } }) },
  {
    method: 'POST',
    path: '/v1/pickups',
    // The code is the credential: only the resident has the right one; everyone else guesses.
    request: (w, role) => ({ url: '/v1/pickups', payload: { lockerId: w.fx.lockerId, code: role === 'resident' ? w.residentCode : wrongCode(w.residentCode) }, remoteAddress: `198.51.100.${1 + (n++ % 250)}` }),
  },

  { method: 'GET', path: '/v1/lockers/:id/households', request: (w) => ({ url: `/v1/lockers/${w.household.lockerId}/households` }) },
  { method: 'POST', path: '/v1/lockers/:id/households', request: async (w, _r, ok) => ({ url: `/v1/lockers/${ok ? await freshMailboxBank(w) : w.household.lockerId}/households`, payload: { compartment: 2, label: 'Flat 2' } }) },
  { method: 'POST', path: '/v1/households/:id/reset-code', request: (w) => ({ url: `/v1/households/${w.household.id}/reset-code` }) },
  { method: 'POST', path: '/v1/households/:id/remove', request: async (w, _r, ok) => ({ url: `/v1/households/${ok ? (await freshHousehold(w)).id : w.household.id}/remove` }) },
  {
    method: 'POST',
    path: '/v1/household/open',
    // The household's app token is the credential; only the resident holds one.
    request: (w, role) => ({ url: '/v1/household/open', ...(role === 'resident' ? { headers: { authorization: `Bearer ${w.household.appToken}` } } : {}) }),
  },

  { method: 'GET', path: '/v1/regions', request: () => ({ url: '/v1/regions' }) },
  { method: 'GET', path: '/v1/reports/share', request: () => ({ url: '/v1/reports/share', query: { region: '220000' } }) },
  { method: 'GET', path: '/v1/reports/deployment', request: () => ({ url: '/v1/reports/deployment', query: { region: '220000' } }) },
  { method: 'GET', path: '/v1/reports/fleet', request: () => ({ url: '/v1/reports/fleet' }) },
];

export const routeKey = (r: { method: string; path: string }) => `${r.method} ${r.path}`;
