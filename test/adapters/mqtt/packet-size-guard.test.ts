import { PassThrough } from 'node:stream';
import { generate, type Packet } from 'mqtt-packet';
import { describe, expect, it } from 'vitest';
import { guardPacketSize, PacketSizeGuard } from '../../../src/adapters/mqtt/packet-size-guard.js';

const publish = (payloadBytes: number, messageId = 1): Packet => ({
  cmd: 'publish',
  qos: 1,
  dup: false,
  retain: false,
  topic: 'lg/v1/dev-7h3k9x2m/events',
  payload: Buffer.alloc(payloadBytes, 0x61),
  messageId,
});

/** A realistic session: CONNECT, SUBSCRIBE, PUBLISHes whose remaining length takes 1, 2 and 3 bytes, PINGREQ, PUBACK, DISCONNECT. */
const SESSION: Packet[] = [
  { cmd: 'connect', clientId: 'dev-7h3k9x2m', protocolVersion: 4, protocolId: 'MQTT', clean: true, keepalive: 60, username: 'dev-7h3k9x2m', password: Buffer.from('s3cret') },
  { cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'lg/v1/dev-7h3k9x2m/cmd', qos: 1 }] },
  publish(10, 2),
  { cmd: 'pingreq' },
  publish(300, 3),
  { cmd: 'pingreq' },
  { cmd: 'pingreq' },
  publish(20_000, 4),
  { cmd: 'puback', messageId: 9 },
  publish(0, 5),
  { cmd: 'disconnect' },
];
const sessionBytes = Buffer.concat(SESSION.map((p) => generate(p)));

/** Total size on the wire of a PUBLISH carrying `payloadBytes`. */
const wireSize = (payloadBytes: number) => generate(publish(payloadBytes)).length;

/** Payload size that makes a PUBLISH exactly `total` bytes long on the wire. */
function payloadForWireSize(total: number): number {
  let payload = total - wireSize(0);
  while (wireSize(payload) > total) payload--;
  if (wireSize(payload) !== total) throw new Error(`no PUBLISH is exactly ${total} bytes`);
  return payload;
}

describe('PacketSizeGuard', () => {
  it('passes a stream of valid packets, whole, byte by byte, and split at every possible boundary', () => {
    expect(sessionBytes.length).toBeGreaterThan(20_000);
    expect(new PacketSizeGuard(65_536).feed(sessionBytes)).toBeNull();

    const byteByByte = new PacketSizeGuard(65_536);
    for (let i = 0; i < sessionBytes.length; i++) expect(byteByByte.feed(sessionBytes.subarray(i, i + 1))).toBeNull();

    for (let cut = 1; cut < sessionBytes.length; cut++) {
      const guard = new PacketSizeGuard(65_536);
      const problems = [guard.feed(sessionBytes.subarray(0, cut)), guard.feed(sessionBytes.subarray(cut))];
      if (problems.some((p) => p !== null)) throw new Error(`split at byte ${cut} reported ${JSON.stringify(problems)}`);
    }
  });

  it('keeps following the framing across many streams of packets split at every boundary (3 pieces)', () => {
    const small = Buffer.concat([generate({ cmd: 'pingreq' }), generate(publish(130)), generate({ cmd: 'pingreq' }), generate(publish(5))]);
    for (let a = 1; a < small.length - 1; a++) {
      for (let b = a + 1; b < small.length; b++) {
        const guard = new PacketSizeGuard(1024);
        const problems = [guard.feed(small.subarray(0, a)), guard.feed(small.subarray(a, b)), guard.feed(small.subarray(b))];
        if (problems.some((p) => p !== null)) throw new Error(`split at ${a},${b} reported ${JSON.stringify(problems)}`);
      }
    }
  });

  it('reports a packet just over the limit from its header, before any of its body arrives', () => {
    const limit = 1024;
    const oversize = generate(publish(payloadForWireSize(limit + 1)));
    expect(oversize.length).toBe(limit + 1);
    const headerBytes = 3; // fixed header byte + 2-byte remaining length
    const guard = new PacketSizeGuard(limit);
    expect(guard.feed(oversize.subarray(0, headerBytes - 1))).toBeNull();
    expect(guard.feed(oversize.subarray(headerBytes - 1, headerBytes))).toMatch(/exceeds 1024/);
  });

  it('reports an oversize packet that follows valid ones in the same chunk', () => {
    const stream = Buffer.concat([generate({ cmd: 'pingreq' }), generate(publish(100)), generate(publish(5_000)).subarray(0, 4)]);
    expect(new PacketSizeGuard(1024).feed(stream)).toMatch(/exceeds 1024/);
  });

  // Known bug (see report): the guard counts 4 length bytes for every packet, so packets of the
  // limit and the limit minus one byte are refused ("packet of 1021 bytes exceeds 1024").
  it('passes packets of exactly the limit and one byte under it', () => {
    const limit = 1024;
    for (const size of [limit - 1, limit]) {
      const packet = generate(publish(payloadForWireSize(size)));
      expect(packet.length).toBe(size);
      expect(new PacketSizeGuard(limit).feed(packet), `${size}-byte packet`).toBeNull();
    }
  });

  it('passes a packet a few bytes under the limit', () => {
    const packet = generate(publish(payloadForWireSize(1000)));
    expect(new PacketSizeGuard(1024).feed(packet)).toBeNull();
  });

  it('reports a remaining length of 5 bytes as malformed, however the bytes arrive', () => {
    const malformed = Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff, 0x01]);
    expect(new PacketSizeGuard(Number.MAX_SAFE_INTEGER).feed(malformed)).toBe('malformed remaining length');
    const guard = new PacketSizeGuard(Number.MAX_SAFE_INTEGER);
    const results = [...malformed].map((b) => guard.feed(Buffer.from([b])));
    expect(results.find((r) => r !== null)).toBe('malformed remaining length');
  });

  it('accepts the largest 4-byte remaining length as well-formed', () => {
    // 268,435,455 = 0xff 0xff 0xff 0x7f, the MQTT maximum.
    expect(new PacketSizeGuard(Number.MAX_SAFE_INTEGER).feed(Buffer.from([0x30, 0xff, 0xff, 0xff, 0x7f]))).toBeNull();
  });

  it('passes zero-length packets (PINGREQ, DISCONNECT) and reads the next byte as a new fixed header', () => {
    const pings = Buffer.concat(Array.from({ length: 50 }, () => generate({ cmd: 'pingreq' })));
    expect(pings).toHaveLength(100);
    const guard = new PacketSizeGuard(1024);
    expect(guard.feed(pings)).toBeNull();
    expect(guard.feed(generate({ cmd: 'disconnect' }))).toBeNull();
    // Were a zero-length packet to leave the guard waiting for a body, this header would be swallowed.
    expect(guard.feed(generate(publish(5_000)).subarray(0, 3))).toMatch(/exceeds/);
  });
});

describe('guardPacketSize', () => {
  it('hands valid bytes through and closes the stream at the first oversize packet', () => {
    const conn = new PassThrough();
    const violations: string[] = [];
    guardPacketSize(conn, 1024, (reason) => violations.push(reason));

    const ok = generate(publish(10));
    conn.write(ok);
    expect(conn.read()).toEqual(ok);
    expect(violations).toEqual([]);

    conn.write(generate(publish(5_000)));
    expect(conn.read()).toBeNull();
    expect(violations).toEqual([expect.stringMatching(/exceeds 1024/)]);
    expect(conn.destroyed).toBe(true);
  });
});
