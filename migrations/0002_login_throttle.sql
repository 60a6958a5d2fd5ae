-- 0002: failed-login counters for throttling (API.md "Throttling").
-- One row per failed credential check; rows older than the window are deleted by the
-- session sweeper, so the table holds at most one window of failures.

CREATE TABLE login_failures (
    id       INTEGER PRIMARY KEY,
    username TEXT    NOT NULL,
    address  TEXT    NOT NULL,
    time     INTEGER NOT NULL
) STRICT;

CREATE INDEX login_failures_by_address ON login_failures (address, time);
CREATE INDEX login_failures_by_user_address ON login_failures (username, address, time);
CREATE INDEX login_failures_by_time ON login_failures (time);
