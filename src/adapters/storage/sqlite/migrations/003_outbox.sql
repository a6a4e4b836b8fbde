-- 003: the transactional outbox of notifications (carrier webhooks, recipient messages).
CREATE TABLE outbox (
  id TEXT PRIMARY KEY,
  channel TEXT NOT NULL CHECK (channel IN ('carrier_webhook', 'recipient_message')),
  carrier_id TEXT,
  event TEXT NOT NULL,
  body_sealed TEXT,
  state TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'failed', 'logged')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  last_error TEXT,
  created_at INTEGER NOT NULL,
  delivered_at INTEGER
);
CREATE INDEX outbox_due ON outbox(next_attempt_at) WHERE state = 'pending';
CREATE INDEX outbox_finished ON outbox(created_at) WHERE state != 'pending' AND body_sealed IS NOT NULL;
CREATE INDEX outbox_carrier ON outbox(carrier_id, created_at);
