import { SimController, openRawSession, type SimControllerOptions } from '../../device-sim/index.js';
import type { Fixture } from './gateway.js';

/** A simulated controller for a provisioned locker, stopped by `stopAll()` after each test file. */
const running = new Set<SimController>();

export function simFor(url: string, fx: Fixture, compartments: SimControllerOptions['compartments'], extra: Partial<SimControllerOptions> = {}): SimController {
  // SIM_SESSION=raw (test/e2e/raw/): the controller speaks through mqtt-packet on a raw socket, as in mass mode.
  const raw = process.env['SIM_SESSION'] === 'raw' && url.startsWith('mqtt:') ? { session: openRawSession } : {};
  const sim = new SimController({ url, deviceId: fx.deviceId, secret: fx.secret, compartments, openDelayMs: 5, jamWindowMs: 50, ...raw, ...extra });
  running.add(sim);
  return sim;
}

export async function stopAllSims(): Promise<void> {
  for (const sim of running) await sim.stop().catch(() => undefined);
  running.clear();
}
