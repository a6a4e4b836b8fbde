import { readFileSync } from 'node:fs';
import { createServer, type Server, type TLSSocket } from 'node:tls';
import type { Refusal } from './refusals.js';

export interface TlsListenerOptions {
  certFile: string;
  keyFile: string;
  /** CA of device certificates: with it the server asks each device for a certificate. */
  caFile?: string;
  /** Refuse the TLS handshake of a device without a valid certificate (needs caFile). */
  requireClientCert: boolean;
  /** A handshake that never finishes must not hold a socket for Node's default 120 s. */
  handshakeTimeoutMs: number;
}

/** What the TLS handshake proved about the peer, looked at again when its CONNECT arrives. */
export interface TlsPeer {
  presented: boolean;
  /** Verified against the CA (Node's `socket.authorized`). */
  valid: boolean;
  /** The subject's common name; null when absent or ambiguous (several CNs). */
  cn: string | null;
  /** The listener requires a certificate (LOCKERGATE_TLS_REQUIRE_CLIENT_CERT). */
  required: boolean;
}

/**
 * The MQTTS listener: TLS 1.2+ with the gateway's certificate, optionally asking devices for
 * theirs. The handshake only records the peer; the device id is known from CONNECT, so the
 * CN check happens in the broker's authenticate hook (`certificateRefusal`).
 */
export function createMqttsServer(opts: TlsListenerOptions, onSecure: (socket: TLSSocket, peer: TlsPeer) => void, onHandshakeError: (err: Error) => void): Server {
  const ca = opts.caFile === undefined ? undefined : readFileSync(opts.caFile);
  const server = createServer(
    {
      cert: readFileSync(opts.certFile),
      key: readFileSync(opts.keyFile),
      minVersion: 'TLSv1.2',
      handshakeTimeout: opts.handshakeTimeoutMs,
      noDelay: true, // as the plain listener (broker.ts, listenTcp): no Nagle delay on small packets
      ...(ca === undefined ? {} : { ca, requestCert: true, rejectUnauthorized: opts.requireClientCert }),
    },
    (socket) => onSecure(socket, peerOf(socket, opts.requireClientCert)),
  );
  server.on('tlsClientError', onHandshakeError);
  return server;
}

function peerOf(socket: TLSSocket, required: boolean): TlsPeer {
  const cert = socket.getPeerCertificate();
  // Node returns an empty object when the peer sent no certificate.
  const presented = cert !== null && typeof cert === 'object' && Object.keys(cert).length > 0;
  const cn: unknown = presented ? cert.subject?.CN : undefined;
  return { presented, valid: socket.authorized, cn: typeof cn === 'string' ? cn : null, required };
}

/**
 * A device certificate, when one was presented, must be valid and name this device: a leaked
 * secret alone does not let another certified device (or anyone) connect as it.
 */
export function certificateRefusal(peer: TlsPeer | undefined, clientId: string): Refusal | null {
  if (peer === undefined) return null; // plain TCP or WebSocket
  if (!peer.presented) return peer.required ? { reason: 'certificate_required', returnCode: 5 } : null;
  if (!peer.valid) return { reason: 'certificate_invalid', returnCode: 5 };
  if (peer.cn !== clientId) return { reason: 'certificate_mismatch', returnCode: 5 };
  return null;
}
