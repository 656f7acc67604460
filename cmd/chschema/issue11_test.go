package main

import (
	"cmp"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"

	"github.com/chschema/chschema/internal/chtest"
)

// writeMigrations writes a migrations root with one migration per up
// section in ups (service "default"), each with a -- no-op down, and
// returns the root.
func writeMigrations(t *testing.T, ups ...string) string {
	t.Helper()
	dir := t.TempDir()
	for i, up := range ups {
		name := filepath.Join(dir, strings.Replace("000N_m.sql", "N", string(rune('1'+i)), 1))
		if err := os.WriteFile(name, []byte("-- +up\n"+up+"\n-- +down\n-- no-op\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestLintPartitionForms: lint used to panic inside AfterShip's parser on
// ATTACH PARTITION ALL (issue 11); it and the other partition forms
// AfterShip rejects are valid ClickHouse and pass with an info finding.
func TestLintPartitionForms(t *testing.T) {
	dir := writeMigrations(t, `ALTER TABLE t ATTACH PARTITION ALL;
ALTER TABLE t DETACH PARTITION ID '202401';
ALTER TABLE t DROP PARTITION ID '202401';
ALTER TABLE t DROP PART 'all_1_1_0';`)
	code, stdout, stderr := runCmd(t, "lint", "--dir", dir)
	if code != 0 || !strings.Contains(stdout+stderr, "0 errors, 4 notes") || !strings.Contains(stdout, "PARTITION ALL, PARTITION ID or PART") {
		t.Fatalf("lint: exit %d\n%s%s", code, stdout, stderr)
	}
}

// corpusProject writes the oracle corpus (parser/testdata/oracle) as a
// migrations root: service "corpus", one migration per file, in order.
func corpusProject(t *testing.T) string {
	t.Helper()
	files, err := filepath.Glob("../../parser/testdata/oracle/*.sql")
	if err != nil || len(files) == 0 {
		t.Fatalf("no corpus: %v", err)
	}
	dir := t.TempDir()
	svc := filepath.Join(dir, "corpus")
	if err := os.MkdirAll(svc, 0o755); err != nil {
		t.Fatal(err)
	}
	for i, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		name := fmt.Sprintf("%04d_%s", i+1, strings.TrimSuffix(filepath.Base(f), ".sql"))
		writeFile(t, filepath.Join(svc, name+".sql"), "-- +up\n"+string(b)+"\n-- +down\n-- no-op\n")
	}
	return dir
}

// TestDefaultDatabaseEngines is issue 11's done criterion: the example
// project and the oracle corpus migrate and diff clean with the DSN's
// database default, on a server as shipped (chDB's default is Overlay) and
// on one whose default database is Ordinary, as on long-lived servers. No
// migration declares default's engine, so it is never compared.
func TestDefaultDatabaseEngines(t *testing.T) {
	srv := chtest.Private(t)
	admin := srv.Connect(t, "system")
	ctx := context.Background()
	bin := buildBinary(t)
	example, err := filepath.Abs(exampleDir)
	if err != nil {
		t.Fatal(err)
	}
	corpus := corpusProject(t)
	inDefault := writeMigrations(t, "CREATE TABLE in_default (k UInt64, v String) ENGINE = MergeTree ORDER BY k;",
		"CREATE VIEW in_default_view AS SELECT k FROM in_default;")
	for _, engine := range []string{"as shipped", "Ordinary"} {
		if engine == "Ordinary" {
			// Long-lived servers have an Ordinary default; here it is made
			// by dropping the shipped one.
			if err := admin.Exec(ctx, "DROP DATABASE default SYNC"); err != nil {
				t.Fatal(err)
			}
			octx := clickhouse.Context(ctx, clickhouse.WithSettings(clickhouse.Settings{"allow_deprecated_database_ordinary": 1}))
			if err := admin.Exec(octx, "CREATE DATABASE default ENGINE = Ordinary"); err != nil {
				t.Fatal(err)
			}
		}
		var got string
		if err := admin.QueryRow(ctx, "SELECT engine FROM system.databases WHERE name = 'default'").Scan(&got); err != nil {
			t.Fatal(err)
		}
		if engine == "Ordinary" && got != "Ordinary" || engine != "Ordinary" && got == "Atomic" {
			t.Fatalf("default's engine is %s (%s)", got, engine)
		}
		t.Logf("default database: %s", got)
		// The corpus runs in a database of its own, as the oracle test runs
		// it (chDB's Overlay default refuses DETACH PERMANENTLY); the
		// third project puts its tables in default itself.
		if err := admin.Exec(ctx, "CREATE DATABASE corpus"); err != nil {
			t.Fatal(err)
		}
		corpusDSN := strings.TrimSuffix(srv.DSN, "/default") + "/corpus"
		for _, p := range []struct {
			name, dir, dsn string
			env            []string
		}{
			{"example", example, srv.DSN, append(exampleEnv("", ""), "CHSCHEMA_HISTORY_TABLE=xapi.chschema_migrations")},
			{"corpus", corpus, corpusDSN, []string{"CHSCHEMA_VAR_db=corpus", "CHSCHEMA_VAR_fn=chs_corpus_"}},
			{"default", inDefault, srv.DSN, nil},
		} {
			env := append(p.env, "CHSCHEMA_DIR="+p.dir, "CHSCHEMA_DSN="+p.dsn)
			if r := runBinary(t, bin, t.TempDir(), env, "migrate"); r.code != 0 {
				t.Fatalf("%s, default %s: migrate: exit %d\n%s%s", p.name, got, r.code, r.stdout, r.stderr)
			}
			if r := runBinary(t, bin, t.TempDir(), env, "diff", "--no-cache"); r.code != 0 || !strings.Contains(r.stdout, "no drift") {
				t.Errorf("%s, default %s: diff: exit %d\n%s%s", p.name, got, r.code, r.stdout, r.stderr)
			}
		}
		// Start the next round afresh.
		for _, db := range []string{"xapi", "event_sink", "vector", "corpus"} {
			if err := admin.Exec(ctx, "DROP DATABASE IF EXISTS "+db+" SYNC"); err != nil {
				t.Fatal(err)
			}
		}
		for _, table := range []string{"chschema_migrations", "in_default", "in_default_view"} {
			if err := admin.Exec(ctx, "DROP TABLE IF EXISTS default."+table+" SYNC"); err != nil {
				t.Fatal(err)
			}
		}
		for _, db := range []string{} {
			if err := admin.Exec(ctx, "DROP DATABASE IF EXISTS "+db+" SYNC"); err != nil {
				t.Fatal(err)
			}
		}
		rows, err := admin.Query(ctx, "SELECT name FROM system.functions WHERE origin = 'SQLUserDefined'")
		if err != nil {
			t.Fatal(err)
		}
		var fns []string
		for rows.Next() {
			var n string
			if err := rows.Scan(&n); err != nil {
				t.Fatal(err)
			}
			fns = append(fns, n)
		}
		rows.Close()
		for _, f := range fns {
			if err := admin.Exec(ctx, "DROP FUNCTION "+f); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// TestMigrateSetCarriesOver: a SET statement applies to the statements after
// it in its migration, as in a session, though the runner's pooled
// connections keep none: old-style MergeTree tables (issue 11) need
// allow_deprecated_syntax_for_merge_tree, and diff then models their keys.
func TestMigrateSetCarriesOver(t *testing.T) {
	db := chtest.New(t)
	var creates []string
	for i := range 4 {
		creates = append(creates, fmt.Sprintf("CREATE TABLE old%d (d Date, k UInt64, s UInt32) ENGINE = MergeTree(d, intHash32(s), (k, intHash32(s)), 8192);", i))
	}
	dir := writeMigrations(t, "SET allow_deprecated_syntax_for_merge_tree = 1, max_threads = 2;\n"+strings.Join(creates, "\n"))
	// Connections that live a millisecond: every statement gets a new
	// one, so a session's SET is lost unless the runner carries it.
	code, stdout, stderr := runCmd(t, "--dir", dir, "--dsn", db.DSN+"?conn_max_lifetime=1ms", "migrate")
	if code != 0 {
		t.Fatalf("migrate: exit %d\n%s%s", code, stdout, stderr)
	}
	code, stdout, stderr = runCmd(t, "--dir", dir, "--dsn", db.DSN, "diff", "--no-cache")
	if code != 0 || stdout != "no drift\n" {
		t.Fatalf("diff: exit %d\n%s%s", code, stdout, stderr)
	}
}

// TestLintValidSQL: valid ClickHouse that offline lint rejected (issue
// 11) passes with info findings, and the same forms broken are still
// syntax errors at their positions.
func TestLintValidSQL(t *testing.T) {
	dir := writeMigrations(t, `INSERT INTO t (x) WITH 1 AS y SELECT y;
INSERT INTO t (Window) SELECT 'x';
INSERT INTO t (x) SELECT now() - INTERVAL '7 days';
CREATE TABLE s1 (a UInt8) ENGINE = MergeTree ORDER BY a SETTINGS min_compress_block_size = 1e6, ratio_of_defaults_for_sparse_serialization = 0.9;
CREATE TABLE s2 (a UInt8, b ALIAS a + 1) ENGINE = MergeTree ORDER BY a;
CREATE TABLE s3 (a UInt8) ORDER BY a;
ALTER TABLE s1 DETACH PARTITION ID 'all', DROP PARTITION ID 'all';
CREATE TABLE ttl (a UInt8, d DateTime) ENGINE = MergeTree ORDER BY a TTL d + INTERVAL 1 DAY;
ALTER TABLE ttl ADD COLUMN b UInt8 TTL d + INTERVAL '1 day';
CREATE TABLE mw (a DOUBLE PRECISION, e CHAR LARGE OBJECT COMMENT 'c', n NATIONAL CHARACTER LARGE OBJECT) ENGINE = Memory;
SYSTEM STOP TTL MERGES ttl;
SYSTEM START TTL MERGES ttl;
SYSTEM STOP MERGES ttl;
SYSTEM FLUSH LOGS;
INSERT INTO ttl VALUES (1, now()) (2, now());
INSERT INTO mw VALUES ({'k':'v'}, 'x', 'y');
INSERT INTO ttl (*) VALUES (1, now());
INSERT INTO ttl SETTINGS max_threads = 1 VALUES (1, now());
INSERT INTO ttl FORMAT JSONEachRow {"a": 1};
REPLACE TABLE mw (a UInt8) ENGINE = Memory;
CREATE TABLE mw2 ENGINE = Memory AS mw;
CREATE TABLE mw3 ENGINE = Memory EMPTY AS SELECT 1 AS x;
ALTER TABLE mw ALTER COLUMN a TYPE UInt16;
CREATE TABLE co (x varchar(255) COLLATE utf8_unicode_ci NOT NULL) ENGINE = Memory;
CREATE DICTIONARY dl (k UInt64, v Int64 DEFAULT -1, a Array(Int64) DEFAULT [1, 2]) PRIMARY KEY k LAYOUT(HASHED) SOURCE(CLICKHOUSE(TABLE 'mw')) LIFETIME(0);
CREATE TABLE dg (d1 DEFAULT dictGet(02015_db.test_dictionary, 'data_column_2', toUInt64(0)), 1c MATERIALIZED 02015_f(1)) ENGINE = TinyLog;
CREATE MATERIALIZED VIEW mv1 AS SELECT a FROM s1;
CREATE MATERIALIZED VIEW mv2 (a UInt8) ORDER BY a POPULATE AS SELECT a FROM s1;
CREATE TABLE ct ORDER BY intHash32(a) SAMPLE BY intHash32(a) AS SELECT a FROM s1;
CREATE TABLE qs (a UInt8) ENGINE = MergeTree ORDER BY a SETTINGS index_granularity = 64 SETTINGS log_queries = 1;
CREATE INDEX IF NOT EXISTS ix ON qs (a) TYPE minmax GRANULARITY 2;
DROP INDEX ix ON default.qs;
CREATE TABLE cs (a UInt64, c String SETTINGS (max_compress_block_size = 1048576)) ENGINE = MergeTree ORDER BY a;
ALTER TABLE cs MODIFY COLUMN c String SETTINGS (min_compress_block_size = 65536);`)
	code, stdout, stderr := runCmd(t, "lint", "--dir", dir)
	if code != 0 || !strings.Contains(stdout+stderr, "0 errors") {
		t.Fatalf("lint: exit %d\n%s%s", code, stdout, stderr)
	}
	broken := writeMigrations(t, `CREATE TABLE s2 (a UInt8, b ALIAS a +) ENGINE = MergeTree ORDER BY a;
CREATE TABLE s3 (a UInt8) ORDER BY a SETTINGS;
INSERT INTO t (x) WITH 1 AS SELECT y;
SYSTEM STOPP MERGES t;
INSERT INTO t VALUES (1) x (2);
CREATE DICTIONARY dl (k UInt64, a Array(Int64) DEFAULT [1, k]) PRIMARY KEY k LAYOUT(HASHED) SOURCE(CLICKHOUSE(TABLE 'mw')) LIFETIME(0);
CREATE MATERIALIZED VIEW mv2 (a UInt8) ORDER BY a + POPULATE AS SELECT a FROM s1;
CREATE TABLE ct ORDER BY intHash32(a SAMPLE BY a AS SELECT a FROM s1;
CREATE INDEX ix ON qs (a +) TYPE minmax;`)
	code, stdout, stderr = runCmd(t, "lint", "--dir", broken)
	for _, want := range []string{"0001_m.sql:2:38: error syntax", "0001_m.sql:3:", "0001_m.sql:4:36: error syntax", "0001_m.sql:5:", "0001_m.sql:6:", "0001_m.sql:7:56: error syntax", "0001_m.sql:8:", "0001_m.sql:9:", "0001_m.sql:10:24: error syntax", "9 errors"} {
		if code != 1 || !strings.Contains(stdout+stderr, want) {
			t.Errorf("broken: exit %d, want %q in\n%s%s", code, want, stdout, stderr)
		}
	}
}

// TestRefusedStatementDoesNotVoid is issue 11 §3: a statement the server
// ran but the model refuses (here an ALTER of a table made by hand, which
// the model does not have) used to make diff, migrate, dump and plan exit
// 2 for the whole directory. Now its table is unverified, at the
// statement's position, and everything else is still compared.
func TestRefusedStatementDoesNotVoid(t *testing.T) {
	db := chtest.New(t)
	const up = `CREATE TABLE t1 (a UInt8) ENGINE = MergeTree ORDER BY a;
ALTER TABLE handmade ADD COLUMN b UInt8;
CREATE TABLE t2 (a UInt8) ENGINE = MergeTree ORDER BY a;`
	dir := writeMigrations(t, up)
	// migrate's pre-flight refuses to run a statement the model cannot
	// replay (issue 13), so the statement reaches the history the way it
	// does on a server where it ran before chschema: run by hand, then
	// recorded with baseline.
	execAll(t, db, "CREATE TABLE handmade (a UInt8) ENGINE = MergeTree ORDER BY a")
	for _, st := range strings.Split(up, ";") {
		if strings.TrimSpace(st) != "" {
			execAll(t, db, st)
		}
	}
	base := []string{"--dir", dir, "--dsn", db.DSN}
	if code, out, errOut := runCmd(t, append(base, "baseline", "1")...); code != 0 {
		t.Fatalf("baseline: exit %d\n%s%s", code, out, errOut)
	}
	code, out, errOut := runCmd(t, append(base, "diff", "--no-cache")...)
	t.Logf("diff:\n%s%s", out, errOut)
	if code != 0 || !strings.HasSuffix(out, "no drift; 1 unverified\n") ||
		!strings.Contains(out+errOut, "0001_m.sql:3:1") || !strings.Contains(out, "handmade") {
		t.Fatalf("diff: exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	// Everything else is still compared.
	execAll(t, db, "ALTER TABLE t2 ADD COLUMN hand UInt8")
	code, out, errOut = runCmd(t, append(base, "diff", "--no-cache")...)
	if code != 1 || !strings.Contains(out, "`hand`") || !strings.Contains(out, "handmade") {
		t.Fatalf("diff after a hand change: exit %d\n%s%s", code, out, errOut)
	}
	// migrate's drift check sees it too, and does not fail on the refusal.
	writeFile(t, filepath.Join(dir, "0002_m.sql"), "-- +up\nCREATE TABLE t3 (a UInt8) ENGINE = Memory;\n-- +down\n-- no-op\n")
	code, out, errOut = runCmd(t, append(base, "migrate")...)
	if code == 0 || !strings.Contains(out+errOut, "hand") {
		t.Fatalf("migrate over drift: exit %d\n%s%s", code, out, errOut)
	}
	execAll(t, db, "ALTER TABLE t2 DROP COLUMN hand")
	if code, out, errOut := runCmd(t, append(base, "migrate")...); code != 0 {
		t.Fatalf("migrate: exit %d\n%s%s", code, out, errOut)
	}
	// dump and plan go on, and say which statement the model refused.
	schemaDir := t.TempDir()
	code, out, errOut = runCmd(t, "--dir", dir, "dump", "--schema-dir", schemaDir, "--force")
	if code != 0 || !strings.Contains(errOut, "0001_m.sql:3:1") {
		t.Fatalf("dump: exit %d\n%s%s", code, out, errOut)
	}
	code, out, errOut = runCmd(t, "--dir", dir, "plan", "default", "next", "--schema-dir", schemaDir, "--dry-run")
	if code != 0 {
		t.Fatalf("plan: exit %d\n%s%s", code, out, errOut)
	}
	// schema stays strict: offline, the statement is an error.
	if code, _, errOut := runCmd(t, "--dir", dir, "schema"); code != 2 || !strings.Contains(errOut, "0001_m.sql:3:1") {
		t.Errorf("schema: exit %d\n%s", code, errOut)
	}
}

// TestUnreadableIsVisible: what the model cannot follow is shown, never
// silently left out (issue 11: a database named 01681_db was never read,
// and diff said "no drift"). A database created with a name that starts
// with a digit is now read and compared; a RENAME DATABASE, which made
// both databases unverified, is now followed: the renamed database is
// compared (TestDatabaseRenameDetachDrift reports drift in it).
func TestUnreadableIsVisible(t *testing.T) {
	db := chtest.New(t)
	a, b, digits := db.Name+"_a", db.Name+"_b", "01681_"+db.Name
	t.Cleanup(func() {
		execAll(t, db, "DROP DATABASE IF EXISTS "+a, "DROP DATABASE IF EXISTS "+b, "DROP DATABASE IF EXISTS `"+digits+"`")
	})
	dir := writeMigrations(t,
		"CREATE DATABASE "+digits+";\nCREATE TABLE "+digits+".02725_cnf (a UInt8, 1c String) ENGINE = MergeTree ORDER BY (a, 1c);",
		"CREATE DATABASE "+a+";\nCREATE TABLE "+a+".t (a UInt8) ENGINE = MergeTree ORDER BY a;\nRENAME DATABASE "+a+" TO "+b+";")
	base := []string{"--dir", dir, "--dsn", db.DSN}
	if code, out, errOut := runCmd(t, append(base, "migrate")...); code != 0 {
		t.Fatalf("migrate: exit %d\n%s%s", code, out, errOut)
	}
	code, out, errOut := runCmd(t, append(base, "diff", "--no-cache")...)
	if code != 0 || out != "no drift\n" {
		t.Fatalf("diff: exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	execAll(t, db, "ALTER TABLE `"+digits+"`.`02725_cnf` ADD COLUMN hand UInt8")
	code, out, errOut = runCmd(t, append(base, "diff", "--no-cache")...)
	if code != 1 || !strings.Contains(out, "`hand`") {
		t.Fatalf("diff after a hand change in %s: exit %d\n%s%s", digits, code, out, errOut)
	}
}

// TestDownLeavesDrift: after down --to 0, what the down sections left
// behind, in a database a migration created and in the DSN's database, is
// drift (issue 11: diff said "no drift" with tables left, and verify said
// ok): every database a migration touches at any version is read. A table
// no migration creates is drift only in a database the applied migrations
// use: it does not stop the first migrate, nor show after down --to 0.
func TestDownLeavesDrift(t *testing.T) {
	db := chtest.New(t)
	execAll(t, db, "CREATE TABLE unrelated (a UInt8) ENGINE = Memory")
	x := db.Name + "_x"
	t.Cleanup(func() { execAll(t, db, "DROP DATABASE IF EXISTS "+x) })
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "0001_x.sql"), "-- +up\nCREATE DATABASE "+x+";\nCREATE TABLE "+x+".t1 (a UInt8) ENGINE = Memory;\nCREATE TABLE "+x+".t2 (a UInt8) ENGINE = Memory;\n-- +down\nDROP TABLE "+x+".t1;\n")
	writeFile(t, filepath.Join(dir, "0002_u.sql"), "-- +up\nCREATE TABLE u (a UInt8) ENGINE = Memory;\n-- +down\n-- no-op\n")
	base := []string{"--dir", dir, "--dsn", db.DSN}
	if code, out, errOut := runCmd(t, append(base, "migrate")...); code != 0 {
		t.Fatalf("migrate: exit %d\n%s%s", code, out, errOut)
	}
	if code, out, errOut := runCmd(t, append(base, "diff", "--no-cache")...); code != 1 || !strings.Contains(out, "table unrelated: added") {
		t.Fatalf("diff: exit %d\n%s%s", code, out, errOut)
	}
	if code, out, errOut := runCmd(t, append(base, "down", "--to", "0")...); code != 0 {
		t.Fatalf("down: exit %d\n%s%s", code, out, errOut)
	}
	code, out, errOut := runCmd(t, append(base, "diff", "--no-cache")...)
	if code != 1 || !strings.Contains(out, "database "+x) || !strings.Contains(out, "t2") || !strings.Contains(out, "table u: added") ||
		strings.Contains(out, "unrelated") {
		t.Fatalf("diff after down --to 0: exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	// verify's round trip sees it too.
	scratch := chtest.New(t)
	execAll(t, db, "DROP DATABASE "+x)
	code, out, errOut = runCmd(t, "--dir", dir, "verify", "--dev-dsn", scratch.DSN)
	if code != exitFindings || !strings.Contains(errOut, "after down default/0002") {
		t.Fatalf("verify: exit %d\n%s%s", code, out, errOut)
	}
}

// TestFailedDown: after a down section fails part way (code 44: a column
// another's default depends on), the half-reverted migration's up and its
// completed down statements are expected, so diff finds no drift (issue
// 11: it took the migration for not applied and reported its columns);
// status shows when the migrations still applied were applied, never
// 1970-01-01.
func TestFailedDown(t *testing.T) {
	db := chtest.New(t)
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "0001_a.sql"), "-- +up\nCREATE TABLE a (x UInt8) ENGINE = Memory;\n-- +down\nDROP TABLE a;\n")
	writeFile(t, filepath.Join(dir, "0002_t.sql"), "-- +up\nCREATE TABLE t (x UInt8, y UInt8, h UInt8 DEFAULT y + 1) ENGINE = MergeTree ORDER BY x;\n"+
		"-- +down\nALTER TABLE t ADD COLUMN tmp UInt8;\nALTER TABLE t DROP COLUMN y;\nDROP TABLE t;\n")
	base := []string{"--dir", dir, "--dsn", db.DSN}
	if code, out, errOut := runCmd(t, append(base, "migrate")...); code != 0 {
		t.Fatalf("migrate: exit %d\n%s%s", code, out, errOut)
	}
	code, out, errOut := runCmd(t, append(base, "down", "--to", "0")...)
	if code != exitError || !strings.Contains(errOut, "code 44") {
		t.Fatalf("down: exit %d, want the failure of code 44\n%s%s", code, out, errOut)
	}
	code, out, errOut = runCmd(t, append(base, "diff", "--no-cache")...)
	if code != 0 || out != "no drift\n" || !strings.Contains(errOut, "default/0002 is half-reverted: its up section and its 1 completed down statement count as expected") {
		t.Fatalf("diff after a failed down: exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	code, out, errOut = runCmd(t, append(base, "status")...)
	if code != 0 || strings.Contains(out, "1970") || !strings.Contains(out, "applied") || !strings.Contains(out, "incomplete") {
		t.Fatalf("status: exit %d\n%s%s", code, out, errOut)
	}
	for _, line := range strings.Split(out, "\n") {
		if strings.Contains(line, " applied ") && !strings.Contains(line, time.Now().UTC().Format("2006-01-02")) {
			t.Errorf("status line %q: want today's date", line)
		}
	}
}

// TestDictionarySourceCalls: a dictionary source's function calls are
// evaluated by the server when it creates the dictionary (issue 11: PORT
// tcpPort() DB currentDatabase() was false drift). diff lets the server
// evaluate them; --offline-from, with no server, leaves the dictionary
// unverified.
func TestDictionarySourceCalls(t *testing.T) {
	db := chtest.New(t)
	dir := writeMigrations(t, "CREATE TABLE src (k UInt64, v String) ENGINE = MergeTree ORDER BY k;\n"+
		"CREATE DICTIONARY dict (k UInt64, v String) PRIMARY KEY k SOURCE(CLICKHOUSE(HOST 'localhost' PORT tcpPort() USER 'default' DB currentDatabase() TABLE 'src')) LAYOUT(HASHED()) LIFETIME(0);")
	base := []string{"--dir", dir, "--dsn", db.DSN}
	if code, out, errOut := runCmd(t, append(base, "migrate")...); code != 0 {
		t.Fatalf("migrate: exit %d\n%s%s", code, out, errOut)
	}
	if code, out, errOut := runCmd(t, append(base, "diff", "--no-cache")...); code != 0 || out != "no drift\n" {
		t.Fatalf("diff: exit %d\n%s%s", code, out, errOut)
	}
	saved := filepath.Join(t.TempDir(), "saved.json")
	code, out, errOut := runCmd(t, "--dir", dir, "--format", "json", "schema")
	if code != 0 {
		t.Fatalf("schema: exit %d\n%s", code, errOut)
	}
	writeFile(t, saved, out)
	code, out, errOut = runCmd(t, "--dir", dir, "diff", "--offline-from", saved)
	if code != 0 || !strings.Contains(out, "dictionary") || !strings.Contains(out, "evaluated by the server") {
		t.Fatalf("diff --offline-from: exit %d\n%s%s", code, out, errOut)
	}
}

// runCmd is runCLI with the command name moved before the flags, where
// each command declares its own: runCmd(t, "--dir", d, "diff") runs
// "diff --dir d".
func runCmd(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	commands := map[string]bool{}
	cli := reflect.TypeOf(CLI{})
	for i := 0; i < cli.NumField(); i++ {
		f := cli.Field(i)
		if _, ok := f.Tag.Lookup("cmd"); ok {
			commands[cmp.Or(f.Tag.Get("name"), strings.ToLower(f.Name))] = true
		}
	}
	for i, a := range args {
		if commands[a] && (i == 0 || !strings.HasPrefix(args[i-1], "--") || strings.Contains(args[i-1], "=")) {
			args = append(append([]string{a}, args[:i]...), args[i+1:]...)
			break
		}
	}
	return runCLI(t, args...)
}
