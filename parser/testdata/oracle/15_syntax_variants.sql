-- Syntax variants seen in real migrations: trailing commas, ENGINE without
-- '=', CODEC (...) with a space, comments inside definitions, lower case.
CREATE TABLE IF NOT EXISTS sv_metrics (
    timestamp DateTime CODEC(DoubleDelta, ZSTD),
    name LowCardinality(String) CODEC(ZSTD),
    tags Map(String, String) CODEC(ZSTD),
    value Float64 CODEC (DoubleDelta, ZSTD),
) ENGINE = MergeTree() PRIMARY KEY (name, tags, timestamp);
CREATE TABLE sv_noeq (k UInt64, v String) ENGINE MergeTree ORDER BY k;
CREATE TABLE sv_logs (
    service_name LowCardinality(String),
    timestamp DateTime64(3, 'UTC') DEFAULT now64(3, 'UTC'),
    severity_number UInt8,
    -- derived column, computed from severity_number
    severity_text LowCardinality(String) MATERIALIZED multiIf(severity_number <= 4, 'TRACE', severity_number <= 8, 'DEBUG', 'INFO'),
    /* a block comment */ body String # a hash comment
) ENGINE = MergeTree ORDER BY (service_name, timestamp);
create table sv_lower (
    `k` UInt64 comment 'key' codec(LZ4),
    `m` Map(LowCardinality(String), String) codec (ZSTD(1)),
    `s` LowCardinality(String) materialized m['service.name'],
    index s_idx s type bloom_filter(0.01) granularity 1
) engine = ReplacingMergeTree partition by (intDiv(k, 1000), s) order by (k, s) settings index_granularity = 8192 comment 'lower case';
alter table sv_lower add column if not exists `x.y` FixedString(16) after `k`, modify column `m` comment 'map';
