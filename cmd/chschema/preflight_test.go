package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chschema/chschema/internal/chtest"
	"github.com/chschema/chschema/schema"
	"github.com/google/go-cmp/cmp"
)

// serverSnapshot lists the databases and tables (with their engines and
// row counts, the history's and the lock's included) whose names start
// with prefix: what a refused run must leave as it found it.
func serverSnapshot(t *testing.T, db *chtest.DB, prefix string) []string {
	t.Helper()
	ctx := context.Background()
	var out []string
	rows, err := db.Conn.Query(ctx, "SELECT name, engine FROM system.databases WHERE startsWith(name, ?) ORDER BY name", prefix)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var name, engine string
		if err := rows.Scan(&name, &engine); err != nil {
			t.Fatal(err)
		}
		out = append(out, "database "+name+" "+engine)
	}
	rows.Close()
	rows, err = db.Conn.Query(ctx, "SELECT database, name, engine, ifNull(total_rows, 0), metadata_modification_time FROM system.tables WHERE startsWith(database, ?) ORDER BY database, name", prefix)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var database, name, engine string
		var n uint64
		var mtime time.Time
		if err := rows.Scan(&database, &name, &engine, &n, &mtime); err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprintf("table %s.%s %s rows=%d modified=%v", database, name, engine, n, mtime))
	}
	return out
}

// preflightProject writes a project whose init.sql creates the database
// <P>_init (and a table in it), drops a canary table there on every run,
// and creates <P>_hist, the history's database; svc/0001 creates a table
// in the session database.
func preflightProject(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "init.sql"), "CREATE DATABASE IF NOT EXISTS ${P}_init;\n"+
		"CREATE DATABASE IF NOT EXISTS ${P}_hist;\n"+
		"CREATE TABLE IF NOT EXISTS ${P}_init.seen (x UInt8) ENGINE = Log;\n"+
		"DROP TABLE IF EXISTS ${P}_init.canary;\n")
	if err := os.MkdirAll(filepath.Join(dir, "svc"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "svc", "0001_a.sql"), "-- +up\nCREATE TABLE a (id UInt64) ENGINE = MergeTree ORDER BY id;\n-- +down\nDROP TABLE a;\n")
	return dir
}

// TestRefusedRunChangesNothing runs migrate, down and baseline, as a user
// would (the built binary), on projects each of them must refuse, and
// compares the server's databases and tables (history and lock included,
// with their row counts) before and after each refusal: nothing changes,
// not init.sql's database, not the history's database, not a canary that
// init.sql would drop. On a fresh server, the history lives in a database
// that init.sql creates.
func TestRefusedRunChangesNothing(t *testing.T) {
	db := chtest.New(t)
	prefix := db.Name
	t.Cleanup(func() {
		for _, n := range []string{prefix + "_init", prefix + "_hist"} {
			_ = db.Conn.Exec(context.Background(), "DROP DATABASE IF EXISTS "+schema.QuoteIdent(n)+" SYNC")
		}
	})
	bin := buildBinary(t)
	env := []string{"CHSCHEMA_VAR_P=" + prefix, "CHSCHEMA_DSN=" + db.DSN, "CHSCHEMA_HISTORY_TABLE=" + prefix + "_hist.chschema_migrations"}
	refused := func(t *testing.T, dir string, wantCode int, want string, args ...string) {
		t.Helper()
		before := serverSnapshot(t, db, prefix)
		r := runBinary(t, bin, dir, env, append(args, "--dir", dir)...)
		if r.code != wantCode || !strings.Contains(r.stderr, want) {
			t.Errorf("%v: exit %d, want %d with %q\nstdout:\n%s\nstderr:\n%s", args, r.code, wantCode, want, r.stdout, r.stderr)
		}
		if diff := cmp.Diff(before, serverSnapshot(t, db, prefix)); diff != "" {
			t.Errorf("%v changed the server (-before +after):\n%s", args, diff)
		}
	}
	newMigration := func(t *testing.T, dir, name, content string) {
		t.Helper()
		writeFile(t, filepath.Join(dir, "svc", name), content)
	}

	// On a fresh server: nothing of the prefix exists.
	t.Run("fresh server", func(t *testing.T) {
		if s := serverSnapshot(t, db, prefix+"_"); len(s) != 0 {
			t.Fatalf("not fresh: %v", s)
		}
		for _, tt := range []struct {
			name, file, content string
			code                int
			want                string
		}{
			{"the empty template of chschema new", "0002_b.sql", "-- +up\n\n-- +down\n\n", exitFindings, "empty-up"},
			{"a down section with no statement and no no-op", "0002_b.sql", "-- +up\nCREATE TABLE b (x UInt8) ENGINE = Log;\n-- +down\n-- nothing here\n", exitFindings, "missing-down"},
			{"a syntax error after a good migration", "0002_b.sql", "-- +up\nCREATE TABLE b (x UInt8 ENGINE = Log;\n-- +down\nDROP TABLE b;\n", exitFindings, "0002_b.sql:2:"},
			{"a table that does not exist", "0002_b.sql", "-- +up\nALTER TABLE nosuch ADD COLUMN x UInt8;\n-- +down\nALTER TABLE nosuch DROP COLUMN x;\n", exitFindings, "error replay: table"},
			{"a table created twice", "0002_b.sql", "-- +up\nCREATE TABLE a (id UInt64) ENGINE = Log;\n-- +down\nDROP TABLE a;\n", exitFindings, "error replay:"},
			{"an undefined variable", "0002_b.sql", "-- +up\nCREATE TABLE ${NOPE}.b (x UInt8) ENGINE = Log;\n-- +down\nDROP TABLE b;\n", exitError, "NOPE"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				dir := preflightProject(t)
				newMigration(t, dir, tt.file, tt.content)
				refused(t, dir, tt.code, tt.want, "migrate")
				refused(t, dir, tt.code, tt.want, "migrate", "--dry-run")
			})
		}
		t.Run("init.sql that is not idempotent", func(t *testing.T) {
			dir := preflightProject(t)
			writeFile(t, filepath.Join(dir, "init.sql"), "CREATE DATABASE IF NOT EXISTS ${P}_init;\nCREATE TABLE ${P}_init.seen (x UInt8) ENGINE = Log;\n")
			refused(t, dir, exitFindings, "init-idempotent", "migrate")
			refused(t, dir, exitFindings, "init-idempotent", "baseline", "1")
		})
		t.Run("a broken seal", func(t *testing.T) {
			dir := preflightProject(t)
			if r := runBinary(t, bin, dir, env, "hash", "--dir", dir); r.code != 0 {
				t.Fatal(r.stderr)
			}
			writeFile(t, filepath.Join(dir, "svc", "0001_a.sql"), "-- +up\nCREATE TABLE a (id UInt32) ENGINE = MergeTree ORDER BY id;\n-- +down\nDROP TABLE a;\n")
			refused(t, dir, exitFindings, "sealed-edited", "migrate")
		})
		t.Run("drift in what init.sql would find", func(t *testing.T) {
			// init.sql's table exists, different: CREATE IF NOT EXISTS
			// would keep it, so it is drift, found before init.sql runs.
			execAll(t, db, "CREATE DATABASE "+prefix+"_init", "CREATE TABLE "+prefix+"_init.seen (x UInt8, y UInt8) ENGINE = Log",
				"CREATE TABLE "+prefix+"_init.canary (x UInt8) ENGINE = Log")
			defer execAll(t, db, "DROP DATABASE "+prefix+"_init SYNC")
			refused(t, preflightProject(t), exitFindings, "drift", "migrate")
		})
	})

	// A first deploy whose history is in a database init.sql creates.
	dir := preflightProject(t)
	if r := runBinary(t, bin, dir, env, "migrate", "--dir", dir, "--dry-run"); r.code != 0 || !strings.Contains(r.stdout, "CREATE DATABASE IF NOT EXISTS "+prefix+"_hist") {
		t.Fatalf("dry run on a fresh server: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := runBinary(t, bin, dir, env, "migrate", "--dir", dir); r.code != 0 || !strings.Contains(r.stdout, "applied 1 migration (") {
		t.Fatalf("first deploy: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	t.Run("applied", func(t *testing.T) {
		// The canary: a run of init.sql would drop it.
		execAll(t, db, "CREATE TABLE "+prefix+"_init.canary (x UInt8) ENGINE = Log")
		t.Run("drift", func(t *testing.T) {
			execAll(t, db, "ALTER TABLE a ADD COLUMN z UInt8")
			defer execAll(t, db, "ALTER TABLE a DROP COLUMN z")
			newMigration(t, dir, "0002_b.sql", "-- +up\nCREATE TABLE b (x UInt8) ENGINE = Log;\n-- +down\nDROP TABLE b;\n")
			defer os.Remove(filepath.Join(dir, "svc", "0002_b.sql"))
			refused(t, dir, exitFindings, "drift", "migrate")
		})
		t.Run("lint errors in the pending migration only", func(t *testing.T) {
			newMigration(t, dir, "0002_b.sql", "-- +up\n\n-- +down\n\n")
			defer os.Remove(filepath.Join(dir, "svc", "0002_b.sql"))
			refused(t, dir, exitFindings, "empty-up", "migrate")
			// svc/0001 is applied and fine: down is not refused for 0002.
			if r := runBinary(t, bin, dir, env, "down", "--dir", dir, "--steps", "1", "--dry-run"); r.code != 0 || !strings.Contains(r.stdout, "DROP TABLE a") {
				t.Errorf("down --dry-run: exit %d\n%s%s", r.code, r.stdout, r.stderr)
			}
		})
		t.Run("down of a migration lint rejects", func(t *testing.T) {
			// Recorded by baseline (which runs no section), its down
			// section has no statement and no -- no-op.
			newMigration(t, dir, "0002_b.sql", "-- +up\nCREATE TABLE b (x UInt8) ENGINE = Log;\n-- +down\n")
			execAll(t, db, "CREATE TABLE b (x UInt8) ENGINE = Log")
			if r := runBinary(t, bin, dir, env, "baseline", "2", "--dir", dir); r.code != 0 {
				t.Fatalf("baseline: exit %d\n%s", r.code, r.stderr)
			}
			refused(t, dir, exitFindings, "missing-down", "down", "--steps", "1")
			refused(t, dir, exitFindings, "missing-down", "down", "--steps", "1", "--strict")
		})
	})
}

// TestPreflightLetsTheServerJudgeSyntax: valid ClickHouse that the offline
// parser rejects (here OFFSET … ROWS, which offline lint calls a
// syntax error) does not block migrate, whose pre-flight asks the server's
// parser, as lint --dsn does; a real syntax error still refuses the run
// before anything changes.
func TestPreflightLetsTheServerJudgeSyntax(t *testing.T) {
	db := chtest.New(t)
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "0001_a.sql"), "-- +up\nCREATE TABLE t (x UInt8) ENGINE = MergeTree ORDER BY x;\nSELECT x FROM t ORDER BY x OFFSET 0 ROWS;\n-- +down\nDROP TABLE t;\n")
	if code, out, errOut := runCLI(t, "lint", "--dir", dir); code != exitFindings || !strings.Contains(out, "0001_a.sql:3:") {
		t.Fatalf("offline lint: exit %d, want a syntax error at 0001_a.sql:3\n%s%s", code, out, errOut)
	}
	if code, out, errOut := runCLI(t, "migrate", "--dir", dir, "--dsn", db.DSN); code != exitOK {
		t.Fatalf("migrate: exit %d\n%s%s", code, out, errOut)
	}
	writeFile(t, filepath.Join(dir, "0002_b.sql"), "-- +up\nCREAT TABLE u (x UInt8) ENGINE = Memory;\n-- +down\n-- no-op\n")
	before := serverSnapshot(t, db, db.Name)
	code, out, errOut := runCLI(t, "migrate", "--dir", dir, "--dsn", db.DSN)
	if code != exitFindings || !strings.Contains(out+errOut, "0002_b.sql:2:") {
		t.Fatalf("migrate over a syntax error: exit %d\n%s%s", code, out, errOut)
	}
	if diff := cmp.Diff(before, serverSnapshot(t, db, db.Name)); diff != "" {
		t.Errorf("the refused run changed the server (-before +after):\n%s", diff)
	}
}
