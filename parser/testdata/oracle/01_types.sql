-- Type aliases and canonical type forms.
CREATE TABLE types_sql (
    k UInt64,
    i INT,
    i2 INTEGER,
    i3 int,
    sg SIGNED,
    ti TINYINT,
    ti1 INT1,
    by BYTE,
    si SMALLINT,
    bi BIGINT,
    iu INT UNSIGNED,
    biu BIGINT UNSIGNED,
    tiu TINYINT UNSIGNED,
    siu SMALLINT UNSIGNED,
    u UNSIGNED,
    mi MEDIUMINT,
    iw INT(11),
    bw BIGINT(20),
    tw TINYINT(1),
    f FLOAT,
    r REAL,
    d DOUBLE,
    dp DOUBLE PRECISION,
    vc VARCHAR(255),
    ch CHAR(3),
    tx TEXT,
    lt LONGTEXT,
    bl BLOB,
    nv NVARCHAR(10),
    cv CHARACTER VARYING(5),
    bn BINARY(4),
    vb VARBINARY(5),
    b1 BOOL,
    b2 BOOLEAN,
    b3 bool,
    yr YEAR,
    bt BIT,
    st SET,
    ts TIMESTAMP,
    dtu DATETIME,
    dtl datetime,
    dl date,
    du DATE
) ENGINE = MergeTree ORDER BY k;

CREATE TABLE types_decimal (
    k UInt64,
    d1 DEC(10,2),
    d2 NUMERIC(5),
    d3 Decimal,
    d4 Decimal(5),
    d5 Decimal32(2),
    d6 Decimal64(4),
    d7 Decimal128(3),
    d8 decimal(10, 2),
    d9 Decimal(38,10),
    d10 Nullable(Decimal(9,2))
) ENGINE = MergeTree ORDER BY k;

CREATE TABLE types_time (
    k UInt64,
    t1 DateTime('UTC'),
    t2 DateTime('Europe/Paris'),
    t3 DateTime64(3),
    t4 DateTime64(3,'UTC'),
    t5 datetime64(6, 'Asia/Tokyo'),
    t6 Date32,
    t7 DateTime
) ENGINE = MergeTree ORDER BY k;

CREATE TABLE types_wrapped (
    k UInt64,
    n1 Nullable(INT),
    n2 String NULL,
    n3 Int32 NULL,
    n4 String NOT NULL,
    lc1 LowCardinality(String),
    lc2 LowCardinality(Nullable(String)),
    lc3 LowCardinality(FixedString(2)),
    a1 Array(Nullable(UInt8)),
    a2 Array(Array(String)),
    m1 Map(String,UInt64),
    m2 Map(LowCardinality(String), Array(UInt8)),
    tp1 Tuple(a String,b UInt8),
    tp2 Tuple(String,UInt8),
    tp3 Array(Tuple(x Float64, y Float64)),
    fs FixedString(16),
    ip4 INET4,
    ip6 INET6,
    ipv IPv4,
    uu UUID,
    v Variant(String,UInt64),
    i128 Int128,
    u256 UInt256,
    bf BFloat16,
    f32 Float32
) ENGINE = MergeTree ORDER BY k;

CREATE TABLE types_enum (
    k UInt64,
    e1 Enum('a','b'),
    e2 Enum8('a'=1,'b'=2),
    e3 Enum16('x' = -1, 'y' = 1000),
    e4 Enum('a'=5,'b'),
    e5 Enum8('its' = 1, 'back slash' = 2),
    e6 Enum('big' = 300)
) ENGINE = MergeTree ORDER BY k;

CREATE TABLE types_agg (
    k UInt64,
    a1 AggregateFunction(uniq,String),
    a2 AggregateFunction(quantiles(0.5,0.9),UInt64),
    a3 SimpleAggregateFunction(sum,UInt64),
    a4 AggregateFunction(argMax, String, DateTime),
    a5 SimpleAggregateFunction(anyLast, Nullable(String))
) ENGINE = AggregatingMergeTree ORDER BY k;

CREATE TABLE types_nested (
    k UInt64,
    n Nested(a UInt8, b String),
    after_nested String
) ENGINE = MergeTree ORDER BY k;

CREATE TABLE `types quoted` (
    `weird name` String,
    `order` UInt8,
    `select` String
) ENGINE = Memory;

CREATE TABLE types_more (
    k UInt64,
    j1 JSON,
    j2 JSON(SKIP a.b, max_dynamic_paths = 10),
    j3 JSON(a.b UInt32, SKIP REGEXP 'x.*', max_dynamic_types=3),
    dy Dynamic(max_types=10),
    tq Tuple(a Nullable(String), `b c` UInt8),
    ne Nullable(Enum8('a'=1)),
    alc Array(LowCardinality(Nullable(String))),
    mt Map(String, Tuple(a UInt8, b String)),
    t64 Time64(6),
    pt Point,
    rg Ring,
    pg Polygon,
    mp MultiPolygon,
    ls LineString,
    ae Array(Enum16('x'=1000)),
    sa SimpleAggregateFunction(groupArrayArray, Array(String)),
    am AggregateFunction(sumMap, Array(UInt8), Array(UInt64)),
    am2 AggregateFunction(minMappedArrays, Array(UInt8), Array(UInt64)),
    amf AggregateFunction(sumMapFiltered([1]), Array(UInt8), Array(UInt64)),
    ax AggregateFunction(argMax, String, DateTime64(3)),
    tk AggregateFunction(topK(10), String)
) ENGINE = MergeTree ORDER BY k;
