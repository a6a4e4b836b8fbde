// Renders each card from API data. Pure functions of (data, i18n): called again unchanged when
// the language switches, so nothing here fetches.
import { bar, el, fill } from './dom.js';

function tile(label, value, sub, testid) {
  return el('div', { class: 'tile', testid }, el('div', { class: 'tile-label' }, label), el('div', { class: 'tile-value' }, value), sub ? el('div', { class: 'tile-sub' }, sub) : null);
}

export function renderFleet(f, i) {
  const dt = f.deliveryTime ?? {};
  fill('fleet-tiles',
    tile(i.t('lockersOnline'), i.int(f.lockers.online), i.t('ofTotal', { n: i.int(f.lockers.total) }), 'lockers-online'),
    tile(i.t('lockersOffline'), i.int(f.lockers.offline), f.lockers.asleep ? i.t('lockersAsleep', { n: i.int(f.lockers.asleep) }) : null, 'lockers-offline'),
    tile(i.t('openAlarms'), i.int(f.alarms.open), null, 'open-alarms'),
    tile(i.t('utilisation'), i.pct(f.compartments.utilisationPct), i.t('occupiedOf', { occupied: i.int(f.compartments.occupied), total: i.int(f.compartments.total) }), 'utilisation'),
    tile(i.t('dwellMedian'), f.dwell.medianHours == null ? '–' : i.t('hours', { n: i.dec(f.dwell.medianHours) }), null, 'dwell'),
    tile(i.t('pickedUp24'), i.pct(f.dwell.within24hPct), `${i.t('pickedUp72')}: ${i.pct(f.dwell.within72hPct)}`, 'picked-up'),
    tile(i.t('expiredRate'), i.pct(f.expiredRatePct), null, 'expired'),
    tile(i.t('within24'), i.pct(dt.within24hPct), i.t('target', { pct: i.pct(dt.target24hPct) }), 'delivered-24h'),
    tile(i.t('within72'), i.pct(dt.within72hPct), i.t('target', { pct: i.pct(dt.target72hPct) }), 'delivered-72h'),
  );
}

function status(s, i) {
  return el('span', { class: `badge ${s}` }, i.t(s));
}

/** The row the headline shows: the newest period with data (today's reports may not be in yet). */
export function headlineRow(rows) {
  return [...rows].reverse().find((r) => r.status !== 'no_data') ?? rows.at(-1);
}

export function renderShareSummary(report, i) {
  const row = headlineRow(report.rows);
  if (!row) return fill('share-summary', el('p', { class: 'muted' }, i.t('noRows')));
  fill('share-summary',
    tile(`${i.t('latestPeriod')} · ${i.period(row.period, report.granularity)}`, i.pct(row.sharePct), i.t('target', { pct: i.pct(row.targetPct) }), 'share-latest'),
    el('div', { class: 'tile', testid: 'share-status' }, el('div', { class: 'tile-label' }, i.t('colStatus')), el('div', { class: 'tile-value' }, status(row.status, i)),
      row.status === 'behind' ? el('div', { class: 'tile-sub' }, i.plural('neededPerDay', row.neededPerDay, { n: i.int(row.neededPerDay) })) : null),
  );
}

export function renderChildren(report, i, onSelect) {
  if (!report.children.length) return fill('children', el('p', { class: 'muted' }, i.t('noChildren')));
  const head = el('tr', {}, ['colRegion', 'colShare', 'colTarget', 'colStatus', 'colNeeded', 'colLocker', 'colReported']
    .map((k, n) => el('th', { scope: 'col', class: n >= 5 ? 'extra' : null }, i.t(k))));
  const rows = report.children.map((c) => el('tr', { testid: `child-${c.code}` },
    el('th', { scope: 'row' }, el('button', { type: 'button', class: 'link', onclick: () => onSelect(c.code, c) }, i.regionName(c))),
    el('td', { class: 'num', testid: 'share' }, i.pct(c.sharePct)),
    el('td', { class: 'num' }, i.pct(c.targetPct)),
    el('td', {}, status(c.status, i)),
    el('td', { class: 'num', testid: 'needed' }, c.status === 'behind' ? i.int(c.neededPerDay) : '–'),
    el('td', { class: 'num extra' }, i.int(c.lockerDeliveries.total)),
    el('td', { class: 'num extra' }, i.int(c.reportedTotal)),
  ));
  fill('children', el('table', {}, el('thead', {}, head), el('tbody', {}, rows)));
}

export function renderDeployment(report, i, onSelect) {
  if (!report.rows.length) return fill('deployment-rows', el('p', { class: 'muted' }, i.t('noRows')));
  fill('deployment-rows', report.rows.map((r) => {
    const g = r.lockerGroups;
    const s = r.publicStations;
    return el('div', { class: 'deploy-row', testid: `deploy-${r.code}` },
      el('div', { class: 'deploy-name' }, el('button', { type: 'button', class: 'link', onclick: () => onSelect(r.code, r) }, i.regionName(r))),
      el('div', { class: 'deploy-figure', testid: 'groups' }, `${i.int(g.commissioned)} / ${i.int(g.target)}`, el('span', { class: 'muted' }, ` (${i.pct(g.pct)})`)),
      bar(g.pct),
      el('div', { class: 'deploy-figure muted', testid: 'stations' }, `${i.t('publicStations')}: ${i.int(s.count)} / ${i.int(s.target)}`),
    );
  }));
}

export function renderAlarms(alarms, lockerNames, i) {
  if (!alarms.length) return fill('alarm-list', el('li', { class: 'muted' }, i.t('noAlarms')));
  fill('alarm-list', alarms.slice(0, 8).map((a) => el('li', { class: `alarm ${a.severity}` },
    el('span', { class: 'alarm-kind' }, i.alarmKind(a.kind)),
    el('span', { class: 'muted' }, `${lockerNames.get(a.lockerId) ?? a.lockerId}${a.compartment ? ` #${a.compartment}` : ''}`),
    el('time', { datetime: new Date(a.raisedAt).toISOString() }, i.dateTime(a.raisedAt)),
  )));
}

export function renderBreadcrumb(path, i, onSelect) {
  fill('breadcrumb', path.map((r, n) => n === path.length - 1
    ? el('span', { 'aria-current': 'page', testid: 'crumb-current' }, i.regionName(r))
    : el('button', { type: 'button', class: 'link', onclick: () => onSelect(r.code), testid: `crumb-${r.code}` }, i.regionName(r))));
}

export function cardError(id, message, i) {
  fill(id, el('p', { class: 'error' }, `${i.t('loadFailed')}: ${message}`));
}
