-- +up
CREATE TABLE IF NOT EXISTS ${XAPI_DB}.xapi_events_all_parsed ${ON_CLUSTER} (
    event_id UUID NOT NULL,
    verb_id LowCardinality(String) NOT NULL,
    actor_id String NOT NULL,
    object_id String NOT NULL,
    course_id String NOT NULL,
    org LowCardinality(String) NOT NULL,
    emission_time DateTime64(6) NOT NULL CODEC(Delta, ZSTD),
    event_str String NOT NULL
) ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(emission_time)
PRIMARY KEY (org, course_id, verb_id)
ORDER BY (org, course_id, verb_id, actor_id, emission_time, event_id)
TTL toDateTime(emission_time) + INTERVAL 5 YEAR;

CREATE MATERIALIZED VIEW IF NOT EXISTS ${XAPI_DB}.xapi_events_all_parsed_mv ${ON_CLUSTER}
TO ${XAPI_DB}.xapi_events_all_parsed AS
SELECT
    event_id,
    JSONExtractString(event, 'verb', 'id') AS verb_id,
    JSONExtractString(event, 'actor', 'account', 'name') AS actor_id,
    JSONExtractString(event, 'object', 'id') AS object_id,
    splitByString('/', JSONExtractString(event, 'object', 'id'))[5] AS course_id,
    nullIf(extract(course_id, 'course-v1:([^+]+)'), '') AS org,
    emission_time,
    event AS event_str
FROM ${XAPI_DB}.xapi_events_all;

-- +down
DROP VIEW IF EXISTS ${XAPI_DB}.xapi_events_all_parsed_mv ${ON_CLUSTER};
DROP TABLE IF EXISTS ${XAPI_DB}.xapi_events_all_parsed ${ON_CLUSTER};
