-- Held-out corpora (issue 11, /work/corpora FINDINGS.md F5-F40): each block
-- is our own reduction of a statement sequence the server accepts and the
-- model once got wrong, named by its finding.

-- F26: SQL-standard multi-word types (ClickHouse test 01144).
CREATE TABLE c19_multiword_types (a DOUBLE, b DOUBLE PRECISION, c CHAR DEFAULT 'str', d CHAR VARYING,
  e CHAR LARGE OBJECT COMMENT 'comment', f CHARACTER VARYING(123), g ChArAcTeR   large    OBJECT,
  h nchar varying (456) default toString(a) comment 'comment', i NCHAR LARGE OBJECT, j BINARY LARGE OBJECT,
  k BINARY VARYING, l NATIONAL CHAR, m NATIONAL CHARACTER, n NATIONAL CHARACTER LARGE OBJECT,
  o NATIONAL CHARACTER VARYING, p NATIONAL CHAR VARYING, q INT1 SIGNED, r BIGINT SIGNED, s FLOAT(3)) ENGINE = Memory;
ALTER TABLE c19_multiword_types ADD COLUMN t NATIONAL CHARACTER LARGE OBJECT AFTER a, MODIFY COLUMN q TINYINT UNSIGNED;

-- F11: REPLACE TABLE and REPLACE DICTIONARY (without CREATE OR) replace an
-- object that exists (ClickHouse tests 01157, 01185, 01913).
CREATE TABLE c19_replace (n UInt64) ENGINE = MergeTree ORDER BY n;
REPLACE TABLE c19_replace (n UInt64, s String) ENGINE = MergeTree ORDER BY n;
CREATE TABLE c19_dict_src (key1 UInt64, value String) ENGINE = Memory;
CREATE DICTIONARY c19_replace_dict (key1 UInt64, value String) PRIMARY KEY key1 SOURCE(CLICKHOUSE(TABLE 'c19_dict_src')) LAYOUT(FLAT()) LIFETIME(0);
REPLACE DICTIONARY c19_replace_dict (key1 UInt64, value String DEFAULT 'x') PRIMARY KEY key1 SOURCE(CLICKHOUSE(TABLE 'c19_dict_src')) LAYOUT(HASHED) LIFETIME(MIN 1 MAX 10);

-- F15: the engine before AS table (ClickHouse test 01056).
CREATE TABLE c19_as_src (key Int32, s String DEFAULT 'a') ENGINE = Memory;
CREATE TABLE c19_as_engine_first ENGINE = Memory AS c19_as_src;
CREATE TABLE c19_as_engine_first_mt ENGINE = MergeTree ORDER BY key AS ${db}.c19_as_src;
CREATE TABLE c19_as_engine_after AS c19_as_src ENGINE = Log;

-- F20: ALTER COLUMN x TYPE T is MODIFY COLUMN x T (ClickHouse test 02126).
CREATE TABLE c19_alter_type (a Int32, x Int32, y String) ENGINE = MergeTree ORDER BY a;
ALTER TABLE c19_alter_type ALTER COLUMN x TYPE Float32;
ALTER TABLE c19_alter_type ALTER COLUMN IF EXISTS y TYPE LowCardinality(String), ALTER COLUMN x TYPE Float64;

-- F21: COLLATE after a column type is ignored (ClickHouse test 02269).
CREATE TABLE c19_collate (x varchar(255) COLLATE utf8_unicode_ci NOT NULL, y String COLLATE binary DEFAULT 'b') ENGINE = Memory;

-- F28: a LAYOUT without parentheses (ClickHouse tests 01110, 01552, 01721).
CREATE DICTIONARY c19_layout_bare (key1 UInt64, value String) PRIMARY KEY key1 LAYOUT(HASHED)
SOURCE(CLICKHOUSE(TABLE 'c19_dict_src')) LIFETIME(MIN 1 MAX 10);
CREATE DICTIONARY c19_layout_flat (key1 UInt64, value String) PRIMARY KEY key1 LAYOUT(flat) SOURCE(CLICKHOUSE(TABLE 'c19_dict_src')) LIFETIME(0);

-- F30: a dictionary attribute DEFAULT that is a negative number, a float
-- or an array (ClickHouse tests 01043, 01902).
CREATE TABLE c19_dict_default_src (key Int64, v String, a Array(Int64), f Float64, g Float64) ENGINE = Memory;
CREATE DICTIONARY c19_dict_default (key Int64 DEFAULT -1, v String DEFAULT 'x', a Array(Int64) DEFAULT [1,2,3], f Float64 DEFAULT 1.5e3, g Float64 DEFAULT -2.5)
PRIMARY KEY key SOURCE(CLICKHOUSE(TABLE 'c19_dict_default_src')) LAYOUT(FLAT()) LIFETIME(0);

-- F32: EMPTY AS SELECT creates the object without its data (02343).
-- expect-unsupported
CREATE TABLE c19_empty ENGINE = Memory EMPTY AS SELECT 1 AS x;

-- F38: a POLYGON or IP_TRIE dictionary keeps its key's type; a simple key
-- is UInt64 (ClickHouse test 01904).
CREATE TABLE c19_polygon_src (key Array(Array(Array(Tuple(Float64, Float64)))), value UInt64) ENGINE = TinyLog;
CREATE DICTIONARY c19_polygon (key Array(Array(Array(Tuple(Float64, Float64)))), value UInt64) PRIMARY KEY key
SOURCE(CLICKHOUSE(TABLE 'c19_polygon_src')) LIFETIME(0) LAYOUT(POLYGON());
CREATE TABLE c19_trie_src (prefix String, asn UInt32) ENGINE = Memory;
CREATE DICTIONARY c19_trie (prefix String, asn UInt32) PRIMARY KEY prefix SOURCE(CLICKHOUSE(TABLE 'c19_trie_src')) LAYOUT(IP_TRIE) LIFETIME(0);

-- F5, F5b: a Nested column by its base name (ClickHouse tests 00030,
-- 00061): DROP COLUMN n drops every n.x; ADD COLUMN IF NOT EXISTS n
-- Nested(…) adds nothing when any n.x exists; DROP COLUMN IF EXISTS n
-- looks for a column named n and drops nothing.
CREATE TABLE c19_nested (k UInt64, n Nested(a UInt8, s String), m Nested(a UInt32, b UInt64), z UInt8) ENGINE = MergeTree ORDER BY k;
ALTER TABLE c19_nested DROP COLUMN n;
ALTER TABLE c19_nested DROP COLUMN m.b;
ALTER TABLE c19_nested ADD COLUMN IF NOT EXISTS m Nested(a UInt32, b UInt64);
ALTER TABLE c19_nested DROP COLUMN IF EXISTS m;
ALTER TABLE c19_nested ADD COLUMN IF NOT EXISTS p Nested(a UInt32, b UInt64) AFTER k, ADD COLUMN x String AFTER p;

-- F40: SQL functions whose names start with a digit (ClickHouse tests
-- 01856, 02483), called from other functions and from defaults, which
-- the server inlines.
CREATE FUNCTION 01856_${fn}f1 AS (a) -> a + 1;
CREATE FUNCTION 01856_${fn}f2 AS (a, b) -> a + b;
CREATE FUNCTION 02483_${fn}f3 AS (x) -> 01856_${fn}f2(x, 1) * 2;
DROP FUNCTION 01856_${fn}f1;
CREATE TABLE c19_digit_fn (a UInt8, b UInt8 DEFAULT 01856_${fn}f2(a, 1), c UInt16 MATERIALIZED 02483_${fn}f3(a)) ENGINE = Memory;

-- A name that starts with a digit inside the default of a column without
-- a type (ClickHouse test 02015): read, and the table is uncertain.
-- expect-unsupported
CREATE TABLE c19_digit_typeless (a UInt64, 1b DEFAULT a + 1, c MATERIALIZED 1b * 2) ENGINE = TinyLog;

-- F13, F35: CREATE TABLE AS a table whose columns the model does not know
-- (a CREATE … AS SELECT, a system table) is uncertain too (ClickHouse
-- tests 01109, 02184).
-- expect-unsupported
CREATE TABLE c19_ctas ENGINE = Memory AS SELECT 1 AS x;
-- expect-unsupported
CREATE TABLE c19_as_ctas AS c19_ctas;
-- expect-unsupported
CREATE TABLE c19_as_system AS system.one ENGINE = Null();

-- F23: a one-element tuple (x,) is tuple(x), in views and defaults
-- (ClickHouse test 01155).
CREATE TABLE c19_tuple1 (a String, t Tuple(String) DEFAULT (a,), u Tuple(UInt8) DEFAULT (1,)) ENGINE = Memory;
CREATE VIEW c19_tuple1_view AS SELECT (*,).1 AS s, (a, ).1 AS x, ((a),) AS y, (a) AS z, tuple(a, 1) AS w, tupleElement((1, 2), 1) AS n FROM c19_tuple1;
CREATE MATERIALIZED VIEW c19_tuple1_mv ENGINE = Memory AS SELECT (*,).1 || 'mv1' AS s FROM c19_tuple1;

-- F34: in a column's expression the server folds the constant expression
-- that names a dictionary or a Join table into its value; a literal
-- dictionary name is qualified, a Join table's is not; views keep what
-- is written; a Dictionary table's name argument is evaluated (ClickHouse
-- tests 02433, 02155).
CREATE TABLE c19_fold_join (country String, location Array(Int32)) ENGINE = Join(ANY, LEFT, country);
CREATE TABLE c19_fold_src (k UInt64, v String) ENGINE = Memory;
CREATE DICTIONARY c19_fold_dict (k UInt64, v String) PRIMARY KEY k SOURCE(CLICKHOUSE(TABLE 'c19_fold_src')) LAYOUT(FLAT()) LIFETIME(0);
CREATE TABLE c19_fold_t (id Int32,
  p UInt16 MATERIALIZED if(id IN joinGet(concat(currentDatabase(), '.c19_fold_join'), 'location', 'CLICK'), 123, 456),
  q String DEFAULT dictGet(concat(currentDatabase(), '.c19_fold_dict'), 'v', toUInt64(id)),
  r String DEFAULT currentDatabase(), s String DEFAULT concat(currentDatabase(), 'x'),
  t UInt8 DEFAULT dictHas(currentDatabase() || '.c19_fold_dict', toUInt64(id)),
  w Array(Int32) DEFAULT joinGetOrNull('c19_fold_join', 'location', 'x')) ENGINE = MergeTree ORDER BY tuple();
-- (Not in an ALTER: ADD COLUMN x String DEFAULT dictGet(concat(…), …)
-- keeps the call, which a rendered CREATE would fold; parser/convert.go.)
CREATE VIEW c19_fold_view AS SELECT dictGet(concat(currentDatabase(), '.c19_fold_dict'), 'v', toUInt64(1)) AS x, joinGet('c19_fold_join', 'location', 'x') AS y, dictGet('c19_fold_dict', 'v', toUInt64(2)) AS z;
CREATE TABLE c19_fold_w_dict_table (k UInt64, v String) ENGINE = Dictionary(concat(currentDatabase(), '.c19_fold_dict'));

-- F39: a view that selects columns without a type leaves its columns to
-- the server (ClickHouse test 00794).
-- expect-unsupported
CREATE TABLE c19_typeless_src (d Date, z UInt64, a ALIAS z == 1, b DEFAULT z * 3) ENGINE = MergeTree ORDER BY d;
CREATE MATERIALIZED VIEW c19_typeless_mv ENGINE = MergeTree ORDER BY d AS SELECT d, a, b FROM c19_typeless_src;
CREATE VIEW c19_typeless_view AS SELECT * FROM c19_typeless_src;

-- Found by TestCorpora on ClickHouse's tests: ALTER TABLE d MODIFY COMMENT
-- of a dictionary (02155); CREATE TABLE AS a table with column TTLs and
-- an engine other than MergeTree leaves the TTLs out (02230).
CREATE TABLE c19_dcomment_src (id UInt64, value String) ENGINE = Memory;
CREATE DICTIONARY c19_dcomment (id UInt64, value String) PRIMARY KEY id SOURCE(CLICKHOUSE(TABLE 'c19_dcomment_src')) LAYOUT(DIRECT()) COMMENT 'c0';
ALTER TABLE c19_dcomment MODIFY COMMENT 'c1';
ALTER TABLE c19_dcomment MODIFY COMMENT 'c2', MODIFY COMMENT 'c3';
CREATE TABLE c19_ttl_src (d Date, x UInt8 TTL d + 7, y UInt8) ENGINE = MergeTree ORDER BY d TTL d + 30;
CREATE TABLE c19_ttl_null AS c19_ttl_src ENGINE = Null;
CREATE TABLE c19_ttl_memory AS c19_ttl_src ENGINE = Memory;
CREATE TABLE c19_ttl_mt AS c19_ttl_src ENGINE = ReplacingMergeTree ORDER BY d;
