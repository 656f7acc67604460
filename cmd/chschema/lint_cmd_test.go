package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/chschema/chschema/internal/chtest"
)

// TestLintDSN proves --dsn on a real server: a valid statement that the
// offline parser rejects passes with the server's parser, and an invalid
// one still fails.
func TestLintDSN(t *testing.T) {
	db := chtest.New(t)
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "0001_a.sql"), "-- +up\nSELECT 1 OFFSET 0 ROWS;\n-- +down\n-- no-op\n")

	env, stdout, _ := testEnv()
	if code := run([]string{"lint", "--dir", dir}, env); code != exitFindings || !strings.Contains(stdout.String(), "0001_a.sql:2:19: error syntax:") {
		t.Errorf("offline: exit %d\n%s", code, stdout)
	}
	env, stdout, stderr := testEnv()
	if code := run([]string{"lint", "--dir", dir, "--dsn", db.DSN}, env); code != exitOK || !strings.Contains(stdout.String(), "info offline-parser-gap: AfterShip's parser rejects this statement") {
		t.Errorf("with --dsn: exit %d\n%s%s", code, stdout, stderr)
	}

	// BACKUP, which the gap layer reads by its leading keywords, passes
	// offline with a note (issue 11: valid SQL is never a lint error) ...
	writeFile(t, filepath.Join(dir, "0001_a.sql"), "-- +up\nBACKUP TABLE t TO Disk('backups', 'b.zip');\n-- +down\n-- no-op\n")
	env, stdout, _ = testEnv()
	if code := run([]string{"lint", "--dir", dir}, env); code != exitOK || !strings.Contains(stdout.String(), "0001_a.sql:2:1: info offline-parser-gap: statement read by its leading keywords") {
		t.Errorf("BACKUP offline: exit %d\n%s", code, stdout)
	}
	// ... and the server's parser still judges its body.
	writeFile(t, filepath.Join(dir, "0001_a.sql"), "-- +up\nBACKUP TABLES t TO Disk('backups', 'b.zip');\n-- +down\n-- no-op\n")
	env, stdout, _ = testEnv()
	if code := run([]string{"lint", "--dir", dir, "--dsn", db.DSN}, env); code != exitFindings || !strings.Contains(stdout.String(), "error syntax: server: ") {
		t.Errorf("invalid with --dsn: exit %d\n%s", code, stdout)
	}

	env, _, stderr = testEnv()
	if code := run([]string{"lint", "--dir", dir, "--dsn", "clickhouse://default@127.0.0.1:1/default"}, env); code != exitError || !strings.Contains(stderr.String(), "server at") {
		t.Errorf("unreachable server: exit %d, stderr %s", code, stderr)
	}
}

// TestLintReplayAndSessionDatabase: lint reports a statement that cannot
// replay at its file:line:col, and the session database of unqualified
// names comes from --session-database (or --dsn); without it, only what
// fails in every candidate database is reported.
func TestLintReplayAndSessionDatabase(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "0001_a.sql"), "-- +up\nCREATE TABLE events (x Int8) ENGINE = Log;\n-- +down\nDROP TABLE events;\n")
	writeFile(t, filepath.Join(dir, "0002_b.sql"), "-- +up\nALTER TABLE analytics.events ADD COLUMN y Int8;\n-- +down\nALTER TABLE analytics.events DROP COLUMN y;\n")
	for _, tc := range []struct {
		args []string
		code int
	}{
		{nil, exitOK},
		{[]string{"--session-database", "analytics"}, exitOK},
		{[]string{"--session-database", "default"}, exitFindings},
	} {
		env, stdout, stderr := testEnv()
		code := run(append([]string{"lint", "--dir", dir}, tc.args...), env)
		if code != tc.code || tc.code == exitFindings && !strings.Contains(stdout.String(), "0002_b.sql:2:1: error replay: table analytics.events") {
			t.Errorf("lint %v: exit %d, want %d\n%s%s", tc.args, code, tc.code, stdout, stderr)
		}
	}
	writeFile(t, filepath.Join(dir, "0003_c.sql"), "-- +up\nALTER TABLE nosuch ADD COLUMN x UInt8;\n-- +down\n-- no-op\n")
	env, stdout, _ := testEnv()
	if code := run([]string{"lint", "--dir", dir}, env); code != exitFindings || !strings.Contains(stdout.String(), "0003_c.sql:2:1: error replay: table ") {
		t.Errorf("a table no database holds: exit %d\n%s", code, stdout)
	}
}

// TestLintWarningsExitZero: warnings are printed and counted, and lint
// still exits 0; an error beside them exits 1.
func TestLintWarningsExitZero(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "0001_a.sql"), "-- +up\nCREATE TABLE t ON CLUSTER c (x UInt8) ENGINE = MergeTree ORDER BY x;\n-- +down\nDROP TABLE t ON CLUSTER c;\n")
	env, stdout, stderr := testEnv()
	if code := run([]string{"lint", "--dir", dir}, env); code != exitOK ||
		!strings.Contains(stdout.String(), "0001_a.sql:2:48: warning non-replicated-on-cluster: ENGINE = MergeTree") ||
		!strings.Contains(stderr.String(), "chschema lint: 0 errors, 1 warning, 0 notes") {
		t.Errorf("exit %d\n%s%s", code, stdout, stderr)
	}
	env, stdout, _ = testEnv()
	if code := run([]string{"lint", "--dir", dir, "--format", "github"}, env); code != exitOK || !strings.HasPrefix(stdout.String(), "::warning file=") {
		t.Errorf("github: exit %d\n%s", code, stdout)
	}
	writeFile(t, filepath.Join(dir, "0002_b.sql"), "-- +up\nCREAT TABLE u;\n-- +down\n-- no-op\n")
	env, _, stderr = testEnv()
	if code := run([]string{"lint", "--dir", dir}, env); code != exitFindings || !strings.Contains(stderr.String(), "1 error, 1 warning") {
		t.Errorf("with an error: exit %d\n%s", code, stderr)
	}
}
