package apply

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/chschema/chschema/drift"
	"github.com/google/go-cmp/cmp"
)

// TestPreflightSeesWhatRuns: the hook is told which units the operation is
// about to run and whether init.sql runs next; on a server without history
// it runs once before the lock and once under it.
func TestPreflightSeesWhatRuns(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	a := unit("svc", 1, []string{f.sql("CREATE TABLE DB.a (x UInt8) ENGINE = Log")}, []string{f.sql("DROP TABLE DB.a")})
	b := unit("svc", 2, []string{f.sql("CREATE TABLE DB.b (x UInt8) ENGINE = Log")}, []string{f.sql("DROP TABLE DB.b")})
	var seen []Preflight
	r := f.runner(t, WithPreflight(func(_ context.Context, p Preflight) error { seen = append(seen, p); return nil }))
	one := uint64(1)
	if _, err := r.Migrate(ctx, []*Unit{a, b}, Target{To: &one}, Execute); err != nil {
		t.Fatal(err)
	}
	type view struct {
		Op           string
		Run          []Key
		Init, Locked bool
	}
	got := func() []view {
		var out []view
		for _, p := range seen {
			v := view{Op: p.Op, Init: p.Init, Locked: p.Locked}
			for _, u := range p.Run {
				v.Run = append(v.Run, u.Key())
			}
			out = append(out, v)
		}
		seen = nil
		return out
	}
	if d := cmp.Diff([]view{{"migrate", []Key{a.Key()}, true, false}, {"migrate", []Key{a.Key()}, true, true}}, got()); d != "" {
		t.Errorf("first deploy (-want +got):\n%s", d)
	}
	if _, err := r.Migrate(ctx, []*Unit{a, b}, Target{}, Execute); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]view{{"migrate", []Key{b.Key()}, true, true}}, got()); d != "" {
		t.Errorf("with a history, only under the lock (-want +got):\n%s", d)
	}
	if _, err := r.Down(ctx, []*Unit{a, b}, Target{Steps: 1}, Execute); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]view{{"down", []Key{b.Key()}, false, true}}, got()); d != "" {
		t.Errorf("down (-want +got):\n%s", d)
	}
}

// TestFirstDeployRefusalTakesNoLock: on a server with no history, a
// refused preflight comes before the lock, whose table would otherwise be
// created (with its database) before the refusal.
func TestFirstDeployRefusalTakesNoLock(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	lockDB := f.db.Name + "_lockdb"
	defer f.db.Conn.Exec(ctx, "DROP DATABASE IF EXISTS `"+lockDB+"` SYNC")
	lock, err := NewTableLock(f.db.Conn, lockDB, "l", LockOptions{Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	h, err := NewTableHistory(f.db.Conn, HistoryOptions{Database: lockDB, Table: "h"})
	if err != nil {
		t.Fatal(err)
	}
	stop := errors.New("refused")
	r, err := New(f.db.Conn, h, lock, WithPreflight(func(context.Context, Preflight) error { return stop }))
	if err != nil {
		t.Fatal(err)
	}
	u := unit("svc", 1, []string{f.sql("CREATE TABLE DB.a (x UInt8) ENGINE = Log")}, nil)
	if _, err := r.Migrate(ctx, []*Unit{u}, Target{}, Execute); !errors.Is(err, stop) {
		t.Fatalf("err = %v", err)
	}
	var n uint64
	if err := f.db.Conn.QueryRow(ctx, "SELECT count() FROM system.databases WHERE name = ?", lockDB).Scan(&n); err != nil || n != 0 {
		t.Errorf("the lock's database exists after a refusal (%d, %v)", n, err)
	}
}

// TestDriftCheckBeforeInit: the drift check runs before init.sql, on the
// live schema with init.sql replayed onto it: a table init.sql creates IF
// NOT EXISTS and the server lacks is not drift; one the server holds with
// another definition is, and init.sql does not run (its DROP of a canary
// table would show).
func TestDriftCheckBeforeInit(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	init := []Statement{
		{SQL: f.sql("CREATE TABLE IF NOT EXISTS DB.from_init (x UInt8) ENGINE = Log"), File: "init.sql", Line: 1, Col: 1},
		{SQL: f.sql("DROP TABLE IF EXISTS DB.canary"), File: "init.sql", Line: 2, Col: 1},
	}
	v, err := NewDriftVerifier(f.db.Conn, drift.Options{Session: f.db.Name, Own: OwnTable(f.db.Name, "chschema_migrations")})
	if err != nil {
		t.Fatal(err)
	}
	u := unit("svc", 1, []string{f.sql("CREATE TABLE DB.a (x UInt8) ENGINE = Log")}, nil)
	var checked []error
	r := f.runner(t, WithInit(init), WithVerifier(v), WithEvents(func(e RunEvent) {
		if d, ok := e.(DriftChecked); ok {
			checked = append(checked, d.Err)
		}
	}))
	// The table init.sql creates exists, with another column: drift.
	if err := f.db.Conn.Exec(ctx, f.sql("CREATE TABLE DB.from_init (x UInt8, y UInt8) ENGINE = Log")); err != nil {
		t.Fatal(err)
	}
	if err := f.db.Conn.Exec(ctx, f.sql("CREATE TABLE DB.canary (x UInt8) ENGINE = Log")); err != nil {
		t.Fatal(err)
	}
	var de *drift.Error
	if _, err := r.Migrate(ctx, []*Unit{u}, Target{}, Execute); !errors.As(err, &de) {
		t.Fatalf("err = %v, want drift", err)
	}
	if tables := f.tables(t); !cmp.Equal(tables, []string{"canary", "from_init"}) {
		t.Errorf("tables after the refusal: %v (init.sql ran, or the migration did)", tables)
	}
	if len(checked) != 1 {
		t.Errorf("DriftChecked events: %v, want one", checked)
	}
	// Without it: init.sql creates it, and that is not drift.
	if err := f.db.Conn.Exec(ctx, f.sql("DROP TABLE DB.from_init")); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Migrate(ctx, []*Unit{u}, Target{}, Execute); err != nil {
		t.Fatalf("with init.sql's table missing: %v", err)
	}
	if tables := f.tables(t); !cmp.Equal(tables, []string{"a", "from_init"}) {
		t.Errorf("tables after the migration: %v", tables)
	}
}
