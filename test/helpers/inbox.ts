import { verifySignature } from '../../src/app/dispatch-notifications.js';
import { WebhookReceiver, type ReceivedRequest } from './webhook-receiver.js';

/** The SMS provider's signing secret configured in the gateways of these tests. */
export const SMS_SECRET = 'whsec-sms-provider-e2e-0123456789';

export interface Delivery<T> {
  /** `lockergate-delivery`: one id per outbox message, the same on every retry. */
  delivery: string;
  event: string;
  /** Whether `lockergate-signature` verified against the secret when the request was first seen. */
  signed: boolean;
  body: T;
}

/** What the SMS provider receives (docs/notifications.md). */
export interface Sms {
  id: string;
  to: string;
  kind: 'pickup_code' | 'reminder' | 'code_revoked';
  text: string;
  parcelId: string;
  code?: string;
}

/** What a carrier webhook receives. */
export interface CarrierEvent {
  id: string;
  event: string;
  occurredAt: number;
  data: Record<string, unknown> & { parcelId: string };
}

/**
 * A real HTTP receiver (node:http on 127.0.0.1, port 0) standing in for the SMS provider or a
 * carrier's webhook. Each request's signature is checked with the exported verifier when it
 * arrives, against `now()` (the gateway's clock, which may be a moved ManualClock).
 */
export class SignedInbox<T> {
  secret: string;
  /** Receivers with a secret of their own (one per carrier), by request path. */
  readonly pathSecrets = new Map<string, string>();
  now: () => number = () => Date.now();
  private readonly checked: Array<Delivery<T>> = [];

  private constructor(readonly rx: WebhookReceiver, secret: string) {
    this.secret = secret;
    this.watch();
  }

  /** Checks each request as it arrives, before it is answered: at the sender's time, not the test's later one. */
  private watch(): void {
    void this.rx.nextRequest().then(() => {
      this.all();
      this.watch();
    });
  }

  static async start<T>(secret = ''): Promise<SignedInbox<T>> {
    return new SignedInbox<T>(await WebhookReceiver.start(), secret);
  }

  url(path: string): string {
    return `${this.rx.url}${path}`;
  }

  /** Every request so far, including ones answered with an error status. */
  all(): Array<Delivery<T>> {
    for (const r of this.rx.requests.slice(this.checked.length)) this.checked.push(this.parse(r));
    return [...this.checked];
  }

  /** Requests about one parcel, oldest first. */
  about(parcelId: string, field: 'parcelId' | 'data.parcelId' = 'parcelId'): Array<Delivery<T>> {
    return this.all().filter((d) => {
      const b = d.body as Record<string, unknown>;
      const id = field === 'parcelId' ? b['parcelId'] : (b['data'] as Record<string, unknown> | undefined)?.['parcelId'];
      return id === parcelId;
    });
  }

  async close(): Promise<void> {
    await this.rx.close();
  }

  private parse(r: ReceivedRequest): Delivery<T> {
    const header = r.headers['lockergate-signature'];
    const secret = this.pathSecrets.get(r.path) ?? this.secret;
    const signed = typeof header === 'string' && verifySignature(secret, header, r.body, 300, Math.floor(this.now() / 1000));
    return { delivery: String(r.headers['lockergate-delivery']), event: String(r.headers['lockergate-event']), signed, body: JSON.parse(r.body) as T };
  }
}

export type SmsInbox = SignedInbox<Sms>;
export type CarrierHooks = SignedInbox<CarrierEvent>;

export async function startSmsInbox(): Promise<SmsInbox> {
  return SignedInbox.start<Sms>(SMS_SECRET);
}

/** Gateway env that sends recipient messages to the inbox. */
export function smsEnv(inbox: SmsInbox): Record<string, string> {
  return { LOCKERGATE_RECIPIENT_WEBHOOK_URL: inbox.url('/sms'), LOCKERGATE_RECIPIENT_WEBHOOK_SECRET: SMS_SECRET };
}

/** The code of the latest signed pickup_code SMS about the parcel; fails when there is none. */
export function latestCode(inbox: SmsInbox, parcelId: string): string {
  const codes = inbox.about(parcelId).filter((d) => d.signed && d.body.kind === 'pickup_code');
  const code = codes.at(-1)?.body.code;
  if (code === undefined) throw new Error(`no signed pickup_code SMS for ${parcelId}; got ${JSON.stringify(inbox.all())}`);
  return code;
}
