// The gateway's /v1 API as the page uses it. The token lives in sessionStorage (this tab only)
// and leaves the page only in the Authorization header, never in a URL.

const TOKEN_KEY = 'lockergate.operatorToken';

export class Unauthenticated extends Error {}

export const session = {
  token: () => sessionStorage.getItem(TOKEN_KEY),
  save: (token) => sessionStorage.setItem(TOKEN_KEY, token),
  clear: () => sessionStorage.removeItem(TOKEN_KEY),
};

async function get(path, params = {}, signal) {
  const query = new URLSearchParams(Object.entries(params).filter(([, v]) => v != null && v !== ''));
  const qs = query.toString();
  const url = qs ? `${path}?${qs}` : path;
  const res = await fetch(url, { headers: { authorization: `Bearer ${session.token() ?? ''}`, accept: 'application/json' }, signal });
  if (res.status === 401) throw new Unauthenticated();
  if (!res.ok) {
    const body = await res.json().catch(() => null);
    throw new Error(body?.error?.message ?? `HTTP ${res.status}`);
  }
  return res.json();
}

/** YYYY-MM-DD of a moment in Asia/Shanghai, the time zone the reports count days in. */
export function shanghaiDate(ms) {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(ms);
}

const DAY_MS = 86_400_000;

/**
 * The trend window for each granularity, starting on a period boundary so that the first period
 * is a whole one: 30 days, 12 ISO weeks (Monday start), 12 months, 8 quarters, 3 years.
 */
export function shareWindow(granularity, nowMs) {
  const to = shanghaiDate(nowMs);
  const [y, m, d] = to.split('-').map(Number);
  const iso = (ms) => new Date(ms).toISOString().slice(0, 10);
  const today = Date.UTC(y, m - 1, d);
  switch (granularity) {
    case 'week': return { from: iso(today - (((new Date(today).getUTCDay() + 6) % 7) + 7 * 11) * DAY_MS), to };
    case 'month': return { from: iso(Date.UTC(y, m - 12, 1)), to };
    case 'quarter': return { from: iso(Date.UTC(y, Math.floor((m - 1) / 3) * 3 - 21, 1)), to };
    case 'year': return { from: iso(Date.UTC(y - 2, 0, 1)), to };
    default: return { from: iso(today - 29 * DAY_MS), to };
  }
}

export const api = {
  regions: (signal) => get('/v1/regions', {}, signal),
  share: (region, granularity, nowMs, signal) => get('/v1/reports/share', { region, granularity, ...shareWindow(granularity, nowMs) }, signal),
  deployment: (region, signal) => get('/v1/reports/deployment', { region }, signal),
  fleet: (region, signal) => get('/v1/reports/fleet', { region }, signal),
  openAlarms: (region, signal) => get('/v1/alarms', { state: 'open', region, limit: 200 }, signal),
  lockers: (signal) => get('/v1/lockers', {}, signal),
  sites: (signal) => get('/v1/sites', {}, signal),
};
