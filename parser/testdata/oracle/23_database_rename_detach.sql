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
-- What DETACH TABLE took away without PERMANENTLY comes back with ATTACH
-- DATABASE; what it took PERMANENTLY stays detached until ATTACH TABLE
-- (ClickHouse test 01601). ATTACH DATABASE with ENGINE of a detached
-- database brings its objects back too (01254). Each table ends in ${db},
-- where the oracle compares it; a model that lost one fails its replay.
CREATE DATABASE ${db}_rn_d ENGINE = Atomic;
CREATE TABLE ${db}_rn_d.a (x UInt8) ENGINE = MergeTree ORDER BY x;
CREATE TABLE ${db}_rn_d.b (x UInt16) ENGINE = MergeTree ORDER BY x;
CREATE TABLE ${db}_rn_d.c (x UInt32) ENGINE = Memory;
DETACH TABLE ${db}_rn_d.a;
DETACH TABLE ${db}_rn_d.b PERMANENTLY;
DETACH DATABASE ${db}_rn_d;
ATTACH DATABASE ${db}_rn_d;
RENAME TABLE ${db}_rn_d.a TO r23_back_a;
ATTACH TABLE ${db}_rn_d.b;
RENAME TABLE ${db}_rn_d.b TO r23_back_b;
RENAME TABLE ${db}_rn_d.c TO r23_back_c;
DROP DATABASE ${db}_rn_d;
-- (An Atomic database needs its UUID for ATTACH with ENGINE; an Ordinary
-- one does not.)
SET allow_deprecated_database_ordinary = 1;
CREATE DATABASE ${db}_rn_o ENGINE = Ordinary;
CREATE TABLE ${db}_rn_o.d (x Int8) ENGINE = Memory;
DETACH DATABASE ${db}_rn_o;
ATTACH DATABASE ${db}_rn_o ENGINE = Ordinary;
RENAME TABLE ${db}_rn_o.d TO r23_back_d;
DROP DATABASE ${db}_rn_o;
