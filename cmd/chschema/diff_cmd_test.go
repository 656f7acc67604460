package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/alecthomas/kong"
	"github.com/chschema/chschema/diff"
	"github.com/chschema/chschema/internal/chtest"
	"github.com/chschema/chschema/parser"
	"github.com/chschema/chschema/schema"
)

// snapshotSource is an ExpectedSource that returns a fixed schema: these
// tests take the expected schema as a snapshot of the live one right after
// the setup SQL ran, to test the command's plumbing (ignore sources,
// --offline-from, the cache, colour) apart from the migrations. The drift
// matrix on the example project, with the expected schema from its
// migrations, is in diff_example_test.go.
type snapshotSource struct{ s *schema.Schema }

func (s snapshotSource) ExpectedSchema() *schema.Schema { return s.s }

// driftSetup is the managed schema of the drift tests; {db} is the test's
// database.
var driftSetup = []string{
	"CREATE TABLE {db}.events (id UInt64, ts DateTime DEFAULT now(), n UInt32, v String COMMENT 'value' CODEC(ZSTD(1)), " +
		"INDEX i_v v TYPE bloom_filter(0.01) GRANULARITY 4) ENGINE = MergeTree PARTITION BY toYYYYMM(ts) ORDER BY (id, ts) TTL ts + INTERVAL 30 DAY",
	"CREATE TABLE {db}.totals (id UInt64, c UInt64) ENGINE = SummingMergeTree ORDER BY id",
	"CREATE MATERIALIZED VIEW {db}.mv TO {db}.totals AS SELECT id, count() AS c FROM {db}.events GROUP BY id",
	"CREATE VIEW {db}.recent AS SELECT id FROM {db}.events WHERE ts > now() - 60",
	"CREATE TABLE {db}.audit (at DateTime, what String) ENGINE = MergeTree ORDER BY at",
	"CREATE DICTIONARY {db}.names (id UInt64, c UInt64 DEFAULT 0) PRIMARY KEY id SOURCE(CLICKHOUSE(TABLE 'totals' DB '{db}')) LIFETIME(MIN 0 MAX 300) LAYOUT(HASHED())",
}

// setupDrift creates the managed schema in a fresh database and returns the
// database and the expected schema (a snapshot taken right after).
func setupDrift(t *testing.T) (*chtest.DB, *schema.Schema) {
	t.Helper()
	db := chtest.New(t)
	execAll(t, db, driftSetup...)
	expected, notes, err := schema.ReadLive(context.Background(), db.Conn, schema.LiveOptions{Databases: []string{db.Name}, Parser: parser.CreateReader{}})
	if err != nil {
		t.Fatal(err)
	}
	if len(notes) > 0 {
		t.Fatalf("notes on a current server: %v", notes)
	}
	// SQL functions are server-wide: other tests create and drop theirs
	// while this one runs, and none belongs to this setup.
	expected.Functions = nil
	return db, expected
}

func execAll(t *testing.T, db *chtest.DB, stmts ...string) {
	t.Helper()
	for _, s := range stmts {
		if err := db.Conn.Exec(context.Background(), strings.ReplaceAll(s, "{db}", "`"+db.Name+"`")); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

// runDiff runs chschema diff in-process, the way a user would, with the
// expected schema bound to expected.
func runDiff(t *testing.T, expected *schema.Schema, environ []string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	env := &Env{Ctx: context.Background(), Stdout: &out, Stderr: &errOut, Environ: environ}
	if !slices.Contains(args, "--cache-dir") {
		args = append(args, "--cache-dir", t.TempDir())
	}
	code = run(append([]string{"diff"}, args...), env, kong.BindTo(ExpectedSource(snapshotSource{expected}), (*ExpectedSource)(nil)))
	return code, out.String(), errOut.String()
}

func TestDiffNoDrift(t *testing.T) {
	db, expected := setupDrift(t)
	code, out, errOut := runDiff(t, expected, nil, "--dsn", db.DSN, "--dir", t.TempDir())
	if code != exitOK {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	if out != "no drift\n" {
		t.Errorf("stdout = %q, want %q", out, "no drift\n")
	}
}

// TestDiffIgnore checks each source of ignore patterns: the file in the
// migrations root, the environment and the flag.
func TestDiffIgnore(t *testing.T) {
	db, expected := setupDrift(t)
	execAll(t, db,
		"CREATE TABLE {db}.dbt_orders (x UInt8) ENGINE = Memory",
		"ALTER TABLE {db}.events ADD COLUMN extra UInt8",
	)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, IgnoreFile), []byte("# owned by dbt\n"+db.Name+".dbt_*\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		environ []string
		args    []string
		want    int // number of changes reported
	}{
		{"without ignore rules both are reported", nil, []string{"--dir", t.TempDir()}, 2},
		{"ignore file", nil, []string{"--dir", dir}, 1},
		{"environment", []string{"CHSCHEMA_IGNORE=" + db.Name + ".dbt_orders"}, []string{"--dir", t.TempDir()}, 1},
		{"flag", nil, []string{"--dir", t.TempDir(), "--ignore", db.Name + ".events", "--ignore", db.Name + ".dbt_orders"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"--dsn", db.DSN, "--format", "json"}, tt.args...)
			code, out, errOut := runDiff(t, expected, tt.environ, args...)
			var rep diff.JSONReport
			if err := json.Unmarshal([]byte(out), &rep); err != nil {
				t.Fatalf("exit %d, json %q: %v; stderr %s", code, out, err, errOut)
			}
			if len(rep.Changes) != tt.want {
				t.Fatalf("%d changes, want %d:\n%s", len(rep.Changes), tt.want, out)
			}
			wantCode := exitFindings
			if tt.want == 0 {
				wantCode = exitOK
			}
			if code != wantCode {
				t.Errorf("exit %d, want %d", code, wantCode)
			}
			for _, e := range rep.Changes {
				if e.Object == "dbt_orders" && tt.want < 2 {
					t.Errorf("ignored table reported: %+v", e)
				}
			}
			if tt.want < 2 && rep.Ignored == 0 {
				t.Errorf("ignored = 0, want the ignored table counted")
			}
		})
	}
}

func TestDiffInvalidIgnoreFile(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, IgnoreFile), []byte("ok.*\n[bad\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := runDiff(t, schema.New(), nil, "--dir", dir, "--offline-from", writeSchemaFile(t, schema.New()))
	if code != exitError {
		t.Fatalf("exit %d, want %d", code, exitError)
	}
	if want := filepath.Join(dir, IgnoreFile) + ":2:1:"; !strings.Contains(errOut, want) {
		t.Errorf("stderr %q lacks the position %q", errOut, want)
	}
}

func writeSchemaFile(t *testing.T, s *schema.Schema) string {
	t.Helper()
	data, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "schema.json")
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestDiffOfflineFrom saves the live schema as JSON, then diffs against the
// file with no server at all.
func TestDiffOfflineFrom(t *testing.T) {
	db, expected := setupDrift(t)
	execAll(t, db, "ALTER TABLE {db}.events ADD COLUMN extra UInt8")
	live, _, err := schema.ReadLive(context.Background(), db.Conn, schema.LiveOptions{Databases: []string{db.Name}, Parser: parser.CreateReader{}})
	if err != nil {
		t.Fatal(err)
	}
	live.Functions = nil // server-wide, and other tests change theirs
	file := writeSchemaFile(t, live)

	code, out, errOut := runDiff(t, expected, nil, "--dir", t.TempDir(), "--offline-from", file, "--format", "github")
	if code != exitFindings {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	want := "::error title=drift::table " + db.Name + ".events modified: column `extra`: found `extra` UInt8\n"
	if out != want {
		t.Errorf("stdout:\n%s\nwant:\n%s", out, want)
	}

	code, out, _ = runDiff(t, live, nil, "--dir", t.TempDir(), "--offline-from", file)
	if code != exitOK || out != "no drift\n" {
		t.Errorf("same schema: exit %d, stdout %q", code, out)
	}
}

func TestDiffErrors(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		inStderr string
	}{
		{"no server and no file", nil, "--dsn"},
		{"missing offline file", []string{"--offline-from", "/nonexistent/schema.json"}, "/nonexistent/schema.json"},
		{"unreachable server", []string{"--dsn", "clickhouse://127.0.0.1:1/default"}, "127.0.0.1:1"},
		{"bad ignore flag", []string{"--ignore", "[x", "--dsn", "clickhouse://127.0.0.1:1/default"}, `"[x"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := runDiff(t, schema.New(), nil, append(tt.args, "--dir", t.TempDir())...)
			if code != exitError {
				t.Errorf("exit %d, want %d", code, exitError)
			}
			if !strings.Contains(errOut, tt.inStderr) {
				t.Errorf("stderr %q lacks %q", errOut, tt.inStderr)
			}
		})
	}
	// The real CLI reads the migrations: a directory that is not one is an
	// error, never "no drift".
	code, _, errOut := runCLI(t, "diff", "--offline-from", writeSchemaFile(t, schema.New()), "--dir", "/nonexistent/migrations")
	if code != exitError || !strings.Contains(errOut, "/nonexistent/migrations") {
		t.Errorf("missing migrations: exit %d, stderr %q", code, errOut)
	}
}

func TestDiffColour(t *testing.T) {
	to := schema.New()
	to.AddDatabase(&schema.Database{Name: "x", Engine: schema.Engine{Name: "Atomic"}})
	file := writeSchemaFile(t, to)
	expected := schema.New()
	expected.AddDatabase(&schema.Database{Name: "x", Engine: schema.Engine{Name: "Atomic"}, Comment: "c"})
	tests := []struct {
		name    string
		tty     bool
		environ []string
		colour  bool
	}{
		{"terminal", true, nil, true},
		{"terminal with NO_COLOR", true, []string{"NO_COLOR=1"}, false},
		{"terminal with empty NO_COLOR", true, []string{"NO_COLOR="}, true},
		{"pipe", false, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			env := &Env{Ctx: context.Background(), Stdout: &out, Stderr: &errOut, Environ: tt.environ, IsTTY: tt.tty}
			cmd := &DiffCmd{OfflineFrom: file}
			err := cmd.Run(env.Ctx, &Globals{Dir: t.TempDir()}, env, snapshotSource{expected})
			if !errors.Is(err, errFindings) {
				t.Fatalf("err = %v, want errFindings; stdout %s", err, out.String())
			}
			if got := strings.Contains(out.String(), "\x1b["); got != tt.colour {
				t.Errorf("colour = %v, want %v:\n%q", got, tt.colour, out.String())
			}
		})
	}
}

// TestDiffDefinitionCache runs diff twice with a cache directory: the second
// run reads the definitions from the cache, and an ALTER made in between is
// still reported.
func TestDiffDefinitionCache(t *testing.T) {
	db, expected := setupDrift(t)
	cacheDir := t.TempDir()
	time.Sleep(2100 * time.Millisecond) // definitions must settle to be cached
	code, out, errOut := runDiff(t, expected, nil, "--dsn", db.DSN, "--dir", t.TempDir(), "--cache-dir", cacheDir)
	if code != exitOK {
		t.Fatalf("first run: exit %d\n%s\n%s", code, out, errOut)
	}
	files, _ := filepath.Glob(filepath.Join(cacheDir, "definitions-*.json"))
	if len(files) != 1 {
		t.Fatalf("cache files: %v", files)
	}
	data, _ := os.ReadFile(files[0])
	if !strings.Contains(string(data), `"name":"events"`) {
		t.Fatalf("cache lacks the events table: %.300s", data)
	}
	execAll(t, db, "ALTER TABLE {db}.events MODIFY TTL ts + INTERVAL 60 DAY")
	code, out, _ = runDiff(t, expected, nil, "--dsn", db.DSN, "--dir", t.TempDir(), "--cache-dir", cacheDir, "--format", "json")
	var rep diff.JSONReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil || code != exitFindings || len(rep.Changes) != 1 || rep.Changes[0].Change != "ModifyTTL" {
		t.Fatalf("after ALTER: exit %d, %v\n%s", code, err, out)
	}

	// A corrupt cache is replaced, not fatal.
	if err := os.WriteFile(files[0], []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, errOut = runDiff(t, expected, nil, "--dsn", db.DSN, "--dir", t.TempDir(), "--cache-dir", cacheDir)
	if code != exitFindings || !strings.Contains(errOut, "starting afresh") {
		t.Errorf("corrupt cache: exit %d, stderr %q", code, errOut)
	}
}

// TestDiffDatabaseFlag checks that --database reads a database no
// migration manages, and reports it with what it holds.
func TestDiffDatabaseFlag(t *testing.T) {
	db, expected := setupDrift(t)
	other := chtest.New(t)
	execAll(t, other, "CREATE TABLE {db}.scratch (x UInt8) ENGINE = Memory")

	code, out, errOut := runDiff(t, expected, nil, "--dsn", db.DSN, "--dir", t.TempDir())
	if code != exitOK {
		t.Fatalf("without --database: exit %d\n%s\n%s", code, out, errOut)
	}
	code, out, errOut = runDiff(t, expected, nil, "--dsn", db.DSN, "--dir", t.TempDir(), "--database", other.Name, "--format", "json")
	var rep diff.JSONReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil || code != exitFindings {
		t.Fatalf("with --database: exit %d, %v\n%s\n%s", code, err, out, errOut)
	}
	if len(rep.Changes) != 1 || rep.Changes[0].Change != "AddDatabase" || rep.Changes[0].Database != other.Name ||
		!strings.Contains(rep.Changes[0].To, "scratch") {
		t.Errorf("changes: %+v", rep.Changes)
	}
}

// TestDiffNoCache checks that --no-cache writes no cache file.
func TestDiffNoCache(t *testing.T) {
	db, expected := setupDrift(t)
	time.Sleep(2100 * time.Millisecond) // old enough to be cached, were the cache on
	cacheDir := t.TempDir()
	code, out, errOut := runDiff(t, expected, nil, "--dsn", db.DSN, "--dir", t.TempDir(), "--cache-dir", cacheDir, "--no-cache")
	if code != exitOK {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	if files, _ := os.ReadDir(cacheDir); len(files) != 0 {
		t.Errorf("--no-cache wrote %v", files)
	}
}
