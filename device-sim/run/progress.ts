import type { NodeStats } from './stats.js';

/**
 * The live one-line status on a terminal (stderr, redrawn in place every second); nothing when
 * stderr is not a TTY, so CI logs and pipes stay clean.
 */
export class StatusLine {
  private last: { at: number; deposits: number; pickups: number } | null = null;
  private readonly enabled: boolean;

  constructor(private readonly out: NodeJS.WriteStream = process.stderr, force?: boolean) {
    this.enabled = force ?? out.isTTY === true;
  }

  update(total: NodeStats, extra: { label: string; mismatches: number | null; simCpuPct: number; workers: number }): void {
    if (!this.enabled) return;
    const now = Date.now();
    const deposits = total.deposits.done;
    const pickups = total.pickups.done;
    let dps = 0;
    let pps = 0;
    if (this.last) {
      const dt = Math.max(0.001, (now - this.last.at) / 1000);
      dps = (deposits - this.last.deposits) / dt;
      pps = (pickups - this.last.pickups) / dt;
    }
    this.last = { at: now, deposits, pickups };
    const errors = Object.values(total.errors).reduce((s, n) => s + n, 0);
    const line = [
      extra.label,
      `online ${total.online.toLocaleString('en')}/${total.controllers.toLocaleString('en')}`,
      `deposits ${dps.toFixed(1)}/s (${deposits})`,
      `pickups ${pps.toFixed(1)}/s (${pickups})`,
      `errors ${errors}`,
      `mismatches ${extra.mismatches ?? '–'}`,
      `sim cpu ${extra.simCpuPct.toFixed(0)}% (${extra.workers} proc)`,
    ].join(' · ');
    this.out.write(`\r\x1b[2K${line}`);
  }

  done(): void {
    if (this.enabled && this.last) this.out.write('\n');
  }
}
