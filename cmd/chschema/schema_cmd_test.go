package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chschema/chschema/internal/chtest"
	"github.com/chschema/chschema/migrations"
	"github.com/chschema/chschema/parser"
	"github.com/chschema/chschema/schema"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

const exampleDir = "../../examples/migrations"

// exampleEnv names the example's databases after prefix, so that tests on
// a shared server do not collide.
func exampleEnv(prefix, onCluster string) []string {
	return []string{
		"CHSCHEMA_VAR_XAPI_DB=" + prefix + "xapi",
		"CHSCHEMA_VAR_EVENT_SINK_DB=" + prefix + "event_sink",
		"CHSCHEMA_VAR_VECTOR_DB=" + prefix + "vector",
		"CHSCHEMA_VAR_ON_CLUSTER=" + onCluster,
	}
}

func exampleDatabases(prefix string) []string {
	return []string{prefix + "event_sink", prefix + "vector", prefix + "xapi"}
}

var cmpModel = cmp.Options{
	cmpopts.IgnoreFields(schema.Database{}, "Schema", "Detached", "Uncertain"),
	cmpopts.IgnoreFields(schema.Table{}, "Database", "Uncertain"),
	cmpopts.IgnoreFields(schema.View{}, "Database", "Uncertain"),
	cmpopts.IgnoreFields(schema.Dictionary{}, "Database", "Uncertain"),
	cmpopts.IgnoreFields(schema.Function{}, "Schema"),
	cmpopts.EquateEmpty(),
}

// expectedExample is the example's expected schema, restricted to its own
// databases.
func expectedExample(t *testing.T, prefix, onCluster string) *schema.Schema {
	t.Helper()
	d, err := migrations.Open(os.DirFS(exampleDir))
	if err != nil {
		t.Fatal(err)
	}
	g := &Globals{}
	s, findings, err := parser.ExpectedSchema(d, parser.ExpectedOptions{Vars: g.Vars(exampleEnv(prefix, onCluster))})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range findings {
		t.Errorf("finding: %s", f)
	}
	out := schema.New()
	for _, name := range exampleDatabases(prefix) {
		db, ok := s.Database(name)
		if !ok {
			t.Fatalf("expected schema has no database %s", name)
		}
		out.AddDatabase(db)
	}
	out.Sort()
	return out
}

// withoutViewColumns drops the columns of views whose columns the offline
// model left unknown, and the engine of databases whose engine no statement
// declared, for comparison.
func withoutViewColumns(want, got *schema.Schema) {
	for _, wd := range want.Databases {
		gd, ok := got.Database(wd.Name)
		if !ok {
			continue
		}
		if wd.Engine.Name == "" {
			gd.Engine = schema.Engine{}
		}
		for _, wv := range wd.Views {
			if gv, ok := gd.View(wv.Name); ok && wv.Columns == nil {
				gv.Columns = nil
			}
		}
	}
}

func inspectExample(t *testing.T, conn schema.Querier, prefix string) *schema.Schema {
	t.Helper()
	live, _, err := schema.ReadLive(context.Background(), conn, schema.LiveOptions{Databases: exampleDatabases(prefix), Parser: parser.CreateReader{}, NoFunctions: true})
	if err != nil {
		t.Fatal(err)
	}
	return live
}

// TestSchemaExampleRecreates runs `chschema schema` on the example project,
// feeds its output to the server, and asserts that the server then holds
// the same schema as the example's migrations produce when applied one by
// one, and as the offline model says.
func TestSchemaExampleRecreates(t *testing.T) {
	db := chtest.New(t)
	ctx := context.Background()
	cleanup := func(prefix string) { dropExampleDatabases(t, db, prefix) }

	// 1. The command's output, fed to the server.
	rendered := db.Name + "_r_"
	cleanup(rendered)
	env, stdout, stderr := testEnv()
	env.Environ = exampleEnv(rendered, "")
	if code := run([]string{"schema", "--dir", exampleDir}, env); code != 0 {
		t.Fatalf("chschema schema: exit %d\n%s", code, stderr)
	}
	if stderr.Len() > 0 {
		t.Errorf("stderr: %s", stderr)
	}
	stmts, err := parser.Split(stdout.String(), parser.FileStart)
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range stmts {
		if err := db.Conn.Exec(ctx, st.Text); err != nil {
			t.Fatalf("server refused %q: %v", st.Text, err)
		}
	}
	want := expectedExample(t, rendered, "")
	got := inspectExample(t, db.Conn, rendered)
	withoutViewColumns(want, got)
	if diff := cmp.Diff(want, got, cmpModel); diff != "" {
		t.Errorf("rendered schema on the server (-offline +server):\n%s", diff)
	}

	// 2. The migrations themselves, applied statement by statement.
	applied := db.Name + "_m_"
	cleanup(applied)
	runExampleUp(t, db, exampleEnv(applied, ""))
	want = expectedExample(t, applied, "")
	got = inspectExample(t, db.Conn, applied)
	withoutViewColumns(want, got)
	if diff := cmp.Diff(want, got, cmpModel); diff != "" {
		t.Errorf("migrated schema on the server (-offline +server):\n%s", diff)
	}
}

// TestSchemaOnClusterHasNoEffect checks that the ON CLUSTER form of the
// example gives the same single-node model.
func TestSchemaOnClusterHasNoEffect(t *testing.T) {
	plain := expectedExample(t, "", "")
	cluster := expectedExample(t, "", "ON CLUSTER '{cluster}'")
	if diff := cmp.Diff(plain, cluster, cmpModel); diff != "" {
		t.Errorf("ON CLUSTER changed the model:\n%s", diff)
	}
}

// TestSchemaJSONAndUpto checks --format json and --upto/--service.
func TestSchemaJSONAndUpto(t *testing.T) {
	env, stdout, stderr := testEnv()
	env.Environ = exampleEnv("", "")
	if code := run([]string{"schema", "--dir", exampleDir, "--format", "json", "--service", "xapi", "--upto", "1"}, env); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var s schema.Schema
	if err := json.Unmarshal(stdout.Bytes(), &s); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, stdout)
	}
	x, ok := s.Database("xapi")
	if !ok {
		t.Fatalf("no xapi database in %s", stdout)
	}
	var names []string
	for _, tb := range x.Tables {
		names = append(names, tb.Name)
	}
	if got := strings.Join(names, ","); got != "xapi_events_all" {
		t.Errorf("xapi tables up to 1: %s", got)
	}
	if es, _ := s.Database("event_sink"); len(es.Tables) != 0 {
		t.Errorf("--service xapi replayed event_sink: %v", es.Tables)
	}
}

// TestSchemaRefusesBrokenMigrations checks that a statement the server
// would refuse fails the command with its file:line:col.
func TestSchemaRefusesBrokenMigrations(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(dir+"/s", 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, dir+"/s/0001_a.sql", "-- +up\nCREATE TABLE t (k UInt8) ENGINE = Memory;\n-- +down\n-- no-op\n")
	writeFile(t, dir+"/s/0002_b.sql", "-- +up\nALTER TABLE t ADD COLUMN k UInt8;\n-- +down\n-- no-op\n")
	env, _, stderr := testEnv()
	if code := run([]string{"schema", "--dir", dir}, env); code != exitError {
		t.Fatalf("exit %d, want %d", code, exitError)
	}
	if !strings.Contains(stderr.String(), "s/0002_b.sql:2:1") {
		t.Errorf("stderr: %s", stderr)
	}
}

// TestSchemaBinary runs the built binary on the example project the way a
// user would, with the template variables from the environment.
func TestSchemaBinary(t *testing.T) {
	bin := buildBinary(t)
	dir, err := filepath.Abs(exampleDir)
	if err != nil {
		t.Fatal(err)
	}
	r := runBinary(t, bin, t.TempDir(), exampleEnv("", ""), "schema", "--dir", dir)
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	for _, want := range []string{
		// init.sql declares no engine: the server's default decides.
		"CREATE DATABASE IF NOT EXISTS xapi;",
		"CREATE TABLE xapi.xapi_events_all (`event_id` UUID, `emission_time` DateTime64(6), `event` String, `inserted_at` DateTime DEFAULT now()) ENGINE = ReplacingMergeTree PARTITION BY toYYYYMM(emission_time) ORDER BY (emission_time, event_id) TTL toDateTime(emission_time) + toIntervalYear(5) SETTINGS index_granularity = 8192;",
		"CREATE DICTIONARY event_sink.course_names",
		"CREATE MATERIALIZED VIEW xapi.video_playback_events_mv TO xapi.video_playback_events_base",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, r.stdout)
		}
	}
	if strings.Contains(r.stdout, "course_blocks_legacy") {
		t.Errorf("the dropped table is in the output")
	}
	// Without the template variables the command fails, naming the file.
	r = runBinary(t, bin, t.TempDir(), nil, "schema", "--dir", dir)
	if r.code != exitError || !strings.Contains(r.stderr, "init.sql") {
		t.Errorf("without variables: exit %d\n%s", r.code, r.stderr)
	}
}

// runExampleUp runs the example's init.sql and every up section on db's
// server statement by statement, as a deployment without chschema would.
func runExampleUp(t *testing.T, db *chtest.DB, environ []string) {
	t.Helper()
	d, err := migrations.Open(os.DirFS(exampleDir))
	if err != nil {
		t.Fatal(err)
	}
	vars := (&Globals{}).Vars(environ)
	sections := []*migrations.Section{d.Init}
	for _, m := range d.Migrations() {
		sections = append(sections, m.Up)
	}
	for _, sec := range sections {
		r, err := sec.Render(vars)
		if err != nil {
			t.Fatal(err)
		}
		sts, err := parser.Split(r.Text, parser.FileStart)
		if err != nil {
			t.Fatal(err)
		}
		for _, st := range sts {
			if err := db.Conn.Exec(context.Background(), st.Text); err != nil {
				t.Fatalf("%s: server refused %q: %v", sec.File, st.Text, err)
			}
		}
	}
}

// exampleDB returns a fresh database and the prefix under which the example
// project's databases are named for it; they are dropped when t ends.
func exampleDB(t *testing.T) (*chtest.DB, string) {
	t.Helper()
	db := chtest.New(t)
	prefix := db.Name + "_"
	dropExampleDatabases(t, db, prefix)
	return db, prefix
}

// dropExampleDatabases drops the example's databases under prefix when t ends.
func dropExampleDatabases(t *testing.T, db *chtest.DB, prefix string) {
	t.Cleanup(func() {
		for _, n := range exampleDatabases(prefix) {
			if err := db.Conn.Exec(context.Background(), "DROP DATABASE IF EXISTS "+schema.QuoteIdent(n)+" SYNC"); err != nil {
				t.Errorf("drop %s: %v", n, err)
			}
		}
	})
}
