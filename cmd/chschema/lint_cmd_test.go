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
	writeFile(t, filepath.Join(dir, "0001_a.sql"), "-- +up\nUNDROP TABLE t;\n-- +down\n-- no-op\n")

	env, stdout, _ := testEnv()
	if code := run([]string{"lint", "--dir", dir}, env); code != exitFindings || !strings.Contains(stdout.String(), "0001_a.sql:2:1: error syntax:") {
		t.Errorf("offline: exit %d\n%s", code, stdout)
	}
	env, stdout, stderr := testEnv()
	if code := run([]string{"lint", "--dir", dir, "--dsn", db.DSN}, env); code != exitOK || !strings.Contains(stdout.String(), "info offline-parser-gap: AfterShip's parser rejects this statement") {
		t.Errorf("with --dsn: exit %d\n%s%s", code, stdout, stderr)
	}

	writeFile(t, filepath.Join(dir, "0001_a.sql"), "-- +up\nUNDROP TABLES t;\n-- +down\n-- no-op\n")
	env, stdout, _ = testEnv()
	if code := run([]string{"lint", "--dir", dir, "--dsn", db.DSN}, env); code != exitFindings || !strings.Contains(stdout.String(), "error syntax: server: ") {
		t.Errorf("invalid with --dsn: exit %d\n%s", code, stdout)
	}

	env, _, stderr = testEnv()
	if code := run([]string{"lint", "--dir", dir, "--dsn", "clickhouse://default@127.0.0.1:1/default"}, env); code != exitError || !strings.Contains(stderr.String(), "server at") {
		t.Errorf("unreachable server: exit %d, stderr %s", code, stderr)
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
		!strings.Contains(stderr.String(), "chschema lint: 0 errors, 1 warnings, 0 notes") {
		t.Errorf("exit %d\n%s%s", code, stdout, stderr)
	}
	env, stdout, _ = testEnv()
	if code := run([]string{"lint", "--dir", dir, "--format", "github"}, env); code != exitOK || !strings.HasPrefix(stdout.String(), "::warning file=") {
		t.Errorf("github: exit %d\n%s", code, stdout)
	}
	writeFile(t, filepath.Join(dir, "0002_b.sql"), "-- +up\nCREAT TABLE u;\n-- +down\n-- no-op\n")
	env, _, stderr = testEnv()
	if code := run([]string{"lint", "--dir", dir}, env); code != exitFindings || !strings.Contains(stderr.String(), "1 errors, 1 warnings") {
		t.Errorf("with an error: exit %d\n%s", code, stderr)
	}
}
