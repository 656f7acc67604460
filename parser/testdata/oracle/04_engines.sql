-- Engines, keys, TTL, settings and comments.
CREATE TABLE e_mt (k UInt64, v String) ENGINE = MergeTree ORDER BY k;
CREATE TABLE e_mt_parens (k UInt64, v String) ENGINE = MergeTree() ORDER BY (k);
CREATE TABLE e_tuple (k UInt64) ENGINE = MergeTree ORDER BY tuple();
CREATE TABLE e_keys (
    a UInt32, b UInt32, c UInt32, ts DateTime
) ENGINE = MergeTree PARTITION BY toYYYYMM(ts) PRIMARY KEY (a, b) ORDER BY (a, b, c) SAMPLE BY b
  SETTINGS index_granularity = 4096;
CREATE TABLE e_part_tuple (a UInt32, b UInt32) ENGINE = MergeTree PARTITION BY (a, b) ORDER BY a;
CREATE TABLE e_part_one (a UInt32, b UInt32) ENGINE = MergeTree PARTITION BY (a) ORDER BY a PRIMARY KEY a;
CREATE TABLE e_replacing (
    id UInt64, ver UInt64, ts DateTime, deleted UInt8
) ENGINE = ReplacingMergeTree(ver) PARTITION BY toYYYYMM(ts) ORDER BY id TTL ts + INTERVAL 1 MONTH;
CREATE TABLE e_replacing_del (
    id UInt64, ver UInt64, is_deleted UInt8
) ENGINE = ReplacingMergeTree(ver, is_deleted) ORDER BY id;
CREATE TABLE e_summing (k String, a UInt64, b UInt64) ENGINE = SummingMergeTree((a, b)) ORDER BY k;
CREATE TABLE e_summing_plain (k String, a UInt64) ENGINE = SummingMergeTree ORDER BY k;
CREATE TABLE e_collapsing (k String, sign Int8) ENGINE = CollapsingMergeTree(sign) ORDER BY k;
CREATE TABLE e_vcollapsing (k String, sign Int8, version UInt32) ENGINE = VersionedCollapsingMergeTree(sign, version) ORDER BY k;
CREATE TABLE e_aggregating (k String, c AggregateFunction(count)) ENGINE = AggregatingMergeTree ORDER BY k;
CREATE TABLE e_memory (k UInt64) ENGINE = Memory;
CREATE TABLE e_log (k UInt64) ENGINE = Log();
CREATE TABLE e_tinylog (k UInt64) ENGINE = TinyLog;
CREATE TABLE e_stripelog (k UInt64) ENGINE = StripeLog;
CREATE TABLE e_null (k UInt64) ENGINE = Null;
CREATE TABLE e_buffer (k UInt64) ENGINE = Buffer(currentDatabase(), e_mt, 16, 10, 100, 10000, 1000000, 10000000, 100000000);
CREATE TABLE e_merge (k UInt64) ENGINE = Merge(currentDatabase(), '^e_m');
CREATE TABLE e_set (k UInt64) ENGINE = Set;
CREATE TABLE e_join (k UInt64, v String) ENGINE = Join(ANY, LEFT, k);
CREATE TABLE e_ttl_multi (
    k UInt64, ts DateTime, v String
) ENGINE = MergeTree ORDER BY k TTL ts + INTERVAL 1 DAY, ts + INTERVAL 2 DAY DELETE WHERE v = 'x';
CREATE TABLE e_settings (k UInt64) ENGINE = MergeTree ORDER BY k
  SETTINGS index_granularity = 8192, min_bytes_for_wide_part = 0, merge_with_ttl_timeout = 3600;
CREATE TABLE e_settings_str (k UInt64) ENGINE = MergeTree ORDER BY k SETTINGS storage_policy = 'default';
CREATE TABLE e_comment (k UInt64) ENGINE = MergeTree ORDER BY k COMMENT 'with a comment';
CREATE TABLE e_comment_quote (k UInt64) ENGINE = Memory COMMENT 'it''s';
CREATE TABLE e_order_expr (k UInt64, ts DateTime) ENGINE = MergeTree ORDER BY (toDate(ts), k, cityHash64(k)) SAMPLE BY cityHash64(k);
CREATE TABLE e_indexes (
    k UInt64, s String, ts DateTime,
    INDEX ix_minmax ts TYPE minmax GRANULARITY 2,
    INDEX ix_bloom s TYPE bloom_filter(0.01),
    INDEX ix_set k TYPE set(100) GRANULARITY 4,
    INDEX ix_ngram s TYPE ngrambf_v1(3, 256, 2, 0) GRANULARITY 1,
    INDEX ix_token lower(s) TYPE tokenbf_v1(512, 3, 0) GRANULARITY 1,
    INDEX ix_expr k * 2 TYPE minmax
) ENGINE = MergeTree ORDER BY k;
CREATE TABLE e_projection (
    k UInt64, g String, v UInt64,
    PROJECTION p_sorted (SELECT k, g ORDER BY g),
    PROJECTION p_agg (SELECT g, sum(v) GROUP BY g)
) ENGINE = MergeTree ORDER BY k;
CREATE TABLE e_constraints (
    k UInt64, v Int64,
    CONSTRAINT c_pos CHECK v > 0,
    CONSTRAINT c_assume ASSUME k < 1000000
) ENGINE = MergeTree ORDER BY k;
CREATE TABLE IF NOT EXISTS e_mt (other UInt8) ENGINE = Memory;
CREATE TABLE e_as AS e_keys;
CREATE TABLE e_as_engine AS e_keys ENGINE = ReplacingMergeTree ORDER BY (a, b, c, ts);
CREATE TABLE e_as_memory AS e_indexes ENGINE = Memory;
CREATE OR REPLACE TABLE e_replaced (k UInt64) ENGINE = Memory;
CREATE OR REPLACE TABLE e_replaced (k UInt64, v String) ENGINE = MergeTree ORDER BY k;
CREATE TABLE ${db}.e_qualified (k UInt64) ENGINE = MergeTree ORDER BY k;
CREATE TABLE e_lowercase_engine (k UInt64) ENGINE = MergeTree ORDER BY k settings index_granularity=1024;
CREATE TABLE e_pk_only (k UInt64, v String) ENGINE = MergeTree PRIMARY KEY k;
CREATE TABLE e_pk_only2 (k UInt64, v String) ENGINE = MergeTree PRIMARY KEY (k, v);
CREATE TABLE e_pk_element (k UInt64, v String, PRIMARY KEY k) ENGINE = MergeTree;
CREATE TABLE e_pk_element2 (k UInt64, v String, PRIMARY KEY (k, v)) ENGINE = ReplacingMergeTree ORDER BY (k, v);
CREATE TABLE e_index_on_type (k UInt64, type String, INDEX type_idx type TYPE set(100) GRANULARITY 2) ENGINE = MergeTree ORDER BY k;
CREATE TABLE e_index_tuple (a String, b String, c Nullable(String),
    INDEX idx_abc (a, b, c) TYPE bloom_filter(0.001) GRANULARITY 1,
    INDEX idx_empty_args a TYPE bloom_filter() GRANULARITY 1,
    INDEX idx_paren (a) TYPE minmax GRANULARITY 1
) ENGINE = ReplacingMergeTree ORDER BY (a, b);
ALTER TABLE e_index_tuple ADD INDEX idx_bc (b, c) TYPE bloom_filter GRANULARITY 2;
CREATE TABLE e_null_parens (k UInt64) ENGINE = Null();
CREATE TABLE e_projections2 (a UInt8, b UInt8, c UInt8,
    PROJECTION p1 (SELECT a, b ORDER BY (a, b)),
    PROJECTION p2 (SELECT a, b ORDER BY a, b),
    PROJECTION p3 (SELECT * ORDER BY b),
    PROJECTION p5 (SELECT a, b, sum(c) GROUP BY a, b)
) ENGINE = MergeTree ORDER BY a;
CREATE TABLE e_settings_kinds (k UInt64) ENGINE = MergeTree ORDER BY k
SETTINGS allow_nullable_key = true, ttl_only_drop_parts = 1, min_age_to_force_merge_seconds = 3600, storage_policy = 'default', max_suspicious_broken_parts = 10;
CREATE TABLE e_ttl_forms (k UInt64, d DateTime, v String) ENGINE = MergeTree ORDER BY k
TTL d + toIntervalWeek(2) DELETE WHERE v = '', toDate(d) + 30;
CREATE TABLE e_ttl_recompress (k UInt64, d DateTime, v String) ENGINE = MergeTree ORDER BY k
TTL d + INTERVAL 1 MONTH RECOMPRESS CODEC(ZSTD(17)), d + INTERVAL 1 YEAR RECOMPRESS CODEC(LZ4HC), d + INTERVAL 2 YEAR;
CREATE TABLE e_ttl_group (k UInt64, k2 UInt64, d DateTime, v UInt64, w String) ENGINE = MergeTree ORDER BY (k, k2)
TTL d + INTERVAL 1 MONTH GROUP BY k SET v = max(v), w = any(w);
CREATE TABLE e_ttl_group2 (k UInt64, d DateTime, v UInt64) ENGINE = MergeTree ORDER BY k
TTL d + INTERVAL 1 DAY GROUP BY k SET v = sum(v), d + INTERVAL 1 YEAR;
