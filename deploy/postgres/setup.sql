-- One database and one role for authd, run once as a PostgreSQL superuser:
--   psql -v password="'…'" -f deploy/postgres/setup.sql
-- The role owns the database, so `authd migrate up` (and `serve`, which migrates at start)
-- can create its tables; it needs no other privilege.
CREATE ROLE authd LOGIN PASSWORD :password;
CREATE DATABASE authd OWNER authd;
-- PostgreSQL 15 no longer lets every role create objects in the public schema; the owner of
-- the database may.
\connect authd
ALTER SCHEMA public OWNER TO authd;
