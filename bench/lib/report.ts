import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { cell, summarize, type Summary } from './stats.js';

export interface Row {
  workload: string;
  metric: string;
  unit: string;
  value: Summary;
  target?: string;
  /** Whether the median meets the target; undefined when there is no target. */
  met?: boolean;
  note?: string;
}

export function row(workload: string, metric: string, unit: string, runs: number[], target?: { text: string; ok: (median: number) => boolean }, note?: string): Row {
  const value = summarize(runs);
  return { workload, metric, unit, value, ...(target ? { target: target.text, met: target.ok(value.median) } : {}), ...(note ? { note } : {}) };
}

export function machine(): Record<string, string | number> {
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    // not a git checkout
  }
  return { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, memGiB: Math.round(totalmem() / 2 ** 30), node: process.version, date: new Date().toISOString(), commit };
}

export function markdown(rows: readonly Row[], m: Record<string, string | number>, mode: string): string {
  const head = `Machine: ${m['cpu']}, ${m['cores']} cores, ${m['memGiB']} GiB · Node ${m['node']} · ${m['date']} · commit ${m['commit']} · mode ${mode}${m['loadavg'] ? ` · load average ${m['loadavgStart']} at the start, ${m['loadavg']} at the end` : ''}${m['wallS'] ? ` · ${m['wallS']} s` : ''}\n\nEach figure: median of the runs (min–max).\n\n`;
  const lines = ['| Workload | Metric | Value | Unit | Target | Met |', '|---|---|---|---|---|---|'];
  for (const r of rows) {
    const met = r.met === undefined ? '' : r.met ? 'yes' : '**no**';
    lines.push(`| ${r.workload} | ${r.metric}${r.note ? ` (${r.note})` : ''} | ${cell(r.value, r.value.median < 10 ? 2 : 1)} | ${r.unit} | ${r.target ?? ''} | ${met} |`);
  }
  return head + lines.join('\n') + '\n';
}

export function save(dir: string, rows: readonly Row[], m: Record<string, string | number>, mode: string, raw: Record<string, unknown> = {}): string {
  mkdirSync(dir, { recursive: true });
  const stamp = String(m['date']).replace(/[:.]/g, '-');
  const base = join(dir, `${stamp}-${m['commit']}-${mode}`);
  const md = markdown(rows, m, mode);
  writeFileSync(`${base}.md`, md);
  writeFileSync(`${base}.json`, JSON.stringify({ machine: m, mode, rows, raw }, null, 2));
  writeFileSync(join(dir, `latest-${mode}.md`), md);
  return base;
}
