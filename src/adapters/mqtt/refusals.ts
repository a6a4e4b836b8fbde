import type { ConnectPacket } from 'aedes';
import { DEVICE_ID_PATTERN, deviceTopic } from '../../../protocol/topics.js';

export interface Refusal {
  reason: string;
  /** MQTT 3.1.1 CONNACK return code: 2 identifier rejected, 3 server unavailable, 4 bad credentials, 5 not authorized. */
  returnCode: 2 | 3 | 4 | 5;
}

/** Checks made on the CONNECT packet itself, before any credential is looked at. */
export function connectRefusal(
  packet: ConnectPacket,
  ip: string,
  admission: 'ok' | 'connection_cap' | 'ip_rate',
  keepaliveMaxS: number,
): Refusal | null {
  if (admission !== 'ok') return { reason: admission, returnCode: 3 };
  // Aedes itself accepts level 3 (MQTT 3.1) and the bridge bit (0x84); devices speak 3.1.1 only
  // (protocol/README.md §3.1). Found by the fuzzer (test/fuzz/). Return code 5, not 1: Aedes
  // takes only 2–5 from the authenticate hook (it answers level 5 with 1 by itself).
  if (packet.protocolVersion !== 4 || (packet as { bridgeMode?: boolean }).bridgeMode === true) return { reason: 'protocol_version', returnCode: 5 };
  if (!packet.clientId || !DEVICE_ID_PATTERN.test(packet.clientId)) return { reason: 'invalid_client_id', returnCode: 2 };
  // A persistent session (clean 0) is allowed to mailbox banks only, checked with the credentials
  // (protocol/README.md §3.2, §13): it keeps a broker-side session across sleeps.
  // keepalive 0 would let a dead connection hold its slot forever.
  if (!packet.keepalive || packet.keepalive > keepaliveMaxS) return { reason: 'keepalive_out_of_range', returnCode: 5 };
  if (packet.will && packet.will.topic !== deviceTopic(packet.clientId, 'status')) return { reason: 'invalid_will_topic', returnCode: 5 };
  void ip;
  return null;
}

const AUTH_REFUSALS = new Set(['unknown_device', 'bad_secret', 'revoked', 'username_mismatch', 'invalid_client_id', 'keepalive_out_of_range', 'invalid_will_topic', 'connection_cap', 'ip_rate', 'server_error', 'certificate_required', 'certificate_invalid', 'certificate_mismatch', 'protocol_version', 'persistent_session']);

/** Client errors are counted by kind, not logged one line each (a storm would flood the log). */
export function classifyClientError(err: Error): string {
  const m = err.message.toLowerCase();
  if (AUTH_REFUSALS.has(m)) return 'connect_refused';
  if (m.includes('not authorized')) return 'acl';
  if (m.includes('keep alive') || m.includes('keepalive')) return 'keepalive';
  if (m.includes('timeout')) return 'timeout';
  if (m.includes('topic')) return 'bad_topic';
  if (m.includes('econnreset') || m.includes('epipe') || m.includes('closed')) return 'connection_reset';
  if (m.includes('invalid') || m.includes('malformed') || m.includes('protocol') || m.includes('length') || m.includes('utf')) return 'protocol_error';
  return 'other';
}
