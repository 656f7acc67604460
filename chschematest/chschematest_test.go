package chschematest_test

import (
	"context"
	"os"
	"testing"

	"github.com/chschema/chschema"
	"github.com/chschema/chschema/chschematest"
)

func TestMain(m *testing.M) { os.Exit(chschematest.Main(m)) }

// TestMigrateOnAFreshDatabase is what a user's test does: apply the
// migrations to a database of its own and check for drift.
func TestMigrateOnAFreshDatabase(t *testing.T) {
	db := chschematest.New(t)
	ctx := context.Background()
	p, err := chschema.Open("../testdata/shop", chschema.WithVars(map[string]string{"RETENTION_DAYS": "7"}))
	if err != nil {
		t.Fatal(err)
	}
	conn, err := chschema.Connect(ctx, db.DSN)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if conn.Database() != db.Name {
		t.Fatalf("session database %q, want the test's %q", conn.Database(), db.Name)
	}
	rep, err := p.Migrate(ctx, conn)
	if err != nil || len(rep.Applied) != 3 {
		t.Fatalf("migrate: %+v, %v", rep, err)
	}
	var n uint64
	if err := db.Conn.QueryRow(ctx, "SELECT count() FROM system.columns WHERE database = ? AND table = 'orders' AND name = 'status'", db.Name).Scan(&n); err != nil || n != 1 {
		t.Fatalf("orders.status in system.columns: %d, %v", n, err)
	}
	res, err := p.Diff(ctx, conn)
	if err != nil || res.Drift() {
		t.Fatalf("diff after migrate: %+v, %v", res, err)
	}
}
