import http from 'node:http';
import type net from 'node:net';
import { Aedes } from 'aedes';
import { WebSocketServer, createWebSocketStream } from 'ws';
import { afterEach, expect, it } from 'vitest';
import { SimController } from '../../device-sim/index.js';
import { PROTOCOL_VERSION } from '../../protocol/index.js';
import { Observer, on } from './helpers.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const fn of cleanups.reverse()) await fn();
  cleanups.length = 0;
});

it('speaks the same protocol over ws://…/mqtt', async () => {
  const broker = await Aedes.createBroker();
  const server = http.createServer();
  const wss = new WebSocketServer({ server, path: '/mqtt' });
  wss.on('connection', (ws, req) => broker.handle(createWebSocketStream(ws), req));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as net.AddressInfo;
  cleanups.push(async () => {
    await new Promise<void>((resolve) => broker.close(() => resolve()));
    wss.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const url = `ws://127.0.0.1:${port}/mqtt`;
  const gw = await Observer.connect(url);
  cleanups.push(() => gw.close());
  const sim = new SimController({ url, deviceId: 'lk-ws-01', secret: 'ws-secret-ws-secret', compartments: 2 });
  cleanups.push(() => sim.stop());

  await sim.start();
  const hello = await gw.next(on.status('online'));
  expect(hello.json).toMatchObject({ bootId: sim.bootId, seq: 1, compartments: 2, protocol: PROTOCOL_VERSION });
  await gw.next(on.channel('state'));
});
