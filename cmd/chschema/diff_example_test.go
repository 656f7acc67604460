package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chschema/chschema/diff"
	"github.com/chschema/chschema/internal/chtest"
)

// appliedExample applies the example project's migrations, statement by
// statement, to databases named after db, and returns the environment that
// names them for chschema and a function that expands {xapi}, {vector} and
// {event_sink} in SQL.
func appliedExample(t *testing.T) (db *chtest.DB, environ []string, expand func(string) string) {
	t.Helper()
	db, prefix := exampleDB(t)
	environ = exampleEnv(prefix, "")
	runExampleUp(t, db, environ)
	expand = strings.NewReplacer(
		"{xapi}", "`"+prefix+"xapi`", "{vector}", "`"+prefix+"vector`", "{event_sink}", "`"+prefix+"event_sink`",
	).Replace
	return db, environ, expand
}

// runExampleDiff runs chschema diff as a user would: the expected schema
// comes from the migrations in dir.
func runExampleDiff(t *testing.T, db *chtest.DB, environ []string, dir string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	env, out, errOut := testEnv()
	env.Environ = environ
	code = run(append([]string{"diff", "--dir", dir, "--dsn", db.DSN, "--cache-dir", t.TempDir()}, args...), env)
	return code, out.String(), errOut.String()
}

// TestDiffExampleNoDrift applies the example project and checks that diff,
// with the expected schema from the migrations, reports no drift.
func TestDiffExampleNoDrift(t *testing.T) {
	db, environ, _ := appliedExample(t)
	code, out, errOut := runExampleDiff(t, db, environ, exampleDir)
	if code != exitOK || out != "no drift\n" {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	// Applied by hand, without chschema's history: every migration counts.
	if want := "chschema: note: no migration history on the server: comparing with every migration\n"; errOut != want {
		t.Errorf("stderr %q, want %q", errOut, want)
	}
}

// TestDiffAppliedMigrationsOnly applies the example with chschema migrate,
// then adds a migration without applying it: diff compares with the applied
// migrations only, says which are left out, and finds no drift; after
// migrate, it still finds none.
func TestDiffAppliedMigrationsOnly(t *testing.T) {
	db, prefix := exampleDB(t)
	environ := exampleEnv(prefix, "")
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(exampleDir)); err != nil {
		t.Fatal(err)
	}
	migrate := func() {
		t.Helper()
		env, _, errOut := testEnv()
		env.Environ = environ
		if code := run([]string{"migrate", "--dir", dir, "--dsn", db.DSN}, env); code != exitOK {
			t.Fatalf("migrate: exit %d: %s", code, errOut)
		}
	}
	migrate()
	extra := "-- +up\nCREATE TABLE IF NOT EXISTS ${VECTOR_DB}.hosts ${ON_CLUSTER} (host String) ENGINE = MergeTree ORDER BY host;\n-- +down\nDROP TABLE IF EXISTS ${VECTOR_DB}.hosts ${ON_CLUSTER};\n"
	if err := os.WriteFile(filepath.Join(dir, "vector", "0003_hosts.sql"), []byte(extra), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runExampleDiff(t, db, environ, dir)
	if code != exitOK || out != "no drift\n" {
		t.Fatalf("pending migration: exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	if !strings.Contains(errOut, "left out of the expected schema: vector/0003") {
		t.Errorf("stderr does not name the pending migration: %q", errOut)
	}
	migrate()
	code, out, errOut = runExampleDiff(t, db, environ, dir)
	if code != exitOK || out != "no drift\n" || errOut != "" {
		t.Fatalf("after migrate: exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
}

// TestDiffExampleDriftMatrix applies the example project, makes one change
// by hand, and checks that diff reports exactly that change, naming the
// object, and exits 1.
func TestDiffExampleDriftMatrix(t *testing.T) {
	tests := []struct {
		name    string
		sql     string
		object  string // the object the change names
		change  string // the typed change
		subject string
		detail  string
	}{
		{"add column", "ALTER TABLE {xapi}.video_playback_events_base ADD COLUMN extra UInt8", "video_playback_events_base", "AddColumn", "column `extra`", ""},
		{"drop column", "ALTER TABLE {xapi}.xapi_events_all DROP COLUMN inserted_at", "xapi_events_all", "DropColumn", "column `inserted_at`", ""},
		{"change type", "ALTER TABLE {vector}.tracking_logs MODIFY COLUMN message LowCardinality(String)", "tracking_logs", "ModifyColumn", "column `message`", "type"},
		{"change default", "ALTER TABLE {vector}.tracking_logs MODIFY COLUMN level DEFAULT 'warn'", "tracking_logs", "ModifyColumn", "column `level`", "default"},
		{"change codec", "ALTER TABLE {xapi}.xapi_events_all_parsed MODIFY COLUMN event_str CODEC(ZSTD(3))", "xapi_events_all_parsed", "ModifyColumn", "column `event_str`", "codec"},
		{"change comment", "ALTER TABLE {xapi}.video_playback_events_base COMMENT COLUMN position_seconds 'position'", "video_playback_events_base", "ModifyColumn", "column `position_seconds`", "comment"},
		{"add index", "ALTER TABLE {vector}.tracking_logs ADD INDEX i_msg message TYPE tokenbf_v1(512, 3, 0) GRANULARITY 1", "tracking_logs", "AddIndex", "index `i_msg`", ""},
		{"drop index", "ALTER TABLE {xapi}.video_playback_events_base DROP INDEX idx_verb", "video_playback_events_base", "DropIndex", "index `idx_verb`", ""},
		{"change ttl", "ALTER TABLE {vector}.tracking_logs MODIFY TTL time + INTERVAL 2 YEAR", "tracking_logs", "ModifyTTL", "ttl", ""},
		{"change materialized view query", "ALTER TABLE {xapi}.video_playback_events_mv MODIFY QUERY SELECT emission_time, org, course_id AS course_key, " +
			"object_id AS video_id, actor_id, verb_id AS verb, toFloat32(0) AS position_seconds FROM {xapi}.xapi_events_all_parsed " +
			"WHERE verb_id = 'https://w3id.org/xapi/video/verbs/played'", "video_playback_events_mv", "ModifyQuery", "query", ""},
		{"drop table", "DROP TABLE {xapi}.video_playback_events_base SYNC", "video_playback_events_base", "DropObject", "", ""},
		{"unmanaged table in a managed database", "CREATE TABLE {vector}.adhoc (x UInt8) ENGINE = Memory", "adhoc", "AddTable", "", ""},
		{"rename table", "RENAME TABLE {xapi}.video_playback_events_base TO {xapi}.video_playback_events_old", "video_playback_events_base", "RenameObject", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, environ, expand := appliedExample(t)
			if err := db.Conn.Exec(context.Background(), expand(tt.sql)); err != nil {
				t.Fatalf("%s: %v", expand(tt.sql), err)
			}
			code, out, errOut := runExampleDiff(t, db, environ, exampleDir, "--format", "json")
			if code != exitFindings {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, exitFindings, out, errOut)
			}
			var rep diff.JSONReport
			if err := json.Unmarshal([]byte(out), &rep); err != nil {
				t.Fatalf("json %q: %v", out, err)
			}
			if len(rep.Changes) != 1 || len(rep.Unverified) != 0 {
				t.Fatalf("want exactly one change, got:\n%s", out)
			}
			e := rep.Changes[0]
			if e.Object != tt.object || e.Change != tt.change || e.Subject != tt.subject || e.Detail != tt.detail {
				t.Errorf("got %+v\nwant object %s, change %s, subject %q, detail %q", e, tt.object, tt.change, tt.subject, tt.detail)
			}
		})
	}
}

// TestDiffExampleIgnore checks that a rule in <dir>/chschema.ignore
// suppresses drift in an object managed elsewhere (here a materialized view
// "owned by dbt"), and only there.
func TestDiffExampleIgnore(t *testing.T) {
	db, environ, expand := appliedExample(t)
	for _, q := range []string{
		"ALTER TABLE {vector}.log_level_counts MODIFY QUERY SELECT toDate(time) AS day, level, count() AS n FROM {vector}.tracking_logs WHERE level != 'debug' GROUP BY day, level",
		"ALTER TABLE {vector}.tracking_logs ADD COLUMN host String",
	} {
		if err := db.Conn.Exec(context.Background(), expand(q)); err != nil {
			t.Fatalf("%s: %v", expand(q), err)
		}
	}
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(exampleDir)); err != nil {
		t.Fatal(err)
	}
	code, out, _ := runExampleDiff(t, db, environ, dir, "--format", "json")
	var rep diff.JSONReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil || code != exitFindings || len(rep.Changes) != 2 {
		t.Fatalf("without the rule: exit %d, %v\n%s", code, err, out)
	}

	rule := "# owned by dbt\n" + db.Name + "_vector.log_level_counts\n"
	if err := os.WriteFile(filepath.Join(dir, IgnoreFile), []byte(rule), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runExampleDiff(t, db, environ, dir, "--format", "json")
	rep = diff.JSONReport{}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("exit %d, %v\n%s\n%s", code, err, out, errOut)
	}
	if code != exitFindings || len(rep.Changes) != 1 || rep.Changes[0].Object != "tracking_logs" || rep.Ignored != 1 {
		t.Errorf("with the rule: exit %d\n%s", code, out)
	}
}

// TestDiffUnverified adds to the example a table created AS SELECT, which
// the model cannot follow: diff reports it as unverified, not as drift,
// and the GitHub annotation points at the migration.
func TestDiffUnverified(t *testing.T) {
	db, prefix := exampleDB(t)
	environ := exampleEnv(prefix, "")
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(exampleDir)); err != nil {
		t.Fatal(err)
	}
	stats := "-- +up\nCREATE TABLE IF NOT EXISTS ${VECTOR_DB}.daily ${ON_CLUSTER} ENGINE = MergeTree ORDER BY day\n" +
		"AS SELECT toDate(time) AS day, count() AS n FROM ${VECTOR_DB}.tracking_logs GROUP BY day;\n-- +down\nDROP TABLE IF EXISTS ${VECTOR_DB}.daily ${ON_CLUSTER};\n"
	if err := os.WriteFile(filepath.Join(dir, "vector", "0003_daily.sql"), []byte(stats), 0o644); err != nil {
		t.Fatal(err)
	}
	env, _, errOut := testEnv()
	env.Environ = environ
	if code := run([]string{"migrate", "--dir", dir, "--dsn", db.DSN}, env); code != exitOK {
		t.Fatalf("migrate: exit %d: %s", code, errOut)
	}
	code, out, stderr := runExampleDiff(t, db, environ, dir)
	file := filepath.Join(dir, "vector", "0003_daily.sql")
	if code != exitOK || !strings.Contains(out, "  table "+prefix+"vector.daily: "+file+":3:4: ") || !strings.HasSuffix(out, "no drift; 1 unverified\n") {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, stderr)
	}
	code, out, _ = runExampleDiff(t, db, environ, dir, "--format", "github")
	want := "::warning file=" + file + ",line=3,col=4,title=unverified::table " + prefix + "vector.daily unverified"
	if code != exitOK || !strings.HasPrefix(out, want) || strings.Count(out, "\n") != 1 {
		t.Errorf("github: exit %d\n%s\nwant a single line starting %q", code, out, want)
	}
}

// TestDiffOfflineFromSchemaCommand saves `chschema schema --format json` of
// the example and compares the migrations with it, without a server: no
// drift. Saved for other database names, the same file shows the example's
// databases missing.
func TestDiffOfflineFromSchemaCommand(t *testing.T) {
	save := func(prefix string) string {
		env, stdout, stderr := testEnv()
		env.Environ = exampleEnv(prefix, "")
		if code := run([]string{"schema", "--dir", exampleDir, "--format", "json"}, env); code != exitOK {
			t.Fatalf("chschema schema: exit %d: %s", code, stderr)
		}
		p := filepath.Join(t.TempDir(), "schema.json")
		if err := os.WriteFile(p, stdout.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	diffWith := func(file string) (int, string) {
		env, stdout, stderr := testEnv()
		env.Environ = exampleEnv("", "")
		code := run([]string{"diff", "--dir", exampleDir, "--offline-from", file}, env)
		return code, stdout.String() + stderr.String()
	}
	if code, out := diffWith(save("")); code != exitOK || out != "no drift\n" {
		t.Errorf("same migrations: exit %d\n%s", code, out)
	}
	code, out := diffWith(save("other_"))
	if code != exitFindings || strings.Count(out, ": dropped") != 3 {
		t.Errorf("other databases: exit %d\n%s", code, out)
	}
}
