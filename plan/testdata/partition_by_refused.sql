-- error
plan_event_sink.user_profile cannot be changed in place: PARTITION BY changes from none to toYear(time_last_dumped) (ClickHouse has no ALTER for this; rebuild it with --allow-recreate, which copies the rows into a new table and exchanges the two)
