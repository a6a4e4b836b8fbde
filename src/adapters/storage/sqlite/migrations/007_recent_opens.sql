-- 007: "which compartments of this locker had an open lately" in one indexed statement per locker
-- (every door report and every reconnect snapshot asks it; it used to be two statements per
-- compartment that read the compartment's whole command history).

-- Opens that ended at or after a cutoff, by locker.
CREATE INDEX commands_open_ended ON commands(locker_id, completed_at) WHERE type IN ('open', 'keypad_reply');

-- Commands still in flight, by locker (commands_unfinished is by device).
CREATE INDEX commands_unfinished_locker ON commands(locker_id) WHERE state IN ('queued', 'sent', 'accepted');

-- A controller's own openings since a cutoff, by locker.
CREATE INDEX local_opens_since ON local_opens(locker_id, applied_at);
