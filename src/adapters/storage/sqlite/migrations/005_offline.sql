-- 005: offline codes (protocol v1.1 §12), local opens, households of mailbox banks, sleepy devices.

-- Per locker: the code-set version the gateway wants its controller to hold (desired), the one it
-- last reported or acknowledged (reported), and the one the last code_sync sent builds on (sent).
-- Deltas can be computed from floor_version on; older controllers get a full set.
CREATE TABLE code_sync (
  locker_id TEXT PRIMARY KEY REFERENCES lockers(id),
  version INTEGER NOT NULL DEFAULT 0,
  reported_version INTEGER,
  reported_at INTEGER,
  sent_version INTEGER,
  floor_version INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

-- Codes as a controller holds them: keyed with the device's own code key (never the plain code).
-- An entry is live from added_version until revoked_version.
CREATE TABLE offline_codes (
  id INTEGER PRIMARY KEY,
  locker_id TEXT NOT NULL REFERENCES lockers(id),
  hash TEXT NOT NULL,
  compartment INTEGER NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('pickup', 'household')),
  parcel_id TEXT REFERENCES parcels(id),
  household_id TEXT,
  expires_at INTEGER,
  added_version INTEGER NOT NULL,
  revoked_version INTEGER,
  revoked_at INTEGER,
  revoke_reason TEXT,
  CHECK ((kind = 'pickup') = (parcel_id IS NOT NULL))
);
-- A hash opens at most one thing in a locker at a time.
CREATE UNIQUE INDEX offline_codes_live ON offline_codes(locker_id, hash) WHERE revoked_version IS NULL;
CREATE INDEX offline_codes_hash ON offline_codes(locker_id, hash, added_version);
CREATE INDEX offline_codes_parcel ON offline_codes(parcel_id) WHERE revoked_version IS NULL;
CREATE INDEX offline_codes_household ON offline_codes(household_id) WHERE revoked_version IS NULL;
CREATE INDEX offline_codes_added ON offline_codes(locker_id, added_version);
CREATE INDEX offline_codes_revoked ON offline_codes(locker_id, revoked_version) WHERE revoked_version IS NOT NULL;
CREATE INDEX offline_codes_pruning ON offline_codes(revoked_at) WHERE revoked_at IS NOT NULL;

-- A household's own compartment in a mailbox bank: no pickup code, the household's own code or app.
CREATE TABLE households (
  id TEXT PRIMARY KEY,
  locker_id TEXT NOT NULL REFERENCES lockers(id),
  compartment INTEGER NOT NULL,
  label TEXT NOT NULL,
  app_token_hash BLOB NOT NULL UNIQUE,
  created_at INTEGER NOT NULL,
  removed_at INTEGER
);
CREATE UNIQUE INDEX households_compartment ON households(locker_id, compartment) WHERE removed_at IS NULL;

-- Openings a controller decided on its own (offline pickups, household codes), as reported.
CREATE TABLE local_opens (
  locker_id TEXT NOT NULL REFERENCES lockers(id),
  open_id TEXT NOT NULL,
  compartment INTEGER NOT NULL,
  kind TEXT NOT NULL,
  device_ts INTEGER NOT NULL,
  applied_at INTEGER NOT NULL,
  outcome TEXT NOT NULL,
  parcel_id TEXT,
  household_id TEXT,
  PRIMARY KEY (locker_id, open_id)
) WITHOUT ROWID;
CREATE INDEX local_opens_recent ON local_opens(locker_id, compartment, applied_at);

-- Sleepy controllers (mailbox banks): how often they wake, and when the current sleep ends.
ALTER TABLE devices ADD COLUMN wake_interval_s INTEGER;
ALTER TABLE devices ADD COLUMN asleep_until INTEGER;

-- Parcels for a household (letters, small parcels) share its compartment.
ALTER TABLE parcels ADD COLUMN household_id TEXT;
CREATE INDEX parcels_household ON parcels(household_id, state) WHERE household_id IS NOT NULL;
