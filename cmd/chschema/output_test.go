package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chschema/chschema/internal/chtest"
)

// oneJSONObject checks that out is exactly one JSON object and returns it.
func oneJSONObject(t *testing.T, out string) map[string]any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(out))
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("stdout is not one JSON object: %v\n%s", err, out)
	}
	var extra json.RawMessage
	if err := dec.Decode(&extra); err != io.EOF {
		t.Fatalf("stdout holds more than one JSON document: %s", out)
	}
	return doc
}

// nullIn returns the path of the first null in a decoded JSON value, or "".
func nullIn(v any, path string) string {
	switch v := v.(type) {
	case nil:
		if path == "" {
			return "the document"
		}
		return path
	case map[string]any:
		for k, x := range v {
			if p := nullIn(x, path+"."+k); p != "" {
				return p
			}
		}
	case []any:
		for i, x := range v {
			if p := nullIn(x, fmt.Sprintf("%s[%d]", path, i)); p != "" {
				return p
			}
		}
	}
	return ""
}

// cliProject is a small project: one service, one migration.
func cliProject(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "svc"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "svc", "0001_t.sql"), "-- +up\nCREATE TABLE t (id UInt64, s String DEFAULT 'x') ENGINE = MergeTree ORDER BY id;\n-- +down\nDROP TABLE t;\n")
	return dir
}

// TestJSONEveryCommand runs every command of the CLI's model with --format
// json, once where it succeeds and once where it fails: stdout must be one
// JSON object, an {"error": {...}} with the exit code for a failure, and
// the exit code must be the one text mode gives. The same successful runs
// in text mode must print no line with trailing blanks. A command without
// both cases fails the test.
func TestJSONEveryCommand(t *testing.T) {
	db := chtest.New(t)
	dev := chtest.New(t)
	dir := cliProject(t)
	schemaDir := filepath.Join(t.TempDir(), "schema")
	bad := "clickhouse://default@127.0.0.1:1/default"
	type invocation struct {
		args []string
		code int
	}
	cases := map[string]struct{ ok, fail invocation }{
		"version": {invocation{[]string{"version", "--dsn", db.DSN}, exitOK}, invocation{[]string{"version", "--dsn", bad}, exitError}},
		"new":     {invocation{[]string{"new", "other", "first", "--dir", t.TempDir()}, exitOK}, invocation{[]string{"new", "svc", "bad name", "--dir", t.TempDir()}, exitError}},
		"hash":    {invocation{[]string{"hash", "--dir", dir}, exitOK}, invocation{[]string{"hash", "--dir", "/nonexistent/migrations"}, exitError}},
		"lint":    {invocation{[]string{"lint", "--dir", dir}, exitOK}, invocation{[]string{"lint", "--dir", "/nonexistent/migrations"}, exitError}},
		"schema":  {invocation{[]string{"schema", "--dir", dir}, exitOK}, invocation{[]string{"schema", "--dir", dir, "--service", "nosuch"}, exitError}},
		"sql":     {invocation{[]string{"sql", "--dir", dir}, exitOK}, invocation{[]string{"sql", "--dir", dir, "--to", "7"}, exitError}},
		"migrate": {invocation{[]string{"migrate", "--dir", dir, "--dsn", db.DSN}, exitOK}, invocation{[]string{"migrate", "--dir", dir, "--dsn", bad}, exitError}},
		"status":  {invocation{[]string{"status", "--dir", dir, "--dsn", db.DSN}, exitOK}, invocation{[]string{"status", "--dir", dir, "--dsn", db.DSN, "--service", "nosuch"}, exitError}},
		"diff":    {invocation{[]string{"diff", "--dir", dir, "--dsn", db.DSN, "--no-cache"}, exitOK}, invocation{[]string{"diff", "--dir", dir, "--dsn", db.DSN, "--database", "nosuch_db"}, exitError}},
		"baseline": {invocation{[]string{"baseline", "1", "--dir", dir, "--dsn", db.DSN}, exitOK},
			invocation{[]string{"baseline", "9", "--dir", dir, "--dsn", db.DSN}, exitError}},
		"dump":   {invocation{[]string{"dump", "--dir", dir, "--schema-dir", schemaDir}, exitOK}, invocation{[]string{"dump", "--dir", dir, "--schema-dir", schemaDir}, exitError}},
		"check":  {invocation{[]string{"check", "--dir", dir, "--schema-dir", schemaDir}, exitOK}, invocation{[]string{"check", "--dir", dir, "--schema-dir", "/nonexistent/schema"}, exitError}},
		"plan":   {invocation{[]string{"plan", "svc", "next", "--dir", dir, "--schema-dir", schemaDir, "--dry-run"}, exitOK}, invocation{[]string{"plan", "svc", "bad name", "--dir", dir, "--schema-dir", "/nonexistent/schema"}, exitError}},
		"down":   {invocation{[]string{"down", "--steps", "1", "--dir", dir, "--dsn", db.DSN, "--dry-run"}, exitOK}, invocation{[]string{"down", "--to", "9", "--dir", dir, "--dsn", db.DSN}, exitError}},
		"verify": {invocation{[]string{"verify", "--dir", dir, "--dev-dsn", dev.DSN}, exitOK}, invocation{[]string{"verify", "--dir", t.TempDir(), "--dev-dsn", dev.DSN}, exitError}},
		"unlock": {invocation{[]string{"unlock", "--dsn", db.DSN}, exitOK}, invocation{[]string{"unlock", "--dsn", bad}, exitError}},
	}
	order := []string{"version", "new", "hash", "lint", "schema", "sql", "migrate", "status", "diff", "baseline", "dump", "check", "plan", "down", "verify", "unlock"}
	for _, cmd := range commands(t) {
		if _, ok := cases[cmd.Name]; !ok {
			t.Errorf("command %s has no case: add one", cmd.Name)
		}
	}
	for _, name := range order {
		c := cases[name]
		t.Run(name, func(t *testing.T) {
			for _, inv := range []invocation{c.ok, c.fail} {
				code, out, errOut := runCLI(t, append(inv.args, "--format", "json")...)
				if code != inv.code {
					t.Fatalf("%v: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", inv.args, code, inv.code, out, errOut)
				}
				doc := oneJSONObject(t, out)
				if path := nullIn(doc, ""); path != "" {
					t.Errorf("%v: %s is null (a list is [], an absent value is left out)\n%s", inv.args, path, out)
				}
				e, isErr := doc["error"].(map[string]any)
				if isErr != (inv.code != exitOK) {
					t.Errorf("%v: exit %d but the document is %v", inv.args, code, doc)
				}
				if isErr && (e["message"] == "" || e["exit_code"] != float64(inv.code)) {
					t.Errorf("%v: error document %v", inv.args, e)
				}
				if inv.code == exitOK && name != "plan" {
					// The same in text mode: no line ends with a blank.
					if name == "new" {
						inv.args[2] = "second"
					}
					if name == "dump" {
						inv.args = append(inv.args, "--force")
					}
					if name == "baseline" || name == "verify" || name == "migrate" {
						continue // ran once already; their text is checked in their own tests
					}
					code, out, errOut := runCLI(t, inv.args...)
					if code != exitOK {
						t.Fatalf("%v in text: exit %d\n%s", inv.args, code, errOut)
					}
					for _, line := range strings.Split(out, "\n") {
						if strings.TrimRight(line, " \t") != line {
							t.Errorf("%v: trailing blanks in %q", inv.args, line)
						}
					}
				}
			}
		})
	}
	// A command line that does not parse is a JSON error too.
	code, out, _ := runCLI(t, "migrate", "--bogus", "--format", "json")
	if doc := oneJSONObject(t, out); code != exitError || doc["error"] == nil {
		t.Errorf("unknown flag: exit %d, %v", code, doc)
	}
}

// TestStatusText: the table has no trailing blanks, with notes or without.
func TestStatusText(t *testing.T) {
	db := chtest.New(t)
	dir := cliProject(t)
	writeFile(t, filepath.Join(dir, "svc", "0002_u.sql"), "-- +up\nCREATE TABLE u (id UInt64) ENGINE = Log;\n-- +down\nDROP TABLE u;\n")
	if code, _, errOut := runCLI(t, "migrate", "--dir", dir, "--dsn", db.DSN, "--to", "1"); code != exitOK {
		t.Fatal(errOut)
	}
	code, out, errOut := runCLI(t, "status", "--dir", dir, "--dsn", db.DSN)
	if code != exitOK || !strings.Contains(out, "pending") || !strings.Contains(out, "applied") {
		t.Fatalf("status: exit %d\n%s%s", code, out, errOut)
	}
	for _, line := range strings.Split(out, "\n") {
		if strings.TrimRight(line, " ") != line {
			t.Errorf("trailing blanks in %q", line)
		}
	}
}

// TestNothingToDoIsNotSuccess: an invocation that selects nothing (a
// service or version that does not exist, a directory without migrations,
// a database the server does not have) is an error, never exit 0.
func TestNothingToDoIsNotSuccess(t *testing.T) {
	db := chtest.New(t)
	dir := cliProject(t)
	empty := t.TempDir()
	srv := []string{"--dsn", db.DSN}
	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{"migrate unknown service", append([]string{"migrate", "--dir", dir, "--service", "nosuch"}, srv...), `no service "nosuch"`},
		{"down unknown service", append([]string{"down", "--dir", dir, "--service", "nosuch", "--to", "0"}, srv...), `no service "nosuch"`},
		{"baseline unknown service", append([]string{"baseline", "1", "--dir", dir, "--service", "nosuch"}, srv...), `no service "nosuch"`},
		{"status unknown service", append([]string{"status", "--dir", dir, "--service", "nosuch"}, srv...), `no service "nosuch"`},
		{"schema unknown service", []string{"schema", "--dir", dir, "--service", "nosuch"}, `no service "nosuch"`},
		{"sql unknown service", []string{"sql", "--dir", dir, "--service", "nosuch"}, `no service "nosuch"`},
		{"migrate unknown version", append([]string{"migrate", "--dir", dir, "--to", "99"}, srv...), "no migration with version 99"},
		{"down unknown version", append([]string{"down", "--dir", dir, "--to", "99"}, srv...), "no migration with version 99"},
		{"baseline unknown version", append([]string{"baseline", "99", "--dir", dir}, srv...), "no migration with version 99"},
		{"schema unknown version", []string{"schema", "--dir", dir, "--upto", "99"}, "no migration with version 99"},
		{"sql unknown version", []string{"sql", "--dir", dir, "--to", "99"}, "no migration with version 99"},
		{"migrate without migrations", append([]string{"migrate", "--dir", empty}, srv...), "no migrations in"},
		{"status without migrations", append([]string{"status", "--dir", empty}, srv...), "no migrations in"},
		{"sql without migrations", []string{"sql", "--dir", empty}, "no migrations in"},
		{"verify without migrations", []string{"verify", "--dir", empty, "--dev-dsn", db.DSN}, "no migrations in"},
		{"diff of a missing database", append([]string{"diff", "--dir", dir, "--database", "nosuch_db", "--no-cache"}, srv...), "no database nosuch_db"},
		{"dump of a database without a server", []string{"dump", "--dir", dir, "--schema-dir", t.TempDir(), "--database", "x"}, "no Server"},
		{"dump of a missing database", append([]string{"dump", "--dir", dir, "--schema-dir", t.TempDir(), "--database", "nosuch_db"}, srv...), "no database nosuch_db"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, tt.args...)
			if code != exitError || !strings.Contains(errOut, tt.want) {
				t.Errorf("exit %d, want %d with %q\nstdout:\n%s\nstderr:\n%s", code, exitError, tt.want, out, errOut)
			}
		})
	}
	// A directory that does not exist is named as the user wrote it.
	if code, _, errOut := runCLI(t, "lint", "--dir", "/nonexistent/migrations"); code != exitError || !strings.Contains(errOut, "/nonexistent/migrations") || strings.Contains(errOut, "open .") {
		t.Errorf("missing --dir: exit %d, %s", code, errOut)
	}
	// Nothing was applied by any of them.
	code, out, _ := runCLI(t, append([]string{"status", "--dir", dir, "--exit-code"}, srv...)...)
	if code != exitFindings || !strings.Contains(out, "pending") {
		t.Errorf("status --exit-code with a pending migration: exit %d\n%s", code, out)
	}
}

// TestStatusExitCode: status --exit-code exits 1 while a migration is
// pending, incomplete or edited, and 0 once every one is applied.
func TestStatusExitCode(t *testing.T) {
	db := chtest.New(t)
	dir := cliProject(t)
	status := func() (int, string) {
		code, out, _ := runCLI(t, "status", "--dir", dir, "--dsn", db.DSN, "--exit-code")
		return code, out
	}
	if code, out := status(); code != exitFindings {
		t.Errorf("pending: exit %d\n%s", code, out)
	}
	if code, _, errOut := runCLI(t, "migrate", "--dir", dir, "--dsn", db.DSN); code != exitOK {
		t.Fatal(errOut)
	}
	if code, out := status(); code != exitOK {
		t.Errorf("applied: exit %d\n%s", code, out)
	}
	// Without --exit-code, status reports and exits 0 all the same.
	writeFile(t, filepath.Join(dir, "svc", "0001_t.sql"), "-- +up\nCREATE TABLE t (id UInt64) ENGINE = MergeTree ORDER BY id;\n-- +down\nDROP TABLE t;\n")
	if code, out := status(); code != exitFindings || !strings.Contains(out, "edited") {
		t.Errorf("edited: exit %d\n%s", code, out)
	}
	if code, out, _ := runCLI(t, "status", "--dir", dir, "--dsn", db.DSN); code != exitOK || !strings.Contains(out, "edited") {
		t.Errorf("edited, without --exit-code: exit %d\n%s", code, out)
	}
	// An incomplete migration.
	writeFile(t, filepath.Join(dir, "svc", "0002_half.sql"), "-- +up\nCREATE TABLE h (x UInt8) ENGINE = Log;\nCREATE TABLE h2 (x UInt8) ENGINE = NoSuchEngine;\n-- +down\nDROP TABLE h;\n")
	writeFile(t, filepath.Join(dir, "svc", "0001_t.sql"), "-- +up\nCREATE TABLE t (id UInt64, s String DEFAULT 'x') ENGINE = MergeTree ORDER BY id;\n-- +down\nDROP TABLE t;\n")
	if code, _, _ := runCLI(t, "migrate", "--dir", dir, "--dsn", db.DSN); code != exitError {
		t.Fatalf("migrate with a bad engine: exit %d", code)
	}
	if code, out := status(); code != exitFindings || !strings.Contains(out, "incomplete") {
		t.Errorf("incomplete: exit %d\n%s", code, out)
	}
}
