package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestHashSealsOnlyWhatLintAccepts runs the day-to-day order on the built
// binary: new, then hash, refuses the unwritten template (before, it sealed
// it, and writing the SQL afterwards was "sealed-edited"); so do a syntax
// error, an undefined variable and a statement that cannot replay, with
// --force too.
func TestHashSealsOnlyWhatLintAccepts(t *testing.T) {
	bin := buildBinary(t)
	work := t.TempDir()
	sum := filepath.Join(work, "migrations", "chschema.sum")
	xapi := filepath.Join(work, "migrations", "xapi")
	run := func(env []string, args ...string) result { return runBinary(t, bin, work, env, args...) }
	expect := func(r result, code int, fragments ...string) {
		t.Helper()
		if r.code != code {
			t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, code, r.stdout, r.stderr)
		}
		for _, f := range fragments {
			if !strings.Contains(r.stdout+r.stderr, f) {
				t.Errorf("output lacks %q\nstdout:\n%s\nstderr:\n%s", f, r.stdout, r.stderr)
			}
		}
	}
	noSum := func() {
		t.Helper()
		if _, err := os.Stat(sum); !os.IsNotExist(err) {
			t.Fatalf("chschema.sum was written: %v", err)
		}
	}

	expect(run(nil, "new", "xapi", "create_events"), 0)
	expect(run(nil, "hash"), 1, "not sealed",
		"migrations/xapi/0001_create_events.sql:1:1: error empty-up:", "migrations/xapi/0001_create_events.sql:4:1: error missing-down:")
	noSum()
	expect(run(nil, "hash", "--format", "github"), 1, "::error file=migrations/xapi/0001_create_events.sql,line=1,col=1,title=empty-up::")

	// Written, but with a syntax error.
	body := "-- +up\nCREATE TABLE ${DB}.events (id UInt64) ENGINE = MergeTree ORDER BY id;\n-- +down\nDROP TABLE ${DB}.events;\n"
	writeFile(t, filepath.Join(xapi, "0001_create_events.sql"), strings.Replace(body, "ORDER BY id", "ORDER BY (id", 1))
	expect(run([]string{"CHSCHEMA_VAR_DB=xapi"}, "hash"), 1, "0001_create_events.sql:2:", "error syntax:")
	noSum()

	// Written well: without the variable's value the SQL cannot be
	// checked, so hash refuses; with it, it seals.
	writeFile(t, filepath.Join(xapi, "0001_create_events.sql"), body)
	expect(run(nil, "hash"), 1, "migrations/xapi/0001_create_events.sql:2:14: error undefined-variable:")
	noSum()
	expect(run(nil, "hash", "--var", "DB=default"), 0, "1 migration sealed")

	// A new migration that cannot replay (the table does not exist) is
	// refused, even with --force. Without DB's value, nothing after 0001
	// can be replayed, so the undefined variable is what hash reports.
	writeFile(t, filepath.Join(xapi, "0002_more.sql"), "-- +up\nALTER TABLE default.nosuch ADD COLUMN n Int8;\n-- +down\nALTER TABLE default.nosuch DROP COLUMN n;\n")
	before, err := os.ReadFile(sum)
	if err != nil {
		t.Fatal(err)
	}
	expect(run(nil, "hash"), 1, "migrations/xapi/0001_create_events.sql:2:14: error undefined-variable:")
	for _, args := range [][]string{{"hash", "--var", "DB=default"}, {"hash", "--force", "--var", "DB=default"}} {
		r := run(nil, args...)
		expect(r, 1, "migrations/xapi/0002_more.sql:2:1: error replay: table default.nosuch")
		if strings.Contains(r.stdout, "0001_create_events.sql") {
			t.Errorf("%v reports the sealed migration:\n%s", args, r.stdout)
		}
	}
	if after, _ := os.ReadFile(sum); string(after) != string(before) {
		t.Error("a refused hash rewrote chschema.sum")
	}
	writeFile(t, filepath.Join(xapi, "0002_more.sql"), "-- +up\nALTER TABLE default.events ADD COLUMN n Int8;\n-- +down\nALTER TABLE default.events DROP COLUMN n;\n")
	expect(run(nil, "hash", "--var", "DB=default"), 0, "2 migrations sealed")
}
