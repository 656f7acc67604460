-- error
plan_event_sink.user_profile cannot be changed in place: key column `user_id` changes type from Int32 to Int64 (ClickHouse has no ALTER for this; rebuild it with --allow-recreate, which copies the rows into a new table and exchanges the two)
