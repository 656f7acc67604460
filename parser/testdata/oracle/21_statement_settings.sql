-- Held-out corpora, third round (issue 11, /work/corpora FINDINGS.md F41-):
-- a statement's own SETTINGS are a SET for that statement alone.

-- F41: a CREATE TABLE's second SETTINGS clause is the query's; the first
-- stays the table's (ClickHouse test 02184). AfterShip kept only the last.
CREATE TABLE c20_two_settings (n Int32) ENGINE = MergeTree ORDER BY n SETTINGS min_bytes_for_wide_part = 123 SETTINGS log_queries = 1;
CREATE TABLE c20_two_settings_mem (n Int32) ENGINE = Memory SETTINGS min_rows_to_keep = 10, max_rows_to_keep = 100 SETTINGS max_threads = 1, log_queries = 1;

-- F42: settings that change DDL, given in the statement itself: in the
-- query's SETTINGS, in the table's only SETTINGS clause when they are not
-- the engine's own (the server moves them to the query), in an ALTER's
-- SETTINGS, and in a view's query.
CREATE TABLE c20_nested_query (k Int32, n Nested(a Int32)) ENGINE = MergeTree ORDER BY k SETTINGS index_granularity = 8192 SETTINGS flatten_nested = 0;
CREATE TABLE c20_nested_engine (k Int32, n Nested(a Int32)) ENGINE = Memory SETTINGS flatten_nested = 0;
CREATE TABLE c20_nested_mt (k Int32, n Nested(a Int32)) ENGINE = MergeTree ORDER BY k SETTINGS flatten_nested = 0, index_granularity = 1024;
CREATE TABLE c20_nullable_mt (k int, s String NOT NULL, t Nullable(String)) ENGINE = MergeTree ORDER BY tuple() SETTINGS data_type_default_nullable = 1;
CREATE TABLE c20_nullable_log (k int) ENGINE = Log SETTINGS data_type_default_nullable = 1;
CREATE TABLE c20_join_own (k int, v String) ENGINE = Join(ANY, LEFT, k) SETTINGS join_use_nulls = 1, data_type_default_nullable = 1;
ALTER TABLE c20_nested_mt ADD COLUMN m Nested(b Int32) SETTINGS flatten_nested = 0;
ALTER TABLE c20_nested_mt ADD COLUMN o Nested(c Int32) SETTINGS flatten_nested = 1, mutations_sync = 2;
CREATE VIEW c20_view_inferred AS SELECT k FROM c20_nullable_log SETTINGS data_type_default_nullable = 1;
-- expect-unsupported
CREATE VIEW c20_view_null_for_empty AS SELECT sum(k) AS s FROM c20_nested_engine SETTINGS aggregate_functions_null_for_empty = 1;
-- expect-unsupported
CREATE VIEW c20_view_subquery AS SELECT s FROM (SELECT sum(k) AS s FROM c20_nested_engine SETTINGS aggregate_functions_null_for_empty = 1);
-- expect-unsupported
CREATE MATERIALIZED VIEW c20_mv_null_for_empty ENGINE = Memory AS SELECT sum(k) AS s FROM c20_nested_engine SETTINGS aggregate_functions_null_for_empty = 1;

-- F43: storage clauses without ENGINE after a CREATE TABLE's name, and a
-- materialized view with neither ENGINE nor TO (ClickHouse test 02184; valid
-- on 26.x, whose default_table_engine is MergeTree): lint rejected them. The
-- engine is the server's default_table_engine: the objects exist, uncertain.
CREATE TABLE c20_ne_src (x UInt64) ENGINE = Memory;
-- expect-unsupported
CREATE MATERIALIZED VIEW c20_ne_mv AS SELECT x FROM c20_ne_src;
-- expect-unsupported
CREATE MATERIALIZED VIEW IF NOT EXISTS c20_ne_mv_cols (x UInt64) PARTITION BY x % 2 ORDER BY CAST(x AS UInt32) POPULATE AS SELECT x FROM c20_ne_src;
-- expect-unsupported
CREATE MATERIALIZED VIEW c20_ne_mv_order ORDER BY x EMPTY AS SELECT x FROM c20_ne_src COMMENT 'c';
-- expect-unsupported
CREATE TABLE c20_ne_ctas ORDER BY intHash32(x) SAMPLE BY intHash32(x) AS SELECT x FROM c20_ne_src;
-- expect-unsupported
CREATE TABLE c20_ne_cols (x UInt64) ORDER BY CAST(x AS UInt32) SETTINGS index_granularity = 64 COMMENT 'x';

-- F44: CREATE INDEX … ON and DROP INDEX … ON, the SQL-standard forms of
-- ALTER TABLE ADD INDEX and DROP INDEX: lint rejected them and the model
-- made the whole database uncertain. CREATE INDEX reads a parenthesised
-- expression as its column list: (s) is s, ((s)) is (s), (s, x) stays.
CREATE TABLE c20_ix (x Int32, s String, u String) ENGINE = MergeTree ORDER BY x;
CREATE INDEX c20_i1 ON c20_ix (s) TYPE bloom_filter GRANULARITY 2;
CREATE INDEX IF NOT EXISTS c20_i2 ON c20_ix s TYPE minmax;
CREATE INDEX c20_i3 ON ${db}.c20_ix ((s)) TYPE set(10);
CREATE INDEX `c20 i4` ON c20_ix lower(s) TYPE set(10) GRANULARITY 3;
CREATE INDEX c20_i5 ON c20_ix (s, x) TYPE minmax;
CREATE INDEX c20_i6 ON c20_ix (u) TYPE text(tokenizer = 'splitByNonAlpha');
DROP INDEX c20_i1 ON c20_ix;
DROP INDEX IF EXISTS c20_i9 ON ${db}.c20_ix;
CREATE INDEX IF NOT EXISTS c20_i2 ON c20_ix (x) TYPE minmax;

-- F45: a column definition's SETTINGS (…), MergeTree's per-column settings:
-- lint rejected them; the model holds them (24_column_settings.sql), in a
-- CREATE and in an ALTER's column.
CREATE TABLE c20_colset (a UInt64, c String COMMENT 'x' CODEC(ZSTD(1)) SETTINGS (max_compress_block_size = 1048576, min_compress_block_size = 65536)) ENGINE = MergeTree ORDER BY a;
CREATE TABLE c20_colset_alter (a UInt64, c String) ENGINE = MergeTree ORDER BY a;
ALTER TABLE c20_colset_alter MODIFY COLUMN c String SETTINGS (max_compress_block_size = 1048576);

-- CREATE TABLE x AS y followed by storage clauses without ENGINE (lint
-- rejected them): the server takes y's storage and each clause written
-- replaces y's; the SETTINGS written come first, then y's of other names;
-- y's PRIMARY KEY stays when only ORDER BY is written.
CREATE TABLE c21_as_src (x UInt64, s String, d Date) ENGINE = ReplacingMergeTree PARTITION BY toYYYYMM(d) ORDER BY (x, s) SETTINGS index_granularity = 1024 COMMENT 'src';
CREATE TABLE c21_as_order AS c21_as_src ORDER BY s;
CREATE TABLE c21_as_settings AS c21_as_src SETTINGS index_granularity = 512;
CREATE TABLE c21_as_many AS ${db}.c21_as_src PARTITION BY d ORDER BY x TTL d + INTERVAL 1 DAY COMMENT 'new';
CREATE TABLE c21_as_tuple AS c21_as_src ORDER BY tuple();
CREATE TABLE c21_as_engine AS c21_as_src ENGINE = MergeTree ORDER BY s;
CREATE TABLE c21_as_src2 (x UInt64, s String, d Date) ENGINE = MergeTree PARTITION BY d PRIMARY KEY x ORDER BY (x, s) SAMPLE BY x TTL d + INTERVAL 1 MONTH SETTINGS index_granularity = 1024, min_bytes_for_wide_part = 0;
CREATE TABLE c21_as_merge AS c21_as_src2 SETTINGS merge_with_ttl_timeout = 100;
CREATE TABLE c21_as_keep_pk AS c21_as_src2 ORDER BY (x, d);
CREATE TABLE c21_as_pk AS c21_as_src2 PRIMARY KEY (x, s);
