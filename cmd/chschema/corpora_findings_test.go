package main

import (
	"context"
	"strings"
	"testing"

	"github.com/chschema/chschema/internal/chtest"
)

// TestUnverifiedExistence: an object whose definition alone the model does
// not know (CREATE TABLE … AS SELECT, CREATE TABLE b AS a of such a table,
// a table AS system.one) is unverified while it exists, and dropped when
// the server no longer has it (issue 11 F13, F22, F35): its existence is
// certain even when its columns are not.
func TestUnverifiedExistence(t *testing.T) {
	db := chtest.New(t)
	dir := writeMigrations(t, `CREATE TABLE a ENGINE = Memory AS SELECT 1 AS x;
CREATE TABLE b AS a;
CREATE TABLE null_t AS system.one ENGINE = Null();
CREATE TABLE c (x UInt8) ENGINE = Memory;`)
	base := []string{"--dir", dir, "--dsn", db.DSN}
	if code, out, errOut := runCmd(t, append(base, "migrate")...); code != 0 {
		t.Fatalf("migrate: exit %d\n%s%s", code, out, errOut)
	}
	code, out, errOut := runCmd(t, append(base, "diff", "--no-cache")...)
	if code != 0 || !strings.HasSuffix(out, "no drift; 3 unverified\n") || !strings.Contains(out, "0001_m.sql:3:1") {
		t.Fatalf("diff: exit %d\n%s%s", code, out, errOut)
	}
	execAll(t, db, "DROP TABLE a", "DROP TABLE null_t")
	code, out, errOut = runCmd(t, append(base, "diff", "--no-cache")...)
	if code != 1 || !strings.Contains(out, "table a: dropped") || !strings.Contains(out, "table null_t: dropped") || strings.Contains(out, "table b: dropped") {
		t.Fatalf("diff after DROP TABLE a on the server: exit %d\n%s%s", code, out, errOut)
	}
}

// TestDictionaryDatabase: a database of the Dictionary engine lists every
// dictionary of the server as a table; they are not its objects, and not
// drift (issue 11 F29), even for a dictionary made later by someone else.
func TestDictionaryDatabase(t *testing.T) {
	db := chtest.New(t)
	dicts := db.Name + "_dicts"
	t.Cleanup(func() { execAll(t, db, "DROP DATABASE IF EXISTS "+dicts) })
	dir := writeMigrations(t, `CREATE TABLE dict_data (key UInt64, val UInt64) ENGINE = Memory;
CREATE DICTIONARY dict (key UInt64, val UInt64) PRIMARY KEY key SOURCE(CLICKHOUSE(TABLE 'dict_data')) LIFETIME(0) LAYOUT(FLAT());
CREATE DATABASE `+dicts+` ENGINE = Dictionary;`)
	base := []string{"--dir", dir, "--dsn", db.DSN}
	if code, out, errOut := runCmd(t, append(base, "migrate")...); code != 0 {
		t.Fatalf("migrate: exit %d\n%s%s", code, out, errOut)
	}
	execAll(t, db, "CREATE DICTIONARY other (key UInt64, val UInt64) PRIMARY KEY key SOURCE(CLICKHOUSE(TABLE 'dict_data')) LIFETIME(0) LAYOUT(FLAT())")
	code, out, errOut := runCmd(t, append(base, "diff", "--no-cache")...)
	if code != 1 || !strings.Contains(out, "dictionary other: added") || strings.Contains(out, dicts) {
		t.Fatalf("diff: exit %d\n%s%s", code, out, errOut)
	}
	execAll(t, db, "DROP DICTIONARY other", "DROP DATABASE "+dicts, "CREATE DATABASE "+dicts+" ENGINE = Atomic")
	code, out, errOut = runCmd(t, append(base, "diff", "--no-cache")...)
	if code != 1 || !strings.Contains(out, "database "+dicts) {
		t.Fatalf("diff after the database changed engine: exit %d\n%s%s", code, out, errOut)
	}
}

// TestInnerIDTable: a table created as .inner_id.<uuid>, which a
// materialized view then ATTACHed with that UUID takes as its inner table,
// and ATTACH … TO INNER UUID (ClickHouse test 01153, issue 11 F25): lint
// passes, migrate runs, and diff finds no drift (the view is unverified:
// ATTACH keeps its definition as written) until the view is dropped.
func TestInnerIDTable(t *testing.T) {
	db := chtest.New(t)
	var u1, u2 string
	if err := db.Conn.QueryRow(context.Background(), "SELECT toString(generateUUIDv4(1)), toString(generateUUIDv4(2))").Scan(&u1, &u2); err != nil {
		t.Fatal(err)
	}
	dir := writeMigrations(t, `CREATE TABLE src (n UInt64) ENGINE = MergeTree ORDER BY n;
CREATE TABLE ".inner_id.`+u1+`" (n Int32, n2 Int64) ENGINE = MergeTree PARTITION BY n % 10 ORDER BY n;
ATTACH MATERIALIZED VIEW mv UUID '`+u1+`' (n Int32, n2 Int64) ENGINE = MergeTree PARTITION BY n % 10 ORDER BY n AS SELECT n, n * n AS n2 FROM src;`,
		`DROP TABLE mv SYNC;
CREATE TABLE ".inner_id.`+u1+`" UUID '`+u2+`' (n Int32, n2 Int64) ENGINE = MergeTree PARTITION BY n % 10 ORDER BY n;
ATTACH MATERIALIZED VIEW mv UUID '`+u1+`' TO INNER UUID '`+u2+`' (n Int32, n2 Int64) ENGINE = MergeTree PARTITION BY n % 10 ORDER BY n AS SELECT n, n * n AS n2 FROM src;`)
	base := []string{"--dir", dir, "--dsn", db.DSN}
	if code, out, errOut := runCmd(t, "lint", "--dir", dir); code != 0 {
		t.Fatalf("lint: exit %d\n%s%s", code, out, errOut)
	}
	if code, out, errOut := runCmd(t, append(base, "migrate")...); code != 0 {
		t.Fatalf("migrate: exit %d\n%s%s", code, out, errOut)
	}
	code, out, errOut := runCmd(t, append(base, "diff", "--no-cache")...)
	if code != 0 || !strings.HasSuffix(out, "no drift; 1 unverified\n") || !strings.Contains(out, "0002_m.sql:4:1") {
		t.Fatalf("diff: exit %d\n%s%s", code, out, errOut)
	}
	execAll(t, db, "DROP TABLE mv SYNC")
	code, out, errOut = runCmd(t, append(base, "diff", "--no-cache")...)
	if code != 1 || !strings.Contains(out, "materialized view mv: dropped") {
		t.Fatalf("diff after DROP TABLE mv: exit %d\n%s%s", code, out, errOut)
	}
}
