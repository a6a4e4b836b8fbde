import type { AuthenticateError, Client, ConnectPacket } from 'aedes';
import type { Logger } from 'pino';
import type { AppContext } from '../../app/context.js';
import { authenticateDevice } from '../../app/device-auth.js';
import type { GatewayMetrics } from '../metrics.js';
import { ConnectionLimiter } from './connection-limiter.js';
import { connectRefusal, type Refusal } from './refusals.js';
import { certificateRefusal, type TlsPeer } from './tls.js';

export interface ConnectGateOptions {
  maxConnections: number;
  connectRatePerIp: number;
  connectBurstPerIp: number;
  keepaliveMaxS: number;
}

/**
 * Who may connect (the broker's `preConnect` and `authenticate` hooks): admission by connection
 * cap and per-IP rate, CONNECT field checks, the TLS certificate's common name, and the device's
 * credentials. Refusals found early are kept until `authenticate`, which answers every refusal
 * with a CONNACK code (docs/errors.md), so a device learns why and backs off.
 */
export class ConnectGate {
  private readonly limiter: ConnectionLimiter;
  private readonly refusals = new WeakMap<Client, Refusal>();
  /** Clients that asked for a persistent session (clean 0): mailbox banks only, checked at authentication. */
  private readonly persistent = new WeakSet<Client>();
  private readonly remoteIps = new WeakMap<object, string>();
  /** What the TLS handshake proved, by connection; absent for plain TCP and WebSocket. */
  private readonly tlsPeers = new WeakMap<object, TlsPeer>();
  /** Set once the gateway stops: a CONNECT still in flight is refused, not checked against a closing store. */
  private closing = false;

  constructor(
    private readonly opts: ConnectGateOptions,
    private readonly app: () => AppContext,
    private readonly metrics: GatewayMetrics,
    private readonly log: Logger,
  ) {
    this.limiter = new ConnectionLimiter({ maxConnections: opts.maxConnections, ratePerIp: opts.connectRatePerIp, burstPerIp: opts.connectBurstPerIp });
  }

  /** A new transport stream from `remoteIp`, with what its TLS handshake proved (if any). */
  track(conn: object, remoteIp: string, tlsPeer?: TlsPeer): void {
    this.remoteIps.set(conn, remoteIp);
    if (tlsPeer) this.tlsPeers.set(conn, tlsPeer);
  }

  /** The address a connection came from, as `track` was told. */
  remoteIp(conn: object): string {
    return this.remoteIps.get(conn) ?? 'unknown';
  }

  close(): void {
    this.closing = true;
  }

  /** Admission and CONNECT checks; a refusal is answered later, by `authenticate`. */
  preConnect(client: Client, packet: ConnectPacket, connectedClients: number): void {
    const ip = this.remoteIp(client.conn);
    const refusal = connectRefusal(packet, ip, this.limiter.admit(ip, connectedClients), this.opts.keepaliveMaxS);
    if (refusal) this.refusals.set(client, refusal);
    if (!packet.clean) this.persistent.add(client);
  }

  authenticate(client: Client, username: string | undefined, password: Buffer | undefined, done: (error: AuthenticateError | null, success: boolean | null) => void): void {
    const refuse = (r: Refusal) => {
      this.metrics.connectionsRefused.inc({ reason: r.reason });
      const err = new Error(r.reason) as AuthenticateError;
      err.returnCode = r.returnCode;
      done(err, false);
    };
    if (this.closing) return refuse({ reason: 'shutting_down', returnCode: 3 });
    const early = this.refusals.get(client);
    if (early) return refuse(early);
    const id = client.id;
    const certificate = certificateRefusal(this.tlsPeers.get(client.conn), id);
    if (certificate) return refuse(certificate);
    if (username !== id) return refuse({ reason: 'username_mismatch', returnCode: 4 });
    authenticateDevice(this.app(), id, password?.toString('utf8') ?? '', this.persistent.has(client)).then(
      (result) => (result === 'ok' ? done(null, true) : refuse({ reason: result, returnCode: result === 'revoked' || result === 'persistent_session' ? 5 : 4 })),
      (error: unknown) => {
        this.log.error({ err: error }, 'device authentication failed');
        refuse({ reason: 'server_error', returnCode: 3 });
      },
    );
  }
}
