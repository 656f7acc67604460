-- Codecs, column comments and column TTL.
CREATE TABLE codecs (
    k UInt64 CODEC(Delta, ZSTD),
    d DateTime CODEC(Delta, ZSTD(3)),
    dd UInt64 CODEC(DoubleDelta),
    g Float64 CODEC(Gorilla),
    g4 Float32 CODEC(Gorilla, LZ4),
    t UInt64 CODEC(T64, LZ4HC),
    hc UInt64 CODEC(LZ4HC(0)),
    z String CODEC(ZSTD),
    zl String CODEC(ZSTD(22)),
    n String CODEC(NONE),
    l String CODEC(LZ4),
    fp Float64 CODEC(FPC),
    fp2 Float64 CODEC(FPC(10)),
    gc UInt32 CODEC(GCD, LZ4),
    lc LowCardinality(String) CODEC(ZSTD(2)),
    ar Array(UInt32) CODEC(ZSTD),
    df String CODEC(Default),
    dt64 DateTime64(3) CODEC(Delta, ZSTD),
    dec Decimal(10, 2) CODEC(Delta, LZ4),
    nu Nullable(UInt32) CODEC(Delta, ZSTD)
) ENGINE = MergeTree ORDER BY k;

CREATE TABLE commented (
    k UInt64 COMMENT 'the key',
    v String DEFAULT 'x' COMMENT 'a value',
    q String COMMENT 'it''s quoted',
    c UInt64 DEFAULT 5 COMMENT 'with codec' CODEC(ZSTD(1)),
    ts DateTime,
    gone String TTL ts + INTERVAL 1 DAY,
    gone2 String DEFAULT 'y' COMMENT 'ttl too' TTL ts + INTERVAL 2 HOUR
) ENGINE = MergeTree ORDER BY k COMMENT 'table comment';
