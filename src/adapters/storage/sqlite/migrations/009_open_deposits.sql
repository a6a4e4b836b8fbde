-- 009: the sweeper looks every second for deposits left `open` (door shut, parcel neither sensed
-- nor confirmed) for too long: `deposit_unconfirmed`.
CREATE INDEX deposits_open_age ON deposits(updated_at) WHERE state = 'open';
