-- error
plan_event_sink.user_profile cannot be changed in place: ORDER BY changes from (user_id, time_last_dumped) to (country, user_id), beyond appending columns added in the same migration; the primary key changes from (user_id) to (country) (ClickHouse has no ALTER for this; rebuild it with --allow-recreate, which copies the rows into a new table and exchanges the two)
