-- 008: a courier's confirmation is recorded even while the gateway still sees the door open (the
-- controller may be asleep or reconnecting); the deposit completes when the door closes.
ALTER TABLE deposits ADD COLUMN confirmed_at INTEGER;
