-- error
plan_vector.log_level_counts cannot be changed in place: the storage of its inner table changes (ClickHouse has no ALTER for this; rebuild it with --allow-recreate, which copies the rows into a new table and exchanges the two)
