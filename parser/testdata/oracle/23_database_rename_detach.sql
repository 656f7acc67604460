-- RENAME DATABASE, DETACH DATABASE and ATTACH DATABASE (issue 11, model2).
-- RENAME DATABASE moves the objects; what they name stays as written (the
-- view below still writes TO ${db}_rn_a.t, as the server keeps it, until
-- it is dropped).
-- DETACH DATABASE takes the database and its objects out of the system
-- tables; ATTACH DATABASE without ENGINE brings them back. The databases
-- are dropped at the end: the oracle compares ${db} only, and its replay
-- fails if the model lost track of them.
CREATE DATABASE ${db}_rn_a ENGINE = Atomic;
CREATE TABLE ${db}_rn_a.t (a UInt64, b String) ENGINE = MergeTree ORDER BY a;
CREATE TABLE r23_src (a UInt64, b String) ENGINE = MergeTree ORDER BY a;
CREATE MATERIALIZED VIEW r23_mv TO ${db}_rn_a.t AS SELECT a, b FROM r23_src;
RENAME DATABASE ${db}_rn_a TO ${db}_rn_b;
CREATE TABLE ${db}_rn_b.u (a UInt64) ENGINE = Memory;
DETACH DATABASE ${db}_rn_b;
ATTACH DATABASE ${db}_rn_b;
DETACH DATABASE IF EXISTS ${db}_rn_b;
ATTACH DATABASE IF NOT EXISTS ${db}_rn_b;
ATTACH DATABASE IF NOT EXISTS ${db}_rn_b;
DROP TABLE ${db}_rn_b.u;
RENAME TABLE ${db}_rn_b.t TO r23_moved_in;
DROP DATABASE ${db}_rn_b;
-- (Its target is gone: the schema rendered from the model could not be run
-- again. TestDatabaseRenameDetachDrift compares such a view with diff.)
DROP VIEW r23_mv;
-- A Memory database keeps no metadata: ATTACH DATABASE brings it back
-- without its tables.
CREATE DATABASE ${db}_rn_mem ENGINE = Memory;
CREATE TABLE ${db}_rn_mem.t (a UInt8) ENGINE = Memory;
DETACH DATABASE ${db}_rn_mem;
ATTACH DATABASE ${db}_rn_mem;
CREATE TABLE ${db}_rn_mem.t (a UInt8) ENGINE = Memory;
DROP DATABASE ${db}_rn_mem;
