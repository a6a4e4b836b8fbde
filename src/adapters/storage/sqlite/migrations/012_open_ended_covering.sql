-- 012: "which compartments of this locker had an open lately" reads `compartment` of every open
-- that ended in the attribution window (30 s). commands_open_ended held only (locker_id,
-- completed_at), so each of those rows cost a lookup in the table; at the parcel cycle's
-- saturation that was a few dozen lookups per door report and 6 % of the gateway's CPU (profile).
-- With the compartment (and the type, which the statement's WHERE repeats) in the index, the
-- statement reads the index alone (EXPLAIN QUERY PLAN: COVERING INDEX).
DROP INDEX commands_open_ended;
CREATE INDEX commands_open_ended ON commands(locker_id, completed_at, compartment, type) WHERE type IN ('open', 'keypad_reply');
