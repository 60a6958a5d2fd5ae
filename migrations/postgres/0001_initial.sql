-- 0001 (PostgreSQL): users, sessions and the audit log, as SQLite's 0001.
-- Each file is run as the body of one PL/pgSQL block (DO), in the migrator's transaction,
-- so a file may hold several statements; a bare SELECT is not allowed there (use PERFORM).
-- Times are Unix microseconds (UTC) in BIGINT columns, as on SQLite: the store maps rows
-- of both engines the same way.

CREATE TABLE users (
    id            BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    username      TEXT    NOT NULL UNIQUE,
    password_hash TEXT    NOT NULL,          -- PHC string: $pbkdf2-sha256$i=N$salt$hash
    disabled      BOOLEAN NOT NULL DEFAULT false,
    created_at    BIGINT  NOT NULL,
    updated_at    BIGINT  NOT NULL
);

CREATE TABLE sessions (
    id           TEXT    PRIMARY KEY,        -- short public id, safe to show and log
    token_hash   BYTEA   NOT NULL UNIQUE,    -- SHA-256 of the bearer token
    user_id      BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   BIGINT  NOT NULL,
    expires_at   BIGINT  NOT NULL,           -- absolute lifetime (--token-ttl)
    last_seen_at BIGINT  NOT NULL,           -- coarse: written at most once per granularity
    address      TEXT    NOT NULL DEFAULT '',
    user_agent   TEXT    NOT NULL DEFAULT ''
);

CREATE INDEX sessions_by_user ON sessions (user_id);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);

-- Ids are handed out by audit_head, not by a sequence: the id is part of the row's hash,
-- and a sequence would leave gaps on rollback, which `audit verify` reads as deleted rows.
CREATE TABLE audit_log (
    id         BIGINT  PRIMARY KEY,
    time       BIGINT  NOT NULL,
    event      TEXT    NOT NULL,
    outcome    TEXT    NOT NULL CHECK (outcome IN ('success', 'failure')),
    reason     TEXT    NOT NULL DEFAULT '',
    username   TEXT    NOT NULL DEFAULT '',
    session    TEXT    NOT NULL DEFAULT '',
    address    TEXT    NOT NULL DEFAULT '',
    user_agent TEXT    NOT NULL DEFAULT '',
    request_id TEXT    NOT NULL DEFAULT '',
    hash       BYTEA   NOT NULL
);

CREATE INDEX audit_by_time ON audit_log (time);
CREATE INDEX audit_by_username ON audit_log (username, id);
CREATE INDEX audit_by_event ON audit_log (event, id);
CREATE INDEX audit_by_address ON audit_log (address, id);

CREATE TABLE audit_anchor (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    last_id BIGINT  NOT NULL,
    hash    BYTEA   NOT NULL
);

-- The chain's tip: the one row every audited transaction locks (SELECT … FOR UPDATE) as its
-- first statement. That lock makes the writers of every replica take turns, so the chain
-- never forks and its ids have no gaps; it is held only for the length of one transaction.
CREATE TABLE audit_head (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    last_id   BIGINT  NOT NULL,
    last_time BIGINT,                        -- NULL before the first row
    last_hash BYTEA   NOT NULL
);

INSERT INTO audit_head (id, last_id, last_time, last_hash) VALUES (1, 0, NULL, '\x0000000000000000000000000000000000000000000000000000000000000000');
