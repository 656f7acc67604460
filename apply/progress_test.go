package apply

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chschema/chschema/internal/chtest"
)

// slowMutationUnit is a migration whose last statement starts a mutation
// that takes seconds over several parts: parts parts of rows rows each,
// merges off (so the parts stay apart), and an UPDATE that sleeps per row.
func slowMutationUnit(f *fixture, v uint64, parts, rows int) *Unit {
	up := []string{f.sql("CREATE TABLE DB.slow (k UInt64, v UInt64) ENGINE = MergeTree ORDER BY k " +
		"SETTINGS max_bytes_to_merge_at_max_space_in_pool = 1, max_bytes_to_merge_at_min_space_in_pool = 1")}
	for i := range parts {
		up = append(up, f.sql(fmt.Sprintf("INSERT INTO DB.slow SELECT number, 0 FROM numbers(%d, %d)", i*1000, rows)))
	}
	up = append(up, f.sql("ALTER TABLE DB.slow UPDATE v = v + sleepEachRow(0.05) WHERE 1"))
	return unit("svc", v, up, nil)
}

// TestMutationProgressEvents: while a mutation rewrites parts, the runner
// reports it with the server's parts_to_do, the total of parts it saw, the
// mutation's create_time and how long it has waited; parts done only grow.
func TestMutationProgressEvents(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	t.Cleanup(func() { _ = f.db.Conn.Exec(ctx, "KILL MUTATION WHERE database = '"+f.db.Name+"'") })
	var waits []MutationWaiting
	r := f.runner(t, WithEvents(func(e RunEvent) {
		if m, ok := e.(MutationWaiting); ok {
			waits = append(waits, m)
		}
	}))
	u := slowMutationUnit(f, 1, 8, 20)
	begin := time.Now()
	if _, err := r.Migrate(ctx, []*Unit{u}, Target{}, Execute); err != nil {
		t.Fatal(err)
	}
	if len(waits) < 2 {
		t.Fatalf("%d mutation events, want several: %+v", len(waits), waits)
	}
	first, last := waits[0], waits[len(waits)-1]
	if first.PartsTotal != 8 || first.PartsToDo != 8 {
		t.Errorf("first event: %d of %d parts to do, want 8 of 8", first.PartsToDo, first.PartsTotal)
	}
	if first.Created.IsZero() || first.Created.Before(begin.Add(-2*time.Second)) || first.Created.After(time.Now()) {
		t.Errorf("mutation create_time %s, want during the run (started %s)", first.Created, begin)
	}
	if !strings.Contains(first.Command, "UPDATE") || first.Table != "slow" || first.Key != u.Key() {
		t.Errorf("first event = %+v", first)
	}
	if last.PartsToDo >= first.PartsToDo {
		t.Errorf("parts to do went from %d to %d, want progress", first.PartsToDo, last.PartsToDo)
	}
	for i := 1; i < len(waits); i++ {
		prev, cur := waits[i-1], waits[i]
		if cur.PartsTotal != 8 || cur.PartsToDo > prev.PartsToDo || cur.Waited < prev.Waited {
			t.Fatalf("event %d: %d of %d to do after %s; previous %d to do after %s", i, cur.PartsToDo, cur.PartsTotal, cur.Waited, prev.PartsToDo, prev.Waited)
		}
	}
	if s := last.String(); !strings.Contains(s, fmt.Sprintf("%d of 8 parts done", 8-last.PartsToDo)) {
		t.Errorf("String() = %q", s)
	}
}

// TestLockWaitingSaysWhenTheLeaseExpires: a run waiting for the lock learns
// who holds it and when the holder's lease runs out.
func TestLockWaitingSaysWhenTheLeaseExpires(t *testing.T) {
	db := chtest.New(t)
	ctx := context.Background()
	a := newLock(t, db, "run-a", LockOptions{Lease: 40 * time.Second})
	if err := a.Acquire(ctx); err != nil {
		t.Fatal(err)
	}
	defer a.Release(ctx)
	var waits []LockWaiting
	b := newLock(t, db, "run-b", LockOptions{Timeout: 300 * time.Millisecond, Poll: 100 * time.Millisecond,
		Events: func(e RunEvent) {
			if w, ok := e.(LockWaiting); ok {
				waits = append(waits, w)
			}
		}})
	if err := b.Acquire(ctx); err == nil {
		t.Fatal("second Acquire succeeded")
	}
	if len(waits) == 0 {
		t.Fatal("no LockWaiting event")
	}
	w := waits[0]
	if w.Holder.ID != "run-a" || !w.Expires.Equal(w.Holder.Expires()) {
		t.Errorf("event %+v: want holder run-a and Expires = Holder.Expires()", w)
	}
	if left := time.Until(w.Expires); left < 30*time.Second || left > 40*time.Second {
		t.Errorf("lease expires in %s, want about 40s", left)
	}
	if s := w.String(); !strings.HasPrefix(s, "waiting for the lock held by run-a (host ") {
		t.Errorf("String() = %q", s)
	}
}
