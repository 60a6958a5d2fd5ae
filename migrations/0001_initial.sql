-- 0001: users, sessions and the audit log.
-- Times are Unix microseconds (UTC) in INTEGER columns: exact, sortable, cheap to index.

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    username      TEXT    NOT NULL UNIQUE,
    password_hash TEXT    NOT NULL,          -- PHC string: $pbkdf2-sha256$i=N$salt$hash
    disabled      INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
) STRICT;

-- A session lives from login to logout, expiry or revocation; ending it deletes the row,
-- so an ended token is simply unknown. Only the token's SHA-256 is kept.
CREATE TABLE sessions (
    id           TEXT    PRIMARY KEY,        -- short public id, safe to show and log
    token_hash   BLOB    NOT NULL UNIQUE,    -- SHA-256 of the bearer token
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,           -- absolute lifetime (--token-ttl)
    last_seen_at INTEGER NOT NULL,           -- coarse: written at most once a minute
    address      TEXT    NOT NULL DEFAULT '',
    user_agent   TEXT    NOT NULL DEFAULT ''
) STRICT;

CREATE INDEX sessions_by_user ON sessions (user_id);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);

-- Append-only audit trail. Each row's hash is SHA-256 over the previous row's hash and the
-- row's own canonical content, so an edited, inserted or deleted row breaks the chain.
CREATE TABLE audit_log (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,  -- never reused, even after pruning
    time       INTEGER NOT NULL,
    event      TEXT    NOT NULL,
    outcome    TEXT    NOT NULL CHECK (outcome IN ('success', 'failure')),
    reason     TEXT    NOT NULL DEFAULT '',
    username   TEXT    NOT NULL DEFAULT '',
    session    TEXT    NOT NULL DEFAULT '',
    address    TEXT    NOT NULL DEFAULT '',
    user_agent TEXT    NOT NULL DEFAULT '',
    request_id TEXT    NOT NULL DEFAULT '',
    hash       BLOB    NOT NULL
) STRICT;

-- Queries are newest first; each index carries the rowid, so "WHERE x = ? ORDER BY id DESC"
-- walks one index backwards.
CREATE INDEX audit_by_time ON audit_log (time);
CREATE INDEX audit_by_username ON audit_log (username);
CREATE INDEX audit_by_event ON audit_log (event);
CREATE INDEX audit_by_address ON audit_log (address);

-- Where the chain starts after pruning: the hash of the last deleted row (one row at most).
CREATE TABLE audit_anchor (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    last_id INTEGER NOT NULL,
    hash    BLOB    NOT NULL
) STRICT;
