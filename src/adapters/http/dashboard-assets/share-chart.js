// The share trend of the selected region: share per period, the target line and a least-squares
// trend line. Chart.js comes from the gateway (/dashboard/vendor/chart.umd.min.js, a global).

const COLORS = { share: '#1565c0', target: '#c62828', trend: '#6d6d6d' };

/** Least-squares line through the periods that have a share; null where it cannot be drawn. */
export function trend(values) {
  const pts = values.map((y, x) => ({ x, y })).filter((p) => p.y != null);
  if (pts.length < 2) return values.map(() => null);
  const n = pts.length;
  const mx = pts.reduce((s, p) => s + p.x, 0) / n;
  const my = pts.reduce((s, p) => s + p.y, 0) / n;
  const sxx = pts.reduce((s, p) => s + (p.x - mx) ** 2, 0);
  const slope = pts.reduce((s, p) => s + (p.x - mx) * (p.y - my), 0) / sxx;
  return values.map((_, x) => Math.max(0, my + slope * (x - mx)));
}

function data(report, i) {
  const share = report.rows.map((r) => r.sharePct);
  return {
    labels: report.rows.map((r) => i.period(r.period, report.granularity)),
    datasets: [
      { label: i.t('shareLine'), data: share, borderColor: COLORS.share, backgroundColor: 'rgba(21,101,192,0.12)', fill: 'origin', pointRadius: 3, spanGaps: false, tension: 0.2 },
      { label: i.t('targetLine'), data: report.rows.map((r) => r.targetPct), borderColor: COLORS.target, borderDash: [6, 4], pointRadius: 0, fill: false },
      { label: i.t('trendLine'), data: trend(share), borderColor: COLORS.trend, borderDash: [2, 3], pointRadius: 0, fill: false },
    ],
  };
}

function options(i) {
  return {
    responsive: true,
    maintainAspectRatio: false,
    animation: false,
    locale: i.locale,
    interaction: { mode: 'index', intersect: false },
    scales: {
      y: { beginAtZero: true, suggestedMax: 15, ticks: { callback: (v) => i.pct(v) } },
      x: { ticks: { maxRotation: 0, autoSkip: true, autoSkipPadding: 8 } },
    },
    plugins: {
      legend: { position: 'bottom', labels: { boxWidth: 14 } },
      tooltip: { callbacks: { label: (c) => `${c.dataset.label}: ${i.pct(c.parsed.y)}` } },
    },
  };
}

export class ShareChart {
  constructor(canvas) {
    this.canvas = canvas;
    this.chart = null;
  }

  /** Draws or updates in place: polling every few seconds must not flicker or restart animations. */
  show(report, i) {
    const Chart = globalThis.Chart;
    if (!Chart) throw new Error('chart library did not load');
    if (!this.chart) {
      this.chart = new Chart(this.canvas, { type: 'line', data: data(report, i), options: options(i) });
      return;
    }
    this.chart.data = data(report, i);
    this.chart.options = options(i);
    this.chart.update('none');
  }
}
