-- More engines: queues, files, external tables, key-value.
CREATE TABLE em_kafka (k UInt64, v String) ENGINE = Kafka
SETTINGS kafka_broker_list = 'localhost:9092', kafka_topic_list = 'events', kafka_group_name = 'g', kafka_format = 'JSONEachRow';
CREATE TABLE em_kafka2 (k UInt64, v String) ENGINE = Kafka('localhost:9092', 'topic', 'group', 'JSONEachRow');
CREATE TABLE em_url (k UInt64) ENGINE = URL('http://localhost:1/data.csv', CSV);
CREATE TABLE em_file (k UInt64, s String) ENGINE = File(TabSeparated);
CREATE TABLE em_random (k UInt64, s String) ENGINE = GenerateRandom(1, 5, 3);
CREATE TABLE em_rocks (k UInt64, v String) ENGINE = EmbeddedRocksDB PRIMARY KEY k;
CREATE TABLE em_dict_src (id UInt64, name String) ENGINE = MergeTree ORDER BY id;
CREATE DICTIONARY em_dict (id UInt64, name String) PRIMARY KEY id SOURCE(CLICKHOUSE(TABLE 'em_dict_src')) LIFETIME(0) LAYOUT(FLAT());
CREATE TABLE em_dict_table (id UInt64, name String) ENGINE = Dictionary(${db}.em_dict);
CREATE TABLE em_mt_settings (k UInt64, d Date) ENGINE = MergeTree PARTITION BY d ORDER BY k
SETTINGS index_granularity = 1024, enable_mixed_granularity_parts = 1, storage_policy = 'default';
CREATE TABLE em_replacing_expr (k UInt64, ts DateTime, v UInt32) ENGINE = ReplacingMergeTree(ts) PARTITION BY toStartOfMonth(ts) ORDER BY (k, intHash32(v)) SAMPLE BY intHash32(v);
CREATE TABLE em_coalescing (k UInt64, a Nullable(UInt32)) ENGINE = CoalescingMergeTree ORDER BY k;
