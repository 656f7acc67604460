-- +up
-- Raw xAPI statements as Ralph inserts them.
CREATE TABLE IF NOT EXISTS ${XAPI_DB}.xapi_events_all ${ON_CLUSTER} (
    event_id UUID NOT NULL,
    emission_time DateTime64(6) NOT NULL,
    event String NOT NULL,
    inserted_at DateTime DEFAULT now()
) ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(emission_time)
ORDER BY (emission_time, event_id)
TTL toDateTime(emission_time) + INTERVAL 5 YEAR
SETTINGS index_granularity = 8192;

-- +down
DROP TABLE IF EXISTS ${XAPI_DB}.xapi_events_all ${ON_CLUSTER};
