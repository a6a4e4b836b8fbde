import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { MAX_PAYLOAD_BYTES } from '../../protocol/index.js';
import { UPLINK_CHANNELS, type UplinkChannel } from '../../protocol/topics.js';
import type { Prng } from './prng.js';

/**
 * Payloads for publishes on a device's own topics: random bytes, random JSON, deep nesting,
 * oversize strings, and the protocol's own valid examples (re-stamped or with one field
 * mutated), so the schemas, the sequencing and the use cases behind them are all reached.
 */
const EXAMPLES_DIR = fileURLToPath(new URL('../../protocol/examples/', import.meta.url));
const manifest = JSON.parse(readFileSync(`${EXAMPLES_DIR}index.json`, 'utf8')) as { valid: Array<{ file: string; channel: string }> };
const EXAMPLES: Array<{ channel: UplinkChannel; body: Record<string, unknown> }> = manifest.valid
  .filter((e): e is { file: string; channel: UplinkChannel } => (UPLINK_CHANNELS as readonly string[]).includes(e.channel))
  .map((e) => ({ channel: e.channel, body: JSON.parse(readFileSync(EXAMPLES_DIR + e.file, 'utf8')) as Record<string, unknown> }));

const STRINGS = ['', ' ', 'open', 'null', '0', '-1', '💥', '\u0000', '\ud800', 'a'.repeat(300), '../../etc/passwd', '{"$ne":1}', "'; DROP TABLE parcels; --", '%s%n'];
const NUMBERS = [0, -0, 1, -1, 0.5, 2 ** 31, 2 ** 53 + 1, -(2 ** 63), 1e308, Number.MIN_VALUE, 65_535, 999];

export function randomJson(rng: Prng, depth = 0): unknown {
  switch (rng.int(depth > 3 ? 4 : 7)) {
    case 0:
      return null;
    case 1:
      return rng.chance(0.5);
    case 2:
      return rng.chance(0.5) ? rng.pick(NUMBERS) : rng.int(100_000) - 50_000;
    case 3:
      return rng.chance(0.5) ? rng.pick(STRINGS) : rng.bytes(rng.int(24)).toString('latin1');
    case 4:
      return Array.from({ length: rng.int(5) }, () => randomJson(rng, depth + 1));
    default: {
      const o: Record<string, unknown> = {};
      for (let i = rng.int(6); i > 0; i--) o[rng.pick(['type', 'seq', 'bootId', 'ts', 'compartment', 'code', 'commandId', 'state', 'door', rng.bytes(4).toString('hex')])] = randomJson(rng, depth + 1);
      return o;
    }
  }
}

/** A valid example for the channel with this boot and a random sequence number and time. */
function restamped(rng: Prng, channel: UplinkChannel, bootId: string): Record<string, unknown> {
  const candidates = EXAMPLES.filter((e) => e.channel === channel);
  const base = candidates.length > 0 ? rng.pick(candidates).body : rng.pick(EXAMPLES).body;
  const body: Record<string, unknown> = { ...base, bootId, ts: Date.now() - rng.int(60_000) };
  if ('seq' in base) body['seq'] = 1 + rng.int(1_000_000);
  return body;
}

const PAYLOAD_WEIGHTS = { example: 3, mutated: 4, json: 4, bytes: 2, deep: 1, big: 1 };
export type PayloadKind = keyof typeof PAYLOAD_WEIGHTS;

export function payloadFor(rng: Prng, channel: UplinkChannel, bootId: string, kind: PayloadKind = rng.weighted(PAYLOAD_WEIGHTS)): Buffer {
  switch (kind) {
    case 'example':
      return Buffer.from(JSON.stringify(restamped(rng, channel, bootId)));
    case 'mutated': {
      const body = restamped(rng, channel, bootId);
      const keys = Object.keys(body);
      const key = rng.chance(0.8) && keys.length > 0 ? rng.pick(keys) : `x${rng.int(100)}`;
      if (rng.chance(0.2)) delete body[key];
      else body[key] = randomJson(rng);
      return Buffer.from(JSON.stringify(body));
    }
    case 'json':
      return Buffer.from(JSON.stringify(randomJson(rng)) ?? 'null');
    case 'bytes':
      return rng.bytes(rng.int(512));
    case 'deep': {
      const depth = 1 + rng.int(MAX_PAYLOAD_BYTES / 2 - 1);
      return Buffer.from('['.repeat(depth) + ']'.repeat(depth));
    }
    default:
      // Around the 16 KiB payload limit, on both sides of it.
      return Buffer.alloc(MAX_PAYLOAD_BYTES - 64 + rng.int(128), rng.chance(0.5) ? 0x20 : 0x7b);
  }
}
