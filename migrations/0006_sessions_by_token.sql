-- 0006: sessions kept in token-hash order, with one secondary index.
-- Every logout deletes one session, and each B-tree holding it is a page the commit writes
-- to the WAL. The first layout kept five: the rowid table, its `id` and `token_hash` unique
-- indexes, and the by-user and by-expiry indexes, each keyed by a random value. Keyed by
-- the token's hash (WITHOUT ROWID) the row is found and deleted in the one B-tree that
-- also holds it; only the by-user index remains (logout everywhere, password changes,
-- `session list --user`, and the cascade when a user is deleted).
-- Dropped: the expiry index (the sweeper's condition also tests last activity, so it
-- scanned the table anyway) and the unique index on `id` (found by a scan in `session
-- revoke`, an operator's command; ids stay 64 random bits). Ids and tokens are unchanged.
CREATE TABLE sessions_by_token (
    token_hash   BLOB    PRIMARY KEY,        -- SHA-256 of the bearer token
    id           TEXT    NOT NULL,           -- short public id, safe to show and log
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    address      TEXT    NOT NULL DEFAULT '',
    user_agent   TEXT    NOT NULL DEFAULT ''
) STRICT, WITHOUT ROWID;

INSERT INTO sessions_by_token (token_hash, id, user_id, created_at, expires_at, last_seen_at, address, user_agent)
SELECT token_hash, id, user_id, created_at, expires_at, last_seen_at, address, user_agent FROM sessions;

DROP TABLE sessions;
ALTER TABLE sessions_by_token RENAME TO sessions;
CREATE INDEX sessions_by_user ON sessions (user_id);
