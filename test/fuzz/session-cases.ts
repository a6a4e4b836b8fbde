import { generate, type Packet } from 'mqtt-packet';
import { deviceTopic, UPLINK_CHANNELS } from '../../protocol/topics.js';
import { INBOUND_QOS2_WINDOW } from '../../src/adapters/mqtt/broker.js';
import { BAD_UTF8, connectBytes, poisonString, type FuzzDevice } from './connect-cases.js';
import { mutate, varint } from './mutate.js';
import { payloadFor } from './payloads.js';
import type { Prng } from './prng.js';

/** What an authenticated connection must answer to one in-session case; it must stay open. */
export type Reply =
  | { cmd: 'puback' | 'pubrec' | 'pubcomp' | 'unsuback'; messageId: number }
  | { cmd: 'suback'; messageId: number; granted: number[] }
  | { cmd: 'pingresp' }
  | null;

/** In an expected SUBACK: any granted QoS (0–2), but not the failure code 0x80. */
export const GRANTED_ANY = -1;

export interface SessionCase {
  label: string;
  bytes: Buffer;
  reply: Reply;
}

/** A fatal case ends the session: `closed` means the gateway must close the connection. */
export interface FatalCase {
  label: string;
  bytes: Buffer;
  expect: 'closed' | 'any';
}

export interface SessionState {
  device: FuzzDevice;
  other: FuzzDevice;
  bootId: string;
  nextId: number;
  /** QoS 2 message ids whose PUBREL we withhold; kept under the broker's window. */
  pendingQos2: number[];
}

function messageId(s: SessionState): number {
  s.nextId = (s.nextId % 65_535) + 1;
  return s.nextId;
}

const subscribePool = (s: SessionState, rng: Prng) => [
  deviceTopic(s.device.id, 'cmd'), deviceTopic(s.other.id, 'cmd'), '#', '+', 'lg/v1/+/cmd', '$SYS/#', `lg/v1/${s.device.id}/#`,
  deviceTopic(s.device.id, 'events'), 'lg/v1/#', `lg/v1/${s.device.id}/+`, rng.bytes(1 + rng.int(12)).toString('hex'), 'a/'.repeat(1 + rng.int(7)),
];

/** One packet that a well-behaved or curious device may send without losing its connection. */
export function sessionCase(rng: Prng, s: SessionState): SessionCase {
  const kind = rng.weighted({ publish: 14, qos2: 1, subscribe: 2, unsubscribe: 1, ping: 1, stray_ack: 1 });
  switch (kind) {
    case 'publish': {
      const channel = rng.pick(UPLINK_CHANNELS);
      const qos = rng.chance(0.8) ? 1 : 0;
      const id = qos === 1 ? messageId(s) : undefined;
      const bytes = generate({ cmd: 'publish', topic: deviceTopic(s.device.id, channel), payload: payloadFor(rng, channel, s.bootId), qos, retain: rng.chance(0.2), dup: qos === 1 && rng.chance(0.05), ...(id ? { messageId: id } : {}) });
      return { label: `publish_${channel}_q${qos}`, bytes, reply: id ? { cmd: 'puback', messageId: id } : null };
    }
    case 'qos2': {
      // PUBREL is withheld on purpose, up to just under the broker's window (releaseCase frees it).
      if (s.pendingQos2.length >= INBOUND_QOS2_WINDOW - 1) return { label: 'pingreq', bytes: generate({ cmd: 'pingreq' }), reply: { cmd: 'pingresp' } };
      const id = messageId(s);
      s.pendingQos2.push(id);
      const bytes = generate({ cmd: 'publish', topic: deviceTopic(s.device.id, 'telemetry'), payload: payloadFor(rng, 'telemetry', s.bootId), qos: 2, retain: false, dup: false, messageId: id });
      return { label: 'publish_q2_withheld_pubrel', bytes, reply: { cmd: 'pubrec', messageId: id } };
    }
    case 'subscribe': {
      const id = messageId(s);
      // Distinct filters: Aedes merges repeated ones into one SUBACK code (a known deviation from [MQTT-3.9.3-1]).
      const topics = [...new Set(Array.from({ length: 1 + rng.int(4) }, () => rng.pick(subscribePool(s, rng))))];
      const subs = topics.map((topic) => ({ topic, qos: rng.pick([0, 1, 2] as const) }));
      // The ACL: only the device's own command topic is granted; everything else 0x80. (Aedes reports
      // the requested QoS in the SUBACK even where the hook downgraded it to 1, so any QoS is accepted.)
      const granted = subs.map((x) => (x.topic === deviceTopic(s.device.id, 'cmd') ? GRANTED_ANY : 128));
      return { label: 'subscribe', bytes: generate({ cmd: 'subscribe', messageId: id, subscriptions: subs }), reply: { cmd: 'suback', messageId: id, granted } };
    }
    case 'unsubscribe': {
      const id = messageId(s);
      return { label: 'unsubscribe', bytes: generate({ cmd: 'unsubscribe', messageId: id, unsubscriptions: [rng.pick(subscribePool(s, rng))] }), reply: { cmd: 'unsuback', messageId: id } };
    }
    case 'ping':
      return { label: 'pingreq', bytes: generate({ cmd: 'pingreq' }), reply: { cmd: 'pingresp' } };
    default: {
      // Acknowledgements for message ids the broker never used.
      const cmd = rng.pick(['puback', 'pubrec', 'pubcomp', 'pubrel'] as const);
      return { label: `stray_${cmd}`, bytes: generate({ cmd, messageId: 1 + rng.int(65_535) } as Packet), reply: null };
    }
  }
}

/**
 * PUBREL for every withheld QoS 2 message, once half the window is used. Only at the start of a
 * batch: their PUBRECs have arrived by then, as a conforming client would wait for. (A PUBREL
 * pipelined before its PUBREC makes Aedes 1.2 leak the window slot until the connection ends.)
 */
export function releaseCase(s: SessionState): SessionCase | null {
  if (s.pendingQos2.length < INBOUND_QOS2_WINDOW / 2) return null;
  const ids = s.pendingQos2.splice(0);
  return { label: 'pubrel_withheld', bytes: Buffer.concat(ids.map((messageId) => generate({ cmd: 'pubrel', messageId }))), reply: { cmd: 'pubcomp', messageId: ids.at(-1)! } };
}

function publish(topic: string, payload: Buffer, qos: 0 | 1 = 1): Buffer {
  return generate({ cmd: 'publish', topic, payload, qos, retain: false, dup: false, ...(qos ? { messageId: 1 } : {}) });
}

/** The last case of a session: a protocol violation, an ACL breach, or plain garbage. */
export function fatalCase(rng: Prng, s: SessionState, maxPacketBytes: number): FatalCase {
  const kind = rng.weighted({
    other_device: 3, own_cmd: 2, wildcard_topic: 2, deep_topic: 2, long_topic: 2, bad_utf8_topic: 3, empty_topic: 1, qos3: 1,
    oversize: 2, bad_length: 2, reserved_type: 2, second_connect: 2, bad_subscribe: 2, deep_subscribe: 1, disconnect: 2, garbage: 4, mutated: 8,
  });
  const closed = (bytes: Buffer): FatalCase => ({ label: kind, bytes, expect: 'closed' });
  const body = Buffer.from('{"bootId":"x","seq":1}');
  switch (kind) {
    case 'other_device':
      return closed(publish(deviceTopic(s.other.id, rng.pick(UPLINK_CHANNELS)), body, rng.pick([0, 1] as const)));
    case 'own_cmd':
      return closed(publish(deviceTopic(s.device.id, 'cmd'), body));
    case 'wildcard_topic':
      return closed(publish(rng.pick(['#', 'lg/v1/+/events', `lg/v1/${s.device.id}/#`]), body));
    case 'deep_topic':
      return closed(publish(`lg/v1/${s.device.id}/events${'/x'.repeat(1 + rng.int(2000))}`, body));
    case 'long_topic':
      return closed(publish(`lg/v1/${s.device.id}/${'e'.repeat(1 + rng.int(maxPacketBytes - 200))}`, body));
    case 'bad_utf8_topic':
      return closed(poisonString(publish(`lg/v1/${s.device.id}/zzzplaceholderzzz`, body), 'zzzplaceholderzzz', rng.pick(BAD_UTF8)));
    case 'empty_topic':
      return closed(publish('', body, 0));
    case 'qos3': {
      const b = publish(deviceTopic(s.device.id, 'events'), body);
      b[0] = 0x36; // QoS bits 11 are malformed [MQTT-3.3.1-4]
      return closed(b);
    }
    case 'oversize':
      return closed(Buffer.concat([Buffer.from([0x30]), varint(maxPacketBytes + rng.int(268_435_455 - maxPacketBytes)), rng.bytes(rng.int(8192))]));
    case 'bad_length':
      return closed(Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff, 0x7f, 0x00]));
    case 'reserved_type':
      return closed(Buffer.from([rng.pick([0x00, 0xf0]), 0x00]));
    case 'second_connect':
      return closed(connectBytes(s.device)); // [MQTT-3.1.0-2]
    case 'bad_subscribe': {
      const sub = generate({ cmd: 'subscribe', messageId: 9, subscriptions: [{ topic: deviceTopic(s.device.id, 'cmd'), qos: 1 }] });
      const b = Buffer.from(sub);
      if (rng.chance(0.5)) b[0] = 0x80; // reserved header flags must be 0010 [MQTT-3.8.1-1]
      else b[b.length - 1] = 3; // requested QoS 3 [MQTT-3-8.3-4]
      return closed(b);
    }
    case 'deep_subscribe':
      // Aedes closes the connection on a filter deeper than maxTopicLevels (8) instead of answering 0x80.
      return closed(generate({ cmd: 'subscribe', messageId: 9, subscriptions: [{ topic: `lg/v1/${s.device.id}${'/+'.repeat(7 + rng.int(100))}`, qos: 1 }] }));
    case 'disconnect':
      return closed(generate({ cmd: 'disconnect' }));
    case 'garbage':
      return { label: kind, bytes: rng.bytes(1 + rng.int(2048)), expect: 'any' };
    default:
      return { label: kind, bytes: mutate(rng, sessionCase(rng, s).bytes), expect: 'any' };
  }
}
