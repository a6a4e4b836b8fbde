import { SimController, openRawSession, type SimControllerOptions } from '../../device-sim/index.js';
import { Observer, on, startBroker, type TestBroker } from './helpers.js';

export interface Rig {
  broker: TestBroker;
  gw: Observer;
  sim: SimController;
  deviceId: string;
  /** start(), then wait until the gateway side has seen this boot's snapshot, so marks taken
   *  afterwards only see what follows. */
  boot(): Promise<void>;
}

type Extra = Partial<Omit<SimControllerOptions, 'url'>>;

/** Broker + gateway observer + one controller; `teardown` undoes whatever was created. */
export function useRig() {
  const cleanups: Array<() => Promise<void>> = [];

  async function rig(extra: Extra = {}): Promise<Rig> {
    const broker = await startBroker();
    cleanups.push(() => broker.close());
    const gw = await Observer.connect(broker.url);
    cleanups.push(() => gw.close());
    const sim = new SimController({
      url: broker.url,
      deviceId: 'lk-test-01',
      secret: 's3cret-s3cret-s3cret',
      compartments: [{ size: 'S' }, { size: 'M' }, { size: 'L', occupancySensor: false }],
      // test/device-sim/raw/ runs these suites again over mqtt-packet on a raw socket (mass mode).
      ...(process.env['SIM_SESSION'] === 'raw' ? { session: openRawSession } : {}),
      ...extra,
    });
    cleanups.push(() => sim.stop());
    const boot = async (): Promise<void> => {
      await sim.start();
      await gw.next((m) => on.channel('state')(m) && m.json?.['bootId'] === sim.bootId);
    };
    return { broker, gw, sim, deviceId: sim.deviceId, boot };
  }

  async function teardown(): Promise<void> {
    for (const fn of cleanups.reverse()) await fn();
    cleanups.length = 0;
  }

  return { rig, teardown };
}
