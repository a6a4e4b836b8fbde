-- 004: regions and the plan's targets (data, see seeds/), carriers' volume reports (the locker
-- share denominator), and daily rollups written in the same transaction as each deposit, pickup
-- and expiry. Rollup rows exist for the locker's region and for each of its ancestors, so any
-- region's report reads its own rows only: their number does not grow with parcels. Per-carrier
-- rows check reports against deposits; the *_daily tables (all carriers) are what reports read.
CREATE TABLE regions (
  code TEXT PRIMARY KEY,
  parent_code TEXT,
  level TEXT NOT NULL CHECK (level IN ('province', 'city', 'district', 'zone')),
  name_zh TEXT NOT NULL,
  name_en TEXT NOT NULL,
  code_source TEXT NOT NULL CHECK (code_source IN ('gb2260', 'nbs', 'local'))
);
CREATE INDEX regions_parent ON regions(parent_code);

CREATE TABLE region_targets (
  region_code TEXT NOT NULL,
  metric TEXT NOT NULL CHECK (metric IN ('locker_share_pct', 'locker_groups', 'public_stations')),
  period_from TEXT NOT NULL,
  period_to TEXT NOT NULL,
  value REAL NOT NULL,
  PRIMARY KEY (region_code, metric, period_from)
) WITHOUT ROWID;

-- Days are Asia/Shanghai days as YYYY-MM-DD text (sorts and compares as dates).
CREATE TABLE volume_reports (
  carrier_id TEXT NOT NULL REFERENCES carriers(id),
  region_code TEXT NOT NULL,
  day TEXT NOT NULL,
  delivered_total INTEGER NOT NULL,
  delivered_within_24h INTEGER,
  delivered_within_72h INTEGER,
  inconsistent INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (carrier_id, region_code, day)
) WITHOUT ROWID;

-- What each carrier delivered per region and day, as counted for that region: its own report
-- there if it sent one, else the sum over the child regions (a city report covers its districts).
CREATE TABLE volume_rollups (
  region_code TEXT NOT NULL,
  day TEXT NOT NULL,
  carrier_id TEXT NOT NULL,
  parent_code TEXT,
  delivered_total INTEGER NOT NULL,
  within_24h INTEGER NOT NULL,
  within_24h_base INTEGER NOT NULL,
  within_72h INTEGER NOT NULL,
  within_72h_base INTEGER NOT NULL,
  PRIMARY KEY (region_code, day, carrier_id)
) WITHOUT ROWID;
CREATE INDEX volume_rollups_parent ON volume_rollups(parent_code, day, carrier_id);

-- volume_rollups summed over carriers, kept by deltas whenever a carrier's row changes.
CREATE TABLE volume_daily (
  region_code TEXT NOT NULL,
  day TEXT NOT NULL,
  parent_code TEXT,
  delivered_total INTEGER NOT NULL,
  within_24h INTEGER NOT NULL,
  within_24h_base INTEGER NOT NULL,
  within_72h INTEGER NOT NULL,
  within_72h_base INTEGER NOT NULL,
  PRIMARY KEY (region_code, day)
) WITHOUT ROWID;
CREATE INDEX volume_daily_parent ON volume_daily(parent_code, day);

CREATE TABLE locker_rollups (
  region_code TEXT NOT NULL,
  day TEXT NOT NULL,
  channel TEXT NOT NULL CHECK (channel IN ('smart_locker', 'mailbox_bank')),
  carrier_id TEXT NOT NULL,
  parent_code TEXT,
  deliveries INTEGER NOT NULL,
  PRIMARY KEY (region_code, day, channel, carrier_id)
) WITHOUT ROWID;

-- locker_rollups summed over carriers.
CREATE TABLE locker_daily (
  region_code TEXT NOT NULL,
  day TEXT NOT NULL,
  channel TEXT NOT NULL CHECK (channel IN ('smart_locker', 'mailbox_bank')),
  parent_code TEXT,
  deliveries INTEGER NOT NULL,
  PRIMARY KEY (region_code, day, channel)
) WITHOUT ROWID;
CREATE INDEX locker_daily_parent ON locker_daily(parent_code, day);

-- Pickups (by pickup day, with dwell hours and a histogram for the median) and expiries.
CREATE TABLE outcome_rollups (
  region_code TEXT NOT NULL,
  day TEXT NOT NULL,
  channel TEXT NOT NULL CHECK (channel IN ('smart_locker', 'mailbox_bank')),
  parent_code TEXT,
  picked_up INTEGER NOT NULL DEFAULT 0,
  dwell_hours_sum REAL NOT NULL DEFAULT 0,
  within_24h INTEGER NOT NULL DEFAULT 0,
  within_72h INTEGER NOT NULL DEFAULT 0,
  expired INTEGER NOT NULL DEFAULT 0,
  dwell_histogram BLOB,
  PRIMARY KEY (region_code, day, channel)
) WITHOUT ROWID;
