-- +up
-- Tracking logs shipped by Vector.
CREATE TABLE IF NOT EXISTS ${VECTOR_DB}.tracking_logs ${ON_CLUSTER} (
    time DateTime,
    message String,
    level LowCardinality(String) DEFAULT 'info',
    date Date MATERIALIZED toDate(time)
) ENGINE = MergeTree
PARTITION BY toYYYYMM(time)
ORDER BY time
TTL time + INTERVAL 1 YEAR
COMMENT 'raw tracking logs';

-- +down
DROP TABLE IF EXISTS ${VECTOR_DB}.tracking_logs ${ON_CLUSTER};
