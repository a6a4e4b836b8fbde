// The dashboard's flow: login → regions → the selected region's reports, refreshed every few
// seconds; a language switch re-renders the last data without fetching.
import { api, session, Unauthenticated } from './api.js';
import { el, fill } from './dom.js';
import { i18n, initialLang, rememberLang } from './i18n.js';
import { RegionTree } from './regions.js';
import { ShareChart } from './share-chart.js';
import * as views from './views.js';

const POLL_MS = 5000;
const GRANULARITIES = ['day', 'week', 'month', 'quarter', 'year'];
const GRANULARITY_KEY = 'lockergate.granularity';
const $ = (id) => document.getElementById(id);

const state = {
  lang: initialLang(localStorage, navigator.language),
  granularity: GRANULARITIES.includes(localStorage.getItem(GRANULARITY_KEY)) ? localStorage.getItem(GRANULARITY_KEY) : 'day',
  tree: null,
  region: null,
  data: {},
  updatedAt: null,
  timer: null,
  /** Bumped by every refresh and logout: only the newest round may render or schedule the next. */
  round: 0,
  /** Locker → name (lockerDirectory), null until first needed. */
  directory: null,
};
let i = i18n(state.lang);
const chart = new ShareChart($('share-chart'));

function regionFromHash() {
  const code = new URLSearchParams(location.hash.slice(1)).get('region');
  return code && state.tree?.get(code) ? code : null;
}

/** Drill down (or up): a child from a report is learnt first, in case the region list lacks it. */
function select(code, child) {
  if (child && code !== state.region) state.tree.learn(child, state.region);
  if (location.hash !== `#region=${code}`) location.hash = `region=${code}`; // → hashchange → show()
}

function show(code) {
  if (!state.tree || code === state.region) return;
  state.region = code;
  state.data = {};
  renderAll();
  void refresh();
}

function renderAll() {
  const region = state.tree?.get(state.region);
  if (!region) return;
  views.renderBreadcrumb(state.tree.path(state.region), i, select);
  $('share-title').textContent = i.t('shareOf', { region: i.regionName(region) });
  const { fleet, share, deployment, alarms } = state.data;
  if (fleet) views.renderFleet(fleet, i);
  if (share) {
    chart.show(share, i);
    views.renderShareSummary(share, i);
    views.renderChildren(share, i, select);
  }
  if (deployment) views.renderDeployment(deployment, i, select);
  if (alarms) views.renderAlarms(alarms.list, alarms.lockerNames, i);
  $('updated').textContent = state.updatedAt ? i.t('updatedAt', { time: i.time(state.updatedAt) }) : '';
}

/**
 * Each locker's name, for the alarm list (the gateway picks the region's alarms itself). The
 * whole locker list is large (a fleet of 20,000 is megabytes and costs the gateway tens of
 * milliseconds to list), so it is fetched once, again when an alarm names a locker it does not
 * know, and every DIRECTORY_MS.
 */
const DIRECTORY_MS = 5 * 60_000;
async function lockerDirectory(alarms) {
  const d = state.directory;
  const stale = !d || Date.now() - d.at > DIRECTORY_MS || alarms.some((a) => !d.names.has(a.lockerId));
  if (!stale) return d;
  const { lockers } = await api.lockers();
  state.directory = { at: Date.now(), names: new Map(lockers.map((l) => [l.id, l.name])) };
  return state.directory;
}

async function fetchAlarms(region) {
  const { alarms } = await api.openAlarms(region);
  const directory = await lockerDirectory(alarms);
  return { list: alarms, lockerNames: directory.names };
}

/** One round of fetches for the selected region; a round overtaken by a newer one is dropped. */
async function refresh() {
  clearTimeout(state.timer);
  const round = ++state.round;
  const region = state.region;
  const jobs = {
    fleet: () => api.fleet(region),
    share: () => api.share(region, state.granularity, Date.now()),
    deployment: () => api.deployment(region),
    alarms: () => fetchAlarms(region),
  };
  const cards = { fleet: 'fleet-tiles', share: 'share-summary', deployment: 'deployment-rows', alarms: 'alarm-list' };
  const results = await Promise.allSettled(Object.values(jobs).map((job) => job()));
  if (round !== state.round) return;
  if (results.some((r) => r.status === 'rejected' && r.reason instanceof Unauthenticated)) return logout('sessionEnded');
  const failed = [];
  Object.keys(jobs).forEach((name, n) => {
    const r = results[n];
    if (r.status === 'fulfilled') state.data[name] = r.value;
    else failed.push([name, r.reason]);
  });
  state.updatedAt = Date.now();
  renderAll();
  for (const [name, err] of failed) views.cardError(cards[name], err.message, i);
  document.body.dataset.loadedRegion = region;
  if (!document.hidden) state.timer = setTimeout(refresh, POLL_MS);
}

function applyLang() {
  document.documentElement.lang = i.locale;
  document.title = i.t('title');
  for (const node of document.querySelectorAll('[data-i18n]')) node.textContent = i.t(node.dataset.i18n);
  for (const node of document.querySelectorAll('[data-i18n-label]')) node.setAttribute('aria-label', i.t(node.dataset.i18nLabel));
  $('lang-toggle').textContent = i.t('langToggle');
  fill('granularity', GRANULARITIES.map((g) => el('option', { value: g, selected: g === state.granularity }, i.t(g))));
  renderAll();
}

function showLogin(messageKey) {
  clearTimeout(state.timer);
  state.round += 1;
  $('login').hidden = false;
  $('dashboard').hidden = true;
  $('logout').hidden = true;
  $('login-message').textContent = messageKey ? i.t(messageKey) : '';
  $('token').focus();
}

function logout(messageKey) {
  session.clear();
  Object.assign(state, { tree: null, region: null, data: {}, updatedAt: null, directory: null });
  delete document.body.dataset.loadedRegion;
  showLogin(messageKey);
}

/** Loads the region tree with the stored token; false when the gateway does not accept it. */
async function start() {
  try {
    const { regions } = await api.regions();
    state.tree = new RegionTree(regions);
  } catch (err) {
    if (err instanceof Unauthenticated) logout('loginRejected');
    else showLogin('networkError');
    return false;
  }
  $('login').hidden = true;
  $('dashboard').hidden = false;
  $('logout').hidden = false;
  state.region = null;
  const code = regionFromHash() ?? state.tree.defaultCode();
  if (code) show(code);
  else fill('breadcrumb', el('p', { class: 'error' }, i.t('noRegions')));
  return true;
}

$('login-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const token = $('token').value.trim();
  if (!token) return;
  session.save(token);
  if (await start()) $('token').value = '';
});
$('logout').addEventListener('click', () => logout());
$('lang-toggle').addEventListener('click', () => {
  state.lang = state.lang === 'zh' ? 'en' : 'zh';
  rememberLang(localStorage, state.lang);
  i = i18n(state.lang);
  applyLang();
});
$('granularity').addEventListener('change', (event) => {
  state.granularity = event.target.value;
  localStorage.setItem(GRANULARITY_KEY, state.granularity);
  state.data.share = undefined;
  void refresh();
});
window.addEventListener('hashchange', () => show(regionFromHash() ?? state.tree?.defaultCode()));
document.addEventListener('visibilitychange', () => {
  if (!document.hidden && state.region) void refresh();
});

applyLang();
if (session.token()) void start();
else showLogin();
