-- +up
-- Course names for the reports, read from ClickHouse itself.
CREATE DICTIONARY IF NOT EXISTS ${EVENT_SINK_DB}.course_names ${ON_CLUSTER} (
    course_key String,
    course_name String,
    org String
) PRIMARY KEY course_key
SOURCE(CLICKHOUSE(QUERY 'SELECT course_key, display_name AS course_name, org FROM ${EVENT_SINK_DB}.course_overviews FINAL'))
LAYOUT(COMPLEX_KEY_HASHED())
LIFETIME(MIN 60 MAX 120);

CREATE DICTIONARY IF NOT EXISTS ${EVENT_SINK_DB}.user_countries ${ON_CLUSTER} (
    user_id Int32,
    country String DEFAULT ''
) PRIMARY KEY user_id
SOURCE(CLICKHOUSE(TABLE 'user_profile' DB '${EVENT_SINK_DB}'))
LAYOUT(HASHED())
LIFETIME(300);

-- +down
DROP DICTIONARY IF EXISTS ${EVENT_SINK_DB}.user_countries ${ON_CLUSTER};
DROP DICTIONARY IF EXISTS ${EVENT_SINK_DB}.course_names ${ON_CLUSTER};
