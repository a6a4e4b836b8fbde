/** Battery of a battery-powered controller (README §13.4). */
export interface BatteryOptions {
  /** Charge at power-up, %; default 100. */
  startPct?: number;
  /** Drained by every wake (radio on, connect, publish); default 0.02 %. */
  drainPerWakePct?: number;
  /** Drained by every lock pulse; default 0.01 %. */
  drainPerOpenPct?: number;
  /** Below this the controller sends `low_battery` once; default 15 %. */
  lowPct?: number;
}

/**
 * A simple charge model: a fixed cost per wake and per opening. The `low_battery` fault is
 * raised once per crossing of the threshold, as §13.4 asks; `replace()` recharges.
 */
export class Battery {
  private pctValue: number;
  private warned = false;
  private readonly perWake: number;
  private readonly perOpen: number;
  readonly lowPct: number;

  constructor(opts: BatteryOptions, private readonly onLow: (pct: number, mv: number) => void) {
    this.pctValue = clamp(opts.startPct ?? 100);
    this.perWake = opts.drainPerWakePct ?? 0.02;
    this.perOpen = opts.drainPerOpenPct ?? 0.01;
    this.lowPct = opts.lowPct ?? 15;
  }

  /** Charge, %, to 0.1. */
  get pct(): number {
    return Math.round(this.pctValue * 10) / 10;
  }

  /** A Li-SOCl2-like curve flattened to a line: 3.0 V empty, 3.6 V full. */
  get mv(): number {
    return Math.round(3000 + 6 * this.pctValue);
  }

  woke(): void {
    this.drain(this.perWake);
  }

  opened(): void {
    this.drain(this.perOpen);
  }

  /** Test hook: set the charge directly (a new battery, or one about to run low). */
  set(pct: number): void {
    this.pctValue = clamp(pct);
    if (this.pctValue >= this.lowPct) this.warned = false;
    this.check();
  }

  private drain(pct: number): void {
    this.pctValue = clamp(this.pctValue - pct);
    this.check();
  }

  private check(): void {
    if (this.warned || this.pctValue >= this.lowPct) return;
    this.warned = true;
    this.onLow(this.pct, this.mv);
  }
}

function clamp(pct: number): number {
  return Math.min(100, Math.max(0, pct));
}
