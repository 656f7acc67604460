package chschema_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/chschema/chschema"
	"github.com/chschema/chschema/apply"
	"github.com/chschema/chschema/internal/chtest"
)

// TestWaitsAreEvents: every wait of an operation is an event, with what a
// job log or a progress display needs.
func TestWaitsAreEvents(t *testing.T) {
	ctx := context.Background()
	t.Run("server", func(t *testing.T) {
		var waits []chschema.ServerWaiting
		_, err := chschema.Connect(ctx, "clickhouse://default@127.0.0.1:1/default", chschema.WithWait(1200*time.Millisecond),
			chschema.WithEvents(func(e chschema.Event) {
				if w, ok := e.(chschema.ServerWaiting); ok {
					waits = append(waits, w)
				}
			}))
		if err == nil || !strings.Contains(err.Error(), "did not answer within 1.2s") {
			t.Fatalf("err = %v", err)
		}
		if len(waits) < 2 || waits[0].Attempt != 1 || waits[1].Attempt != 2 || waits[0].Err == nil || waits[0].Server != "default@127.0.0.1:1/default" {
			t.Errorf("server waits = %+v", waits)
		}
	})
	t.Run("lock", func(t *testing.T) {
		db := chtest.New(t)
		holder, err := apply.NewTableLock(db.Conn, db.Name, apply.LockTableName(chschema.DefaultHistoryTable), apply.LockOptions{ID: "other job"})
		if err != nil {
			t.Fatal(err)
		}
		if err := holder.Acquire(ctx); err != nil {
			t.Fatal(err)
		}
		defer holder.Release(ctx)
		var waits []chschema.LockWaiting
		p, err := chschema.Open("testdata/shop", chschema.WithVars(map[string]string{"RETENTION_DAYS": "1"}),
			chschema.WithLockTimeout(1200*time.Millisecond), chschema.WithEvents(func(e chschema.Event) {
				if w, ok := e.(chschema.LockWaiting); ok {
					waits = append(waits, w)
				}
			}))
		if err != nil {
			t.Fatal(err)
		}
		conn, err := chschema.Connect(ctx, db.DSN)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		_, err = p.Migrate(ctx, conn)
		var locked *apply.LockedError
		if !errors.As(err, &locked) || locked.Holder.ID != "other job" {
			t.Fatalf("err = %v, want a *apply.LockedError naming the holder", err)
		}
		if len(waits) < 2 || waits[0].Holder.ID != "other job" || waits[0].Holder.Since.IsZero() || waits[0].Timeout != 1200*time.Millisecond ||
			!strings.Contains(waits[0].String(), "held by other job") {
			t.Errorf("lock waits = %+v", waits)
		}
	})
}

// TestMigrateEventsInOrder: a migrate reports the lock, the drift check and
// each migration and statement, i of n and j of m, and the resulting
// schema is on the server.
func TestMigrateEventsInOrder(t *testing.T) {
	db := chtest.New(t)
	ctx := context.Background()
	var kinds []string
	var stmts []chschema.StatementDone
	p, err := chschema.Open("testdata/shop", chschema.WithVars(map[string]string{"RETENTION_DAYS": "1"}),
		chschema.WithEvents(func(e chschema.Event) {
			kinds = append(kinds, e.Kind())
			if s, ok := e.(chschema.StatementDone); ok {
				stmts = append(stmts, s)
			}
		}))
	if err != nil {
		t.Fatal(err)
	}
	conn, err := chschema.Connect(ctx, db.DSN)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := p.Migrate(ctx, conn); err != nil {
		t.Fatal(err)
	}
	got := strings.Join(kinds, " ")
	want := "lock_acquired drift_checked " +
		"migration_started statement_started statement_done migration_done " +
		"migration_started statement_started statement_done migration_done " +
		"migration_started statement_started statement_done statement_started"
	if !strings.HasPrefix(got, want) || !strings.HasSuffix(got, "statement_done migration_done") {
		t.Errorf("events:\n%s\nwant a start of\n%s", got, want)
	}
	if last := stmts[len(stmts)-1]; last.Key.String() != "orders/0002" || last.Index != 2 || last.Count != 2 || !strings.Contains(last.Statement.SQL, "UPDATE status") {
		t.Errorf("last statement event = %+v", last)
	}
	var n uint64
	if err := db.Conn.QueryRow(ctx, "SELECT count() FROM system.columns WHERE database = ? AND table = 'orders' AND name = 'status'", db.Name).Scan(&n); err != nil || n != 1 {
		t.Errorf("orders.status in system.columns: %d, %v", n, err)
	}
}
