-- error
plan_xapi.xapi_events_all cannot be changed in place: new sorting key column source has a default expression, which ClickHouse forbids in an appended key (ClickHouse has no ALTER for this; rebuild it with --allow-recreate, which copies the rows into a new table and exchanges the two)
