package apply

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/chschema/chschema/internal/chtest"
	"github.com/google/go-cmp/cmp"
)

// fakeLock records what happens to one server's lock.
type fakeLock struct {
	name    string
	log     *[]string
	fail    error
	held    bool
	lostErr error
}

func (f *fakeLock) Acquire(context.Context) error {
	*f.log = append(*f.log, "acquire "+f.name)
	if f.fail != nil {
		return f.fail
	}
	f.held = true
	return nil
}

func (f *fakeLock) Release(context.Context) error {
	*f.log = append(*f.log, "release "+f.name)
	f.held = false
	return nil
}

func (f *fakeLock) Held() error {
	if f.lostErr != nil {
		return f.lostErr
	}
	if !f.held {
		return ErrLockLost
	}
	return nil
}

// TestClusterLockOrder: the servers' locks are taken in order and given
// back in reverse; one that cannot be taken gives back the ones taken and
// names its server; a member takes nothing and reports its own server's
// lease.
func TestClusterLockOrder(t *testing.T) {
	ctx := context.Background()
	var log []string
	a, b, c := &fakeLock{name: "a", log: &log}, &fakeLock{name: "b", log: &log}, &fakeLock{name: "c", log: &log}
	cl, err := NewClusterLock([]Locker{a, b, c}, []string{"node 1", "node 2", "node 3"})
	if err != nil {
		t.Fatal(err)
	}
	if err := cl.Member(1).Acquire(ctx); !errors.Is(err, ErrLockLost) {
		t.Errorf("a member's Acquire before the cluster's = %v, want ErrLockLost", err)
	}
	if err := cl.Acquire(ctx); err != nil {
		t.Fatal(err)
	}
	m := cl.Member(1)
	if err := m.Acquire(ctx); err != nil {
		t.Errorf("member Acquire under the cluster lock = %v", err)
	}
	if err := m.Release(ctx); err != nil || !b.held {
		t.Errorf("member Release = %v and released its server (%v): it must leave that to the cluster lock", err, !b.held)
	}
	b.lostErr = ErrLockLost
	if err := m.Held(); !errors.Is(err, ErrLockLost) || err.Error() != "lock on node 2: "+ErrLockLost.Error() {
		t.Errorf("member Held with its lease lost = %v", err)
	}
	if err := cl.Member(0).Held(); err != nil {
		t.Errorf("another member's Held = %v; its own lease holds", err)
	}
	b.lostErr = nil
	if err := cl.Release(ctx); err != nil {
		t.Fatal(err)
	}
	want := []string{"acquire a", "acquire b", "acquire c", "release c", "release b", "release a"}
	if d := cmp.Diff(want, log); d != "" {
		t.Errorf("order (-want +got):\n%s", d)
	}

	log = nil
	busy := &LockedError{Table: "db.lock", Holder: LockHolder{ID: "other"}}
	c.fail = busy
	err = cl.Acquire(ctx)
	var le *LockedError
	if !errors.As(err, &le) || err.Error()[:len("lock on node 3")] != "lock on node 3" {
		t.Errorf("Acquire with node 3 held elsewhere = %v; want its *LockedError, naming node 3", err)
	}
	want = []string{"acquire a", "acquire b", "acquire c", "release b", "release a"}
	if d := cmp.Diff(want, log); d != "" {
		t.Errorf("a failed Acquire gives back what it took (-want +got):\n%s", d)
	}
}

// TestClusterLockOnLoopbackCluster takes the lock of every node of a real
// cluster as one: while it is held, a run against one node alone cannot
// take that node's lock; once released, it can.
func TestClusterLockOnLoopbackCluster(t *testing.T) {
	db := chtest.Cluster(t, 3)
	ctx := context.Background()
	var locks []Locker
	var names []string
	for _, n := range db.Nodes {
		l, err := NewTableLock(n.Conn, db.Name, "chschema_migrations_lock", LockOptions{Lease: 10 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		locks, names = append(locks, l), append(names, n.DSN)
	}
	cl, err := NewClusterLock(locks, names)
	if err != nil {
		t.Fatal(err)
	}
	if err := cl.Acquire(ctx); err != nil {
		t.Fatal(err)
	}
	alone, err := NewTableLock(db.Node(2).Conn, db.Name, "chschema_migrations_lock", LockOptions{Timeout: 0, Lease: 10 * time.Second, ID: "alone"})
	if err != nil {
		t.Fatal(err)
	}
	var le *LockedError
	if err := alone.Acquire(ctx); !errors.As(err, &le) {
		t.Fatalf("a lock of node 2 alone under the cluster lock = %v, want a *LockedError", err)
	}
	if err := cl.Held(); err != nil {
		t.Errorf("cluster lock Held = %v", err)
	}
	if err := cl.Release(ctx); err != nil {
		t.Fatal(err)
	}
	for _, n := range db.Nodes {
		var count uint64
		if err := n.Conn.QueryRow(ctx, "SELECT count() FROM system.tables WHERE database = ? AND name = 'chschema_migrations_lock'", db.Name).Scan(&count); err != nil || count != 0 {
			t.Errorf("node %d: %d lock tables after Release (%v)", n.Index, count, err)
		}
	}
	if err := alone.Acquire(ctx); err != nil {
		t.Errorf("node 2 alone after the release: %v", err)
	} else {
		_ = alone.Release(ctx)
	}
}
