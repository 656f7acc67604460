-- +up
CREATE MATERIALIZED VIEW IF NOT EXISTS ${VECTOR_DB}.log_level_counts ${ON_CLUSTER}
ENGINE = SummingMergeTree
ORDER BY (day, level)
AS SELECT toDate(time) AS day, level, count() AS n
FROM ${VECTOR_DB}.tracking_logs
GROUP BY day, level;

-- +down
DROP VIEW IF EXISTS ${VECTOR_DB}.log_level_counts ${ON_CLUSTER};
