-- 002: carriers, parcels and their events, deposits, pickups (resident pickups and carrier
-- retrievals), pickup codes (keyed hashes only), code attempts and keypad lockouts.
CREATE TABLE carriers (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  api_key_hash BLOB NOT NULL UNIQUE,
  webhook_url TEXT,
  webhook_secret_sealed TEXT,
  created_at INTEGER NOT NULL,
  disabled_at INTEGER
);

CREATE TABLE carrier_quotas (
  carrier_id TEXT NOT NULL REFERENCES carriers(id),
  locker_id TEXT NOT NULL REFERENCES lockers(id),
  max_compartments INTEGER NOT NULL CHECK (max_compartments >= 0),
  PRIMARY KEY (carrier_id, locker_id)
) WITHOUT ROWID;

CREATE TABLE parcels (
  id TEXT PRIMARY KEY,
  carrier_id TEXT NOT NULL REFERENCES carriers(id),
  tracking_number TEXT NOT NULL,
  locker_id TEXT NOT NULL REFERENCES lockers(id),
  compartment INTEGER NOT NULL,
  size TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('reserved', 'deposited', 'picked_up', 'cancelled', 'expired', 'returned', 'incident')),
  recipient_phone_sealed TEXT,
  recipient_phone_masked TEXT,
  hold_hours INTEGER NOT NULL,
  hold_until INTEGER,
  reminder_sent_at INTEGER,
  created_at INTEGER NOT NULL,
  deposited_at INTEGER,
  completed_at INTEGER
);
-- A tracking number is held by at most one live parcel of its carrier.
CREATE UNIQUE INDEX parcels_live_tracking ON parcels(carrier_id, tracking_number) WHERE state IN ('reserved', 'deposited', 'expired');
CREATE INDEX parcels_hold ON parcels(state, hold_until);
CREATE INDEX parcels_locker ON parcels(locker_id, compartment, state);
CREATE INDEX parcels_completed ON parcels(completed_at) WHERE recipient_phone_sealed IS NOT NULL;

CREATE TABLE parcel_events (
  id INTEGER PRIMARY KEY,
  parcel_id TEXT NOT NULL REFERENCES parcels(id),
  at INTEGER NOT NULL,
  type TEXT NOT NULL,
  details TEXT NOT NULL
);
CREATE INDEX parcel_events_parcel ON parcel_events(parcel_id, id);

CREATE TABLE deposits (
  id TEXT PRIMARY KEY,
  parcel_id TEXT NOT NULL REFERENCES parcels(id),
  carrier_id TEXT NOT NULL REFERENCES carriers(id),
  locker_id TEXT NOT NULL,
  compartment INTEGER NOT NULL,
  size TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('opening', 'open', 'deposited', 'failed', 'cancelled')),
  reason TEXT,
  command_id TEXT,
  idempotency_key TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX deposits_idempotency ON deposits(carrier_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX deposits_command ON deposits(command_id);
CREATE INDEX deposits_live ON deposits(locker_id, compartment) WHERE state IN ('opening', 'open');

CREATE TABLE pickups (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('resident', 'retrieval')),
  channel TEXT NOT NULL CHECK (channel IN ('keypad', 'api', 'carrier')),
  parcel_id TEXT NOT NULL REFERENCES parcels(id),
  locker_id TEXT NOT NULL,
  compartment INTEGER NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('opening', 'done', 'failed')),
  reason TEXT,
  command_id TEXT,
  created_at INTEGER NOT NULL,
  completed_at INTEGER
);
CREATE INDEX pickups_command ON pickups(command_id);
CREATE INDEX pickups_recent ON pickups(locker_id, compartment, completed_at);

CREATE TABLE pickup_codes (
  id INTEGER PRIMARY KEY,
  parcel_id TEXT NOT NULL REFERENCES parcels(id),
  locker_id TEXT NOT NULL,
  code_hash BLOB NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  revoked_at INTEGER,
  revoke_reason TEXT
);
-- Unique among the locker's active codes: a typed code identifies one parcel.
CREATE UNIQUE INDEX pickup_codes_active ON pickup_codes(locker_id, code_hash) WHERE revoked_at IS NULL;
CREATE INDEX pickup_codes_parcel ON pickup_codes(parcel_id);

CREATE TABLE code_attempts (
  id INTEGER PRIMARY KEY,
  locker_id TEXT NOT NULL,
  at INTEGER NOT NULL,
  channel TEXT NOT NULL,
  ok INTEGER NOT NULL
);
CREATE INDEX code_attempts_locker ON code_attempts(locker_id, at);

CREATE TABLE keypad_lockouts (
  locker_id TEXT PRIMARY KEY,
  until INTEGER NOT NULL
);
