-- +up
CREATE TABLE IF NOT EXISTS ${XAPI_DB}.video_playback_events ${ON_CLUSTER} (
    emission_time DateTime64(6),
    org LowCardinality(String),
    course_key String,
    video_id String,
    actor_id String,
    verb String,
    video_position Float32
) ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(emission_time)
ORDER BY (org, course_key, video_id, actor_id, emission_time);

CREATE MATERIALIZED VIEW IF NOT EXISTS ${XAPI_DB}.video_playback_events_mv ${ON_CLUSTER}
TO ${XAPI_DB}.video_playback_events AS
SELECT
    emission_time,
    org,
    course_id AS course_key,
    object_id AS video_id,
    actor_id,
    verb_id AS verb,
    toFloat32(0) AS video_position
FROM ${XAPI_DB}.xapi_events_all_parsed
WHERE verb_id IN ('https://w3id.org/xapi/video/verbs/played', 'https://w3id.org/xapi/video/verbs/paused');

-- +down
DROP VIEW IF EXISTS ${XAPI_DB}.video_playback_events_mv ${ON_CLUSTER};
DROP TABLE IF EXISTS ${XAPI_DB}.video_playback_events ${ON_CLUSTER};
