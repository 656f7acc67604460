package chschema_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/chschema/chschema"
	"github.com/chschema/chschema/apply"
	"github.com/chschema/chschema/internal/chtest"
	"github.com/chschema/chschema/schema"
)

// TestNewDBSessions: a DB from NewDB (a program's own pooled connection)
// has no session to run a section in. A migration that needs one (USE, a
// temporary table) is refused before anything runs, naming each such
// statement at its file:line:col; a SET alone is still sent with the
// statements after it. WithSessionOpener, with apply.NewSessionOpener on
// the connection's options, runs the same migration as Connect does.
func TestNewDBSessions(t *testing.T) {
	db := chtest.New(t)
	ctx := context.Background()
	other := db.Name + "_other"
	t.Cleanup(func() { _ = db.Conn.Exec(ctx, "DROP DATABASE IF EXISTS "+schema.QuoteIdent(other)+" SYNC") })
	p, err := chschema.OpenFS(migrationFS(map[string]string{
		"app/0001_set.sql": "-- +up\nSET allow_deprecated_syntax_for_merge_tree = 1;\nCREATE TABLE old (d Date, k UInt64) ENGINE = MergeTree(d, k, 8192);\n-- +down\nDROP TABLE old;\n",
		"app/0002_use.sql": "-- +up\nCREATE DATABASE " + other + ";\nUSE " + other + ";\nCREATE TABLE t (x UInt8) ENGINE = Memory;\n" +
			"CREATE TEMPORARY TABLE tmp (x UInt8);\nINSERT INTO t SELECT x FROM tmp;\n-- +down\nDROP DATABASE " + other + ";\n",
	}))
	if err != nil {
		t.Fatal(err)
	}
	opts, err := clickhouse.ParseDSN(db.DSN)
	if err != nil {
		t.Fatal(err)
	}
	pool, err := clickhouse.Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()

	plain, err := chschema.NewDB(ctx, pool)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := p.Migrate(ctx, plain, chschema.ToVersion(1))
	if err != nil {
		t.Fatalf("migrate 0001 (SET only) without sessions: %v", err)
	}
	if len(rep.Applied) != 1 {
		t.Fatalf("applied %v", rep.Applied)
	}
	_, err = p.Migrate(ctx, plain)
	if !errors.Is(err, apply.ErrNeedsSession) {
		t.Fatalf("migrate 0002 without sessions: %v, want apply.ErrNeedsSession", err)
	}
	t.Logf("refusal: %v", err)
	for _, want := range []string{"app/0002_use.sql:3:1: USE " + other, "app/0002_use.sql:5:1: CREATE TEMPORARY TABLE tmp"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the refusal lacks %q:\n%v", want, err)
		}
	}
	if n := count(t, db, "SELECT count() FROM system.databases WHERE name = ?", other); n != 0 {
		t.Fatalf("the refused migrate ran CREATE DATABASE")
	}

	opener, err := apply.NewSessionOpener(opts)
	if err != nil {
		t.Fatal(err)
	}
	withSessions, err := chschema.NewDB(ctx, pool, chschema.WithSessionOpener(opener))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Migrate(ctx, withSessions); err != nil {
		t.Fatalf("migrate with WithSessionOpener: %v", err)
	}
	if n := count(t, db, "SELECT count() FROM system.tables WHERE database = ? AND name = 't'", other); n != 1 {
		t.Errorf("t is not in %s", other)
	}
	if n := count(t, db, "SELECT count() FROM system.tables WHERE database = ? AND name = 't'", db.Name); n != 0 {
		t.Errorf("t landed in the DSN's database %s", db.Name)
	}
	if _, err := chschema.Connect(ctx, db.DSN, chschema.WithSessionOpener(opener)); err == nil {
		t.Errorf("Connect took WithSessionOpener")
	}
}

func count(t *testing.T, db *chtest.DB, q string, args ...any) uint64 {
	t.Helper()
	var n uint64
	if err := db.Conn.QueryRow(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
