-- +up
CREATE TABLE IF NOT EXISTS ${EVENT_SINK_DB}.course_overviews ${ON_CLUSTER} (
    org String NOT NULL,
    course_key String NOT NULL,
    display_name String NOT NULL,
    course_start String NOT NULL,
    course_end String NOT NULL,
    enrollment_start String NOT NULL,
    enrollment_end String NOT NULL,
    self_paced BOOLEAN NOT NULL,
    course_data_json String NOT NULL,
    created String NOT NULL,
    modified String NOT NULL,
    dump_id UUID NOT NULL,
    time_last_dumped DateTime64(6) NOT NULL
) ENGINE = ReplacingMergeTree(time_last_dumped)
PRIMARY KEY (org, course_key)
ORDER BY (org, course_key, time_last_dumped);

CREATE TABLE IF NOT EXISTS ${EVENT_SINK_DB}.user_profile ${ON_CLUSTER} (
    id Int32 NOT NULL,
    user_id Int32 NOT NULL,
    name String NOT NULL,
    language String NOT NULL,
    year_of_birth Nullable(Int32),
    gender String NOT NULL,
    country String NOT NULL,
    time_last_dumped DateTime64(6) NOT NULL
) ENGINE = ReplacingMergeTree(time_last_dumped)
PRIMARY KEY (user_id)
ORDER BY (user_id, time_last_dumped);

-- +down
DROP TABLE IF EXISTS ${EVENT_SINK_DB}.user_profile ${ON_CLUSTER};
DROP TABLE IF EXISTS ${EVENT_SINK_DB}.course_overviews ${ON_CLUSTER};
