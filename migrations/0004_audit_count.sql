-- 0004: summed audit rows and self-describing rows.
-- count: how many occurrences one row stands for. Refused anonymous requests past a bound
-- are summed into one row per kind and window (API.md "Audit trail"); every other row is 1.
-- detail: what a row needs to say that no other column holds; `audit_prune` records the
-- id range it removes ("from=F through=L rows=R before=T") in the same transaction that
-- decides it, before anything is deleted. Empty on every other row.
-- Both are part of a row's hash only when they differ from these defaults
-- (`AuditChain.hash`), so every row written before this migration keeps its hash.
ALTER TABLE audit_log ADD COLUMN count INTEGER NOT NULL DEFAULT 1 CHECK (count >= 1);
ALTER TABLE audit_log ADD COLUMN detail TEXT NOT NULL DEFAULT '';
