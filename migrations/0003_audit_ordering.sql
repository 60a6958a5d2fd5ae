-- 0003: from which audit row on time is guaranteed never to decrease.
-- Writers before this migration stamped a row's time before queueing the write, so two
-- rows committed at nearly the same moment could be a few microseconds out of order.
-- The writer now records max(now, previous row's time). Rows from ordered_from_id on are
-- in time order: `audit verify` checks that order, and time filters over them become id
-- ranges. Older rows are filtered by comparing their time, and their order is not checked.
CREATE TABLE audit_ordering (
    id              INTEGER PRIMARY KEY CHECK (id = 1),
    ordered_from_id INTEGER NOT NULL
) STRICT;

-- sqlite_sequence holds audit_log's highest id ever used (0001 created it AUTOINCREMENT).
INSERT INTO audit_ordering (id, ordered_from_id)
VALUES (1, COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'audit_log'), 0) + 1);
