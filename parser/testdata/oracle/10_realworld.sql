-- Forms seen in open-source projects' ClickHouse migrations (PostHog,
-- Plausible, SigNoz, Aspects style), written from scratch.
CREATE TABLE IF NOT EXISTS rw_events (
    uuid UUID,
    event VARCHAR,
    properties VARCHAR CODEC(ZSTD(3)),
    timestamp DateTime64(6, 'UTC'),
    team_id Int64,
    distinct_id VARCHAR,
    elements_chain VARCHAR,
    created_at DateTime64(6, 'UTC'),
    person_id UUID,
    `$group_0` VARCHAR DEFAULT '',
    mat_browser VARCHAR MATERIALIZED replaceRegexpAll(JSONExtractRaw(properties, '$browser'), concat('^[', regexpQuoteMeta('"'), ']*|[', regexpQuoteMeta('"'), ']*$'), ''),
    _timestamp DateTime,
    _offset UInt64,
    INDEX kafka_timestamp_minmax_events _timestamp TYPE minmax GRANULARITY 3
) ENGINE = ReplacingMergeTree(_timestamp)
PARTITION BY toYYYYMM(timestamp)
ORDER BY (team_id, toDate(timestamp), event, cityHash64(distinct_id), cityHash64(uuid))
SAMPLE BY cityHash64(distinct_id);
ALTER TABLE rw_events ADD COLUMN IF NOT EXISTS mat_os VARCHAR MATERIALIZED JSONExtractString(properties, '$os');
ALTER TABLE rw_events ADD COLUMN IF NOT EXISTS elements_hash UInt64 DEFAULT 0 COMMENT 'hash';
CREATE TABLE IF NOT EXISTS rw_sessions (
    session_id String,
    sign Int8,
    domain String,
    user_id UInt64,
    hostname String,
    start DateTime,
    timestamp DateTime,
    exit_page String,
    referrer_source String,
    country_code LowCardinality(FixedString(2)),
    screen_size LowCardinality(String),
    `entry_meta.key` Array(String),
    `entry_meta.value` Array(String),
    is_bounce UInt8,
    duration UInt32,
    pageviews Int32,
    events Int32,
    transferred_from String
) ENGINE = CollapsingMergeTree(sign)
PARTITION BY toYYYYMM(start)
ORDER BY (domain, toDate(start), user_id, session_id)
SAMPLE BY user_id
SETTINGS index_granularity = 8192;
CREATE TABLE IF NOT EXISTS rw_spans (
    timestamp DateTime64(9) CODEC(DoubleDelta, LZ4),
    traceID FixedString(32) CODEC(ZSTD(1)),
    spanID String CODEC(ZSTD(1)),
    serviceName LowCardinality(String) CODEC(ZSTD(1)),
    name LowCardinality(String) CODEC(ZSTD(1)),
    durationNano UInt64 CODEC(T64, ZSTD(1)),
    statusCode Int16 CODEC(T64, ZSTD(1)),
    tagMap Map(LowCardinality(String), String) CODEC(ZSTD(1)),
    stringTagMap Map(String, String) CODEC(ZSTD(1)),
    events Array(String) CODEC(ZSTD(2)),
    hasError bool CODEC(T64, ZSTD(1)),
    INDEX idx_service serviceName TYPE bloom_filter GRANULARITY 4,
    INDEX idx_name name TYPE bloom_filter GRANULARITY 4,
    INDEX idx_duration durationNano TYPE minmax GRANULARITY 1,
    INDEX idx_tagMapKeys mapKeys(tagMap) TYPE bloom_filter(0.01) GRANULARITY 64,
    INDEX idx_tagMapValues mapValues(tagMap) TYPE bloom_filter(0.01) GRANULARITY 64
) ENGINE = MergeTree
PARTITION BY toDate(timestamp)
PRIMARY KEY (serviceName, hasError, toStartOfHour(timestamp), name)
ORDER BY (serviceName, hasError, toStartOfHour(timestamp), name, timestamp)
TTL toDateTime(timestamp) + INTERVAL 604800 SECOND DELETE
SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1;
CREATE TABLE IF NOT EXISTS rw_error_index (
    timestamp DateTime64(9) CODEC(DoubleDelta, LZ4),
    errorID FixedString(32) CODEC(ZSTD(1)),
    groupID FixedString(32) CODEC(ZSTD(1)),
    traceID FixedString(32) CODEC(ZSTD(1)),
    serviceName LowCardinality(String) CODEC(ZSTD(1)),
    exceptionType LowCardinality(String) CODEC(ZSTD(1)),
    exceptionMessage String CODEC(ZSTD(1)),
    INDEX idx_error_id errorID TYPE bloom_filter GRANULARITY 4
) ENGINE = MergeTree
PARTITION BY toDate(timestamp)
ORDER BY (timestamp, groupID)
TTL toDateTime(timestamp) + INTERVAL 604800 SECOND DELETE;
CREATE MATERIALIZED VIEW IF NOT EXISTS rw_error_mv TO rw_error_index AS
SELECT
    timestamp,
    spanID AS errorID,
    lower(hex(MD5(concat(serviceName, name)))) AS groupID,
    traceID,
    serviceName,
    name AS exceptionType,
    tagMap['exception.message'] AS exceptionMessage
FROM rw_spans
WHERE hasError = true AND statusCode >= 500;
CREATE TABLE IF NOT EXISTS rw_usage (
    day Date,
    team_id Int64,
    count AggregateFunction(count, UInt64),
    users AggregateFunction(uniq, UUID),
    p95 AggregateFunction(quantile(0.95), UInt64)
) ENGINE = AggregatingMergeTree ORDER BY (team_id, day);
CREATE MATERIALIZED VIEW IF NOT EXISTS rw_usage_mv TO rw_usage AS
SELECT toDate(timestamp) AS day, team_id, countState(toUInt64(1)) AS count, uniqState(person_id) AS users, quantileState(0.95)(toUInt64(elements_hash)) AS p95
FROM rw_events GROUP BY day, team_id;
CREATE VIEW IF NOT EXISTS rw_view_complex AS
SELECT
    team_id,
    countIf(event = '$pageview') AS pageviews,
    uniqExactIf(distinct_id, event != '') AS users,
    sumIf(1, timestamp > now() - INTERVAL 7 DAY) AS recent,
    arrayJoin([1, 2, 3]) AS n,
    CASE WHEN team_id > 10 THEN 'big' WHEN team_id > 5 THEN 'mid' ELSE 'small' END AS size,
    toStartOfInterval(timestamp, INTERVAL 15 MINUTE) AS bucket,
    if(empty(event), NULL, event) AS ev,
    coalesce(nullIf(distinct_id, ''), 'anon') AS who,
    `$group_0` AS g0
FROM rw_events
WHERE team_id IN (1, 2, 3) AND NOT (event LIKE '$%') AND timestamp BETWEEN '2020-01-01' AND '2030-01-01'
GROUP BY team_id, n, size, bucket, ev, who, g0
HAVING pageviews > 0
ORDER BY team_id ASC, pageviews DESC
LIMIT 10 BY team_id
LIMIT 1000;
CREATE VIEW IF NOT EXISTS rw_view_join AS
SELECT e.team_id, s.domain, count() AS c
FROM rw_events AS e
LEFT JOIN rw_sessions AS s ON toUInt64(e.team_id) = s.user_id
GROUP BY e.team_id, s.domain;
CREATE VIEW IF NOT EXISTS rw_view_with AS
WITH 10 AS lim, toDate('2024-01-01') AS d0
SELECT team_id, count() AS c FROM rw_events WHERE toDate(timestamp) >= d0 GROUP BY team_id ORDER BY c DESC LIMIT lim;
CREATE VIEW IF NOT EXISTS rw_view_array_join AS
SELECT traceID, k, v FROM rw_spans ARRAY JOIN mapKeys(tagMap) AS k, mapValues(tagMap) AS v;
CREATE VIEW IF NOT EXISTS rw_view_final AS SELECT domain, sum(sign) AS s FROM rw_sessions FINAL GROUP BY domain;
CREATE VIEW IF NOT EXISTS rw_view_subq AS
SELECT team_id, c FROM (SELECT team_id, count() AS c FROM rw_events GROUP BY team_id) AS t WHERE c > 1;
CREATE VIEW IF NOT EXISTS rw_view_union AS
SELECT 'a' AS src, team_id FROM rw_events UNION ALL SELECT 'b' AS src, toInt64(user_id) AS team_id FROM rw_sessions;
CREATE VIEW IF NOT EXISTS rw_view_window AS
SELECT team_id, timestamp, row_number() OVER (PARTITION BY team_id ORDER BY timestamp DESC) AS rn FROM rw_events;
CREATE VIEW IF NOT EXISTS rw_view_lambda AS
SELECT arrayFilter(x -> (x > 1), [1, 2, 3]) AS a, arrayMap((x, y) -> (x + y), [1, 2], [3, 4]) AS b, tupleElement((1, 'x'), 2) AS te;
CREATE VIEW IF NOT EXISTS rw_view_distinct AS SELECT DISTINCT event FROM rw_events;
CREATE VIEW IF NOT EXISTS rw_view_prewhere AS SELECT uuid FROM rw_events PREWHERE team_id = 1 WHERE event = 'x';
CREATE VIEW IF NOT EXISTS rw_view_in_sub AS SELECT uuid FROM rw_events WHERE team_id GLOBAL IN (SELECT team_id FROM rw_usage);
ALTER TABLE rw_spans MODIFY TTL toDateTime(timestamp) + INTERVAL 1296000 SECOND DELETE;
ALTER TABLE rw_spans ADD COLUMN IF NOT EXISTS kind Int8 DEFAULT 0 CODEC(T64, ZSTD(1));
ALTER TABLE rw_spans ADD INDEX IF NOT EXISTS idx_kind kind TYPE minmax GRANULARITY 4;
ALTER TABLE rw_sessions ADD COLUMN IF NOT EXISTS city_geoname_id UInt32 AFTER country_code;
ALTER TABLE rw_sessions MODIFY COLUMN screen_size LowCardinality(String) DEFAULT '';
ALTER TABLE rw_events DROP INDEX IF EXISTS kafka_timestamp_minmax_events;
ALTER TABLE rw_events ADD COLUMN IF NOT EXISTS tags Array(LowCardinality(String)) DEFAULT [];
ALTER TABLE rw_events ADD COLUMN IF NOT EXISTS m Map(String, UInt64) DEFAULT map();
ALTER TABLE rw_events ADD COLUMN IF NOT EXISTS inserted_at Nullable(DateTime64(6, 'UTC')) DEFAULT NULL;
ALTER TABLE rw_events ADD COLUMN IF NOT EXISTS is_identified Bool DEFAULT false;
ALTER TABLE rw_events ADD COLUMN IF NOT EXISTS dt64 DateTime64(3) DEFAULT toDateTime64(now(), 3);
ALTER TABLE rw_events ADD COLUMN IF NOT EXISTS ip IPv6 DEFAULT toIPv6('::');
ALTER TABLE rw_events ADD COLUMN IF NOT EXISTS flag UInt8 ALIAS if(team_id > 0, 1, 0);
CREATE TABLE IF NOT EXISTS rw_kv (key String, value String, version UInt64) ENGINE = ReplacingMergeTree(version) ORDER BY key SETTINGS allow_nullable_key = 0;
CREATE TABLE IF NOT EXISTS rw_null_sink (uuid UUID, data String) ENGINE = Null;
CREATE MATERIALIZED VIEW IF NOT EXISTS rw_null_mv TO rw_kv AS SELECT toString(uuid) AS key, data AS value, toUInt64(now()) AS version FROM rw_null_sink;
