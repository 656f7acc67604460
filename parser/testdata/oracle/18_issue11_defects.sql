-- Issue 11: defects found on real projects' histories and on ClickHouse's
-- own tests, one block per defect; each was once modelled wrong.

-- String escapes: the server keeps the backslash of an escape it does not
-- know ('[\w\-]' stays \w\-), drops it before \ ' " ` / =, and reads \a \e
-- \v \0 \xHH \N; the same in strings, identifiers, comments, enum values,
-- dictionary and function bodies.
CREATE TABLE i11_esc (
    `k\w` String DEFAULT '[\w\-]+\.\d' COMMENT 'col \w\-\N\=\/\e',
    e Enum8('a\wb' = 1, 'c\-d' = 2, 'e\'f' = 3),
    r String MATERIALIZED replaceRegexpAll(`k\w`, '\s+\(\)', '\x41\0')
) ENGINE = MergeTree ORDER BY `k\w` COMMENT 'table \w\-\N';
CREATE VIEW i11_esc_view AS SELECT match(`k\w`, '^[\w\-]+$') AS m, extract(`k\w`, '(\d+)\.') AS n FROM i11_esc;
CREATE FUNCTION ${fn}i11_esc AS (s) -> replaceRegexpOne(s, '\\d\w+\-', '\1');
CREATE DICTIONARY i11_esc_dict (k String, v String DEFAULT '\w\-') PRIMARY KEY k
SOURCE(CLICKHOUSE(QUERY 'SELECT k, v FROM ${db}.i11_esc_src WHERE match(k, ''\w'')')) LAYOUT(COMPLEX_KEY_HASHED()) LIFETIME(0);
CREATE TABLE i11_esc_src (k String, v String) ENGINE = MergeTree ORDER BY k;

-- Parentheses in keys and index expressions: around one expression they
-- collapse to one pair (INDEX i ((a)) is (a)), around a tuple they go.
CREATE TABLE i11_parens (
    a UInt8, b UInt8,
    INDEX i1 ((a)) TYPE bloom_filter,
    INDEX i2 (((a, b))) TYPE minmax,
    INDEX i3 ((a), b) TYPE minmax,
    INDEX i4 ((a + 1)) TYPE minmax GRANULARITY 2,
    INDEX i5 tuple(a) TYPE set(10)
) ENGINE = MergeTree PARTITION BY ((a)) ORDER BY ((a, b)) PRIMARY KEY ((a));
CREATE TABLE i11_parens2 (a UInt8, b UInt8) ENGINE = MergeTree PARTITION BY ((a, b)) ORDER BY ((a), b);
CREATE TABLE i11_parens3 (a UInt8, b UInt8) ENGINE = MergeTree PARTITION BY tuple(a, b) ORDER BY tuple(a);
ALTER TABLE i11_parens3 ADD INDEX i6 ((b)) TYPE minmax;
-- PARTITION BY tuple() written out is kept by the server.
CREATE TABLE i11_partition_tuple (a UInt8) ENGINE = MergeTree PARTITION BY tuple() ORDER BY a;

-- text indexes are stored with GRANULARITY 100000000 whatever is written;
-- vector_similarity ones when none is written. Every other type: 1.
CREATE TABLE i11_granularity (
    k UInt8, s String, s2 String, s3 String, s4 String, v Array(Float32),
    INDEX t1 s TYPE text(tokenizer = splitByNonAlpha),
    INDEX t2 s2 TYPE text(tokenizer = ngrams(3)) GRANULARITY 1,
    INDEX t3 lower(s3) TYPE text(tokenizer = 'array') GRANULARITY 4,
    INDEX v1 v TYPE vector_similarity('hnsw', 'L2Distance', 2),
    INDEX v2 v TYPE vector_similarity('hnsw', 'cosineDistance', 2) GRANULARITY 3,
    INDEX g1 s TYPE sparse_grams(3, 100, 256, 2, 0),
    INDEX g2 s TYPE ngrambf_v1(3, 256, 2, 0) GRANULARITY 5
) ENGINE = MergeTree ORDER BY k;
ALTER TABLE i11_granularity ADD INDEX t4 s4 TYPE text(tokenizer = splitByNonAlpha) GRANULARITY 2, ADD INDEX v3 v TYPE vector_similarity('hnsw', 'L2Distance', 2);

-- Old-style MergeTree(date, [sampling,] key, granularity[, args]): the
-- server derives PARTITION BY toYYYYMM(date), ORDER BY, PRIMARY KEY and
-- SAMPLE BY from the arguments, also for a materialized view's inner table.
SET allow_deprecated_syntax_for_merge_tree = 1;
CREATE TABLE i11_old (d Date, k UInt64, s UInt32) ENGINE = MergeTree(d, (k, s), 8192);
CREATE TABLE i11_old_sample (d Date, k UInt64, s UInt32) ENGINE = MergeTree(d, intHash32(s), (k, intHash32(s)), 8192);
CREATE TABLE i11_old_replacing (d Date, k UInt64, s UInt32, ver UInt8) ENGINE = ReplacingMergeTree(d, intHash32(s), (k, intHash32(s)), 8192, ver);
CREATE TABLE i11_old_versioned (d Date, k UInt64, sign Int8, ver UInt8) ENGINE = VersionedCollapsingMergeTree(d, k, 8192, sign, ver);
CREATE TABLE i11_old_collapsing (d Date, k UInt64, sign Int8) ENGINE = CollapsingMergeTree(d, (k, d), 8192, sign);
CREATE TABLE i11_old_summing (d Date, k UInt64, x UInt64) ENGINE = SummingMergeTree(d, k, 8192, (x));
CREATE TABLE i11_old_empty (d Date, k UInt64) ENGINE = MergeTree(d, tuple(), 8192);
CREATE MATERIALIZED VIEW i11_old_mv ENGINE = SummingMergeTree(d, k, 8192) AS SELECT d, k FROM i11_old;

-- A Memory, Set, Join or Log table does not store the query-level
-- settings of its SETTINGS, only the engine's own.
CREATE TABLE i11_set_memory (a UInt8) ENGINE = Memory SETTINGS max_threads = 1, min_rows_to_keep = 10, max_rows_to_keep = 100;
CREATE TABLE i11_set_set (a UInt8) ENGINE = Set SETTINGS persistent = 0, max_threads = 2;
CREATE TABLE i11_set_join (a UInt8, b String) ENGINE = Join(ANY, LEFT, a) SETTINGS join_use_nulls = 1, max_threads = 2;
CREATE TABLE i11_set_log (a UInt8) ENGINE = Log SETTINGS max_threads = 2;

-- A table of the Dictionary engine is a dictionary to DROP DICTIONARY.
CREATE TABLE i11_dict_src (k UInt64, v String) ENGINE = MergeTree ORDER BY k;
CREATE DICTIONARY i11_dict (k UInt64, v String) PRIMARY KEY k SOURCE(CLICKHOUSE(TABLE 'i11_dict_src')) LAYOUT(HASHED()) LIFETIME(0);
CREATE TABLE i11_dict_table (k UInt64, v String) ENGINE = Dictionary(${db}.i11_dict);
CREATE TABLE i11_dict_table2 (k UInt64, v String) ENGINE = Dictionary(${db}.i11_dict);
DROP DICTIONARY ${db}.i11_dict_table;

-- INTERVAL 'n unit' and abbreviated units, in TTLs (once dropped from the
-- model without a trace), defaults and view queries.
CREATE TABLE i11_interval (
    d DateTime,
    x UInt8 TTL d + INTERVAL '1 hour',
    e DateTime DEFAULT d + INTERVAL 1 SQL_TSI_DAY,
    f DateTime DEFAULT d - INTERVAL '1 day 2 hours'
) ENGINE = MergeTree ORDER BY d TTL d + INTERVAL '7 days';
ALTER TABLE i11_interval ADD COLUMN g DateTime DEFAULT d + INTERVAL '-3 weeks', MODIFY TTL d + INTERVAL 2 MM;
CREATE VIEW i11_interval_view AS SELECT d + INTERVAL '1.5 hours' AS h, d - INTERVAL 3 D AS p FROM i11_interval;

-- Valid SQL that offline lint rejected.
CREATE TABLE i11_lint (a UInt8, `Window` String) ENGINE = MergeTree ORDER BY a
SETTINGS min_compress_block_size = 1e6, ratio_of_defaults_for_sparse_serialization = 0.9;
ALTER TABLE i11_lint MODIFY SETTING ratio_of_defaults_for_sparse_serialization = .5;
INSERT INTO i11_lint (a) WITH 1 AS y SELECT y;
INSERT INTO i11_lint (Window) SELECT 'x';
INSERT INTO i11_lint (a) SETTINGS max_threads = 1 SELECT 2;
-- expect-unsupported: the server infers the type of a column without one
CREATE TABLE i11_lint_alias (a UInt8, b ALIAS a + 1) ENGINE = MergeTree ORDER BY a;
-- expect-unsupported: the engine is the server's default_table_engine
CREATE TABLE i11_lint_no_engine (a UInt8) ORDER BY a;
ALTER TABLE i11_lint DETACH PARTITION ID 'all';
ALTER TABLE i11_lint ATTACH PARTITION ALL;
CREATE TABLE ttl (a UInt8, d DateTime) ENGINE = MergeTree ORDER BY a TTL d + INTERVAL 1 DAY;
ALTER TABLE ttl ADD COLUMN ttl UInt8 TTL d + INTERVAL '1 day' AFTER a;
CREATE VIEW i11_ttl_view AS SELECT ttl.a AS a, ttl FROM ${db}.ttl;

-- Names that start with a digit are names, not numbers.
CREATE TABLE 02725_cnf (a UInt8, 1c String DEFAULT 'x', INDEX 2i a TYPE minmax) ENGINE = MergeTree ORDER BY (a, 1c);
ALTER TABLE ${db}.02725_cnf ADD COLUMN 4d UInt8 AFTER 1c;
CREATE VIEW 3v AS SELECT 1c, 4d FROM 02725_cnf WHERE a > 1;
CREATE TABLE 02725_gone (a UInt8) ENGINE = Memory;
RENAME TABLE 02725_gone TO 02725_back;

-- DROP forms once unreadable: SETTINGS, IF EMPTY, several tables, and the
-- RENAME that follows them. (DROP TABLE of a temporary table, which lives
-- in one connection, is in TestTemporaryTableShadows.)
CREATE TABLE i11_drop_a (x UInt8) ENGINE = Memory;
CREATE TABLE i11_drop_b (x UInt8) ENGINE = Memory;
DROP TABLE i11_drop_a SYNC SETTINGS max_table_size_to_drop = 0;
CREATE TABLE i11_drop_g (x UInt8) ENGINE = Memory;
DROP TABLE IF EXISTS IF EMPTY i11_drop_g SYNC;
CREATE TABLE i11_drop_t1 (x UInt8) ENGINE = Memory;
CREATE TABLE i11_drop_t2 (x UInt8) ENGINE = Memory;
DROP TABLE i11_drop_t1, ${db}.i11_drop_t2;
DROP TABLE IF EXISTS i11_drop_nope1, i11_drop_nope2 SYNC SETTINGS max_table_size_to_drop = 0;
RENAME TABLE i11_drop_b TO i11_drop_renamed;

-- ADD COLUMN ... AFTER a Nested column goes after its last field.
CREATE TABLE i11_nested (a UInt8, n Nested(x UInt8, y String), z UInt8) ENGINE = MergeTree ORDER BY a;
ALTER TABLE i11_nested ADD COLUMN w UInt8 AFTER n, ADD COLUMN w2 UInt8 AFTER n.x;

-- Views with DEFINER and SQL SECURITY are compared like the others.
CREATE VIEW i11_secure AS SELECT 1 AS a;
CREATE VIEW i11_invoker SQL SECURITY INVOKER AS SELECT a FROM 02725_cnf;
CREATE VIEW i11_definer DEFINER = default SQL SECURITY DEFINER AS SELECT a FROM 02725_cnf WHERE a > 2;
CREATE MATERIALIZED VIEW i11_secure_mv TO 02725_back SQL SECURITY DEFINER AS SELECT a FROM 02725_cnf;
ALTER TABLE i11_invoker MODIFY SQL SECURITY DEFINER;

-- A dictionary source's currentDatabase() is stored as the session's
-- database (other calls the server evaluates: see TestCanonicalize).
CREATE DICTIONARY i11_dict_db (k UInt64, v String) PRIMARY KEY k
SOURCE(CLICKHOUSE(HOST 'localhost' USER 'default' DB currentDatabase() TABLE 'i11_dict_src')) LAYOUT(HASHED()) LIFETIME(0);

-- TRUNCATE DATABASE drops every object of the database; TRUNCATE TABLE
-- and TRUNCATE ALL TABLES only the data. (An audit of the statements
-- recognised as having no schema effect found it.)
TRUNCATE TABLE IF EXISTS i11_lint;
TRUNCATE ALL TABLES FROM ${db} LIKE 'i11_nothing%';
