package chtest_test

import (
	"context"
	"os"
	"testing"

	"github.com/chschema/chschema/internal/chtest"
	"github.com/google/go-cmp/cmp"
)

func TestMain(m *testing.M) { os.Exit(chtest.Main(m)) }

// TestHarnessRoundTrip proves the harness: a MergeTree table with a DEFAULT, a
// CODEC and a COMMENT, read back from system.columns exactly as the server
// reports it.
func TestHarnessRoundTrip(t *testing.T) {
	db := chtest.New(t)
	ctx := context.Background()
	err := db.Conn.Exec(ctx, `CREATE TABLE events (
		id UInt64,
		ts DateTime DEFAULT now() CODEC(Delta, ZSTD(3)),
		name String COMMENT 'who did it'
	) ENGINE = MergeTree ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}

	type column struct {
		Name, Type, DefaultKind, DefaultExpression, Codec, Comment string
		Position                                                   uint64
	}
	rows, err := db.Conn.Query(ctx, `
		SELECT name, type, default_kind, default_expression, compression_codec, comment, position
		FROM system.columns WHERE database = ? AND table = 'events' ORDER BY position`, db.Name)
	if err != nil {
		t.Fatal(err)
	}
	var got []column
	for rows.Next() {
		var c column
		if err := rows.Scan(&c.Name, &c.Type, &c.DefaultKind, &c.DefaultExpression, &c.Codec, &c.Comment, &c.Position); err != nil {
			t.Fatal(err)
		}
		got = append(got, c)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	want := []column{
		{Name: "id", Type: "UInt64", Position: 1},
		{Name: "ts", Type: "DateTime", DefaultKind: "DEFAULT", DefaultExpression: "now()", Codec: "CODEC(Delta(4), ZSTD(3))", Position: 2},
		{Name: "name", Type: "String", Comment: "who did it", Position: 3},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("system.columns (-want +got):\n%s", diff)
	}
}

// TestFreshDatabasePerTest checks that each test gets its own empty database.
func TestFreshDatabasePerTest(t *testing.T) {
	a, b := chtest.New(t), chtest.New(t)
	if a.Name == b.Name {
		t.Fatalf("two databases share the name %s", a.Name)
	}
	var n uint64
	if err := a.Conn.QueryRow(context.Background(), "SELECT count() FROM system.tables WHERE database = currentDatabase()").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("fresh database %s holds %d tables", a.Name, n)
	}
}
