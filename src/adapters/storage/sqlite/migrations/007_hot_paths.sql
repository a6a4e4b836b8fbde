-- 007: indexes for the hot paths found by profiling the reconnect storm and the parcel cycle (issues 6, 7).

-- "Which compartments of this locker had an open lately", one indexed statement per locker: every
-- door report and every reconnect snapshot asks it; it used to be two statements per compartment
-- that read the compartment's whole command history.

-- Opens that ended at or after a cutoff, by locker.
CREATE INDEX commands_open_ended ON commands(locker_id, completed_at) WHERE type IN ('open', 'keypad_reply');

-- Commands still in flight, by locker (commands_unfinished is by device).
CREATE INDEX commands_unfinished_locker ON commands(locker_id) WHERE state IN ('queued', 'sent', 'accepted');

-- A controller's own openings since a cutoff, by locker.
CREATE INDEX local_opens_since ON local_opens(locker_id, applied_at);

-- The notification loop's next batch in send order without sorting the whole backlog (it did, for
-- every batch, while a backlog built up at saturation).
DROP INDEX outbox_due;
CREATE INDEX outbox_due ON outbox(next_attempt_at, created_at) WHERE state = 'pending';

-- A locker's latest commands (the operator's locker view): newest first without sorting the
-- locker's whole command history (commands_locker leads with the compartment).
CREATE INDEX commands_locker_latest ON commands(locker_id, created_at);
