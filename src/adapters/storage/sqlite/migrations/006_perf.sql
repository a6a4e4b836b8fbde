-- 006: indexes for statements on the parcel-cycle and reconnect paths that scanned whole tables
-- (found with EXPLAIN QUERY PLAN over every prepared statement, issue 6).

-- A parcel's deposit (courier GET /v1/parcels/:id, deposit retries by tracking number).
CREATE INDEX deposits_parcel ON deposits(parcel_id, created_at);

-- The latest code with a hash at a locker, revoked or not (a mistyped or expired code at the keypad).
CREATE INDEX pickup_codes_hash ON pickup_codes(locker_id, code_hash, id);
