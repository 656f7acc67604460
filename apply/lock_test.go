package apply

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chschema/chschema/internal/chtest"
)

func TestMain(m *testing.M) { os.Exit(chtest.Main(m)) }

func newLock(t *testing.T, db *chtest.DB, id string, opts LockOptions) *TableLock {
	t.Helper()
	opts.ID = id
	l, err := NewTableLock(db.Server.Connect(t, db.Name), db.Name, "chschema_lock", opts)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func lockTables(t *testing.T, db *chtest.DB) []string {
	t.Helper()
	rows, err := db.Conn.Query(context.Background(), "SELECT name FROM system.tables WHERE database = ? AND name LIKE 'chschema_lock%' ORDER BY name", db.Name)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		names = append(names, n)
	}
	return names
}

func TestLockWaitsThenNamesHolder(t *testing.T) {
	db := chtest.New(t)
	ctx := context.Background()
	a := newLock(t, db, "run-a", LockOptions{})
	b := newLock(t, db, "run-b", LockOptions{Timeout: 700 * time.Millisecond, Poll: 100 * time.Millisecond})

	if err := a.Acquire(ctx); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	err := b.Acquire(ctx)
	var locked *LockedError
	if !errors.As(err, &locked) {
		t.Fatalf("second Acquire = %v, want *LockedError", err)
	}
	if locked.Holder.ID != "run-a" || locked.Holder.PID != os.Getpid() || locked.Holder.Since.IsZero() {
		t.Errorf("holder = %+v, want run-a with this pid and a since", locked.Holder)
	}
	if waited := time.Since(start); waited < 700*time.Millisecond {
		t.Errorf("gave up after %s, before the 700ms timeout", waited)
	}

	if err := a.Release(ctx); err != nil {
		t.Fatal(err)
	}
	if got := lockTables(t, db); len(got) != 0 {
		t.Fatalf("after release the lock tables are %v", got)
	}
	if err := b.Acquire(ctx); err != nil {
		t.Fatalf("Acquire after release: %v", err)
	}
	if err := b.Release(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestLockExactlyOneOfConcurrent(t *testing.T) {
	db := chtest.New(t)
	ctx := context.Background()
	const n = 8
	locks := make([]*TableLock, n)
	for i := range locks {
		locks[i] = newLock(t, db, fmt.Sprintf("racer-%d", i), LockOptions{})
	}
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range locks {
		wg.Add(1)
		go func() { defer wg.Done(); errs[i] = locks[i].Acquire(ctx) }()
	}
	wg.Wait()
	winners := 0
	for i, err := range errs {
		var locked *LockedError
		switch {
		case err == nil:
			winners++
			defer locks[i].Release(ctx)
		case errors.As(err, &locked):
		default:
			t.Errorf("racer %d: %v", i, err)
		}
	}
	if winners != 1 {
		t.Fatalf("%d racers hold the lock, want exactly 1", winners)
	}
}

func TestLockBreaksExpiredLease(t *testing.T) {
	db := chtest.New(t)
	ctx := context.Background()
	// A holder that crashed a while ago: its lease ran out and nobody renews it.
	old := time.Now().Add(-time.Hour).UTC()
	info, _ := json.Marshal(LockHolder{ID: "crashed", Host: "gone", PID: 1, Since: old, Renewed: old, Lease: Duration(time.Minute)})
	if err := db.Conn.Exec(ctx, "CREATE TABLE chschema_lock (holder String) ENGINE = Memory COMMENT "+quoteString(string(info))); err != nil {
		t.Fatal(err)
	}
	l := newLock(t, db, "fresh", LockOptions{})
	if err := l.Acquire(ctx); err != nil {
		t.Fatalf("Acquire over an expired lease: %v", err)
	}
	defer l.Release(ctx)
	cur, ok, err := l.current(ctx)
	if err != nil || !ok || cur.holder.ID != "fresh" {
		t.Fatalf("lock holder = %+v, %v, %v; want fresh", cur.holder, ok, err)
	}
	if got := lockTables(t, db); len(got) != 2 {
		t.Errorf("want the lock and one tombstone, got %v", got)
	}
}

func TestLockRenewalKeepsLiveHolder(t *testing.T) {
	db := chtest.New(t)
	ctx := context.Background()
	// A lease long enough that a loaded machine confirms a renewal within
	// its first half.
	a := newLock(t, db, "live", LockOptions{Lease: 3 * time.Second})
	if err := a.Acquire(ctx); err != nil {
		t.Fatal(err)
	}
	time.Sleep(7 * time.Second) // more than two leases: only renewal keeps it
	b := newLock(t, db, "other", LockOptions{})
	var locked *LockedError
	if err := b.Acquire(ctx); !errors.As(err, &locked) || locked.Holder.ID != "live" {
		t.Fatalf("Acquire against a renewed lease = %v, want held by live", err)
	}
	if locked.Holder.Renewed.Sub(locked.Holder.Since) < 5*time.Second {
		t.Errorf("lease was not renewed: since %s, renewed %s", locked.Holder.Since, locked.Holder.Renewed)
	}
	if err := a.Held(); err != nil {
		t.Errorf("Held() = %v", err)
	}
	if err := a.Release(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestForceUnlockAndLostLock(t *testing.T) {
	db := chtest.New(t)
	ctx := context.Background()
	a := newLock(t, db, "stuck", LockOptions{})
	if err := a.Acquire(ctx); err != nil {
		t.Fatal(err)
	}
	h, ok, err := ForceUnlock(ctx, db.Conn, db.Name, "chschema_lock")
	if err != nil || !ok || h.ID != "stuck" {
		t.Fatalf("ForceUnlock = %+v, %v, %v", h, ok, err)
	}
	if got := lockTables(t, db); len(got) != 0 {
		t.Fatalf("after unlock: %v", got)
	}
	if _, ok, _ := ForceUnlock(ctx, db.Conn, db.Name, "chschema_lock"); ok {
		t.Error("ForceUnlock of nothing reported a holder")
	}
	if err := a.Release(ctx); !errors.Is(err, ErrLockLost) {
		t.Errorf("Release after a forced unlock = %v, want ErrLockLost", err)
	}
}

func TestNewTableLockValidates(t *testing.T) {
	if _, err := NewTableLock(nil, "db", "t", LockOptions{}); err == nil {
		t.Error("nil connection accepted")
	}
}

func TestLockNoticesLoss(t *testing.T) {
	db := chtest.New(t)
	ctx := context.Background()
	a := newLock(t, db, "victim", LockOptions{Lease: 300 * time.Millisecond})
	if err := a.Acquire(ctx); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := ForceUnlock(ctx, db.Conn, db.Name, "chschema_lock"); !ok || err != nil {
		t.Fatalf("ForceUnlock: %v, %v", ok, err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for a.Lost() == nil && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if !errors.Is(a.Lost(), ErrLockLost) {
		t.Fatalf("Lost() = %v after the lock was dropped, want ErrLockLost", a.Lost())
	}
}

func TestLockCreatesItsDatabase(t *testing.T) {
	db := chtest.New(t)
	ctx := context.Background()
	name := db.Name + "_hist"
	t.Cleanup(func() { _ = db.Conn.Exec(ctx, "DROP DATABASE IF EXISTS "+quoteIdent(name)) })
	l, err := NewTableLock(db.Conn, name, "chschema_lock", LockOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Acquire(ctx); err != nil {
		t.Fatalf("Acquire in a database that does not exist yet: %v", err)
	}
	if err := l.Release(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestLeaseEndsHalfALeaseAfterTheLastRenewal: a holder that cannot renew
// (here its renewer is stopped, as a SIGSTOP stops the whole process)
// stops trusting its lease half a lease after its last renewal was sent,
// never earlier, while other runs would wait a whole lease to break it.
func TestLeaseEndsHalfALeaseAfterTheLastRenewal(t *testing.T) {
	db := chtest.New(t)
	ctx := context.Background()
	a := newLock(t, db, "stalled", LockOptions{Lease: 4 * time.Second})
	if err := a.Acquire(ctx); err != nil {
		t.Fatal(err)
	}
	if err := a.Held(); err != nil {
		t.Fatalf("Held right after Acquire: %v", err)
	}
	a.mu.Lock()
	sent, stop, done := a.lastSent, a.stop, a.done
	a.mu.Unlock()
	close(stop)
	<-done
	deadline := time.Now().Add(time.Minute)
	for a.Held() == nil {
		if time.Now().After(deadline) {
			t.Fatal("Held still nil a minute without renewal")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if waited := leaseClock() - sent; waited < 2*time.Second {
		t.Errorf("the lease ended %s after the last renewal was sent, want at least half the lease (2s)", waited)
	}
	if err := a.Held(); !errors.Is(err, ErrLockLost) || !strings.Contains(err.Error(), "no renewal") {
		t.Errorf("Held = %v", err)
	}
	// Other runs still see the lock held: the lease runs a whole lease.
	b := newLock(t, db, "other", LockOptions{})
	var locked *LockedError
	if err := b.Acquire(ctx); !errors.As(err, &locked) {
		t.Errorf("Acquire half a lease after the last renewal = %v, want held", err)
	}
}
