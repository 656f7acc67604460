-- SELECT forms in views, printed as system.tables.as_select shows them.
CREATE TABLE sf (id UInt64, g String, v Float64, ts DateTime, arr Array(UInt32), t Tuple(a UInt8, b String), n Nullable(String)) ENGINE = ReplacingMergeTree ORDER BY id;
CREATE VIEW sf_limit_offset AS SELECT id FROM sf ORDER BY id LIMIT 10 OFFSET 5;
CREATE VIEW sf_limit_comma AS SELECT id FROM sf ORDER BY id LIMIT 5, 10;
CREATE VIEW sf_group_all AS SELECT g, count() AS c FROM sf GROUP BY ALL;
CREATE VIEW sf_order_nulls AS SELECT n FROM sf ORDER BY n DESC NULLS FIRST, id ASC NULLS LAST;
CREATE VIEW sf_cast AS SELECT CAST(v AS Decimal(10,2)) AS d, v::Nullable(String) AS s, CAST(id, 'UInt8') AS u FROM sf;
CREATE VIEW sf_tuple AS SELECT t.a AS a, t.2 AS b, tupleElement(t, 'a') AS c, (id, g) AS pair FROM sf;
CREATE VIEW sf_in_tuple AS SELECT id FROM sf WHERE (id, g) IN ((1, 'a'), (2, 'b'));
CREATE VIEW sf_left_array_join AS SELECT id, x FROM sf LEFT ARRAY JOIN arr AS x;
CREATE VIEW sf_cte_sub AS WITH top AS (SELECT id FROM sf WHERE v > 1) SELECT id FROM top;
CREATE VIEW sf_agg_if AS SELECT g, sumIf(v, v > 0) AS pos, avgOrNull(v) AS a, quantiles(0.5, 0.9)(v) AS q, groupArray(10)(id) AS ids FROM sf GROUP BY g;
CREATE VIEW sf_having_order AS SELECT g, max(ts) AS last FROM sf GROUP BY g HAVING last > now() - INTERVAL 1 DAY ORDER BY last DESC;
CREATE VIEW sf_distinct_on AS SELECT DISTINCT g, id FROM sf;
CREATE VIEW sf_scalar_sub AS SELECT id, (SELECT max(id) FROM sf) AS mx FROM sf;
CREATE VIEW sf_exists AS SELECT id FROM sf WHERE id > 0 AND g != '' AND NOT empty(arr);
CREATE VIEW sf_multi_join AS SELECT a.id, b.g, c.v FROM sf AS a INNER JOIN sf AS b ON a.id = b.id LEFT JOIN sf AS c ON b.id = c.id AND c.v > 0;
CREATE VIEW sf_using AS SELECT id, a.g FROM sf AS a INNER JOIN sf AS b USING (id);
CREATE VIEW sf_cross AS SELECT a.id FROM sf AS a CROSS JOIN sf AS b;
CREATE VIEW sf_global AS SELECT a.id FROM sf AS a GLOBAL ANY LEFT JOIN sf AS b ON a.id = b.id;
CREATE VIEW sf_union_distinct AS SELECT id FROM sf UNION DISTINCT SELECT id FROM sf;
CREATE VIEW sf_nested_sub AS SELECT id FROM (SELECT id FROM (SELECT id FROM sf) AS x) AS y;
CREATE VIEW sf_case_expr AS SELECT CASE g WHEN 'a' THEN 1 WHEN 'b' THEN 2 END AS c FROM sf;
CREATE VIEW sf_string_funcs AS SELECT concat(g, '-', toString(id)) AS k, g || '!' AS e, lower(g) LIKE 'a%' AS l FROM sf;
CREATE VIEW sf_date_funcs AS SELECT toStartOfMonth(ts) AS m, toYYYYMMDD(ts) AS d, dateDiff('second', ts, now()) AS age, formatDateTime(ts, '%F') AS f FROM sf;
CREATE VIEW sf_settings AS SELECT id FROM sf SETTINGS max_threads = 2;
CREATE VIEW sf_final AS SELECT id FROM sf FINAL WHERE id > 1;
CREATE VIEW sf_arith AS SELECT id * 2 + 1 AS a, -(id) AS b, (v / 2) - 1 AS c, id % 3 = 0 AS d, NOT (id > 1 AND id < 5) AS e FROM sf;
CREATE VIEW sf_ternary AS SELECT id > 1 ? 'big' : 'small' AS size FROM sf;
CREATE VIEW sf_interval AS SELECT ts + INTERVAL 1 DAY AS t1, ts - INTERVAL '1' HOUR AS t2, toStartOfInterval(ts, INTERVAL 1 WEEK) AS t3 FROM sf;
CREATE VIEW sf_is_null AS SELECT n IS NULL AS a, n IS NOT NULL AS b, isNotNull(n) AS c, coalesce(n, '') AS d FROM sf;
CREATE VIEW sf_window_named AS SELECT id, sum(v) OVER w AS s FROM sf WINDOW w AS (PARTITION BY g ORDER BY ts);
CREATE VIEW sf_window_frame AS SELECT id, sum(v) OVER (PARTITION BY g ORDER BY ts ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) AS s FROM sf;
CREATE VIEW sf_except AS SELECT * EXCEPT (arr, t) FROM sf;
CREATE VIEW sf_columns AS SELECT COLUMNS('^i') FROM sf;
CREATE VIEW sf_prewhere_sample AS SELECT id FROM sf PREWHERE v > 0;
CREATE VIEW sf_with_totals AS SELECT g, count() AS c FROM sf GROUP BY g WITH TOTALS;
CREATE VIEW sf_rollup AS SELECT g, count() AS c FROM sf GROUP BY g WITH ROLLUP;
CREATE VIEW sf_map AS SELECT map('a', id) AS m, mapKeys(map('a', 1)) AS k FROM sf;
CREATE VIEW sf_array AS SELECT [1, 2, 3] AS a, arr[1] AS first, arrayJoin(arr) AS x, has(arr, 1) AS h FROM sf;
CREATE VIEW sf_lambda AS SELECT arrayMap(x -> x * 2, arr) AS d, arrayFilter((x) -> x > 1, arr) AS f, arraySort((x, y) -> y, arr, arr) AS s FROM sf;
CREATE VIEW sf_quoted AS SELECT id AS `my id`, g AS "dq" FROM sf AS `the table`;
CREATE VIEW sf_limit_by AS SELECT g, id FROM sf ORDER BY g, id LIMIT 2 BY g;
CREATE VIEW sf_frames AS SELECT
    sum(v) OVER (PARTITION BY g ORDER BY ts ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS a,
    sum(v) OVER (ORDER BY ts RANGE BETWEEN 10 PRECEDING AND 5 FOLLOWING) AS b,
    sum(v) OVER (ORDER BY ts ROWS UNBOUNDED PRECEDING) AS c,
    sum(v) OVER (ORDER BY ts ROWS 2 PRECEDING) AS d,
    sum(v) OVER (ORDER BY ts ROWS BETWEEN CURRENT ROW AND 3 FOLLOWING) AS e,
    lagInFrame(v) OVER (PARTITION BY g ORDER BY ts DESC) AS f
FROM sf;
CREATE VIEW sf_replace AS SELECT * REPLACE (id + 1 AS id) FROM sf;
CREATE VIEW sf_apply AS SELECT COLUMNS('^i') APPLY toString FROM sf;
CREATE VIEW sf_param AS SELECT id, g FROM sf WHERE id > {min_id:UInt64} AND g = {grp:String};
CREATE VIEW sf_nulls_window AS SELECT n, row_number() OVER (ORDER BY n ASC NULLS FIRST) AS r FROM sf ORDER BY r DESC NULLS LAST, n;
CREATE TABLE sf2 (id UInt64, ts DateTime, v Float64) ENGINE = MergeTree ORDER BY (id, ts);
CREATE VIEW sf_asof AS SELECT a.id, b.v FROM sf AS a ASOF JOIN sf2 AS b ON a.id = b.id AND a.ts >= b.ts;
CREATE VIEW sf_left_any AS SELECT a.id, b.v FROM sf AS a LEFT ANY JOIN sf2 AS b ON a.id = b.id;
CREATE VIEW sf_semi AS SELECT a.id FROM sf AS a LEFT SEMI JOIN sf2 AS b USING (id);
CREATE VIEW sf_grouping_sets AS SELECT g, count() AS c FROM sf GROUP BY GROUPING SETS ((g), ());
CREATE VIEW sf_cube AS SELECT g, count() AS c FROM sf GROUP BY g WITH CUBE;
CREATE VIEW sf_distinct_on_real AS SELECT DISTINCT ON (g) g, id FROM sf;
CREATE VIEW sf_numbers AS SELECT number * 2 AS n FROM numbers(10);
CREATE VIEW sf_tuple_sub AS SELECT x.1 AS a FROM (SELECT (1, 2) AS x);
CREATE VIEW sf_in_table AS SELECT id FROM sf WHERE id IN sf2;
CREATE VIEW sf_in_sub_global AS SELECT id FROM sf WHERE id GLOBAL NOT IN (SELECT id FROM sf2);
CREATE VIEW sf_exists_sub AS SELECT id FROM sf WHERE EXISTS (SELECT 1 FROM sf2 WHERE sf2.id = 1);
CREATE VIEW sf_case_nested AS SELECT CASE WHEN v > 1 THEN CASE WHEN v > 2 THEN 'c' ELSE 'b' END ELSE 'a' END AS x FROM sf;
CREATE VIEW sf_nested_funcs AS SELECT round(avg(v), 2) AS a, toString(max(ts)) AS m, if(count() > 0, 'y', 'n') AS h FROM sf;
CREATE VIEW sf_having_and AS SELECT g, count() AS c FROM sf GROUP BY g HAVING c > 1 AND g != '';
CREATE VIEW sf_expr_more AS SELECT
    CAST(v AS Nullable(Int32)) AS c1,
    toDecimal64('1.5', 2) AS c2,
    ts - INTERVAL '1' DAY AS c3,
    ts + INTERVAL 90 MINUTE AS c4,
    dateAdd(day, 1, ts) AS c5,
    date_diff('hour', ts, now()) AS c6,
    NOT n IS NULL AS c7,
    -v * 2 AS c8,
    v BETWEEN 1 AND 2 OR v > 10 AS c9,
    [1, 2][1] AS c10,
    tuple(1, 'a').2 AS c11,
    map('k', 1)['k'] AS c12,
    arrayExists(x -> x > 1, arr) AS c13,
    if(g = '', NULL, g) AS c14,
    multiIf(v < 1, 'low', v < 2, 'mid', 'high') AS c15,
    concat(g, toString(id)) AS c16,
    formatDateTime(ts, '%Y-%m') AS c17,
    quantileExact(0.5)(v) AS c18,
    sumIf(v, g = 'a') AS c19,
    argMax(g, ts) AS c20,
    groupArray(3)(g) AS c21
FROM sf GROUP BY id, ts, v, n, g, arr;
CREATE TABLE sf_sampled (id UInt64, h UInt64) ENGINE = MergeTree ORDER BY (id, h) SAMPLE BY h;
CREATE VIEW sf_sample1 AS SELECT id FROM sf_sampled SAMPLE 0.25;
CREATE VIEW sf_sample2 AS SELECT id FROM sf_sampled SAMPLE 1/10 OFFSET 0.5;
CREATE VIEW sf_sample3 AS SELECT id FROM sf_sampled SAMPLE 10000;
CREATE VIEW sf_fill1 AS SELECT id FROM sf ORDER BY id WITH FILL;
CREATE VIEW sf_fill2 AS SELECT id FROM sf ORDER BY id DESC WITH FILL FROM 10 TO 1 STEP -1;
