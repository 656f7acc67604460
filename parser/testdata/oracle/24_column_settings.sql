-- Column-level SETTINGS (issue 11, model2): kept as written per column
-- ('5' stays a string, 0x10 is 16, 1_000 is 1000). MODIFY SETTING updates
-- a setting in place or appends it, RESET SETTING removes it, REMOVE
-- SETTINGS removes them all, MODIFY COLUMN with a type keeps them and with
-- SETTINGS (…) replaces them; ClickHouse 26.7 drops the SETTINGS of a
-- column ALTER ADD COLUMN adds.
CREATE TABLE r24_mt (a UInt64, c String SETTINGS (min_compress_block_size = '5', max_compress_block_size = 0x10), d String COMMENT 'x' CODEC(ZSTD(1)) settings(max_compress_block_size=1_000), e String, f String SETTINGS (max_compress_block_size = 1), g String SETTINGS (max_compress_block_size = 2, min_compress_block_size = 3)) ENGINE = MergeTree ORDER BY a;
CREATE TABLE r24_mem (a UInt64, c String SETTINGS (max_compress_block_size = 1)) ENGINE = Memory;
ALTER TABLE r24_mt MODIFY COLUMN c MODIFY SETTING max_compress_block_size = 5;
ALTER TABLE r24_mt MODIFY COLUMN e MODIFY SETTING min_compress_block_size = '7', max_compress_block_size = 0x10;
ALTER TABLE r24_mt MODIFY COLUMN f RESET SETTING max_compress_block_size;
ALTER TABLE r24_mt MODIFY COLUMN g REMOVE SETTINGS;
ALTER TABLE r24_mt MODIFY COLUMN d LowCardinality(String);
ALTER TABLE r24_mt MODIFY COLUMN e String SETTINGS (max_compress_block_size = 99);
ALTER TABLE r24_mt ADD COLUMN h String SETTINGS (max_compress_block_size = 1);
ALTER TABLE r24_mt RENAME COLUMN c TO c2;
ALTER TABLE r24_mem MODIFY COLUMN c MODIFY SETTING max_compress_block_size = 5;
ALTER TABLE r24_mem ADD COLUMN z String SETTINGS (max_compress_block_size = 1);
