import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { revokeOperatorToken, createOperatorToken } from '../../src/app/tokens.js';
import { ARTIFACTS, launchChromium, openPage, type PageWatch } from '../helpers/browser.js';
import { DashboardPage, formats, shanghaiWindow } from '../helpers/dashboard-page.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { addCarrier, Courier, lockerFixture, onlineLocker } from '../helpers/parcels.js';
import { stopAllSims } from '../helpers/sim.js';
import { seedJilin } from '../helpers/seed.js';

/**
 * The operator dashboard in Debian's headless Chromium against a real gateway: log in through the
 * form, read the figures the page shows and compare them with what the API answers, switch
 * language, drill down, fit a phone, keep up with new deposits, and go back to the login on 401.
 * Screenshots go to test-artifacts/ (the CI artifact folder).
 */
const PROVINCE = '220000';
const CHANGCHUN = '220100';
const NANGUAN = '220102';
const JILIN_CITY = '220200';
const en = formats('en-GB');
const zh = formats('zh-CN');

let gw: TestGateway;
let browser: Browser;
let viewer: { id: string; secret: string };
let courier: Courier;
let changchun: Awaited<ReturnType<typeof onlineLocker>>;

async function api<T = any>(url: string): Promise<T> {
  const res = await gw.http.inject({ url, headers: { authorization: `Bearer ${viewer.secret}` } });
  expect(res.statusCode, `${url}: ${res.body}`).toBe(200);
  return res.json() as T;
}

const shareUrl = (region: string) => {
  const { from, to } = shanghaiWindow();
  return `/v1/reports/share?region=${region}&granularity=day&from=${from}&to=${to}`;
};

/** The row the page's headline shows: the newest period with data. */
const headline = (rows: any[]) => [...rows].reverse().find((r) => r.status !== 'no_data') ?? rows.at(-1);

beforeAll(async () => {
  gw = await startTestGateway();
  await seedJilin(gw);
  const operator = await createOperatorToken(gw.ctx, 'op', 'operator');
  const v = await createOperatorToken(gw.ctx, 'dash', 'viewer');
  viewer = { id: v.token.id, secret: v.secret };
  courier = new Courier(gw, await addCarrier(gw, operator.secret));
  changchun = await onlineLocker(gw, 'S:4,M:2', { regionCode: NANGUAN });
  const jilin = await onlineLocker(gw, 'S:4', { regionCode: JILIN_CITY });
  for (let n = 0; n < 3; n++) await courier.depositParcel(changchun.sim, changchun.fx.lockerId);
  await courier.depositParcel(jilin.sim, jilin.fx.lockerId);
  await lockerFixture(gw, 'S:2', { regionCode: JILIN_CITY }); // provisioned, never connected: offline
  const date = shanghaiWindow().to;
  for (const [regionCode, deliveredTotal] of [[NANGUAN, 40], [JILIN_CITY, 8]] as const) {
    const res = await courier.call('POST', '/v1/volume-reports', { regionCode, date, deliveredTotal });
    expect(res.statusCode, res.body).toBeLessThan(300);
  }
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await stopAllSims();
  await gw?.stop();
});

describe('dashboard on a desktop, in English', () => {
  let context: BrowserContext;
  let page: Page;
  let watch: PageWatch;
  let dash: DashboardPage;

  beforeAll(async () => {
    ({ context, page, watch } = await openPage(browser, { viewport: { width: 1280, height: 900 }, locale: 'en-GB', timezoneId: 'Asia/Shanghai' }));
    dash = new DashboardPage(page);
  });
  afterAll(() => context?.close());

  it('refuses an unknown token on the login form, then logs in with a viewer token', async () => {
    await page.goto(`${gw.httpUrl}/`);
    await dash.login('lgo_not-a-real-token');
    await dash.expectText('#login-message', 'That token is not valid or has been revoked.');
    expect(await page.locator('#dashboard').isHidden()).toBe(true);
    await dash.login(viewer.secret);
    await dash.loaded(PROVINCE);
    expect(await page.locator('#login').isHidden()).toBe(true);
    expect(await page.locator('#token').inputValue()).toBe('');
  });

  it('shows fleet, share, sub-region and deployment figures that match the API', async () => {
    const fleet = await api(`/v1/reports/fleet?region=${PROVINCE}`);
    const share = await api(shareUrl(PROVINCE));
    const deployment = await api(`/v1/reports/deployment?region=${PROVINCE}`);
    expect(fleet.lockers).toEqual({ total: 3, online: 2, asleep: 0, offline: 1 });

    expect(await dash.tile('lockers-online')).toBe(en.int(fleet.lockers.online));
    expect(await dash.text('[data-testid="lockers-online"] .tile-sub')).toBe(`of ${en.int(fleet.lockers.total)}`);
    expect(await dash.tile('lockers-offline')).toBe(en.int(fleet.lockers.offline));
    expect(await dash.tile('open-alarms')).toBe(en.int(fleet.alarms.open));
    expect(await dash.tile('utilisation')).toBe(en.pct(fleet.compartments.utilisationPct));

    const row = headline(share.rows);
    expect(row.sharePct).toBeCloseTo((4 / 48) * 100, 2);
    expect(await dash.tile('share-latest')).toBe(en.pct(row.sharePct));
    expect(await dash.text('[data-testid="share-latest"] .tile-label')).toBe(`Latest period · ${en.day(row.period)}`);
    expect(row.status).toBe('behind');
    expect(await dash.text('[data-testid="share-status"] .badge')).toBe('Behind');
    const more = `${en.int(row.neededPerDay)} more locker ${row.neededPerDay === 1 ? 'delivery' : 'deliveries'} a day`;
    expect(await dash.text('[data-testid="share-status"] .tile-sub')).toBe(more);

    for (const child of share.children.filter((c: any) => [CHANGCHUN, JILIN_CITY].includes(c.code))) {
      const tr = `[data-testid="child-${child.code}"]`;
      expect(await dash.text(`${tr} button`)).toBe(child.nameEn);
      expect(await dash.text(`${tr} [data-testid="share"]`)).toBe(en.pct(child.sharePct));
      expect(await dash.text(`${tr} [data-testid="needed"]`)).toBe(child.status === 'behind' ? en.int(child.neededPerDay) : '–');
    }
    for (const r of deployment.rows) {
      const groups = await dash.text(`[data-testid="deploy-${r.code}"] [data-testid="groups"]`);
      expect(groups).toBe(`${en.int(r.lockerGroups.commissioned)} / ${en.int(r.lockerGroups.target)} (${en.pct(r.lockerGroups.pct)})`);
    }

    const chart = await dash.chart();
    expect(chart.width).toBeGreaterThan(300);
    expect(chart.share).toEqual(share.rows.map((r: any) => r.sharePct));
    expect(chart.target).toEqual(share.rows.map((r: any) => r.targetPct));
    expect(chart.labels.at(-1)).toBe(en.day(share.rows.at(-1).period));
    await page.screenshot({ path: `${ARTIFACTS}/dashboard-desktop-en.png`, fullPage: true });
  });

  it('keeps up: a new deposit shows on the page without a reload', async () => {
    await courier.depositParcel(changchun.sim, changchun.fx.lockerId);
    const share = await api(shareUrl(PROVINCE));
    const fleet = await api(`/v1/reports/fleet?region=${PROVINCE}`);
    expect(headline(share.rows).sharePct).toBeCloseTo((5 / 48) * 100, 2);
    await dash.expectText('[data-testid="share-latest"] .tile-value', en.pct(headline(share.rows).sharePct));
    await dash.expectText('[data-testid="utilisation"] .tile-value', en.pct(fleet.compartments.utilisationPct));
  });

  it('switches to Chinese, keeps the choice over a reload, and drills into a city and back', async () => {
    await page.locator('#lang-toggle').click();
    expect(await page.locator('html').getAttribute('lang')).toBe('zh-CN');
    await dash.expectText(`[data-testid="child-${CHANGCHUN}"] button`, '长春市');
    const share = await api(shareUrl(PROVINCE));
    expect(await dash.text('[data-testid="share-latest"] .tile-label')).toBe(`最近周期 · ${zh.day(headline(share.rows).period)}`);
    await page.screenshot({ path: `${ARTIFACTS}/dashboard-desktop-zh.png`, fullPage: true });

    await page.reload();
    await dash.loaded(PROVINCE);
    expect(await dash.text('#share-title')).toBe('吉林省 · 快递柜投递占比');

    await page.locator(`[data-testid="child-${CHANGCHUN}"] button`).click();
    await dash.loaded(CHANGCHUN);
    expect(await dash.text('[data-testid="crumb-current"]')).toBe('长春市');
    expect(await dash.text(`[data-testid="crumb-${PROVINCE}"]`)).toBe('吉林省');
    const cityShare = await api(shareUrl(CHANGCHUN));
    const cityFleet = await api(`/v1/reports/fleet?region=${CHANGCHUN}`);
    expect(cityFleet.lockers.total).toBe(1);
    await dash.expectText('[data-testid="lockers-online"] .tile-sub', `共 ${zh.int(cityFleet.lockers.total)} 组`);
    expect(await dash.tile('share-latest')).toBe(zh.pct(headline(cityShare.rows).sharePct));
    expect((await dash.chart()).share).toEqual(cityShare.rows.map((r: any) => r.sharePct));
    await page.screenshot({ path: `${ARTIFACTS}/dashboard-drilldown.png`, fullPage: true });

    await page.locator(`[data-testid="crumb-${PROVINCE}"]`).click();
    await dash.loaded(PROVINCE);
    expect(await dash.text('[data-testid="crumb-current"]')).toBe('吉林省');
  });

  it('places alarms without listing the whole fleet every round: the locker list is fetched once and kept', async () => {
    const count = (path: string) => watch.urls.filter((u) => u.startsWith(`${gw.httpUrl}${path}`) && !u.startsWith(`${gw.httpUrl}${path}/`)).length;
    const lockersBefore = count('/v1/lockers');
    const alarmsBefore = count('/v1/alarms');
    expect(lockersBefore).toBeGreaterThan(0);
    // Two more rounds: into the city and back.
    await page.locator(`[data-testid="child-${CHANGCHUN}"] button`).click();
    await dash.loaded(CHANGCHUN);
    await page.locator(`[data-testid="crumb-${PROVINCE}"]`).click();
    await dash.loaded(PROVINCE);
    expect(count('/v1/alarms')).toBeGreaterThanOrEqual(alarmsBefore + 2);
    expect(count('/v1/lockers')).toBe(lockersBefore);
  });

  it('sends the token only in a header, loads nothing from elsewhere, and logs no page errors', async () => {
    expect(watch.urls.length).toBeGreaterThan(5);
    expect(watch.urls.filter((u) => !u.startsWith(`${gw.httpUrl}/`))).toEqual([]);
    expect(watch.urls.filter((u) => u.includes('lgo_'))).toEqual([]);
    expect(watch.urls).toContain(`${gw.httpUrl}/dashboard/vendor/chart.umd.min.js`);
    // The only expected console errors are the browser's own lines for the refused login (401).
    expect(watch.errors.filter((e) => !/status of 401/.test(e))).toEqual([]);
    expect(gw.logLines.filter((l) => l.includes(viewer.secret))).toEqual([]);
  });

  it('returns to the login form when the token is revoked', async () => {
    await revokeOperatorToken(gw.ctx, viewer.id);
    await dash.expectText('#login-message', '登录已失效，请重新输入令牌。');
    expect(await page.locator('#dashboard').isHidden()).toBe(true);
    expect(await dash.sessionStorageLength()).toBe(0);
  });
});

describe('dashboard on a phone (390×844)', () => {
  it('fits the screen without sideways scrolling', async () => {
    const phoneViewer = await createOperatorToken(gw.ctx, 'phone', 'viewer');
    const { context, page, watch } = await openPage(browser, { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
    try {
      const dash = new DashboardPage(page);
      await page.goto(`${gw.httpUrl}/`);
      expect(await dash.text('#login h2')).toBe('运营人员登录');
      await dash.login(phoneViewer.secret);
      await dash.loaded(PROVINCE);
      await dash.expectText(`[data-testid="child-${CHANGCHUN}"] button`, '长春市');
      expect(await dash.horizontalOverflow()).toBeLessThanOrEqual(0);
      expect((await dash.chart()).width).toBeGreaterThan(0);
      await page.screenshot({ path: `${ARTIFACTS}/dashboard-phone.png`, fullPage: true });
      expect(watch.errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
