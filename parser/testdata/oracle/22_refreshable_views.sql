-- Refreshable materialized views (issue 11, model2): the REFRESH clause is
-- modelled as the server stores it. Intervals are normalised (90 SECOND is
-- 1 MINUTE 30 SECOND, 1 QUARTER is 3 MONTH, 60 MINUTE is 1 HOUR), units
-- may be abbreviated or plural, DEPENDS ON names are qualified with the
-- session's database, SETTINGS values are kept as written. EMPTY and a long
-- period keep the refreshes from running during the test: a refresh
-- without APPEND replaces its target table.
CREATE TABLE r22_src (a UInt64, b String) ENGINE = MergeTree ORDER BY a;
CREATE TABLE r22_t1 (a UInt64, b String) ENGINE = MergeTree ORDER BY a;
CREATE TABLE r22_t2 (a UInt64, b String) ENGINE = MergeTree ORDER BY a;
CREATE TABLE r22_t3 (a UInt64, b String) ENGINE = MergeTree ORDER BY a;
CREATE TABLE r22_t4 (a UInt64, b String) ENGINE = Memory;
CREATE MATERIALIZED VIEW r22_every REFRESH EVERY 1 YEAR OFFSET 10 DAY RANDOMIZE FOR 1 HOUR DEPENDS ON r22_src SETTINGS refresh_retries = 3, refresh_retry_initial_backoff_ms = 10 APPEND TO r22_t1 EMPTY AS SELECT a, b FROM r22_src;
CREATE MATERIALIZED VIEW r22_after refresh after 90000 seconds randomize for 90 MINUTE TO r22_t2 EMPTY AS SELECT a, b FROM r22_src;
CREATE MATERIALIZED VIEW r22_units REFRESH AFTER 1 qq 2 yy 25 hh 61 mi 1 s DEPENDS ON r22_every, ${db}.r22_after TO r22_t3 EMPTY AS SELECT a, b FROM r22_src;
CREATE MATERIALIZED VIEW r22_inner REFRESH EVERY 4 WEEK ENGINE = MergeTree ORDER BY a EMPTY AS SELECT a, b FROM r22_src;
CREATE MATERIALIZED VIEW r22_inner_append REFRESH EVERY 2 YEAR APPEND ENGINE = Memory EMPTY AS SELECT a FROM r22_src COMMENT 'appends';
CREATE MATERIALIZED VIEW r22_settings_bool REFRESH AFTER 3650 DAY SETTINGS all_replicas = true, refresh_retries = '2' APPEND TO r22_t4 EMPTY AS SELECT a, b FROM r22_src;
-- MODIFY REFRESH replaces the whole clause (the SETTINGS and DEPENDS ON
-- not written again are gone); APPEND must stay as it was.
ALTER TABLE r22_every MODIFY REFRESH EVERY 2 YEAR OFFSET 1 MONTH APPEND;
ALTER TABLE r22_after MODIFY REFRESH AFTER 7200 DAY DEPENDS ON r22_inner SETTINGS refresh_retries = 1;
ALTER TABLE r22_units MODIFY REFRESH EVERY 1 YEAR RANDOMIZE FOR 1 DAY, MODIFY COMMENT 'modified';
ALTER TABLE r22_inner MODIFY REFRESH EVERY 8 WEEK OFFSET 1 WEEK 1 DAY;
