import type { Page } from 'playwright-core';
import { expect } from 'vitest';

/** Number and date formatting exactly as the page does it (src/adapters/http/dashboard-assets/i18n.js). */
export function formats(locale: 'en-GB' | 'zh-CN') {
  const int = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
  const pct = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1 });
  const day = new Intl.DateTimeFormat(locale, { timeZone: 'UTC', month: 'short', day: 'numeric' });
  return {
    int: (n: number | null) => (n == null ? '–' : int.format(n)),
    pct: (n: number | null) => (n == null ? '–' : pct.format(n / 100)),
    day: (ymd: string) => day.format(Date.parse(`${ymd}T00:00:00Z`)),
  };
}

/** Today and 29 days back as Asia/Shanghai calendar days: the page's default share window. */
export function shanghaiWindow(nowMs = Date.now()): { from: string; to: string } {
  const ymd = (ms: number) => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(ms);
  return { from: ymd(nowMs - 29 * 86_400_000), to: ymd(nowMs) };
}

/** The dashboard as a user sees it: text by test id, waiting the way a person would. */
export class DashboardPage {
  constructor(readonly page: Page) {}

  text(selector: string): Promise<string> {
    return this.page.locator(selector).first().innerText();
  }

  tile(testid: string): Promise<string> {
    return this.text(`[data-testid="${testid}"] .tile-value`);
  }

  /** Waits until `selector`'s text equals `expected`; polling covers the page's own refresh cycle. */
  async expectText(selector: string, expected: string, timeout = 8000): Promise<void> {
    await expect.poll(() => this.text(selector).catch(() => null), { timeout, interval: 100 }).toBe(expected);
  }

  async login(token: string): Promise<void> {
    await this.page.locator('#token').fill(token);
    await this.page.locator('#login-form button[type=submit]').click();
  }

  /** Waits until a full round of the region's reports has been rendered. */
  async loaded(region: string): Promise<void> {
    await this.page.waitForSelector(`body[data-loaded-region="${region}"]`, { timeout: 8000 });
  }

  /**
   * What Chart.js holds for the share chart (it keeps the chart on the canvas), and the canvas
   * size. Browser-side code goes in as a string: the tests are typed without the DOM library.
   */
  chart(): Promise<{ share: Array<number | null>; target: Array<number | null>; labels: string[]; width: number; height: number }> {
    return this.page.evaluate(`(() => {
      const canvas = document.getElementById('share-chart');
      const chart = Chart.getChart(canvas);
      return { share: chart.data.datasets[0].data, target: chart.data.datasets[1].data, labels: chart.data.labels, width: canvas.width, height: canvas.height };
    })()`);
  }

  /**
   * How far the page is wider than the viewport, or a table wider than its box: > 0 means a phone
   * user would have to scroll sideways to read something.
   */
  horizontalOverflow(): Promise<number> {
    return this.page.evaluate(`Math.max(
      document.documentElement.scrollWidth - window.innerWidth,
      document.body.scrollWidth - window.innerWidth,
      ...[...document.querySelectorAll('.table-box')].map((box) => box.scrollWidth - box.clientWidth))`);
  }

  sessionStorageLength(): Promise<number> {
    return this.page.evaluate('sessionStorage.length');
  }
}
