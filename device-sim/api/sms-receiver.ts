import { createHmac, timingSafeEqual } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A recipient message as the SMS provider receives it (docs/notifications.md). */
export interface Sms {
  id: string;
  to: string;
  kind: 'pickup_code' | 'reminder' | 'code_revoked';
  text: string;
  parcelId: string;
  code?: string;
}

export interface SmsReceiverEvents {
  sms: [sms: Sms];
}

/**
 * The residents' phones: the SMS provider webhook the gateway posts recipient messages to
 * (LOCKERGATE_RECIPIENT_WEBHOOK_URL). Checks `lockergate-signature` over the raw body, answers
 * 401 to anything unsigned or wrongly signed, and drops retries by `lockergate-delivery`.
 */
export class SmsReceiver {
  readonly events = new EventEmitter<SmsReceiverEvents>();
  readonly counts = { received: 0, duplicates: 0, badSignature: 0, pickupCodes: 0, reminders: 0, revoked: 0 };
  private readonly seen = new Set<string>();

  private constructor(
    private readonly server: Server,
    readonly url: string,
    readonly secret: string,
    private readonly toleranceS: number,
  ) {}

  /** Listens on host:port (port 0 picks a free one); the webhook URL is `<url>` (path /sms). */
  static async start(opts: { secret: string; host?: string; port?: number; toleranceS?: number }): Promise<SmsReceiver> {
    let receiver: SmsReceiver | undefined;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const status = receiver!.handle(req.method ?? '', String(req.headers['lockergate-signature'] ?? ''), String(req.headers['lockergate-delivery'] ?? ''), Buffer.concat(chunks).toString('utf8'));
        res.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'ok' : 'rejected');
      });
    });
    const host = opts.host ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port ?? 0, host, () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    receiver = new SmsReceiver(server, `http://${host}:${port}/sms`, opts.secret, opts.toleranceS ?? 300);
    return receiver;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(method: string, signature: string, delivery: string, body: string): number {
    if (method !== 'POST') return 405;
    if (!verify(this.secret, signature, body, this.toleranceS, Math.floor(Date.now() / 1000))) {
      this.counts.badSignature += 1;
      return 401;
    }
    this.counts.received += 1;
    if (delivery !== '' && this.seen.has(delivery)) {
      this.counts.duplicates += 1;
      return 200;
    }
    if (delivery !== '') this.seen.add(delivery);
    let sms: Sms;
    try {
      sms = JSON.parse(body) as Sms;
    } catch {
      return 400;
    }
    if (sms.kind === 'pickup_code') this.counts.pickupCodes += 1;
    else if (sms.kind === 'reminder') this.counts.reminders += 1;
    else if (sms.kind === 'code_revoked') this.counts.revoked += 1;
    this.events.emit('sms', sms);
    return 200;
  }
}

/** `t=<unix s>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`, any v1 may match, |now − t| ≤ tolerance. */
export function verify(secret: string, header: string, rawBody: string, toleranceS: number, nowS: number): boolean {
  let t: number | undefined;
  const candidates: string[] = [];
  for (const part of header.split(',')) {
    const [key, value] = part.split('=', 2).map((s) => s.trim());
    if (key === 't' && value && /^\d+$/.test(value)) t = Number(value);
    else if (key === 'v1' && value && /^[0-9a-f]{64}$/.test(value)) candidates.push(value);
  }
  if (t === undefined || candidates.length === 0 || Math.abs(nowS - t) > toleranceS) return false;
  const expected = createHmac('sha256', secret).update(`${t}.${rawBody}`, 'utf8').digest();
  let ok = false;
  for (const c of candidates) ok = timingSafeEqual(expected, Buffer.from(c, 'hex')) || ok;
  return ok;
}
