package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chschema/chschema/internal/chtest"
	"github.com/chschema/chschema/schema"
	"github.com/google/go-cmp/cmp"
)

// TestFirstDeployToADatabaseInitCreates is the README's own setup on a
// fresh server: the DSN names the database (<P>_xapi) that init.sql
// creates, and the migrations create unqualified tables in it. The
// preview (migrate --dry-run) shows init.sql and changes nothing, the
// offline script (chschema sql) shows the same without a server, and the
// first migrate creates the database, then the tables in it, with the same
// DSN that every later run uses.
func TestFirstDeployToADatabaseInitCreates(t *testing.T) {
	db := chtest.New(t)
	xapi := db.Name + "_xapi"
	t.Cleanup(func() {
		_ = db.Conn.Exec(context.Background(), "DROP DATABASE IF EXISTS "+schema.QuoteIdent(xapi)+" SYNC")
	})
	bin := buildBinary(t)
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "init.sql"), "CREATE DATABASE IF NOT EXISTS ${XAPI_DB};\n")
	if err := os.MkdirAll(filepath.Join(dir, "xapi"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "xapi", "0001_events.sql"), "-- +up\nCREATE TABLE events (id UInt64) ENGINE = MergeTree ORDER BY id;\n-- +down\nDROP TABLE events;\n")
	dsn := strings.TrimSuffix(db.DSN, "/"+db.Name) + "/" + xapi
	if dsn == db.DSN+"/"+xapi {
		t.Fatalf("cannot rewrite the DSN %s", db.DSN)
	}
	env := []string{"CHSCHEMA_VAR_XAPI_DB=" + xapi, "CHSCHEMA_DIR=" + dir}

	before := serverSnapshot(t, db, xapi)
	if r := runBinary(t, bin, dir, env, "status", "--dsn", dsn); r.code != 0 || !strings.Contains(r.stdout, "pending") || !strings.Contains(r.stderr, "database "+xapi+" does not exist on the server (yet)") {
		t.Errorf("status before the first deploy: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r := runBinary(t, bin, dir, env, "migrate", "--dsn", dsn, "--dry-run")
	wantScript := []string{"-- init.sql (runs first, every time)", "CREATE DATABASE IF NOT EXISTS " + xapi + ";", "-- xapi/0001 (xapi/0001_events.sql)", "CREATE TABLE events"}
	for _, w := range wantScript {
		if r.code != 0 || !strings.Contains(r.stdout, w) {
			t.Fatalf("migrate --dry-run on a fresh server: exit %d, want %q\n%s%s", r.code, w, r.stdout, r.stderr)
		}
	}
	if d := cmp.Diff(before, serverSnapshot(t, db, xapi)); d != "" || len(before) != 0 {
		t.Errorf("the dry run changed the server:\n%s", d)
	}
	offline := runBinary(t, bin, dir, env, "sql")
	if offline.code != 0 || offline.stdout != r.stdout {
		t.Errorf("chschema sql: exit %d\n%s\nwant the dry run's script:\n%s", offline.code, offline.stdout+offline.stderr, r.stdout)
	}

	r = runBinary(t, bin, dir, env, "migrate", "--dsn", dsn)
	if r.code != 0 || !strings.Contains(r.stdout, "applied 1 migration (1 statement)") {
		t.Fatalf("first deploy: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	var n uint64
	if err := db.Conn.QueryRow(context.Background(), "SELECT count() FROM system.tables WHERE database = ? AND name IN ('events', 'chschema_migrations')", xapi).Scan(&n); err != nil || n != 2 {
		t.Errorf("tables in %s: %d, %v; want events and the history", xapi, n, err)
	}
	r = runBinary(t, bin, dir, env, "migrate", "--dsn", dsn)
	if r.code != 0 || !strings.Contains(r.stdout, "applied 0 migrations") {
		t.Errorf("second deploy: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := runBinary(t, bin, dir, env, "status", "--dsn", dsn, "--exit-code"); r.code != 0 {
		t.Errorf("status: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// TestFirstDeployRefusals: when the DSN's database does not exist and
// init.sql does not create it before it is needed, migrate refuses before
// anything is created, saying why.
func TestFirstDeployRefusals(t *testing.T) {
	db := chtest.New(t)
	xapi := db.Name + "_xapi"
	t.Cleanup(func() {
		_ = db.Conn.Exec(context.Background(), "DROP DATABASE IF EXISTS "+schema.QuoteIdent(xapi)+" SYNC")
	})
	dsn := strings.TrimSuffix(db.DSN, "/"+db.Name) + "/" + xapi
	for _, tt := range []struct {
		name, init, want string
	}{
		{"no init.sql database", "CREATE DATABASE IF NOT EXISTS other_" + xapi + ";\n", "init.sql does not create it"},
		{"an unqualified table before the database", "CREATE TABLE IF NOT EXISTS early (x UInt8) ENGINE = Log;\nCREATE DATABASE IF NOT EXISTS " + xapi + ";\n", "init.sql does not run without it"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := cliProject(t)
			writeFile(t, filepath.Join(dir, "init.sql"), tt.init)
			snapshot := func() []string {
				return append(serverSnapshot(t, db, xapi), serverSnapshot(t, db, "other_"+xapi)...)
			}
			before := snapshot()
			code, out, errOut := runCLI(t, "migrate", "--dir", dir, "--dsn", dsn)
			if code != exitFindings || !strings.Contains(errOut, tt.want) {
				t.Errorf("exit %d, want 1 with %q\n%s%s", code, tt.want, out, errOut)
			}
			if d := cmp.Diff(before, snapshot()); d != "" || len(before) != 0 {
				t.Errorf("the refused run changed the server:\n%s", d)
			}
			var n uint64
			if err := db.Conn.QueryRow(context.Background(), "SELECT count() FROM system.tables WHERE name IN ('early', 't', 'chschema_migrations_lock') AND database IN ('default', ?)", db.Name).Scan(&n); err != nil || n != 0 {
				t.Errorf("%d tables created elsewhere (%v)", n, err)
			}
		})
	}
}
