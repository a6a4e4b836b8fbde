-- 010: commands_locker (locker, compartment, created_at) served only CommandRepo.recentOpens,
-- which nothing calls since the per-locker query of migration 007; every command insert and
-- every change of its compartment paid for it.
DROP INDEX IF EXISTS commands_locker;
