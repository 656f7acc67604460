-- Written parentheses are kept by the server (doubled ones collapse), and
-- tuple element access parenthesises anything but a name or a tuple.
CREATE TABLE par (
    a UInt64,
    s String,
    kv Map(String, String),
    tp Tuple(UInt8, String),
    d1 UInt64 DEFAULT (a + 1),
    d2 UInt64 DEFAULT ((a)),
    d3 UInt64 DEFAULT (a),
    d4 UInt8 DEFAULT (a = 1),
    d5 UInt8 DEFAULT NOT (a = 1),
    d6 UInt64 DEFAULT ((a + 1)),
    d7 UInt8 DEFAULT tuple(a).1 > 0,
    d8 UInt8 DEFAULT (tuple(a)).1 > 0,
    d9 UInt64 DEFAULT if((a > 1), 1, 2),
    d10 Int64 DEFAULT -(a + 1),
    d11 UInt8 DEFAULT (a > 1) AND (a < 5),
    d12 String DEFAULT identity(tp).2,
    d13 UInt8 DEFAULT tp.1,
    d14 String DEFAULT (tp).2,
    d15 UInt64 DEFAULT abs(a) + (a * 2)
) ENGINE = MergeTree ORDER BY a;
CREATE VIEW par_view AS
SELECT (a + 1) AS x, (a) AS y, tuple(a).1 AS z, arrayJoin(kv).1 AS k, (tp.1) AS t1
FROM par WHERE (a != 0) AND ((s = 'x')) ORDER BY (a) LIMIT (10);
CREATE VIEW par_except AS SELECT * EXCEPT kv FROM par;
CREATE VIEW par_except1 AS SELECT * EXCEPT (kv) FROM par;
CREATE TABLE par_nested (
    ts DateTime64(9) CODEC (Delta, ZSTD(1)),
    Events Nested (
        Timestamp DateTime64(9),
        Attributes Map(LowCardinality(String), String)
    )
) ENGINE = MergeTree ORDER BY ts;
CREATE MATERIALIZED VIEW par_populate ENGINE = SummingMergeTree PARTITION BY toDate(Day) ORDER BY (a, Day) POPULATE AS
SELECT a, toStartOfDay(now()) AS Day, count() AS Count FROM par GROUP BY a, Day;
CREATE TABLE par_elems (
    x Array(Array(UInt8)),
    t Tuple(UInt8, Array(UInt8)),
    m Map(String, String),
    e1 UInt8 DEFAULT x[1][2] + 1,
    e2 UInt8 DEFAULT t.1 + 1,
    e3 Int16 DEFAULT -t.1,
    e4 UInt8 DEFAULT t.1 = 1,
    e5 UInt8 DEFAULT NOT t.1,
    e6 UInt8 DEFAULT m['a'] != '',
    e7 UInt8 DEFAULT t.2[1],
    e8 UInt8 DEFAULT abs(t.1),
    e10 UInt8 DEFAULT arrayElement(x, 1)[1] * 2
) ENGINE = MergeTree ORDER BY tuple();
