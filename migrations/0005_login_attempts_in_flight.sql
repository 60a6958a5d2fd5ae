-- 0005: throttle slots of attempts still being checked.
-- An attempt takes its row in login_failures when it is admitted, before any hashing, so
-- concurrent attempts are counted (API.md "Throttling"). While its check runs the row is
-- pending; a failure turns it into a plain failure, a success deletes it. An attempt that
-- finds the limit reached only by pending rows waits for them instead of being refused,
-- so concurrent correct logins all succeed. Existing rows are failures.
ALTER TABLE login_failures ADD COLUMN pending INTEGER NOT NULL DEFAULT 0 CHECK (pending IN (0, 1));
