import { generate, type IConnectPacket } from 'mqtt-packet';
import { deviceTopic } from '../../protocol/topics.js';
import { mutate, varint, withRemainingLength } from './mutate.js';
import type { Prng } from './prng.js';

export interface FuzzDevice {
  id: string;
  secret: string;
}

/**
 * What the gateway must do with a CONNECT case. `connack`: exactly this return code.
 * `not_accepted`: anything but CONNACK 0 (a refusal code, or a close). `any`: only stay alive.
 */
export type ConnectExpectation = { kind: 'connack'; code: number } | { kind: 'not_accepted' } | { kind: 'any' };

export interface ConnectCase {
  label: string;
  bytes: Buffer;
  expect: ConnectExpectation;
}

/** Byte sequences that are not valid UTF-8, or are forbidden in MQTT strings (U+0000, surrogates). */
export const BAD_UTF8 = [[0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xff], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xe2, 0x82], [0x00], [0xf4, 0x90, 0x80, 0x80]].map((b) => Buffer.from(b));

export function connectPacket(device: FuzzDevice, over: Partial<IConnectPacket> = {}): IConnectPacket {
  return {
    cmd: 'connect',
    protocolId: 'MQTT',
    protocolVersion: 4,
    clean: true,
    clientId: device.id,
    keepalive: 30,
    username: device.id,
    password: Buffer.from(device.secret),
    ...over,
  };
}

export function connectBytes(device: FuzzDevice, over: Partial<IConnectPacket> = {}): Buffer {
  return generate(connectPacket(device, over));
}

/** Replaces the first occurrence of `placeholder` in `bytes` with `bad` (lengths are patched by re-encoding). */
export function poisonString(packet: Buffer, placeholder: string, bad: Buffer): Buffer {
  const at = packet.indexOf(Buffer.from(placeholder));
  if (at < 2) return packet;
  const body = Buffer.concat([packet.subarray(0, at - 2), Buffer.from([bad.length >> 8, bad.length & 0xff]), bad, packet.subarray(at + placeholder.length)]);
  // Re-encode the remaining length around the new body.
  let i = 1;
  while ((packet[i]! & 0x80) !== 0) i++;
  const rest = body.subarray(i + 1);
  return Buffer.concat([packet.subarray(0, 1), varint(rest.length), rest]);
}

const PLACEHOLDER = 'zzzplaceholderzzz';

/** One malformed, refused or mutated CONNECT, with what the gateway must answer. */
export function connectCase(rng: Prng, device: FuzzDevice, maxPacketBytes: number): ConnectCase {
  const kind = rng.weighted({
    wrong_secret: 3, unknown_device: 2, username_mismatch: 2, keepalive: 2, will_topic: 2, empty_client_id: 2, bad_client_id: 3,
    bad_utf8: 5, protocol_version: 4, protocol_name: 2, mqtt5: 1, reserved_flag: 2, header_flags: 2, bad_length: 3, short_length: 2,
    oversize: 2, publish_first: 2, garbage: 4, mutated: 10,
  });
  const ok = connectBytes(device);
  const notAccepted = (label: string, bytes: Buffer): ConnectCase => ({ label, bytes, expect: { kind: 'not_accepted' } });
  const refused = (label: string, code: number, over: Partial<IConnectPacket>): ConnectCase => ({ label, bytes: connectBytes(device, over), expect: { kind: 'connack', code } });
  switch (kind) {
    case 'wrong_secret':
      // The secret with its last character changed (to one it is not), or random bytes.
      return refused(kind, 4, { password: rng.chance(0.5) ? rng.bytes(rng.int(64)) : Buffer.from(`${device.secret.slice(0, -1)}${device.secret.endsWith('x') ? 'y' : 'x'}`) });
    case 'unknown_device': {
      const id = `fz-nobody-${rng.int(1e6)}`;
      return refused(kind, 4, { clientId: id, username: id });
    }
    case 'username_mismatch':
      return refused(kind, 4, { username: rng.chance(0.5) ? `${device.id}x` : '' });
    case 'keepalive':
      return refused(kind, 5, { keepalive: rng.chance(0.5) ? 0 : 601 + rng.int(64_000) });
    case 'will_topic':
      return refused(kind, 5, { will: { topic: rng.pick([deviceTopic('fz-other-1', 'status'), deviceTopic(device.id, 'events'), 'x', '$SYS/x']), payload: Buffer.from('{}'), qos: 1, retain: true } });
    case 'empty_client_id':
      if (rng.chance(0.5)) return refused(kind, 2, { clientId: '', username: '' });
      {
        // mqtt-packet refuses to encode this one [MQTT-3.1.3-7]: clear the clean-session flag by hand.
        const b = connectBytes(device, { clientId: '', username: '' });
        b[headerLength(b) + 7] = b[headerLength(b) + 7]! & ~0x02;
        return notAccepted(`${kind}_unclean`, b);
      }
    case 'bad_client_id': {
      const id = rng.pick(['A-upper', 'a/b', 'a#', 'a+', 'ab', '-lead', 'x'.repeat(24 + rng.int(200)), 'ünï', ' spaced ']);
      return notAccepted(kind, connectBytes(device, { clientId: id, username: id }));
    }
    case 'bad_utf8': {
      const field = rng.pick(['clientId', 'username', 'will'] as const);
      const over: Partial<IConnectPacket> =
        field === 'will' ? { will: { topic: PLACEHOLDER, payload: Buffer.from('{}'), qos: 1, retain: true } } : { [field]: PLACEHOLDER };
      return notAccepted(`${kind}_${field}`, poisonString(connectBytes(device, over), PLACEHOLDER, rng.pick(BAD_UTF8)));
    }
    case 'protocol_version': {
      const b = Buffer.from(ok);
      const level = rng.pick([0, 1, 2, 3, 5, 6, 7, 0x83, 0x84, 0xff]);
      b[headerLength(b) + 6] = level;
      // Levels the parser understands (3.1, and the bridge bit) are refused by the gateway's hook with 5.
      return [3, 0x83, 0x84].includes(level) ? { label: kind, bytes: b, expect: { kind: 'connack', code: 5 } } : notAccepted(kind, b);
    }
    case 'protocol_name': {
      const b = Buffer.from(ok);
      b[headerLength(b) + 2 + rng.int(4)] = rng.pick([0x00, 0x58, 0xff, 0x6d]);
      return notAccepted(kind, b);
    }
    case 'mqtt5':
      return notAccepted(kind, generate({ ...connectPacket(device), protocolVersion: 5, properties: { sessionExpiryInterval: 60 } }));
    case 'reserved_flag': {
      const b = Buffer.from(ok);
      b[headerLength(b) + 7] = b[headerLength(b) + 7]! | 0x01; // [MQTT-3.1.2-3] the reserved flag must be 0
      return notAccepted(kind, b);
    }
    case 'header_flags': {
      const b = Buffer.from(ok);
      b[0] = 0x10 | (1 + rng.int(15));
      return notAccepted(kind, b);
    }
    case 'bad_length':
      // A fifth length byte (the continuation bit set on the fourth) is malformed.
      return notAccepted(kind, Buffer.concat([Buffer.from([0x10, 0xff, 0xff, 0xff, 0xff, 0x01]), ok.subarray(2)]));
    case 'short_length':
      return notAccepted(kind, withRemainingLength(ok, Math.max(0, ok.length - 2 - 1 - rng.int(device.secret.length + 2))));
    case 'oversize':
      return notAccepted(kind, Buffer.concat([Buffer.from([0x10]), varint(maxPacketBytes + rng.int(268_435_455 - maxPacketBytes)), ok.subarray(2), rng.bytes(rng.int(4096))]));
    case 'publish_first':
      return notAccepted(kind, generate({ cmd: 'publish', topic: deviceTopic(device.id, 'events'), payload: Buffer.from('{}'), qos: 1, messageId: 1, retain: false, dup: false }));
    case 'garbage':
      // Random bytes never carry a device's secret: they must never be accepted.
      return notAccepted(kind, rng.bytes(1 + rng.int(300)));
    default:
      return { label: kind, bytes: mutate(rng, ok), expect: { kind: 'any' } };
  }
}

/** Length of the fixed header (type byte + remaining-length bytes). */
export function headerLength(packet: Buffer): number {
  let i = 1;
  while (i < packet.length && (packet[i]! & 0x80) !== 0) i++;
  return i + 1;
}
