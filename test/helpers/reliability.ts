import { request, Agent } from 'node:http';
import { percentile } from '../../device-sim/run/stats.js';

/** The seed of a reliability run: RELIABILITY_SEED to replay one, otherwise a fresh one (print it). */
export function reliabilitySeed(): number {
  const given = process.env['RELIABILITY_SEED'];
  return given !== undefined && given !== '' ? Number(given) : Math.floor(Math.random() * 1_000_000);
}

export interface LatencySummary {
  requests: number;
  errors: number;
  p50: number | null;
  p99: number | null;
  max: number | null;
}

/**
 * A client that keeps asking the gateway one cheap authenticated question (`path` with a
 * Bearer token), `concurrency` requests at a time on keep-alive sockets, and records each
 * round trip: what an operator's dashboard sees while something else is going on.
 */
export class LatencyProbe {
  private readonly samples: number[] = [];
  private errors = 0;
  private running = false;
  private loops: Array<Promise<void>> = [];
  private readonly agent: Agent;

  constructor(
    private readonly url: string,
    private readonly token: string,
    private readonly concurrency = 4,
    /** Pause between two requests of one loop, ms. */
    private readonly pauseMs = 20,
  ) {
    this.agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  }

  start(): void {
    this.running = true;
    this.loops = Array.from({ length: this.concurrency }, () => this.loop());
  }

  async stop(): Promise<LatencySummary> {
    this.running = false;
    await Promise.all(this.loops);
    this.agent.destroy();
    const sorted = [...this.samples].sort((a, b) => a - b);
    return { requests: sorted.length, errors: this.errors, p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted.at(-1) ?? null };
  }

  private async loop(): Promise<void> {
    while (this.running) {
      const t0 = performance.now();
      const status = await this.get();
      if (status === 200) this.samples.push(performance.now() - t0);
      else this.errors += 1;
      await new Promise((r) => setTimeout(r, this.pauseMs));
    }
  }

  private get(): Promise<number> {
    return new Promise((resolve) => {
      const req = request(this.url, { agent: this.agent, headers: { authorization: `Bearer ${this.token}` }, timeout: 10_000 }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('timeout', () => req.destroy());
      req.on('error', () => resolve(0));
      req.end();
    });
  }
}
