-- Forms found by running the oracle on real projects' migrations
-- (Langfuse, Plausible, Open edX Aspects), each once wrong offline.
CREATE TABLE hof_src (k String, a Int32, b UUID, v String) ENGINE = MergeTree ORDER BY k;
-- A dictionary's PRIMARY KEY (a, b) is two keys.
CREATE DICTIONARY hof_pair (a Int32, b UUID, v String) PRIMARY KEY (a, b)
SOURCE(CLICKHOUSE(TABLE 'hof_src' DB '${db}')) LAYOUT(COMPLEX_KEY_HASHED()) LIFETIME(0);
-- A source query in double quotes with a newline inside.
CREATE DICTIONARY hof_query (k String, v String) PRIMARY KEY k
SOURCE(CLICKHOUSE(query "select k,
 v from ${db}.hof_src")) LAYOUT(COMPLEX_KEY_HASHED()) LIFETIME(0);
-- dictGet's dictionary is qualified with the current database, in
-- defaults, in ALTER ADD COLUMN and in views; a qualified one is kept.
CREATE TABLE hof_dict_defaults (
    k String,
    a String ALIAS dictGet('hof_query', 'v', tuple(k)),
    b UInt8 MATERIALIZED dictHas('hof_query', tuple(k)),
    c String DEFAULT dictGetOrDefault(hof_query, 'v', tuple(k), ''),
    d String DEFAULT dictGetString('${db}.hof_query', 'v', tuple(k))
) ENGINE = MergeTree ORDER BY k;
ALTER TABLE hof_dict_defaults ADD COLUMN e String ALIAS dictGet('hof_query', 'v', tuple(k));
CREATE VIEW hof_dict_view AS SELECT k, dictGet('hof_query', 'v', tuple(k)) AS v FROM hof_src;
-- MODIFY QUERY keeps the SELECT's own SETTINGS.
CREATE TABLE hof_dst (k String) ENGINE = MergeTree ORDER BY k;
CREATE MATERIALIZED VIEW hof_mv TO hof_dst AS SELECT k FROM hof_src;
ALTER TABLE hof_mv MODIFY QUERY SELECT k FROM hof_src SETTINGS max_threads = 1;
