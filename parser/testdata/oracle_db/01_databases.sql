-- Database statements; every database is named after ${db}.
CREATE DATABASE ${db}_a;
CREATE DATABASE IF NOT EXISTS ${db}_a;
CREATE DATABASE ${db}_m ENGINE = Memory COMMENT 'a memory database';
CREATE DATABASE ${db}_c ENGINE = Atomic COMMENT 'first';
ALTER DATABASE ${db}_c MODIFY COMMENT 'second';
CREATE DATABASE ${db}_gone;
DROP DATABASE ${db}_gone;
DROP DATABASE IF EXISTS ${db}_gone;
CREATE DATABASE ${db}_sync;
DROP DATABASE ${db}_sync SYNC;
CREATE TABLE ${db}_a.t (k UInt64) ENGINE = MergeTree ORDER BY k;
CREATE TABLE ${db}_a.moved (k UInt64, v String) ENGINE = MergeTree ORDER BY k;
RENAME TABLE ${db}_a.moved TO ${db}_c.moved;
CREATE TABLE ${db}_m.mem (k UInt64) ENGINE = Memory;
USE ${db}_a;
CREATE TABLE after_use (k UInt64) ENGINE = MergeTree ORDER BY k;
ALTER TABLE after_use ADD COLUMN v String;
CREATE VIEW cross_view AS SELECT k FROM ${db}_c.moved;
