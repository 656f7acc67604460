-- +up
-- A table an earlier release created and no report reads any more.
CREATE TABLE IF NOT EXISTS ${EVENT_SINK_DB}.course_blocks_legacy ${ON_CLUSTER} (
    block_id String,
    course_key String
) ENGINE = MergeTree ORDER BY block_id;
DROP TABLE IF EXISTS ${EVENT_SINK_DB}.course_blocks_legacy ${ON_CLUSTER} SYNC;

-- +down
-- no-op
