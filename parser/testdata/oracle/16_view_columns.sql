-- Views whose column types the offline model infers: plain columns, *,
-- count(), and a few functions of one plain column with an alias.
CREATE TABLE vc (id UInt64, i32 Int32, f Float32, s String, d DateTime, lc LowCardinality(String), n Nullable(UInt32)) ENGINE = MergeTree ORDER BY id;
CREATE VIEW vc_funcs AS SELECT
    toString(id) AS sid, toDate(d) AS day, toUInt32(id) AS u32, toInt64(i32) AS i64, toFloat64(f) AS f64,
    lower(s) AS ls, upper(s) AS us
FROM vc;
CREATE VIEW vc_aggs AS SELECT
    uniq(s) AS u, uniqExact(id) AS ue, min(d) AS mn, max(f) AS mx, any(s) AS a, anyLast(i32) AS al,
    sum(id) AS su, sum(i32) AS si, sum(f) AS sf, count() AS c
FROM vc;
CREATE VIEW vc_unknown AS SELECT toString(lc) AS x, sum(n) AS y FROM vc GROUP BY x;
