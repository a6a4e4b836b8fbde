-- 001: sites, lockers, compartments, devices, commands, alarms, operator tokens, audit log.
CREATE TABLE sites (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  kind TEXT NOT NULL,
  region_code TEXT NOT NULL,
  address TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX sites_region ON sites(region_code);

CREATE TABLE lockers (
  id TEXT PRIMARY KEY,
  site_id TEXT NOT NULL REFERENCES sites(id),
  name TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('smart_locker', 'mailbox_bank')),
  status TEXT NOT NULL CHECK (status IN ('commissioning', 'active', 'maintenance', 'retired')),
  commissioned_at INTEGER,
  created_at INTEGER NOT NULL
);
CREATE INDEX lockers_site ON lockers(site_id);

CREATE TABLE compartments (
  locker_id TEXT NOT NULL REFERENCES lockers(id),
  idx INTEGER NOT NULL,
  size TEXT NOT NULL CHECK (size IN ('XS', 'S', 'M', 'L', 'XL')),
  has_occupancy_sensor INTEGER NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('available', 'reserved', 'occupied', 'out_of_service')),
  door TEXT NOT NULL DEFAULT 'unknown',
  occupancy TEXT NOT NULL DEFAULT 'unknown',
  sensed_at INTEGER,
  door_opened_at INTEGER,
  PRIMARY KEY (locker_id, idx)
) WITHOUT ROWID;
CREATE INDEX compartments_open_doors ON compartments(door_opened_at) WHERE door_opened_at IS NOT NULL;

CREATE TABLE devices (
  id TEXT PRIMARY KEY,
  locker_id TEXT NOT NULL UNIQUE REFERENCES lockers(id),
  secret_hash BLOB NOT NULL,
  model TEXT,
  firmware TEXT,
  protocol TEXT,
  boot_id TEXT,
  last_seq INTEGER NOT NULL DEFAULT 0,
  online INTEGER NOT NULL DEFAULT 0,
  last_seen_at INTEGER,
  connected_at INTEGER,
  revoked_at INTEGER,
  created_at INTEGER NOT NULL,
  telemetry TEXT
);

CREATE TABLE commands (
  id TEXT PRIMARY KEY,
  device_id TEXT NOT NULL REFERENCES devices(id),
  locker_id TEXT NOT NULL,
  type TEXT NOT NULL,
  params TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('queued', 'sent', 'accepted', 'done', 'failed', 'expired')),
  outcome TEXT,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  sent_at INTEGER,
  accepted_at INTEGER,
  completed_at INTEGER,
  attempts INTEGER NOT NULL DEFAULT 0,
  actor TEXT NOT NULL,
  compartment INTEGER
);
CREATE INDEX commands_unfinished ON commands(device_id, created_at) WHERE state IN ('queued', 'sent', 'accepted');
CREATE INDEX commands_locker ON commands(locker_id, compartment, created_at);

CREATE TABLE alarms (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  severity TEXT NOT NULL,
  locker_id TEXT NOT NULL,
  compartment INTEGER,
  state TEXT NOT NULL CHECK (state IN ('open', 'acknowledged', 'cleared')),
  details TEXT NOT NULL,
  raised_at INTEGER NOT NULL,
  last_seen_at INTEGER NOT NULL,
  occurrences INTEGER NOT NULL DEFAULT 1,
  acknowledged_at INTEGER,
  acknowledged_by TEXT,
  cleared_at INTEGER
);
-- At most one live alarm of a kind per compartment (or per locker when compartment is null).
CREATE UNIQUE INDEX alarms_live ON alarms(locker_id, ifnull(compartment, -1), kind) WHERE state != 'cleared';
CREATE INDEX alarms_by_state ON alarms(state, raised_at);

CREATE TABLE operator_tokens (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('operator', 'viewer')),
  hash BLOB NOT NULL UNIQUE,
  created_at INTEGER NOT NULL,
  revoked_at INTEGER
);

CREATE TABLE audit_log (
  id INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  target TEXT NOT NULL,
  details TEXT NOT NULL
);
CREATE INDEX audit_target ON audit_log(target, at);
