-- 0005 (PostgreSQL): throttle slots of attempts still being checked, as SQLite's 0005.
-- An admitted attempt takes its row before any hashing; while its check runs the row is
-- pending. Admission serialises per client address across replicas with a transaction-level
-- advisory lock on the address, so two replicas cannot both hand out the last slot.

ALTER TABLE login_failures ADD COLUMN pending BOOLEAN NOT NULL DEFAULT false;
