/**
 * Ports of notifications: the transactional outbox (part of `Tx`, ../ports.ts), the signed
 * webhook poster and the development log channel for recipient messages (docs/notifications.md).
 */

export type OutboxChannel = 'carrier_webhook' | 'recipient_message';
export type OutboxState = 'pending' | 'delivered' | 'failed' | 'logged';

/** A notification written in the same transaction as the change it reports (transactional outbox). */
export interface OutboxMessage {
  id: string;
  channel: OutboxChannel;
  /** The carrier for carrier webhooks; null for recipient messages. */
  carrierId: string | null;
  /** e.g. `parcel.deposited`, `pickup_code`, `parcel.expiring`. */
  event: string;
  /** Sealed JSON body (it may hold a pickup code and a phone number). */
  bodySealed: string | null;
  state: OutboxState;
  attempts: number;
  nextAttemptAt: number;
  lastError: string | null;
  createdAt: number;
  deliveredAt: number | null;
}

export interface OutboxRepo {
  add(m: OutboxMessage): void;
  get(id: string): OutboxMessage | undefined;
  /** Pending messages due at `now`, oldest first. */
  due(now: number, limit: number): OutboxMessage[];
  update(m: OutboxMessage): void;
  /** Drops the bodies of finished messages older than `before` (personal data retention); returns how many. */
  purgeBodies(before: number): number;
  list(filter: { carrierId?: string | undefined; state?: OutboxState | undefined; limit: number }): OutboxMessage[];
}

/** Sends one signed notification over HTTP; resolves with the status, rejects (with a `code`) when no response came. */
export interface WebhookPoster {
  post(url: string, body: string, headers: Record<string, string>, timeoutMs: number): Promise<{ status: number }>;
}

/** The demo/dev channel for recipient messages when no SMS provider is configured: never the code, never the full phone. */
export interface NotificationLog {
  recipient(entry: { id: string; kind: string; to: string; parcelId: string }): void;
}
