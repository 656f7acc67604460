// Package stmtforms is the inventory of the statement kinds ClickHouse's
// own parser accepts (src/Parsers/ParserQuery.cpp and
// ParserQueryWithOutput.cpp, with the Parser*Query files they list), each
// written in several forms. The lint test runs every form on a real server
// and through offline lint (which must not reject what the server accepts),
// and the differential tester draws random forms from it inside migrations.
package stmtforms

import "strings"

// Effect is what a statement does to the schema chschema's model follows.
type Effect int

// The effects.
const (
	// None: the statement changes no database, table, view, dictionary or
	// function (a query, SHOW, KILL, SET, access control, BACKUP, …).
	None Effect = iota
	// Uncertain: it changes objects the model follows in a way the model
	// does not replay (RESTORE, UNDROP): they must become uncertain.
	Uncertain
	// Modelled: the model replays it (CREATE, ALTER, DROP, …); the
	// differential tester compares its result.
	Modelled
)

// Form is one way of writing a statement kind.
type Form struct {
	// Kind is the statement kind, as the server's parser names it.
	Kind string
	// SQL holds ${db}, a database of its own whose tables stmt_t (x UInt64,
	// s String; MergeTree ORDER BY x) and stmt_m (x UInt64; Memory) exist.
	SQL string
	// Run says the form is safe to run in that database; otherwise the
	// server only parses it (EXPLAIN AST): it needs a disk, a user, a
	// cluster, an experimental feature, or would stop the server.
	Run bool
	// Effect is what it does to the model.
	Effect Effect
}

// Fixture creates the objects the forms use, in ${db}.
var Fixture = []string{
	"CREATE TABLE ${db}.stmt_t (x UInt64, s String) ENGINE = MergeTree ORDER BY x",
	"CREATE TABLE ${db}.stmt_m (x UInt64) ENGINE = Memory",
}

// Expand replaces ${db} in sql with db.
func Expand(sql, db string) string { return strings.ReplaceAll(sql, "${db}", db) }

// Forms is the inventory.
var Forms = []Form{
	// ParserSelectWithUnionQuery, with ParserQueryWithOutput's clauses.
	{"SELECT", "SELECT 1", true, None},
	{"SELECT", "SELECT x FROM ${db}.stmt_t FORMAT JSONEachRow", true, None},
	{"SELECT", "SELECT x FROM ${db}.stmt_t SETTINGS max_threads = 1", true, None},
	{"SELECT", "SELECT x FROM ${db}.stmt_t FORMAT TSV SETTINGS max_threads = 1", true, None},
	{"SELECT", "WITH 1 AS y SELECT y", true, None},
	{"SELECT", "(SELECT 1) UNION ALL (SELECT 2)", true, None},
	{"SELECT", "SELECT 1 UNION DISTINCT SELECT 2 INTERSECT SELECT 2 EXCEPT SELECT 3", true, None},
	{"SELECT", "FROM ${db}.stmt_t SELECT x", true, None},
	{"SELECT INTO OUTFILE", "SELECT 1 INTO OUTFILE 'x.csv'", false, None},
	{"SELECT INTO OUTFILE", "SELECT x FROM ${db}.stmt_t INTO OUTFILE 'x.csv' APPEND", false, None},
	{"SELECT INTO OUTFILE", "SELECT 1 INTO OUTFILE 'x.csv' TRUNCATE AND STDOUT FORMAT CSV", false, None},
	{"SELECT INTO OUTFILE", "SELECT 1 INTO OUTFILE 'x.csv.gz' COMPRESSION 'gzip' LEVEL 3 FORMAT CSV SETTINGS max_threads = 1", false, None},
	{"SELECT INTO OUTFILE", "SELECT 1 INTO OUTFILE 'x.csv' AND STDOUT", false, None},
	// ParserInsertQuery.
	{"INSERT", "INSERT INTO ${db}.stmt_t (x, s) VALUES (1, 'a')", true, None},
	{"INSERT", "INSERT INTO TABLE ${db}.stmt_t SETTINGS async_insert = 0 VALUES (2, 'b')", true, None},
	{"INSERT", "INSERT INTO ${db}.stmt_t SELECT number, toString(number) FROM numbers(3)", true, None},
	{"INSERT", "INSERT INTO FUNCTION null('x UInt64') SELECT 1", true, None},
	{"INSERT", "INSERT INTO ${db}.stmt_t FROM INFILE 'x.csv' COMPRESSION 'gzip' FORMAT CSV", false, None},
	// ParserUseQuery, ParserSetQuery, ParserSetRoleQuery.
	{"USE", "USE ${db}", true, None},
	{"SET", "SET max_threads = 2", true, None},
	{"SET", "SET max_threads = 2, max_block_size = 8192", true, None},
	{"SET", "SET param_p = 'v'", true, None},
	{"SET ROLE", "SET ROLE NONE", false, None},
	{"SET ROLE", "SET ROLE ALL EXCEPT r", false, None},
	{"SET DEFAULT ROLE", "SET DEFAULT ROLE NONE TO u", false, None},
	// ParserSystemQuery.
	{"SYSTEM", "SYSTEM FLUSH LOGS", true, None},
	{"SYSTEM", "SYSTEM STOP MERGES ${db}.stmt_t", true, None},
	{"SYSTEM", "SYSTEM START MERGES ${db}.stmt_t", true, None},
	{"SYSTEM", "SYSTEM DROP MARK CACHE", true, None},
	{"SYSTEM", "SYSTEM SHUTDOWN", false, None},
	// ParserShowTablesQuery and the other SHOW parsers.
	{"SHOW", "SHOW TABLES FROM ${db}", true, None},
	{"SHOW", "SHOW FULL TABLES FROM ${db} LIKE 't%'", true, None},
	{"SHOW", "SHOW DATABASES", true, None},
	{"SHOW", "SHOW DATABASES NOT ILIKE 'x%' LIMIT 3", true, None},
	{"SHOW", "SHOW CREATE TABLE ${db}.stmt_t", true, None},
	{"SHOW", "SHOW CREATE DATABASE ${db}", true, None},
	{"SHOW", "SHOW COLUMNS FROM ${db}.stmt_t", true, None},
	{"SHOW", "SHOW EXTENDED FULL COLUMNS FROM stmt_t FROM ${db}", true, None},
	{"SHOW", "SHOW INDEXES FROM ${db}.stmt_t", true, None},
	{"SHOW", "SHOW KEYS IN stmt_t IN ${db}", true, None},
	{"SHOW", "SHOW DICTIONARIES FROM ${db}", true, None},
	{"SHOW", "SHOW FUNCTIONS LIKE 'plus%'", true, None},
	{"SHOW", "SHOW SETTINGS LIKE 'max_thr%'", true, None},
	{"SHOW", "SHOW CHANGED SETTINGS ILIKE '%'", true, None},
	{"SHOW", "SHOW SETTING max_threads", true, None},
	{"SHOW", "SHOW ENGINES", true, None},
	{"SHOW", "SHOW CLUSTERS", true, None},
	{"SHOW", "SHOW MERGES", true, None},
	{"SHOW", "SHOW FILESYSTEM CACHES", true, None},
	{"SHOW", "SHOW PROCESSLIST", true, None},
	{"SHOW", "SHOW TEMPORARY TABLES", true, None},
	{"SHOW", "SHOW CLUSTER default", false, None},
	{"SHOW", "SHOW DATABASE ${db}", true, None},
	{"SHOW", "SHOW TABLE ${db}.stmt_t", true, None},
	{"SHOW", "SHOW FIELDS FROM ${db}.stmt_t", true, None},
	{"SHOW", "SHOW INDEX FROM ${db}.stmt_t", true, None},
	{"SHOW", "SHOW INDICES FROM ${db}.stmt_t", true, None},
	{"SHOW ACCESS", "SHOW GRANTS", false, None},
	{"SHOW ACCESS", "SHOW GRANTS FOR u", false, None},
	{"SHOW ACCESS", "SHOW USERS", false, None},
	{"SHOW ACCESS", "SHOW ROLES", false, None},
	{"SHOW ACCESS", "SHOW CURRENT ROLES", false, None},
	{"SHOW ACCESS", "SHOW SETTINGS PROFILES", false, None},
	{"SHOW ACCESS", "SHOW QUOTAS", false, None},
	{"SHOW ACCESS", "SHOW QUOTA", false, None},
	{"SHOW ACCESS", "SHOW ROW POLICIES", false, None},
	{"SHOW ACCESS", "SHOW ACCESS", false, None},
	{"SHOW ACCESS", "SHOW CURRENT QUOTA", false, None},
	{"SHOW ACCESS", "SHOW ENABLED ROLES", false, None},
	{"SHOW ACCESS", "SHOW MASKING POLICIES", false, None},
	{"SHOW ACCESS", "SHOW POLICIES", false, None},
	{"SHOW ACCESS", "SHOW PROFILES", false, None},
	{"SHOW ACCESS", "SHOW PRIVILEGES", false, None},
	{"SHOW ACCESS", "SHOW CREATE USER u", false, None},
	{"SHOW ACCESS", "SHOW CREATE ROLE r", false, None},
	{"SHOW ACCESS", "SHOW CREATE ROW POLICY p ON ${db}.stmt_t", false, None},
	{"SHOW ACCESS", "SHOW CREATE QUOTA q", false, None},
	{"SHOW ACCESS", "SHOW CREATE SETTINGS PROFILE p", false, None},
	// ParserTablePropertiesQuery (EXISTS, SHOW CREATE) and
	// ParserDescribeTableQuery.
	{"EXISTS", "EXISTS TABLE ${db}.stmt_t", true, None},
	{"EXISTS", "EXISTS ${db}.stmt_t", true, None},
	{"EXISTS", "EXISTS DATABASE ${db}", true, None},
	{"EXISTS", "EXISTS DICTIONARY ${db}.d", true, None},
	{"EXISTS", "EXISTS VIEW ${db}.v FORMAT TSV", true, None},
	{"DESCRIBE", "DESCRIBE TABLE ${db}.stmt_t", true, None},
	{"DESCRIBE", "DESC ${db}.stmt_t", true, None},
	{"DESCRIBE", "DESCRIBE (SELECT 1 AS a)", true, None},
	{"DESCRIBE", "DESCRIBE TABLE ${db}.stmt_t FORMAT JSON SETTINGS describe_include_subcolumns = 1", true, None},
	// ParserExplainQuery: every kind.
	{"EXPLAIN", "EXPLAIN SELECT 1", true, None},
	{"EXPLAIN", "EXPLAIN AST SELECT 1", true, None},
	{"EXPLAIN", "EXPLAIN SYNTAX SELECT x FROM ${db}.stmt_t", true, None},
	{"EXPLAIN", "EXPLAIN QUERY TREE SELECT 1", true, None},
	{"EXPLAIN", "EXPLAIN PLAN indexes = 1 SELECT x FROM ${db}.stmt_t WHERE x = 1", true, None},
	{"EXPLAIN", "EXPLAIN PIPELINE SELECT 1", true, None},
	{"EXPLAIN", "EXPLAIN ESTIMATE SELECT x FROM ${db}.stmt_t", true, None},
	{"EXPLAIN", "EXPLAIN header = 1 SELECT 1", true, None},
	{"EXPLAIN", "EXPLAIN AST CREATE TABLE ${db}.nothing (x UInt8) ENGINE = Memory", true, None},
	{"EXPLAIN", "EXPLAIN AST ALTER TABLE ${db}.stmt_t ADD COLUMN nothing UInt8", true, None},
	{"EXPLAIN", "EXPLAIN AST INSERT INTO ${db}.stmt_t VALUES (1, 'a')", true, None},
	{"EXPLAIN", "EXPLAIN SYNTAX SELECT 1 FORMAT TSV", true, None},
	{"EXPLAIN", "EXPLAIN CURRENT TRANSACTION", false, None},
	{"EXPLAIN", "EXPLAIN TABLE OVERRIDE mysql('h:3306', 'db', 't', 'u', 'p') PARTITION BY x", false, None},
	// ParserCheckQuery, ParserCheckGrantQuery.
	{"CHECK", "CHECK TABLE ${db}.stmt_t", true, None},
	{"CHECK", "CHECK TABLE ${db}.stmt_t SETTINGS check_query_single_value_result = 0", true, None},
	{"CHECK", "CHECK TABLE ${db}.stmt_t PARTITION tuple()", true, None},
	{"CHECK", "CHECK ALL TABLES", false, None},
	{"CHECK GRANT", "CHECK GRANT SELECT ON ${db}.stmt_t", true, None},
	// ParserKillQueryQuery: only ever a query id no query has.
	{"KILL", "KILL QUERY WHERE query_id = 'chschema-no-such-query' ASYNC", true, None},
	{"KILL", "KILL QUERY WHERE query_id = 'chschema-no-such-query' SYNC", true, None},
	{"KILL", "KILL QUERY WHERE 0 TEST", true, None},
	{"KILL", "KILL QUERY ON CLUSTER c WHERE 0", false, None},
	{"KILL", "KILL MUTATION WHERE database = '${db}' AND mutation_id = 'none'", true, None},
	{"KILL", "KILL TRANSACTION WHERE 0", false, None},
	{"KILL", "KILL PART_MOVE_TO_SHARD WHERE 0", false, None},
	// ParserOptimizeQuery and TRUNCATE.
	{"OPTIMIZE", "OPTIMIZE TABLE ${db}.stmt_t", true, None},
	{"OPTIMIZE", "OPTIMIZE TABLE ${db}.stmt_t FINAL", true, None},
	{"OPTIMIZE", "OPTIMIZE TABLE ${db}.stmt_t PARTITION tuple() FINAL DEDUPLICATE BY x, s", true, None},
	{"TRUNCATE", "TRUNCATE TABLE ${db}.stmt_m", true, None},
	{"TRUNCATE", "TRUNCATE ${db}.stmt_m", true, None},
	{"TRUNCATE", "TRUNCATE TABLE IF EXISTS ${db}.stmt_m", true, None},
	// ParserWatchQuery: live views are experimental.
	{"WATCH", "WATCH ${db}.lv", false, None},
	{"WATCH", "WATCH ${db}.lv EVENTS LIMIT 1", false, None},
	// ParserGrantQuery and the access entities: a server of its own
	// would need a writable access storage.
	{"GRANT", "GRANT SELECT ON ${db}.* TO u", false, None},
	{"GRANT", "GRANT SELECT(x, s), INSERT ON ${db}.stmt_t TO u WITH GRANT OPTION", false, None},
	{"GRANT", "GRANT r TO u WITH ADMIN OPTION", false, None},
	{"GRANT", "GRANT CURRENT GRANTS ON *.* TO u", false, None},
	{"REVOKE", "REVOKE SELECT ON ${db}.* FROM u", false, None},
	{"REVOKE", "REVOKE ALL ON *.* FROM ALL EXCEPT u", false, None},
	{"CREATE USER", "CREATE USER IF NOT EXISTS u IDENTIFIED WITH no_password", false, None},
	{"CREATE USER", "CREATE USER u IDENTIFIED BY 'secret' HOST LOCAL DEFAULT ROLE NONE SETTINGS max_threads = 1", false, None},
	{"ALTER USER", "ALTER USER u SETTINGS max_threads = 1", false, None},
	{"DROP USER", "DROP USER IF EXISTS u", false, None},
	{"CREATE ROLE", "CREATE ROLE IF NOT EXISTS r", false, None},
	{"DROP ROLE", "DROP ROLE IF EXISTS r", false, None},
	{"CREATE QUOTA", "CREATE QUOTA q FOR INTERVAL 1 hour MAX queries = 10 TO u", false, None},
	{"CREATE ROW POLICY", "CREATE ROW POLICY p ON ${db}.stmt_t FOR SELECT USING x > 0 TO u", false, None},
	{"CREATE SETTINGS PROFILE", "CREATE SETTINGS PROFILE p SETTINGS max_threads = 1", false, None},
	{"DROP SETTINGS PROFILE", "DROP SETTINGS PROFILE IF EXISTS p", false, None},
	{"ALTER ROLE", "ALTER ROLE r SETTINGS max_threads = 2", false, None},
	{"ALTER QUOTA", "ALTER QUOTA IF EXISTS q FOR INTERVAL 1 day NO LIMITS", false, None},
	{"ALTER ROW POLICY", "ALTER ROW POLICY p ON ${db}.stmt_t USING x > 1", false, None},
	{"ALTER SETTINGS PROFILE", "ALTER SETTINGS PROFILE p SETTINGS max_threads = 2", false, None},
	{"DROP QUOTA", "DROP QUOTA IF EXISTS q", false, None},
	{"DROP ROW POLICY", "DROP ROW POLICY IF EXISTS p ON ${db}.stmt_t", false, None},
	{"CREATE MASKING POLICY", "CREATE MASKING POLICY p ON ${db}.stmt_t UPDATE s = 'x' TO u", false, None},
	{"MOVE", "MOVE USER u TO local_directory", false, None},
	{"MOVE", "MOVE ROLE r, r2 TO replicated", false, None},
	{"MOVE", "MOVE MASKING POLICY p TO local_directory", false, None},
	{"MOVE", "MOVE POLICY p ON ${db}.stmt_t TO local_directory", false, None},
	{"MOVE", "MOVE ROW POLICY p ON ${db}.stmt_t TO local_directory", false, None},
	{"MOVE", "MOVE PROFILE p TO local_directory", false, None},
	{"MOVE", "MOVE SETTINGS PROFILE p TO local_directory", false, None},
	{"MOVE", "MOVE QUOTA q TO local_directory", false, None},
	{"ALTER MASKING POLICY", "ALTER MASKING POLICY p ON ${db}.stmt_t UPDATE s = 'y'", false, None},
	{"ALTER ROW POLICY", "ALTER POLICY p ON ${db}.stmt_t USING x > 2", false, None},
	{"ALTER SETTINGS PROFILE", "ALTER PROFILE p SETTINGS max_threads = 3", false, None},
	{"CREATE ROW POLICY", "CREATE POLICY p2 ON ${db}.stmt_t USING x > 0", false, None},
	{"CREATE SETTINGS PROFILE", "CREATE PROFILE p2 SETTINGS max_threads = 1", false, None},
	{"DROP MASKING POLICY", "DROP MASKING POLICY IF EXISTS p ON ${db}.stmt_t", false, None},
	{"DROP ROW POLICY", "DROP POLICY IF EXISTS p ON ${db}.stmt_t", false, None},
	{"DROP SETTINGS PROFILE", "DROP PROFILE IF EXISTS p", false, None},
	// ParserCreateNamedCollectionQuery and friends.
	{"NAMED COLLECTION", "CREATE NAMED COLLECTION IF NOT EXISTS nc AS k = 'v'", false, None},
	{"NAMED COLLECTION", "ALTER NAMED COLLECTION nc SET k = 'w' DELETE k2", false, None},
	{"NAMED COLLECTION", "DROP NAMED COLLECTION IF EXISTS nc", false, None},
	// ParserCreateResourceQuery, ParserCreateWorkloadQuery.
	{"RESOURCE", "CREATE RESOURCE IF NOT EXISTS io (WRITE DISK d, READ DISK d)", false, None},
	{"RESOURCE", "DROP RESOURCE IF EXISTS io", false, None},
	{"WORKLOAD", "CREATE WORKLOAD IF NOT EXISTS all", false, None},
	{"WORKLOAD", "CREATE OR REPLACE WORKLOAD w IN all SETTINGS max_requests = 10", false, None},
	{"WORKLOAD", "DROP WORKLOAD IF EXISTS w", false, None},
	// BACKUP and RESTORE: the server parses them; running them needs a
	// backup disk.
	{"BACKUP", "BACKUP TABLE ${db}.stmt_t TO Disk('backups', '1.zip')", false, None},
	{"BACKUP", "BACKUP DATABASE ${db} TO File('b/') SETTINGS compression_method = 'lzma' ASYNC", false, None},
	{"BACKUP", "BACKUP ALL EXCEPT DATABASES system TO Disk('backups', '2.zip')", false, None},
	{"BACKUP", "BACKUP TABLE ${db}.stmt_t PARTITIONS tuple(), DICTIONARY ${db}.d TO Disk('backups', '3')", false, None},
	{"BACKUP", "BACKUP DICTIONARY ${db}.d, VIEW ${db}.v, TEMPORARY TABLE tmp TO Disk('backups', '4')", false, None},
	{"BACKUP", "BACKUP VIEW ${db}.v TO Disk('backups', '5')", false, None},
	{"BACKUP", "BACKUP TEMPORARY TABLE tmp TO Disk('backups', '6')", false, None},
	{"BACKUP", "BACKUP FROM SNAPSHOT Disk('backups', 's') TO Disk('backups', '7')", false, None},
	{"RESTORE", "RESTORE TABLE ${db}.stmt_t FROM Disk('backups', '1.zip')", false, Uncertain},
	{"RESTORE", "RESTORE DICTIONARY ${db}.d FROM Disk('backups', '4')", false, Uncertain},
	{"RESTORE", "RESTORE VIEW ${db}.v FROM Disk('backups', '5')", false, Uncertain},
	{"RESTORE", "RESTORE TEMPORARY TABLE tmp FROM Disk('backups', '6')", false, Uncertain},
	{"RESTORE", "RESTORE TABLE ${db}.stmt_t AS ${db}.t_restored FROM Disk('backups', '1.zip') ASYNC", false, Uncertain},
	{"RESTORE", "RESTORE DATABASE ${db} AS restored FROM File('b/')", false, Uncertain},
	{"RESTORE", "RESTORE ALL FROM Disk('backups', '2.zip')", false, Uncertain},
	// ParserTransactionControl: transactions are experimental.
	{"TRANSACTION", "BEGIN TRANSACTION", false, None},
	{"TRANSACTION", "COMMIT", false, None},
	{"TRANSACTION", "ROLLBACK", false, None},
	{"TRANSACTION", "SET TRANSACTION SNAPSHOT 1", false, None},
	// ParserDeleteQuery, ParserUpdateQuery.
	{"DELETE", "DELETE FROM ${db}.stmt_t WHERE x = 1", true, None},
	{"DELETE", "DELETE FROM ${db}.stmt_t IN PARTITION tuple() WHERE x = 2 SETTINGS lightweight_deletes_sync = 2", true, None},
	{"UPDATE", "UPDATE ${db}.stmt_t SET s = 'b' WHERE x = 1", false, None},
	// ParserExecuteAsQuery.
	{"EXECUTE AS", "EXECUTE AS u SELECT 1", false, None},
	{"EXECUTE AS", "EXECUTE AS u", false, None},
	{"EXECUTE AS", "EXECUTE AS u CREATE TABLE ${db}.as_u (x UInt8) ENGINE = Memory", false, Modelled},
	// ParserParallelWithQuery.
	{"PARALLEL WITH", "SELECT 1 PARALLEL WITH SELECT 2", false, None},
	{"PARALLEL WITH", "DROP TABLE IF EXISTS ${db}.nothing1 PARALLEL WITH DROP TABLE IF EXISTS ${db}.nothing2", false, Uncertain},
	// ParserUndropQuery and the DDL the model replays.
	{"UNDROP", "UNDROP TABLE ${db}.gone", false, Uncertain},
	{"CREATE TABLE AS", "CREATE TABLE ${db}.t2 AS ${db}.stmt_t ORDER BY s", true, Modelled},
	{"CREATE TABLE AS", "CREATE TABLE ${db}.t3 AS ${db}.stmt_t ENGINE = ReplacingMergeTree ORDER BY (x, s) SETTINGS index_granularity = 1024", true, Modelled},
	{"RENAME", "RENAME TABLE ${db}.t3 TO ${db}.t4", true, Modelled},
	{"EXCHANGE", "EXCHANGE TABLES ${db}.t2 AND ${db}.t4", true, Modelled},
	{"DETACH", "DETACH TABLE ${db}.t4", true, Modelled},
	{"ATTACH", "ATTACH TABLE ${db}.t4", true, Modelled},
	{"DROP", "DROP TABLE IF EXISTS ${db}.t2, ${db}.t4 SYNC", true, Modelled},
	{"CREATE DATABASE", "CREATE DATABASE IF NOT EXISTS ${db}_other ENGINE = Atomic COMMENT 'c'", true, Modelled},
	{"ALTER DATABASE", "ALTER DATABASE ${db}_other MODIFY COMMENT 'd'", true, Modelled},
	{"DETACH DATABASE", "DETACH DATABASE ${db}_other", false, Modelled},
	{"ATTACH DATABASE", "ATTACH DATABASE ${db}_att ENGINE = Atomic", false, Modelled},
	{"DROP DATABASE", "DROP DATABASE IF EXISTS ${db}_other SYNC", true, Modelled},
	{"CREATE FUNCTION", "CREATE FUNCTION ${db}_f AS (a) -> a + 1", true, Modelled},
	{"DROP FUNCTION", "DROP FUNCTION IF EXISTS ${db}_f", true, Modelled},
	{"CREATE INDEX", "CREATE INDEX i ON ${db}.stmt_t (s) TYPE bloom_filter GRANULARITY 2", true, Modelled},
	{"DROP INDEX", "DROP INDEX IF EXISTS i ON ${db}.stmt_t", true, Modelled},
	{"CREATE VIEW", "CREATE VIEW ${db}.v AS SELECT x FROM ${db}.stmt_t", true, Modelled},
	{"CREATE VIEW", "CREATE DEFINER = default SQL SECURITY DEFINER VIEW ${db}.v_definer AS SELECT 1 AS a", true, Modelled},
	{"CREATE VIEW", "CREATE SQL SECURITY INVOKER VIEW ${db}.v_invoker AS SELECT 1 AS a", true, Modelled},
	{"CREATE MATERIALIZED VIEW", "CREATE MATERIALIZED VIEW ${db}.mv TO ${db}.stmt_m AS SELECT x FROM ${db}.stmt_t", true, Modelled},
	{"CREATE WINDOW VIEW", "CREATE WINDOW VIEW ${db}.wv TO ${db}.stmt_m AS SELECT count(x) AS x FROM ${db}.stmt_t GROUP BY tumble(now(), INTERVAL '1' SECOND)", false, Uncertain},
	{"CREATE DICTIONARY", "CREATE DICTIONARY ${db}.d (x UInt64, s String) PRIMARY KEY x SOURCE(CLICKHOUSE(TABLE 'stmt_t' DB '${db}')) LAYOUT(FLAT()) LIFETIME(0)", true, Modelled},
	{"CREATE DICTIONARY", "CREATE DICTIONARY ${db}.d2 (x UInt64, s String) PRIMARY KEY x SOURCE(CLICKHOUSE(TABLE 'stmt_t' DB '${db}')) LAYOUT(FLAT()) LIFETIME(0)", true, Modelled},
	{"EXCHANGE", "EXCHANGE DICTIONARIES ${db}.d AND ${db}.d2", true, Modelled},
	{"SHOW", "SHOW DICTIONARY ${db}.d", true, None},
	{"SHOW", "SHOW VIEW ${db}.v", true, None},
	{"DETACH", "DETACH DICTIONARY ${db}.d2", true, Modelled},
	{"ATTACH", "ATTACH DICTIONARY ${db}.d2", true, Modelled},
	{"DETACH", "DETACH VIEW ${db}.v_invoker", true, Modelled},
	{"ATTACH", "ATTACH VIEW ${db}.v_attached AS SELECT 1 AS a", false, Modelled},
	{"ATTACH", "ATTACH DEFINER = default SQL SECURITY DEFINER VIEW ${db}.v_attached AS SELECT 1 AS a", false, Modelled},
	{"ATTACH", "ATTACH SQL SECURITY INVOKER VIEW ${db}.v_attached AS SELECT 1 AS a", false, Modelled},
	{"ATTACH", "ATTACH MATERIALIZED VIEW ${db}.mv_attached TO ${db}.stmt_m AS SELECT x FROM ${db}.stmt_t", false, Modelled},
	{"ATTACH", "ATTACH WINDOW VIEW ${db}.wv_attached TO ${db}.stmt_m AS SELECT count(x) AS x FROM ${db}.stmt_t GROUP BY tumble(now(), INTERVAL '1' SECOND)", false, Uncertain},
	{"ATTACH", "ATTACH OR REPLACE VIEW ${db}.v_attached AS SELECT 2 AS a", false, Modelled},
	{"ATTACH", "ATTACH TEMPORARY TABLE tmp_attached (x UInt8) ENGINE = Memory", false, None},
	{"ATTACH", "ATTACH MASKING POLICY p ON ${db}.stmt_t UPDATE s = 'x'", false, None},
	{"DETACH", "DETACH TEMPORARY TABLE tmp", false, None},
	{"DROP", "DROP TEMPORARY TABLE IF EXISTS tmp", false, None},
	{"ALTER", "ALTER TEMPORARY TABLE tmp ADD COLUMN y UInt8", false, None},
	{"DROP", "DROP VIEW IF EXISTS ${db}.v_definer", true, Modelled},
	{"DROP", "DROP DICTIONARY IF EXISTS ${db}.d2", true, Modelled},
	{"CREATE INDEX", "CREATE UNIQUE INDEX ui ON ${db}.stmt_t (x) TYPE minmax", false, Modelled},
	{"HYPOTHETICAL INDEX", "CREATE HYPOTHETICAL INDEX hi ON ${db}.stmt_t (s) TYPE minmax", false, None},
	{"HYPOTHETICAL INDEX", "DROP HYPOTHETICAL INDEX hi ON ${db}.stmt_t", false, None},
	{"CHECK", "CHECK DATABASE ${db}", false, None},
	{"ALTER TABLE", "ALTER TABLE ${db}.stmt_t ADD COLUMN IF NOT EXISTS y UInt8 AFTER x, COMMENT COLUMN y 'c'", true, Modelled},
	{"ALTER TABLE", "ALTER TABLE ${db}.stmt_t UPDATE s = 'b' WHERE x = 1", true, None},
	{"ALTER TABLE", "ALTER TABLE ${db}.stmt_t DELETE WHERE x = 2 SETTINGS mutations_sync = 2", true, None},
	{"CREATE TEMPORARY TABLE", "CREATE TEMPORARY TABLE tmp (x UInt8)", true, None},
	{"SYSTEM ON CLUSTER", "SYSTEM FLUSH LOGS ON CLUSTER c", false, None},
	{"GRANT ON CLUSTER", "GRANT ON CLUSTER c SELECT ON ${db}.* TO u", false, None},
}
