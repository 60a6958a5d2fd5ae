-- 0003: from which audit row on time never decreases.
-- The writer records max(now, previous row's time), so rows it writes are in time order;
-- writers before it stamped the time before queueing the write, and a log they wrote can
-- hold rows out of order (by microseconds under concurrent load, by any amount when the
-- clock stepped back). `audit verify` checks the order, and time filters become id ranges,
-- only from ordered_from_id on; older rows are filtered by comparing their time, and
-- older_min_time/older_max_time let queries skip them when a window cannot meet them.
CREATE TABLE audit_ordering (
    id              INTEGER PRIMARY KEY CHECK (id = 1),
    ordered_from_id INTEGER NOT NULL,   -- rows with id >= this are in time order
    older_min_time  INTEGER,            -- time range of the rows before it; NULL when none
    older_max_time  INTEGER
) STRICT;

-- The ordered part starts at the last row whose time is earlier than its predecessor's
-- (row 1 when there is none): every row from there on is at or after the one before it.
-- A row whose predecessor id is missing counts as a step back too: ids have no gaps in an
-- intact log (`audit verify` requires that; pruning removes only the oldest rows), so a
-- gap means rows were removed and nothing is known of their order. One pass over the log,
-- joining each row to id - 1; a window function took four times as long on 10M rows.
INSERT INTO audit_ordering (id, ordered_from_id)
SELECT 1, COALESCE(max(later.id), 1)
FROM audit_log AS later LEFT JOIN audit_log AS earlier ON earlier.id = later.id - 1
WHERE later.id > (SELECT min(id) FROM audit_log)
  AND (earlier.id IS NULL OR later.time < earlier.time);

UPDATE audit_ordering SET
    older_min_time = (SELECT min(time) FROM audit_log WHERE id < audit_ordering.ordered_from_id),
    older_max_time = (SELECT max(time) FROM audit_log WHERE id < audit_ordering.ordered_from_id);
