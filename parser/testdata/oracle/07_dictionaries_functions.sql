-- Dictionaries and SQL functions.
CREATE TABLE dict_src (id UInt64, name String, parent UInt64, start Date, stop Date, v Float64) ENGINE = MergeTree ORDER BY id;
CREATE DICTIONARY d_hashed (
    id UInt64,
    name String DEFAULT 'unknown',
    parent UInt64 HIERARCHICAL
) PRIMARY KEY id
SOURCE(CLICKHOUSE(TABLE 'dict_src' DB '${db}'))
LIFETIME(MIN 0 MAX 300)
LAYOUT(HASHED())
COMMENT 'a dictionary';
CREATE DICTIONARY d_flat (id UInt64, name String) PRIMARY KEY id
SOURCE(CLICKHOUSE(QUERY 'SELECT id, name FROM ${db}.dict_src'))
LIFETIME(600) LAYOUT(FLAT());
CREATE DICTIONARY d_complex (id UInt64, name String, v Float64 DEFAULT 0) PRIMARY KEY id, name
SOURCE(CLICKHOUSE(TABLE 'dict_src' DB '${db}' USER 'default'))
LIFETIME(MIN 60 MAX 120) LAYOUT(COMPLEX_KEY_HASHED());
CREATE DICTIONARY d_range (id UInt64, start Date, stop Date, v Float64) PRIMARY KEY id
SOURCE(CLICKHOUSE(TABLE 'dict_src' DB '${db}'))
LIFETIME(MIN 0 MAX 1000) LAYOUT(RANGE_HASHED()) RANGE(MIN start MAX stop);
CREATE DICTIONARY d_expr (id UInt64, name String EXPRESSION upper(name), v Float64 INJECTIVE) PRIMARY KEY id
SOURCE(CLICKHOUSE(TABLE 'dict_src' DB '${db}'))
LIFETIME(0) LAYOUT(HASHED(SHARDS 4));
CREATE DICTIONARY d_cache (id UInt64, name String) PRIMARY KEY id
SOURCE(CLICKHOUSE(TABLE 'dict_src' DB '${db}'))
LIFETIME(MIN 1 MAX 10) LAYOUT(CACHE(SIZE_IN_CELLS 1000));
CREATE DICTIONARY IF NOT EXISTS d_flat (id UInt64) PRIMARY KEY id SOURCE(NULL()) LAYOUT(FLAT()) LIFETIME(0);
CREATE FUNCTION ${fn}add AS (x, y) -> x + y * 2;
CREATE FUNCTION ${fn}one AS (x) -> x + 1;
CREATE FUNCTION ${fn}if AS (a, b) -> if(a > b, a, b);
CREATE FUNCTION ${fn}plain AS (s) -> lower(s);
CREATE FUNCTION IF NOT EXISTS ${fn}plain AS (s) -> upper(s);
CREATE OR REPLACE FUNCTION ${fn}replaced AS (x) -> x;
CREATE OR REPLACE FUNCTION ${fn}replaced AS (x) -> x * 10;
CREATE FUNCTION ${fn}dropped AS (x) -> x;
DROP FUNCTION ${fn}dropped;
DROP FUNCTION IF EXISTS ${fn}dropped;
CREATE TABLE dict_src32 (id Int32, name String) ENGINE = MergeTree ORDER BY id;
CREATE DICTIONARY d_int32_key (id Int32, name String) PRIMARY KEY id
SOURCE(CLICKHOUSE(TABLE 'dict_src32' DB '${db}')) LIFETIME(300) LAYOUT(HASHED());
CREATE DICTIONARY d_int32_complex (id Int32, name String) PRIMARY KEY id
SOURCE(CLICKHOUSE(TABLE 'dict_src32' DB '${db}')) LIFETIME(300) LAYOUT(COMPLEX_KEY_HASHED());
CREATE DICTIONARY d_password (id UInt64, name String) PRIMARY KEY id
SOURCE(CLICKHOUSE(HOST 'localhost' PORT 9000 USER 'default' PASSWORD 'secret' TABLE 'dict_src' DB '${db}'))
LIFETIME(0) LAYOUT(FLAT());
CREATE DICTIONARY d_postgres (id UInt64, name String) PRIMARY KEY id
SOURCE(POSTGRESQL(port 5432 host 'h' user 'u' password 'p' db 'd' table 't'))
LIFETIME(MIN 300 MAX 360) LAYOUT(HASHED());
CREATE DICTIONARY d_invalidate (id UInt64, name String) PRIMARY KEY id
SOURCE(CLICKHOUSE(QUERY 'SELECT id, name FROM ${db}.dict_src' INVALIDATE_QUERY 'SELECT max(id) FROM ${db}.dict_src'))
LIFETIME(MIN 0 MAX 1000) LAYOUT(HASHED(SHARDS 2 SHARD_LOAD_QUEUE_BACKLOG 100)) SETTINGS(format_csv_allow_single_quotes = 0);
