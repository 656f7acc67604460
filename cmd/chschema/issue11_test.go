package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
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
	code, stdout, stderr := runCLI(t, "lint", "--dir", dir)
	if code != 0 || !strings.Contains(stdout+stderr, "0 errors, 4 notes") || !strings.Contains(stdout, "PARTITION ALL, PARTITION ID or PART") {
		t.Fatalf("lint: exit %d\n%s%s", code, stdout, stderr)
	}
}
