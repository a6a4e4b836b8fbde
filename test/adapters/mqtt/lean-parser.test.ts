import { PassThrough } from 'node:stream';
import { Aedes, type Client } from 'aedes';
import { generate, parser as mqttParser, type Packet } from 'mqtt-packet';
import { afterEach, describe, expect, it } from 'vitest';
import { skipRoutingOfUnreadablePublishes } from '../../../src/adapters/mqtt/device-publish-routing.js';
import { useLeanParserBuffer } from '../../../src/adapters/mqtt/lean-parser.js';

describe('useLeanParserBuffer', () => {
  it('replaces the parser stream with a plain buffer list that still parses packets split anywhere', () => {
    const parser = mqttParser();
    const conn = { client: { _parser: parser } };
    useLeanParserBuffer(conn);
    const list = (parser as unknown as { _list: object })._list;
    expect('pipe' in list).toBe(false); // no longer a stream
    const packets: Packet[] = [];
    parser.on('packet', (p: Packet) => packets.push(p));
    const bytes = Buffer.concat([
      generate({ cmd: 'publish', topic: 'lg/v1/dev-1/events', payload: Buffer.from('{"a":1}'), qos: 1, messageId: 7, retain: false, dup: false }),
      generate({ cmd: 'pingreq' }),
    ]);
    for (const cut of [1, 2, 5, 20]) parser.parse(bytes.subarray(0, cut)), parser.parse(bytes.subarray(cut)), void 0;
    expect(packets.map((p) => p.cmd)).toEqual(['publish', 'pingreq', 'publish', 'pingreq', 'publish', 'pingreq', 'publish', 'pingreq']);
    const first = packets[0] as Packet & { topic: string; payload: Buffer; messageId: number };
    expect([first.topic, first.payload.toString(), first.messageId]).toEqual(['lg/v1/dev-1/events', '{"a":1}', 7]);
  });

  it('carries over bytes that were already buffered', () => {
    const parser = mqttParser();
    const bytes = generate({ cmd: 'pingreq' });
    parser.parse(bytes.subarray(0, 1));
    useLeanParserBuffer({ client: { _parser: parser } });
    const seen: string[] = [];
    parser.on('packet', (p: Packet) => seen.push(p.cmd));
    parser.parse(bytes.subarray(1));
    expect(seen).toEqual(['pingreq']);
  });
});

describe('skipRoutingOfUnreadablePublishes', () => {
  let broker: Aedes | undefined;
  afterEach(() => new Promise<void>((r) => (broker ? broker.close(() => r()) : r())));

  it('routes what the gateway publishes, and neither routes nor retains what a connection published or $SYS', async () => {
    broker = await Aedes.createBroker();
    skipRoutingOfUnreadablePublishes(broker);
    const routed: string[] = [];
    await new Promise<void>((r) => broker!.subscribe('#', (p, cb) => (routed.push(p.topic), cb()), r));
    const publish = broker.publish.bind(broker) as unknown as (p: object, client: Client | null, done: (e?: Error | null) => void) => void;
    const fromDevice = new PassThrough() as unknown as Client;
    const base = { cmd: 'publish', qos: 1, dup: false } as const;
    await new Promise<void>((r) => publish({ ...base, topic: 'lg/v1/dev-1/state', payload: Buffer.from('{}'), retain: true }, fromDevice, () => r()));
    await new Promise<void>((r) => publish({ ...base, topic: '$SYS/x/new/clients', payload: Buffer.from('dev-1'), retain: false }, null, () => r()));
    await new Promise<void>((r) => broker!.publish({ ...base, topic: 'lg/v1/dev-1/cmd', payload: Buffer.from('{}'), retain: false }, () => r()));
    expect(routed).toEqual(['lg/v1/dev-1/cmd']);
    const persistence = (broker as unknown as { persistence: { createRetainedStream(pattern: string): AsyncIterable<unknown> } }).persistence;
    const retained: unknown[] = [];
    for await (const p of persistence.createRetainedStream('#')) retained.push(p);
    expect(retained).toEqual([]);
  });
});
