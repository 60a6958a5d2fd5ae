-- 0004 (PostgreSQL): summed audit rows and self-describing rows, as SQLite's 0004.
-- count: how many occurrences one row stands for (bounded refusal auditing); 1 otherwise.
-- detail: what a row needs to say that no other column holds (`audit_prune`'s id range).
-- Both enter a row's hash only when they differ from these defaults.

ALTER TABLE audit_log ADD COLUMN count BIGINT NOT NULL DEFAULT 1 CHECK (count >= 1);
ALTER TABLE audit_log ADD COLUMN detail TEXT NOT NULL DEFAULT '';
