package main

import (
	"context"
	"strings"
	"testing"

	"github.com/chschema/chschema/internal/chtest"
)

// TestRefreshableViewDrift: refreshable materialized views are modelled
// (issue 11): after migrate, diff compares their REFRESH clauses with what
// the server stores (normalised intervals, DEPENDS ON qualified) and finds
// no drift; a MODIFY REFRESH run behind the tool's back is reported as a
// changed refresh, and one that only respells the clause is not.
func TestRefreshableViewDrift(t *testing.T) {
	db := chtest.New(t)
	dir := writeMigrations(t, `CREATE TABLE src (a UInt64, b String) ENGINE = MergeTree ORDER BY a;
CREATE TABLE dst (a UInt64, b String) ENGINE = MergeTree ORDER BY a;
CREATE MATERIALIZED VIEW rv REFRESH EVERY 1 YEAR OFFSET 90 MINUTE RANDOMIZE FOR 3600 SECOND DEPENDS ON src SETTINGS refresh_retries = 2 APPEND TO dst EMPTY AS SELECT a, b FROM src;
CREATE MATERIALIZED VIEW rv_inner refresh after 8 days ENGINE = MergeTree ORDER BY a EMPTY AS SELECT a FROM src;`,
		"ALTER TABLE rv_inner MODIFY REFRESH AFTER 1 qq 14 DAY;")
	base := []string{"--dir", dir, "--dsn", db.DSN}
	if code, out, errOut := runCmd(t, append(base, "migrate")...); code != 0 {
		t.Fatalf("migrate: exit %d\n%s%s", code, out, errOut)
	}
	if code, out, errOut := runCmd(t, append(base, "diff", "--no-cache")...); code != 0 || out != "no drift\n" || strings.Contains(errOut, "unverified") {
		t.Fatalf("diff after migrate: exit %d\n%s%s", code, out, errOut)
	}
	// The same schedule written differently is no drift.
	execAll(t, db, "ALTER TABLE {db}.rv_inner MODIFY REFRESH AFTER 3 MONTH 2 WEEK")
	if code, out, errOut := runCmd(t, append(base, "diff", "--no-cache")...); code != 0 || out != "no drift\n" {
		t.Fatalf("diff after respelling: exit %d\n%s%s", code, out, errOut)
	}
	for _, c := range []struct{ alter, want string }{
		{"ALTER TABLE {db}.rv_inner MODIFY REFRESH AFTER 3 MONTH 15 DAY", "REFRESH AFTER 3 MONTH 2 WEEK 1 DAY"},
		{"ALTER TABLE {db}.rv MODIFY REFRESH EVERY 1 YEAR OFFSET 90 MINUTE RANDOMIZE FOR 3600 SECOND DEPENDS ON {db}.src APPEND", "SETTINGS refresh_retries = 2"},
	} {
		execAll(t, db, c.alter)
		code, out, errOut := runCmd(t, append(base, "diff", "--no-cache")...)
		t.Logf("%s:\n%s", c.alter, out)
		if code != exitFindings || !strings.Contains(out, "refresh") || !strings.Contains(out, c.want) {
			t.Fatalf("diff after %s: exit %d, want %d and %q\nstdout:\n%s\nstderr:\n%s", c.alter, code, exitFindings, c.want, out, errOut)
		}
	}
}

// TestDatabaseRenameDetachDrift: RENAME DATABASE, DETACH DATABASE and
// ATTACH DATABASE are modelled (issue 11: they made their databases
// unverified). After migrate, diff compares the renamed database's objects
// and finds no drift, nothing unverified; a column added behind the tool's
// back in the renamed database, and a database detached behind its back,
// are reported.
func TestDatabaseRenameDetachDrift(t *testing.T) {
	db := chtest.New(t)
	a, b, gone := db.Name+"_a", db.Name+"_b", db.Name+"_gone"
	t.Cleanup(func() {
		// A detached database stays on the server's disk until attached.
		ctx := context.Background()
		for _, d := range []string{a, b, gone} {
			_ = db.Conn.Exec(ctx, "ATTACH DATABASE IF NOT EXISTS "+d)
			_ = db.Conn.Exec(ctx, "DROP DATABASE IF EXISTS "+d)
		}
	})
	dir := writeMigrations(t, "CREATE DATABASE "+a+" ENGINE = Atomic;\nCREATE TABLE "+a+".t (k UInt64, v String) ENGINE = MergeTree ORDER BY k;\n"+
		"CREATE TABLE src (k UInt64, v String) ENGINE = MergeTree ORDER BY k;\nCREATE MATERIALIZED VIEW mv TO "+a+".t AS SELECT k, v FROM src;",
		"RENAME DATABASE "+a+" TO "+b+";\nDETACH DATABASE "+b+";\nATTACH DATABASE "+b+";\nCREATE TABLE "+b+".u (k UInt64) ENGINE = Memory;\n"+
			"CREATE DATABASE "+gone+" ENGINE = Atomic;\nCREATE TABLE "+gone+".t (k UInt64) ENGINE = Memory;\nDETACH DATABASE "+gone+";")
	base := []string{"--dir", dir, "--dsn", db.DSN}
	if code, out, errOut := runCmd(t, append(base, "migrate")...); code != 0 {
		t.Fatalf("migrate: exit %d\n%s%s", code, out, errOut)
	}
	code, out, errOut := runCmd(t, append(base, "diff", "--no-cache")...)
	if code != 0 || out != "no drift\n" || strings.Contains(errOut, "unverified") || strings.Contains(errOut, "unsupported") {
		t.Fatalf("diff after migrate: exit %d\n%s%s", code, out, errOut)
	}
	execAll(t, db, "ALTER TABLE "+b+".t ADD COLUMN extra UInt8")
	code, out, errOut = runCmd(t, append(base, "diff", "--no-cache")...)
	if code != exitFindings || !strings.Contains(out, "database "+b) || !strings.Contains(out, "extra") {
		t.Fatalf("diff after ADD COLUMN in the renamed database: exit %d\n%s%s", code, out, errOut)
	}
	execAll(t, db, "ALTER TABLE "+b+".t DROP COLUMN extra", "DETACH DATABASE "+b)
	code, out, errOut = runCmd(t, append(base, "diff", "--no-cache")...)
	if code != exitFindings || !strings.Contains(out, b) || !strings.Contains(out, "removed") && !strings.Contains(out, "dropped") {
		t.Fatalf("diff after DETACH DATABASE behind its back: exit %d\n%s%s", code, out, errOut)
	}
	t.Logf("%s", out)
	execAll(t, db, "ATTACH DATABASE "+b)
}

// TestColumnSettingsDrift: a column's own SETTINGS (…) are modelled (issue
// 11: they made the table unverified): after migrate, with MODIFY SETTING,
// RESET SETTING and a type change that keeps them, diff finds no drift;
// a setting changed behind the tool's back is reported on that column.
func TestColumnSettingsDrift(t *testing.T) {
	db := chtest.New(t)
	dir := writeMigrations(t, "CREATE TABLE cs (k UInt64, s String SETTINGS (max_compress_block_size = 0x10000, min_compress_block_size = '4096'), u String) ENGINE = MergeTree ORDER BY k;",
		"ALTER TABLE cs MODIFY COLUMN u MODIFY SETTING max_compress_block_size = 1048576;\nALTER TABLE cs MODIFY COLUMN s RESET SETTING min_compress_block_size;\nALTER TABLE cs MODIFY COLUMN s LowCardinality(String);")
	base := []string{"--dir", dir, "--dsn", db.DSN}
	if code, out, errOut := runCmd(t, append(base, "migrate")...); code != 0 {
		t.Fatalf("migrate: exit %d\n%s%s", code, out, errOut)
	}
	code, out, errOut := runCmd(t, append(base, "diff", "--no-cache")...)
	if code != 0 || out != "no drift\n" || strings.Contains(errOut, "unverified") || strings.Contains(errOut, "unsupported") {
		t.Fatalf("diff after migrate: exit %d\n%s%s", code, out, errOut)
	}
	execAll(t, db, "ALTER TABLE {db}.cs MODIFY COLUMN s MODIFY SETTING max_compress_block_size = 2048")
	code, out, errOut = runCmd(t, append(base, "diff", "--no-cache")...)
	if code != exitFindings || !strings.Contains(out, "column `s` (settings)") || !strings.Contains(out, "max_compress_block_size = 2048") {
		t.Fatalf("diff after MODIFY SETTING behind its back: exit %d\n%s%s", code, out, errOut)
	}
	t.Logf("%s", out)
}
