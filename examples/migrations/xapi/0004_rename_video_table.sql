-- +up
-- Renames the playback table and gives a column a clearer name. The
-- materialized view keeps writing to the old name after a RENAME, so it is
-- recreated to point at the new one.
DROP VIEW IF EXISTS ${XAPI_DB}.video_playback_events_mv ${ON_CLUSTER};
RENAME TABLE ${XAPI_DB}.video_playback_events TO ${XAPI_DB}.video_playback_events_base ${ON_CLUSTER};
ALTER TABLE ${XAPI_DB}.video_playback_events_base ${ON_CLUSTER}
    RENAME COLUMN video_position TO position_seconds,
    COMMENT COLUMN position_seconds 'seconds into the video',
    ADD INDEX IF NOT EXISTS idx_verb verb TYPE set(10) GRANULARITY 1;
CREATE MATERIALIZED VIEW IF NOT EXISTS ${XAPI_DB}.video_playback_events_mv ${ON_CLUSTER}
TO ${XAPI_DB}.video_playback_events_base AS
SELECT
    emission_time,
    org,
    course_id AS course_key,
    object_id AS video_id,
    actor_id,
    verb_id AS verb,
    toFloat32(0) AS position_seconds
FROM ${XAPI_DB}.xapi_events_all_parsed
WHERE verb_id IN ('https://w3id.org/xapi/video/verbs/played', 'https://w3id.org/xapi/video/verbs/paused');

-- +down
-- Undoes every part of the up section: the view, the index, the column's
-- comment and name, the table's name, and the view of 0003 writing to it.
DROP VIEW IF EXISTS ${XAPI_DB}.video_playback_events_mv ${ON_CLUSTER};
ALTER TABLE ${XAPI_DB}.video_playback_events_base ${ON_CLUSTER}
    DROP INDEX IF EXISTS idx_verb,
    COMMENT COLUMN position_seconds '';
ALTER TABLE ${XAPI_DB}.video_playback_events_base ${ON_CLUSTER}
    RENAME COLUMN position_seconds TO video_position;
RENAME TABLE ${XAPI_DB}.video_playback_events_base TO ${XAPI_DB}.video_playback_events ${ON_CLUSTER};
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
