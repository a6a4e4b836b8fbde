import { createServer, type AddressInfo } from 'node:net';
import { Aedes } from 'aedes';
import { settleMemory } from './settle.js';

/**
 * Child process: plain Aedes (its defaults, in-memory persistence, no hooks) on a TCP port, the
 * baseline the issue compares the gateway's memory per connection with ("plain Aedes settles
 * near 8 KB"). Same sampling as gateway-host.ts, so the two figures are measured alike.
 */
export type AedesHostRequest = { t: 'sample'; settleS: number } | { t: 'stop' };
export interface AedesHostSample {
  rss: number;
  heapUsed: number;
  heapTotal: number;
}

const gc = (globalThis as { gc?: () => void }).gc;
const aedes = await Aedes.createBroker();
const server = createServer((socket) => aedes.handle(socket));
await new Promise<void>((resolve) => server.listen(0, '0.0.0.0', resolve));

process.on('message', (msg: AedesHostRequest) => {
  void (async () => {
    switch (msg.t) {
      case 'sample': {
        if (gc) await settleMemory(gc, msg.settleS);
        const m = process.memoryUsage();
        process.send?.({ t: 'sample', sample: { rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal } satisfies AedesHostSample });
        return;
      }
      case 'stop':
        server.close();
        await new Promise<void>((resolve) => aedes.close(() => resolve()));
        process.exit(0);
    }
  })();
});
process.send?.({ t: 'up', mqttPort: (server.address() as AddressInfo).port });
