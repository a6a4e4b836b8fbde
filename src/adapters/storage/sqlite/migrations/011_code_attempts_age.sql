-- 011: the hold-rules pass forgets pickup-code attempts older than a day every minute; without an
-- index on `at` each pass would walk every attempt of the last day to find none to delete.
CREATE INDEX code_attempts_at ON code_attempts(at);
