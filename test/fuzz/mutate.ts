import type { Prng } from './prng.js';

/** Byte values that tend to sit on boundaries in MQTT framing (lengths, flags, UTF-8 lead bytes). */
const INTERESTING = [0x00, 0x01, 0x7f, 0x80, 0xff, 0xfe, 0xc0, 0xc1, 0xed, 0xf4, 0xf5, 0x30, 0x32, 0x3f, 0xe0, 0xf0];

/**
 * AFL-style mutations of an encoded packet: bit flips, interesting bytes, inserts, deletes,
 * duplicated ranges, truncation and a rewritten remaining length. The result may be anything,
 * including a perfectly valid packet, so callers expect nothing of it but a living gateway.
 */
export function mutate(rng: Prng, input: Buffer, rounds = 1 + rng.int(4)): Buffer {
  let b: Buffer = Buffer.from(input);
  for (let r = 0; r < rounds; r++) {
    if (b.length === 0) b = rng.bytes(1 + rng.int(8));
    const at = rng.int(b.length);
    switch (rng.int(7)) {
      case 0:
        b[at] = b[at]! ^ (1 << rng.int(8));
        break;
      case 1:
        b[at] = rng.pick(INTERESTING);
        break;
      case 2:
        b = Buffer.concat([b.subarray(0, at), rng.bytes(1 + rng.int(16)), b.subarray(at)]);
        break;
      case 3:
        b = Buffer.concat([b.subarray(0, at), b.subarray(Math.min(b.length, at + 1 + rng.int(8)))]);
        break;
      case 4: {
        const len = 1 + rng.int(Math.min(32, b.length - at));
        b = Buffer.concat([b.subarray(0, at + len), b.subarray(at, at + len), b.subarray(at + len)]);
        break;
      }
      case 5:
        b = b.subarray(0, Math.max(1, at));
        break;
      default:
        b = withRemainingLength(b, rng.pick([0, 1, 127, 128, 16_383, 16_384, 2_097_151, 268_435_455, rng.int(1_000)]));
    }
  }
  return b;
}

/** MQTT's variable-length integer (1–4 bytes, 7 bits each). */
export function varint(n: number): Buffer {
  const out: number[] = [];
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    out.push(byte);
  } while (n > 0 && out.length < 4);
  return Buffer.from(out);
}

/** Replaces a packet's remaining-length field, keeping its fixed-header byte and body. */
export function withRemainingLength(packet: Buffer, length: number): Buffer {
  let i = 1;
  while (i < packet.length && i < 5 && (packet[i]! & 0x80) !== 0) i++;
  return Buffer.concat([packet.subarray(0, 1), varint(length), packet.subarray(i + 1)]);
}
