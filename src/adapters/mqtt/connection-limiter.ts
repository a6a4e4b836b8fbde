/**
 * Admission control for new MQTT connections: a cap on live connections and a token bucket per
 * source IP, so one misbehaving site (or attacker) cannot starve the rest during a storm.
 */
export class ConnectionLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly opts: { maxConnections: number; ratePerIp: number; burstPerIp: number },
    private readonly now: () => number = Date.now,
  ) {}

  admit(ip: string, liveConnections: number): 'ok' | 'connection_cap' | 'ip_rate' {
    if (liveConnections >= this.opts.maxConnections) return 'connection_cap';
    const now = this.now();
    const b = this.buckets.get(ip) ?? { tokens: this.opts.burstPerIp, at: now };
    b.tokens = Math.min(this.opts.burstPerIp, b.tokens + ((now - b.at) / 1000) * this.opts.ratePerIp);
    b.at = now;
    if (b.tokens < 1) {
      this.buckets.set(ip, b);
      return 'ip_rate';
    }
    b.tokens -= 1;
    this.buckets.set(ip, b);
    if (this.buckets.size > 100_000) this.prune(now);
    return 'ok';
  }

  /** Drops buckets that have refilled completely; they carry no information. */
  private prune(now: number): void {
    const full = this.opts.burstPerIp / this.opts.ratePerIp;
    for (const [ip, b] of this.buckets) if ((now - b.at) / 1000 >= full) this.buckets.delete(ip);
  }
}
