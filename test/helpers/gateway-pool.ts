import type { Clock } from '../../src/domain/clock.js';
import { startTestGateway, type TestGateway } from './gateway.js';

/**
 * Gateways a test starts, stops and restarts on one data dir: whatever is still running (and
 * every deferred cleanup, e.g. receivers and relays) is closed by `cleanup()` in afterEach.
 */
export class GatewayPool {
  private readonly live = new Set<TestGateway>();
  private readonly deferred: Array<() => Promise<void>> = [];
  private latest: TestGateway | undefined;

  async start(opts: Parameters<typeof startTestGateway>[0] = {}): Promise<TestGateway> {
    const gw = await startTestGateway(opts);
    this.live.add(gw);
    this.latest = gw;
    return gw;
  }

  /** Stops the gateway and keeps its data dir for the next one (a restart, not a wipe). */
  async stopKeepingData(gw: TestGateway): Promise<void> {
    this.live.delete(gw);
    await gw.stop({ keepData: true });
  }

  /**
   * A clock that is always the latest gateway's ManualClock: a simulated controller outlives a
   * gateway restart, and must judge command expiry on the same time line as the gateway.
   */
  readonly clock: Clock = {
    now: () => {
      if (!this.latest?.clock) throw new Error('GatewayPool.clock needs gateways started with manualClock');
      return this.latest.clock.now();
    },
  };

  defer(fn: () => Promise<void>): void {
    this.deferred.push(fn);
  }

  async cleanup(): Promise<void> {
    for (const gw of this.live) await gw.stop();
    this.live.clear();
    for (const fn of this.deferred.splice(0)) await fn();
  }
}
