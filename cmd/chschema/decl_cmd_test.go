package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/alecthomas/kong"
	"github.com/chschema/chschema/internal/chtest"
	"github.com/chschema/chschema/plan"
)

// declProject copies the example migrations into a temporary project and
// returns its migrations root, its schema directory (not yet written) and
// the environment naming the example's databases.
func declProject(t *testing.T, prefix string) (dir, schemaDir string, environ []string) {
	t.Helper()
	root := t.TempDir()
	dir = filepath.Join(root, "migrations")
	if err := os.CopyFS(dir, os.DirFS("../../examples/migrations")); err != nil {
		t.Fatal(err)
	}
	environ = []string{
		"CHSCHEMA_VAR_XAPI_DB=" + prefix + "xapi", "CHSCHEMA_VAR_EVENT_SINK_DB=" + prefix + "event_sink",
		"CHSCHEMA_VAR_VECTOR_DB=" + prefix + "vector", "CHSCHEMA_VAR_ON_CLUSTER=",
	}
	return dir, filepath.Join(root, "schema"), environ
}

type cliResult struct {
	code           int
	stdout, stderr string
}

func runDecl(t *testing.T, environ []string, args []string, opts ...kong.Option) cliResult {
	t.Helper()
	var out, errOut bytes.Buffer
	env := &Env{Ctx: context.Background(), Stdout: &out, Stderr: &errOut, Environ: environ}
	code := run(args, env, opts...)
	return cliResult{code, out.String(), errOut.String()}
}

func editFile(t *testing.T, path, old, new string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), old) {
		t.Fatalf("%s lacks %q", path, old)
	}
	if err := os.WriteFile(path, []byte(strings.Replace(string(data), old, new, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestDumpCheckPlan is the declarative workflow offline: dump the expected
// schema, check it (clean), edit it (check fails with the diff), plan the
// migration (the default path is <dir>/../schema), check again (clean).
// Check is also failed from the other side: a migration the schema
// directory lacks.
func TestDumpCheckPlan(t *testing.T) {
	dir, schemaDir, environ := declProject(t, "")
	if r := runDecl(t, environ, []string{"dump", "--dir", dir}); r.code != exitOK {
		t.Fatalf("dump: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, f := range []string{"event_sink.sql", "vector.sql", "xapi.sql"} {
		if _, err := os.Stat(filepath.Join(schemaDir, f)); err != nil {
			t.Fatal(err)
		}
	}
	if r := runDecl(t, environ, []string{"dump", "--dir", dir}); r.code != exitError || !strings.Contains(r.stderr, "--force") {
		t.Errorf("dump over a schema directory: exit %d, stderr %q; want a refusal naming --force", r.code, r.stderr)
	}
	if r := runDecl(t, environ, []string{"check", "--dir", dir}); r.code != exitOK {
		t.Fatalf("check right after dump: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	// The desired schema gains a column: check fails and names it.
	editFile(t, filepath.Join(schemaDir, "vector.sql"), "`message` String,", "`message` String, `host` String DEFAULT '',")
	r := runDecl(t, environ, []string{"check", "--dir", dir})
	if r.code != exitFindings || !strings.Contains(r.stdout, "`host` String DEFAULT ''") {
		t.Fatalf("check after a schema edit: exit %d, want 1 with the column\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = runDecl(t, environ, []string{"plan", "vector", "add_host", "--dir", dir, "--dry-run"})
	if r.code != exitOK || !strings.Contains(r.stdout, "ADD COLUMN `host` String DEFAULT '' AFTER `message`") || !strings.Contains(r.stdout, "DROP COLUMN `host`") {
		t.Fatalf("plan --dry-run: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "vector", "0003_add_host.sql")); err == nil {
		t.Fatal("--dry-run wrote the migration")
	}
	r = runDecl(t, environ, []string{"plan", "vector", "add_host", "--dir", dir, "--dry-run", "--cluster", "{cluster}"})
	if r.code != exitOK || strings.Count(r.stdout, "ALTER TABLE ${VECTOR_DB}.`tracking_logs` ON CLUSTER `{cluster}`\n") != 2 {
		t.Fatalf("plan --cluster: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = runDecl(t, environ, []string{"plan", "vector", "add_host", "--dir", dir})
	if r.code != exitOK || !strings.Contains(r.stdout, "0003_add_host.sql") {
		t.Fatalf("plan: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := runDecl(t, environ, []string{"check", "--dir", dir}); r.code != exitOK {
		t.Fatalf("check after plan: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := runDecl(t, environ, []string{"lint", "--dir", dir}); r.code != exitOK {
		t.Errorf("lint of the generated migration: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := runDecl(t, environ, []string{"plan", "vector", "nothing", "--dir", dir}); r.code != exitOK || !strings.Contains(r.stderr, "no changes") {
		t.Errorf("plan without changes: exit %d, stderr %q", r.code, r.stderr)
	}

	// The other direction: a migration that the schema directory lacks.
	writeFile(t, filepath.Join(dir, "vector", "0004_errors.sql"),
		"-- +up\nCREATE TABLE ${VECTOR_DB}.errors (at DateTime) ENGINE = MergeTree ORDER BY at;\n-- +down\nDROP TABLE ${VECTOR_DB}.errors;\n")
	r = runDecl(t, environ, []string{"check", "--dir", dir, "--schema-dir", schemaDir})
	if r.code != exitFindings || !strings.Contains(r.stdout, "errors") {
		t.Fatalf("check with a migration the schema lacks: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// TestPlanRenamesAndRecreate covers the flags that change what plan
// writes: --rename, a confirmer standing in for the terminal, and
// --allow-recreate.
func TestPlanRenamesAndRecreate(t *testing.T) {
	dir, schemaDir, environ := declProject(t, "")
	if r := runDecl(t, environ, []string{"dump", "--dir", dir}); r.code != exitOK {
		t.Fatalf("dump: exit %d\n%s", r.code, r.stderr)
	}
	editFile(t, filepath.Join(schemaDir, "event_sink.sql"), "`language` String", "`lang` String")

	r := runDecl(t, environ, []string{"plan", "event_sink", "x", "--dir", dir, "--dry-run"})
	if r.code != exitOK || !strings.Contains(r.stderr, "--rename event_sink.user_profile.language=lang") || !strings.Contains(r.stdout, "DROP COLUMN `language`") {
		t.Errorf("unhinted rename, no terminal: exit %d, want drop + add with a warning\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = runDecl(t, environ, []string{"plan", "event_sink", "x", "--dir", dir, "--dry-run", "--rename", "event_sink.user_profile.language=lang"})
	if r.code != exitOK || !strings.Contains(r.stdout, "RENAME COLUMN `language` TO `lang`") || strings.Contains(r.stdout, "DROP COLUMN") {
		t.Errorf("--rename: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = runDecl(t, environ, []string{"plan", "event_sink", "x", "--dir", dir, "--dry-run"}, kong.Bind(&Prompter{Confirm: answer{yes: true}}))
	if r.code != exitOK || !strings.Contains(r.stdout, "RENAME COLUMN `language` TO `lang`") {
		t.Errorf("confirmed on a terminal: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = runDecl(t, environ, []string{"plan", "event_sink", "x", "--dir", dir, "--dry-run"}, kong.Bind(&Prompter{Confirm: answer{yes: false}}))
	if r.code != exitOK || !strings.Contains(r.stdout, "DROP COLUMN `language`") {
		t.Errorf("declined on a terminal: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := runDecl(t, environ, []string{"plan", "event_sink", "x", "--dir", dir, "--rename", "nope"}); r.code != exitError || !strings.Contains(r.stderr, "rename hint") {
		t.Errorf("bad --rename: exit %d, stderr %q", r.code, r.stderr)
	}

	editFile(t, filepath.Join(schemaDir, "event_sink.sql"), "`lang` String", "`language` String")
	editFile(t, filepath.Join(schemaDir, "event_sink.sql"), "PRIMARY KEY (user_id) ORDER BY (user_id, time_last_dumped)", "PRIMARY KEY (country) ORDER BY (country, user_id)")
	r = runDecl(t, environ, []string{"plan", "event_sink", "x", "--dir", dir, "--dry-run"})
	if r.code != exitError || !strings.Contains(r.stderr, "cannot be changed in place") || !strings.Contains(r.stderr, "--allow-recreate") {
		t.Errorf("ORDER BY change: exit %d, want 2 with an explanation\n%s", r.code, r.stderr)
	}
	r = runDecl(t, environ, []string{"plan", "event_sink", "x", "--dir", dir, "--dry-run", "--allow-recreate"})
	if r.code != exitOK || !strings.Contains(r.stdout, "EXCHANGE TABLES") || !strings.Contains(r.stderr, "destructive: DROP TABLE") {
		t.Errorf("--allow-recreate: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = runDecl(t, environ, []string{"plan", "event_sink", "x", "--dir", dir, "--dry-run", "--allow-recreate", "--cluster", "c"})
	if r.code != exitError || !strings.Contains(r.stderr, "INSERT … SELECT, which has no ON CLUSTER") {
		t.Errorf("--allow-recreate --cluster: exit %d, want 2 with an explanation\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// answer is a terminal whose user always answers the same.
type answer struct{ yes bool }

func (a answer) ConfirmRename(plan.RenameCandidate) (bool, error) { return a.yes, nil }

// TestDumpLive dumps the live schema of a server that ran the example's
// migrations: it defines the same objects as the offline dump, and read back
// as a desired schema it is the expected schema. (The texts may differ: the
// live side knows the column types of every view, the offline side only of
// the views whose SELECT it can type.)
func TestDumpLive(t *testing.T) {
	db := chtest.New(t)
	prefix := db.Name + "_"
	dir, schemaDir, environ := declProject(t, prefix)
	t.Cleanup(func() {
		for _, d := range []string{"xapi", "event_sink", "vector"} {
			_ = db.Conn.Exec(context.Background(), "DROP DATABASE IF EXISTS `"+prefix+d+"` SYNC")
		}
	})
	if r := runDecl(t, environ, []string{"migrate", "--dir", dir, "--dsn", db.DSN}); r.code != exitOK {
		t.Fatalf("migrate: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := runDecl(t, environ, []string{"dump", "--dir", dir}); r.code != exitOK {
		t.Fatalf("dump: exit %d\n%s", r.code, r.stderr)
	}
	liveDir := filepath.Join(t.TempDir(), "live")
	if r := runDecl(t, environ, []string{"dump", "--dir", dir, "--dsn", db.DSN, "--schema-dir", liveDir}); r.code != exitOK {
		t.Fatalf("dump --dsn: exit %d\n%s", r.code, r.stderr)
	}
	for _, f := range []string{"event_sink.sql", "vector.sql", "xapi.sql"} {
		want, err := os.ReadFile(filepath.Join(schemaDir, prefix+f))
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(filepath.Join(liveDir, prefix+f))
		if err != nil {
			t.Fatal(err)
		}
		if g, w := objectHeads(string(got)), objectHeads(string(want)); len(w) < 2 || !slices.Equal(g, w) {
			t.Errorf("%s: the live dump defines %q, the offline one %q", f, g, w)
		}
	}
	// The live dump read back is the expected schema.
	if r := runDecl(t, environ, []string{"check", "--dir", dir, "--schema-dir", liveDir}); r.code != exitOK {
		t.Errorf("check against the live dump: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// TestDeclarativeWorkflowBinary runs the built binary the way a team
// would: migrate, dump, edit the schema directory, check (fails), plan,
// migrate the generated migration, then check and diff (both clean), and
// down (the generated down section runs).
func TestDeclarativeWorkflowBinary(t *testing.T) {
	db := chtest.New(t)
	prefix := db.Name + "_"
	dir, schemaDir, environ := declProject(t, prefix)
	t.Cleanup(func() {
		for _, d := range []string{"xapi", "event_sink", "vector"} {
			_ = db.Conn.Exec(context.Background(), "DROP DATABASE IF EXISTS `"+prefix+d+"` SYNC")
		}
	})
	bin := buildBinary(t)
	work := filepath.Dir(dir)
	environ = append(environ, "CHSCHEMA_DSN="+db.DSN, "CHSCHEMA_DIR=migrations")
	step := func(want int, args ...string) result {
		t.Helper()
		r := runBinary(t, bin, work, environ, args...)
		if r.code != want {
			t.Fatalf("chschema %s: exit %d, want %d\n%s%s", strings.Join(args, " "), r.code, want, r.stdout, r.stderr)
		}
		return r
	}
	step(0, "migrate")
	step(0, "dump")
	editFile(t, filepath.Join(schemaDir, prefix+"vector.sql"), "`message` String,", "`message` String, `host` LowCardinality(String) DEFAULT '',")
	editFile(t, filepath.Join(schemaDir, prefix+"vector.sql"), "TTL time + toIntervalYear(1)", "TTL time + toIntervalYear(2)")
	if r := step(1, "check"); !strings.Contains(r.stdout, "`host`") {
		t.Errorf("check does not name the new column:\n%s", r.stdout)
	}
	if r := step(0, "plan", "vector", "logs_host"); !strings.Contains(r.stdout, "0003_logs_host.sql") {
		t.Errorf("plan wrote %q", r.stdout)
	}
	// The database is named as the other migrations name it, by its
	// variable, whose value (prefix+"vector") the schema directory spells.
	generated, err := os.ReadFile(filepath.Join(dir, "vector", "0003_logs_host.sql"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(generated), "ALTER TABLE ${VECTOR_DB}.`tracking_logs`") || strings.Contains(string(generated), prefix) {
		t.Errorf("the generated migration names the database literally:\n%s", generated)
	}
	step(0, "lint")
	step(0, "migrate")
	step(0, "check")
	step(0, "diff", "--no-cache")
	var host uint64
	if err := db.Conn.QueryRow(context.Background(), "SELECT count() FROM system.columns WHERE database = ? AND table = 'tracking_logs' AND name = 'host'", prefix+"vector").Scan(&host); err != nil || host != 1 {
		t.Fatalf("system.columns has %d host columns (%v), want 1", host, err)
	}
	step(0, "down", "--service", "vector", "--to", "2")
	if err := db.Conn.QueryRow(context.Background(), "SELECT count() FROM system.columns WHERE database = ? AND table = 'tracking_logs' AND name = 'host'", prefix+"vector").Scan(&host); err != nil || host != 0 {
		t.Fatalf("after down, system.columns has %d host columns (%v), want 0", host, err)
	}
}

// objectHeads lists the "CREATE <kind> <name>" of each statement of a dump.
func objectHeads(sql string) []string {
	var out []string
	for _, line := range strings.Split(sql, "\n") {
		if !strings.HasPrefix(line, "CREATE ") {
			continue
		}
		f := strings.Fields(strings.TrimSuffix(line, ";"))
		n := 3
		if f[1] == "MATERIALIZED" || f[1] == "OR" {
			n = 4
		}
		if len(f) > n && f[n-1] == "IF" {
			n += 3
		}
		out = append(out, strings.Join(f[:min(n, len(f))], " "))
	}
	return out
}

// TestCheckAndPlanIgnore: objects another tool manages, declared in the
// schema directory, are left out of check and plan by the ignore rules.
func TestCheckAndPlanIgnore(t *testing.T) {
	dir, schemaDir, environ := declProject(t, "ign_")
	if r := runDecl(t, environ, []string{"dump", "--dir", dir}); r.code != exitOK {
		t.Fatalf("dump: exit %d\n%s", r.code, r.stderr)
	}
	writeFile(t, filepath.Join(schemaDir, "zz_dbt.sql"), "CREATE TABLE ign_xapi.dbt_course_stats (course String, n UInt64) ENGINE = MergeTree ORDER BY course;\n")
	if r := runDecl(t, environ, []string{"check", "--dir", dir}); r.code != exitFindings || !strings.Contains(r.stdout, "dbt_course_stats") {
		t.Fatalf("check without an ignore rule: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := runDecl(t, environ, []string{"check", "--dir", dir, "--ignore", "ign_xapi.dbt_*"}); r.code != exitOK {
		t.Fatalf("check --ignore: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	writeFile(t, filepath.Join(dir, "chschema.ignore"), "# managed by dbt\nign_xapi.dbt_*\n")
	r := runDecl(t, environ, []string{"plan", "xapi", "dbt", "--dir", dir, "--dry-run"})
	if r.code != exitOK || !strings.Contains(r.stderr, "no changes") {
		t.Fatalf("plan with chschema.ignore: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// TestDumpLiveLeavesOutOwnTables: on the real server, dump --dsn writes
// neither the history table (here inside a database the migrations manage),
// nor a lock tombstone, nor a history table under a name dump was not told;
// so check finds no difference and plan generates nothing. Before, the
// history table was written into the desired schema and plan created it.
func TestDumpLiveLeavesOutOwnTables(t *testing.T) {
	db := chtest.New(t)
	ctx := context.Background()
	prefix := db.Name + "_"
	dir, _, environ := declProject(t, prefix)
	t.Cleanup(func() {
		for _, d := range []string{"xapi", "event_sink", "vector"} {
			_ = db.Conn.Exec(ctx, "DROP DATABASE IF EXISTS `"+prefix+d+"` SYNC")
		}
	})
	history := []string{"--history-table", prefix + "xapi.chschema_migrations"}
	if r := runDecl(t, environ, append([]string{"migrate", "--dir", dir, "--dsn", db.DSN}, history...)); r.code != exitOK {
		t.Fatalf("migrate: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	// A tombstone of a broken lock, and a second history table under a
	// name nobody passes to dump.
	if err := db.Conn.Exec(ctx, "CREATE TABLE `"+prefix+"xapi`.chschema_migrations_lock_expired_0d7c (holder String) ENGINE = Memory COMMENT '{\"id\":\"x\"}'"); err != nil {
		t.Fatal(err)
	}
	var create string
	if err := db.Conn.QueryRow(ctx, "SELECT create_table_query FROM system.tables WHERE database = ? AND name = 'chschema_migrations'", prefix+"xapi").Scan(&create); err != nil {
		t.Fatal(err)
	}
	create = strings.Replace(create, prefix+"xapi.chschema_migrations", prefix+"vector.deploy_log", 1)
	if err := db.Conn.Exec(ctx, create); err != nil {
		t.Fatalf("%v\n%s", err, create)
	}
	for _, flags := range [][]string{history, nil} {
		liveDir := filepath.Join(t.TempDir(), "live")
		if r := runDecl(t, environ, append([]string{"dump", "--dir", dir, "--dsn", db.DSN, "--schema-dir", liveDir}, flags...)); r.code != exitOK {
			t.Fatalf("dump --dsn: exit %d\n%s", r.code, r.stderr)
		}
		for _, f := range []string{"xapi.sql", "vector.sql", "event_sink.sql"} {
			data, err := os.ReadFile(filepath.Join(liveDir, prefix+f))
			if err != nil {
				t.Fatal(err)
			}
			for _, own := range []string{"chschema_migrations", "deploy_log", "_lock_expired_"} {
				if strings.Contains(string(data), own) {
					t.Errorf("%s holds chschema's own table %s:\n%s", f, own, data)
				}
			}
		}
		if r := runDecl(t, environ, []string{"check", "--dir", dir, "--schema-dir", liveDir}); r.code != exitOK {
			t.Errorf("check against the live dump: exit %d\n%s%s", r.code, r.stdout, r.stderr)
		}
		if r := runDecl(t, environ, []string{"plan", "xapi", "x", "--dir", dir, "--schema-dir", liveDir, "--dry-run"}); r.code != exitOK || !strings.Contains(r.stderr, "no changes") {
			t.Errorf("plan from the live dump: exit %d\n%s%s", r.code, r.stdout, r.stderr)
		}
	}
}
