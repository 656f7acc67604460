-- Data statements: recognised, no schema effect.
INSERT INTO e_mt VALUES (1, 'a');
INSERT INTO e_mt (k, v) SELECT number, toString(number) FROM numbers(3);
SET max_threads = 2;
OPTIMIZE TABLE e_mt FINAL;
OPTIMIZE TABLE e_mt DEDUPLICATE;
SELECT count() FROM e_mt;
TRUNCATE TABLE e_memory;
ALTER TABLE e_mt UPDATE v = 'b' WHERE k = 1;
ALTER TABLE e_mt DELETE WHERE k = 0;
ALTER TABLE e_mt CLEAR COLUMN v;
DELETE FROM e_mt WHERE k = 2;
SYSTEM FLUSH LOGS;
USE ${db};
