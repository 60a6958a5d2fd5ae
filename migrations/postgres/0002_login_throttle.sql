-- 0002 (PostgreSQL): failed-login counters for throttling, as SQLite's 0002.

CREATE TABLE login_failures (
    id       BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    username TEXT    NOT NULL,
    address  TEXT    NOT NULL,
    time     BIGINT  NOT NULL
);

CREATE INDEX login_failures_by_address ON login_failures (address, time);
CREATE INDEX login_failures_by_user_address ON login_failures (username, address, time);
CREATE INDEX login_failures_by_time ON login_failures (time);
