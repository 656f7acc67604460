-- Forms found by running the oracle on real projects' migrations
-- (Langfuse, Plausible, Open edX Aspects), each once wrong offline.
CREATE TABLE hof_src (k String, a Int32, b UUID, v String) ENGINE = MergeTree ORDER BY k;
-- A dictionary's PRIMARY KEY (a, b) is two keys.
CREATE DICTIONARY hof_pair (a Int32, b UUID, v String) PRIMARY KEY (a, b)
SOURCE(CLICKHOUSE(TABLE 'hof_src' DB '${db}')) LAYOUT(COMPLEX_KEY_HASHED()) LIFETIME(0);
-- A source query in double quotes with a newline inside.
CREATE DICTIONARY hof_query (k String, v String) PRIMARY KEY k
SOURCE(CLICKHOUSE(query "select k,
 v from ${db}.hof_src")) LAYOUT(COMPLEX_KEY_HASHED()) LIFETIME(0);
-- dictGet's dictionary is qualified with the current database, in
-- defaults, in ALTER ADD COLUMN and in views; a qualified one is kept.
CREATE TABLE hof_dict_defaults (
    k String,
    a String ALIAS dictGet('hof_query', 'v', tuple(k)),
    b UInt8 MATERIALIZED dictHas('hof_query', tuple(k)),
    c String DEFAULT dictGetOrDefault(hof_query, 'v', tuple(k), ''),
    d String DEFAULT dictGetString('${db}.hof_query', 'v', tuple(k))
) ENGINE = MergeTree ORDER BY k;
ALTER TABLE hof_dict_defaults ADD COLUMN e String ALIAS dictGet('hof_query', 'v', tuple(k));
CREATE VIEW hof_dict_view AS SELECT k, dictGet('hof_query', 'v', tuple(k)) AS v FROM hof_src;
-- MODIFY QUERY keeps the SELECT's own SETTINGS.
CREATE TABLE hof_dst (k String) ENGINE = MergeTree ORDER BY k;
CREATE MATERIALIZED VIEW hof_mv TO hof_dst AS SELECT k FROM hof_src;
ALTER TABLE hof_mv MODIFY QUERY SELECT k FROM hof_src SETTINGS max_threads = 1;
-- IN as a function argument is parenthesised (but not in tuple or [...]).
CREATE TABLE hof_in (
    x UInt8,
    y UInt8,
    a UInt8 DEFAULT if(x IN (1, 2), 1, 2),
    b UInt8 DEFAULT greatest(x NOT IN (1), y GLOBAL IN (2)),
    c Tuple(UInt8) DEFAULT tuple(x IN (1)),
    d Array(UInt8) DEFAULT [x IN (1)],
    e UInt8 DEFAULT x IN (1)
) ENGINE = MergeTree ORDER BY x;
-- A column default that calls SQL functions is stored with them inlined.
CREATE FUNCTION ${fn}is_sms AS (x) -> x == 'sms';
CREATE FUNCTION ${fn}in_ab AS (x) -> x IN ('a', 'b');
CREATE FUNCTION ${fn}channel AS (medium, source) ->
    multiIf(${fn}is_sms(lower(medium)), 'SMS', ${fn}in_ab(source), 'AB', 'Other');
CREATE TABLE hof_udf (
    m String,
    s String,
    a UInt8 MATERIALIZED ${fn}is_sms(m),
    b UInt8 DEFAULT ${fn}in_ab(m) AND ${fn}is_sms(s),
    c UInt8 DEFAULT NOT ${fn}in_ab(m)
) ENGINE = MergeTree ORDER BY m;
ALTER TABLE hof_udf ADD COLUMN d String MATERIALIZED ${fn}channel(m, s);
-- Found in a second round (OpenReplay, Uptrace, qryn, Laudspeaker).
-- DateTime64 means DateTime64(3), and DateTime(6) is DateTime64(6).
CREATE TABLE hof_dt (
    a DateTime64,
    b DateTime(6),
    c DateTime(6, 'UTC'),
    d Nullable(DateTime64),
    e TIMESTAMP(3)
) ENGINE = MergeTree ORDER BY tuple();
-- Gorilla's width comes from a SimpleAggregateFunction's stored type.
CREATE TABLE hof_simple (
    k UInt8,
    m SimpleAggregateFunction(max, Float64) CODEC(Gorilla, ZSTD(1)),
    n SimpleAggregateFunction(min, Float32) CODEC(Gorilla)
) ENGINE = AggregatingMergeTree ORDER BY k;
-- Numbers with _ separators.
CREATE TABLE hof_sep (a UInt8) ENGINE = MergeTree ORDER BY a SETTINGS index_granularity = 8_192;
CREATE TABLE hof_buffer AS hof_sep ENGINE = Buffer(${db}, hof_sep, 1, 5, 45, 1_000_000, 1_000_000, 500_000_000, 500_000_000);
-- ALTER TABLE t (command), (command).
ALTER TABLE hof_sep (ADD COLUMN b UInt8 ALIAS a), (ADD COLUMN c UInt8);
-- A view's query that calls SQL functions is stored with them inlined.
CREATE TABLE hof_udf_dst (y String) ENGINE = MergeTree ORDER BY y;
CREATE VIEW hof_udf_view AS SELECT ${fn}channel(m, s) AS y, ${fn}is_sms(m) AND 1 AS z FROM hof_udf WHERE ${fn}in_ab(s);
CREATE MATERIALIZED VIEW hof_udf_mv TO hof_udf_dst AS SELECT m AS y FROM hof_udf;
ALTER TABLE hof_udf_mv MODIFY QUERY SELECT ${fn}channel(m, s) AS y FROM hof_udf;
-- A MergeTree table stores only MergeTree settings: the others are
-- applied to the CREATE itself.
CREATE TABLE hof_query_settings (a UInt8, j JSON) ENGINE = MergeTree ORDER BY a
SETTINGS allow_experimental_json_type = 1, enable_json_type = 1, index_granularity = 1024, max_threads = 1;
-- CREATE TABLE x AS y with an engine that has no PARTITION BY does not
-- copy y's.
CREATE TABLE hof_part (a UInt8, d Date) ENGINE = MergeTree PARTITION BY d ORDER BY a;
CREATE TABLE hof_part_buffer AS hof_part ENGINE = Buffer(${db}, hof_part, 1, 5, 10, 10000, 1000000, 10000000, 100000000);
CREATE TABLE hof_part_merge AS hof_part ENGINE = Merge(${db}, '^hof_part$');
CREATE TABLE hof_part_copy AS hof_part ENGINE = ReplacingMergeTree ORDER BY a;
-- The server back-quotes the identifiers ALL, DISTINCT, FROM, NULL, SELECT,
-- TABLE and VALUES, in any case, and no other keyword.
CREATE TABLE hof_kw (t Tuple(keys String, values String, `From` String), values String, `select` UInt8, `order` UInt8, key UInt8) ENGINE = MergeTree ORDER BY tuple();
CREATE VIEW hof_kw_view AS SELECT t.values AS a, values AS b, t.keys AS c, `select`, `order` + 1 AS o, key FROM hof_kw;
-- Tables named after keywords AfterShip refuses as names (qryn has one
-- named settings).
CREATE TABLE IF NOT EXISTS settings (a UInt8, format String) ENGINE = MergeTree ORDER BY a;
INSERT INTO settings VALUES (1, 'x');
CREATE TABLE hof_kw_src (a UInt8) ENGINE = MergeTree ORDER BY a;
CREATE MATERIALIZED VIEW hof_kw_mv TO settings AS SELECT a, 'y' AS format FROM hof_kw_src;
CREATE TABLE IF NOT EXISTS hof_kw_ren (a UInt8) ENGINE = MergeTree ORDER BY a;
RENAME TABLE hof_kw_ren TO format;
