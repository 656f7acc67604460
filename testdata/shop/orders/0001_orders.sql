-- +up
CREATE TABLE orders (
    id UInt64,
    customer UInt64,
    amount Decimal(10, 2),
    created DateTime DEFAULT now()
) ENGINE = MergeTree
ORDER BY id
TTL created + INTERVAL ${RETENTION_DAYS} DAY;

-- +down
DROP TABLE orders;
