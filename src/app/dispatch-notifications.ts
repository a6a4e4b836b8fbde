import type { AppContext } from './context.js';
import type { RecipientEnvelope } from './notifications.js';
import { decrypt, maskPhone } from './personal-data.js';
import type { RandomBytes, Store, Tx } from './ports.js';
import type { NotificationLog, OutboxMessage, WebhookPoster } from './notification-ports.js';
import { recipientText } from './recipient-text.js';
import { SIGNATURE_HEADER, sign } from './webhook-signature.js';

export { verifySignature } from './webhook-signature.js';

/**
 * Sends due outbox messages (docs/notifications.md). A message becomes `delivered` only after
 * its POST returned 2xx, in a transaction of its own; a crash between the two sends it again
 * after the restart. Delivery is therefore at least once, and receivers dedup by
 * `lockergate-delivery`.
 */
export interface DispatchDeps {
  poster: WebhookPoster;
  /** The SMS provider's webhook; null (demo/dev) sends recipient messages to the log channel. */
  recipientEndpoint: { url: string; secret: string } | null;
  log: NotificationLog;
  maxAttempts: number;
  /** Messages per pass. */
  batch: number;
  /** Per POST; defaults to 5 s so one dead receiver cannot hold a pass for long. */
  timeoutMs?: number;
}

export interface DispatchReport {
  delivered: number;
  retried: number;
  failed: number;
  logged: number;
}

export const BACKOFF_BASE_MS = 5_000;
export const BACKOFF_CAP_MS = 3_600_000;

/** 5 s · 2^(attempts−1), capped at 1 h, then ±20 % jitter so receivers that come back are not hit in lockstep. */
export function backoffMs(attempts: number, random: RandomBytes): number {
  const base = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attempts - 1));
  const u = random(4).readUInt32BE(0) / 0x1_0000_0000;
  return Math.round(base * (0.8 + 0.4 * u));
}

type Plan =
  | { do: 'post'; m: OutboxMessage; url: string; secret: string; body: string }
  | { do: 'log-recipient'; m: OutboxMessage; entry: { id: string; kind: string; to: string; parcelId: string } }
  | { do: 'mark-logged'; m: OutboxMessage }
  /** Counts as an attempt and is retried: the cause (a missing secret) can be fixed by an operator. */
  | { do: 'fail-attempt'; m: OutboxMessage; error: string }
  /** Retrying cannot help (the body cannot be read). */
  | { do: 'give-up'; m: OutboxMessage; error: string };

type Outcome = keyof DispatchReport;

/** Passes in flight, per store: one pass at a time, so a message is never being delivered twice at once. */
const running = new WeakSet<Store>();

export async function dispatchDue(ctx: AppContext, deps: DispatchDeps): Promise<DispatchReport> {
  const report: DispatchReport = { delivered: 0, retried: 0, failed: 0, logged: 0 };
  if (running.has(ctx.store)) return report;
  running.add(ctx.store);
  try {
    const plans = await ctx.store.read((tx) => tx.outbox.due(ctx.clock.now(), deps.batch).map((m) => planFor(ctx, tx, m, deps)));
    const outcomes = await Promise.all(plans.map((p) => execute(ctx, p, deps)));
    for (const o of outcomes) report[o]++;
  } finally {
    running.delete(ctx.store);
  }
  return report;
}

function planFor(ctx: AppContext, tx: Tx, m: OutboxMessage, deps: DispatchDeps): Plan {
  let body: string;
  try {
    if (m.bodySealed === null) return { do: 'give-up', m, error: 'BODY_MISSING' };
    body = decrypt(ctx.keys.data, m.bodySealed);
  } catch {
    return { do: 'give-up', m, error: 'BODY_UNREADABLE' };
  }
  if (m.channel === 'recipient_message') {
    const envelope = JSON.parse(body) as RecipientEnvelope;
    if (deps.recipientEndpoint === null) {
      return { do: 'log-recipient', m, entry: { id: m.id, kind: envelope.kind, to: maskPhone(envelope.phone), parcelId: envelope.parcelId } };
    }
    return { do: 'post', m, ...deps.recipientEndpoint, body: JSON.stringify(smsBody(envelope)) };
  }
  // The carrier may have removed its URL since the message was written: keep it for polling.
  const carrier = m.carrierId === null ? undefined : tx.carriers.get(m.carrierId);
  if (!carrier?.webhookUrl) return { do: 'mark-logged', m };
  const sealedSecret = tx.carriers.webhookSecretSealed(carrier.id);
  if (!sealedSecret) return { do: 'fail-attempt', m, error: 'NO_WEBHOOK_SECRET' };
  try {
    return { do: 'post', m, url: carrier.webhookUrl, secret: decrypt(ctx.keys.data, sealedSecret), body };
  } catch {
    return { do: 'fail-attempt', m, error: 'WEBHOOK_SECRET_UNREADABLE' };
  }
}

/** What the SMS provider's webhook receives. */
function smsBody(e: RecipientEnvelope): Record<string, unknown> {
  return { id: e.id, to: e.phone, kind: e.kind, text: recipientText(e), parcelId: e.parcelId, ...(e.kind === 'pickup_code' ? { code: e.code } : {}) };
}

async function execute(ctx: AppContext, plan: Plan, deps: DispatchDeps): Promise<Outcome> {
  switch (plan.do) {
    case 'log-recipient':
      deps.log.recipient(plan.entry);
      return finish(ctx, plan.m, { state: 'logged' }, 'logged');
    case 'mark-logged':
      return finish(ctx, plan.m, { state: 'logged' }, 'logged');
    case 'give-up':
      return finish(ctx, plan.m, { state: 'failed', lastError: plan.error }, 'failed');
    case 'fail-attempt':
      return failAttempt(ctx, plan.m, plan.error, deps.maxAttempts);
    case 'post': {
      const headers = {
        'content-type': 'application/json',
        'lockergate-event': plan.m.event,
        'lockergate-delivery': plan.m.id,
        [SIGNATURE_HEADER]: sign(plan.secret, plan.body, Math.floor(ctx.clock.now() / 1000)),
      };
      let error: string;
      try {
        const { status } = await deps.poster.post(plan.url, plan.body, headers, deps.timeoutMs ?? 5_000);
        if (status >= 200 && status < 300) {
          return finish(ctx, plan.m, { state: 'delivered', attempts: plan.m.attempts + 1, deliveredAt: ctx.clock.now() }, 'delivered');
        }
        error = `HTTP ${status}`; // never the response body: it is the receiver's, and may echo personal data
      } catch (err) {
        error = errorCode(err);
      }
      return failAttempt(ctx, plan.m, error, deps.maxAttempts);
    }
  }
}

function failAttempt(ctx: AppContext, m: OutboxMessage, error: string, maxAttempts: number): Promise<Outcome> {
  const now = ctx.clock.now();
  const attempts = m.attempts + 1;
  if (attempts >= maxAttempts) return finish(ctx, m, { state: 'failed', attempts, lastError: error }, 'failed');
  return finish(ctx, m, { attempts, lastError: error, nextAttemptAt: now + backoffMs(attempts, ctx.random) }, 'retried');
}

/** One transaction per state change; a message someone else already finished is left alone. */
async function finish(ctx: AppContext, m: OutboxMessage, change: Partial<OutboxMessage>, outcome: Outcome): Promise<Outcome> {
  await ctx.store.transact((tx) => {
    const current = tx.outbox.get(m.id);
    if (current?.state === 'pending' && current.attempts === m.attempts) tx.outbox.update({ ...current, ...change });
  });
  return outcome;
}

/** A short, stable cause (`ECONNREFUSED`, `TIMEOUT`): error messages can carry URLs with credentials. */
function errorCode(err: unknown): string {
  if (typeof err === 'object' && err !== null) {
    const { code, name } = err as { code?: unknown; name?: unknown };
    if (typeof code === 'string' && code !== '') return code.slice(0, 64);
    if (typeof name === 'string' && name !== '') return name.slice(0, 64);
  }
  return 'POST_FAILED';
}
