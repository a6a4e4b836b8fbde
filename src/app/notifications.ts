import type { SizeClass } from '../domain/locker.js';
import type { AppContext } from './context.js';
import { newTimeOrderedId } from './ids.js';
import { encrypt } from './personal-data.js';
import type { Tx } from './ports.js';
import type { OutboxMessage } from './notification-ports.js';

/**
 * Notifications are written to the outbox inside the transaction of the change they report
 * (transactional outbox, docs/notifications.md): they commit or roll back with it, survive a
 * restart, and the dispatcher (dispatch-notifications.ts) sends them after the commit.
 * These functions are synchronous on purpose: they run inside `store.transact`.
 */

export const CARRIER_EVENTS = [
  'parcel.deposited',
  'parcel.picked_up',
  'parcel.expiring',
  'parcel.expired',
  'parcel.returned',
  'parcel.cancelled',
  'deposit.failed',
  'parcel.incident',
] as const;
export type CarrierEvent = (typeof CARRIER_EVENTS)[number];

/** What a carrier webhook receives as its JSON body. */
export interface CarrierWebhookBody {
  /** The outbox message id, also sent as `lockergate-delivery`. */
  id: string;
  event: CarrierEvent;
  occurredAt: number;
  data: Record<string, unknown>;
}

export type RecipientMessage =
  | {
      kind: 'pickup_code';
      phone: string;
      code: string;
      parcelId: string;
      lockerName: string;
      address: string;
      holdUntil: number;
      compartmentSize: SizeClass;
    }
  | { kind: 'reminder'; phone: string; parcelId: string; lockerName: string; address: string; holdUntil: number }
  | { kind: 'code_revoked'; phone: string; parcelId: string };

/** What the outbox keeps (sealed) for a recipient message; the SMS text is rendered at dispatch. */
export type RecipientEnvelope = RecipientMessage & { id: string; occurredAt: number };

/**
 * Records a webhook for the carrier. A carrier without a webhook URL still gets the message,
 * stored as `logged` so it can be polled later: an event is never silently dropped.
 * `data` goes to the carrier as is, so callers pass masked phone numbers only.
 */
export function notifyCarrier(
  ctx: AppContext,
  tx: Tx,
  carrierId: string,
  event: CarrierEvent,
  data: Record<string, unknown>,
  now: number,
): OutboxMessage {
  const carrier = tx.carriers.get(carrierId);
  // Every parcel flow starts from a known carrier; a miss is a bug, and throwing rolls the change back with it.
  if (!carrier) throw new Error(`notifyCarrier: unknown carrier ${carrierId}`);
  const id = newTimeOrderedId(ctx.random, 'ntf', now);
  const body: CarrierWebhookBody = { id, event, occurredAt: now, data };
  return add(tx, {
    id,
    channel: 'carrier_webhook',
    carrierId,
    event,
    bodySealed: encrypt(ctx.keys.data, JSON.stringify(body)),
    state: carrier.webhookUrl === null ? 'logged' : 'pending',
    attempts: 0,
    nextAttemptAt: now,
    lastError: null,
    createdAt: now,
    deliveredAt: null,
  });
}

/** Records a message to a parcel's recipient (SMS). It holds a phone number and maybe a code: sealed at rest. */
export function notifyRecipient(ctx: AppContext, tx: Tx, message: RecipientMessage, now: number): OutboxMessage {
  const id = newTimeOrderedId(ctx.random, 'ntf', now);
  const envelope: RecipientEnvelope = { ...message, id, occurredAt: now };
  return add(tx, {
    id,
    channel: 'recipient_message',
    carrierId: null,
    event: message.kind,
    bodySealed: encrypt(ctx.keys.data, JSON.stringify(envelope)),
    state: 'pending',
    attempts: 0,
    nextAttemptAt: now,
    lastError: null,
    createdAt: now,
    deliveredAt: null,
  });
}

function add(tx: Tx, m: OutboxMessage): OutboxMessage {
  tx.outbox.add(m);
  return m;
}

/** Drops the sealed bodies of finished messages older than the personal-data retention; returns how many. */
export function purgeOutboxBodies(ctx: AppContext, retentionMs: number): Promise<number> {
  const before = ctx.clock.now() - retentionMs;
  return ctx.store.transact((tx) => tx.outbox.purgeBodies(before));
}
