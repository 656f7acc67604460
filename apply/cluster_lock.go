package apply

import (
	"context"
	"errors"
	"fmt"

	"github.com/chschema/chschema/internal/english"
)

// ClusterLock is the migration lock of several servers taken as one: the
// lock of each server (a Locker beside its own history), acquired in the
// order given and released in the reverse order. It is how a run that
// applies statements on every node of a cluster (per-node apply) keeps out
// every other run on any of those nodes: another per-node run of the same
// or another cluster, and a plain run against one node alone.
//
// Callers give the servers in one global order (chschema sorts them by
// address), so that two runs over overlapping sets of servers cannot each
// hold a lock the other waits for: the second waits at the first server
// they share. A server whose lock cannot be taken (held by another run for
// longer than the timeout, or unreachable) makes Acquire release the ones
// it took and fail; nothing is changed on any server.
//
// Each server's Runner gets the view Member(i), which takes nothing itself:
// see Member.
type ClusterLock struct {
	locks []Locker
	names []string
	held  bool
}

var _ Locker = (*ClusterLock)(nil)

// NewClusterLock returns the lock of the servers whose own locks are locks;
// names[i] names server i in errors (its address). There must be at least
// one server and a name for each.
func NewClusterLock(locks []Locker, names []string) (*ClusterLock, error) {
	if len(locks) == 0 {
		return nil, errors.New("apply: NewClusterLock: no server")
	}
	if len(names) != len(locks) {
		return nil, fmt.Errorf("apply: NewClusterLock: %s but %s", english.Plural(len(locks), "lock"), english.Plural(len(names), "name"))
	}
	for i, l := range locks {
		if l == nil {
			return nil, fmt.Errorf("apply: NewClusterLock: nil lock for %s", names[i])
		}
	}
	return &ClusterLock{locks: locks, names: names}, nil
}

// Acquire takes every server's lock, in order, each waiting as that lock
// does. When one cannot be taken, the ones already taken are released and
// the error names the server.
func (c *ClusterLock) Acquire(ctx context.Context) error {
	for i, l := range c.locks {
		if err := l.Acquire(ctx); err != nil {
			for j := i - 1; j >= 0; j-- {
				_ = c.locks[j].Release(context.WithoutCancel(ctx))
			}
			return &ServerLockError{Server: c.names[i], Err: err}
		}
	}
	c.held = true
	return nil
}

// Release releases every server's lock, in the reverse order, and returns
// their errors joined.
func (c *ClusterLock) Release(ctx context.Context) error {
	if !c.held {
		return errors.New("apply: release of a cluster lock that is not held")
	}
	c.held = false
	var errs []error
	for i := len(c.locks) - 1; i >= 0; i-- {
		if err := c.locks[i].Release(ctx); err != nil {
			errs = append(errs, &ServerLockError{Server: c.names[i], Err: err})
		}
	}
	return errors.Join(errs...)
}

// Held is nil while every server's lease holds, else the first loss.
func (c *ClusterLock) Held() error {
	for i, l := range c.locks {
		if err := l.Held(); err != nil {
			return &ServerLockError{Server: c.names[i], Err: err}
		}
	}
	return nil
}

// Member is the lock as the Runner of server i sees it. The cluster lock is
// acquired and released by its owner around all the servers' runs, not by
// each Runner: the member's Acquire takes nothing and only checks that
// server i's lock is held (it fails, wrapping ErrLockLost, when the owner
// has not acquired it or its lease is gone); its Release releases nothing
// (the owner does, once every Runner has ended); its Held is server i's
// lease, checked before every statement and history write as always. A
// server whose lease is lost stops at its next statement; the others stop
// at theirs only if their own lease is lost too, since no other run can
// hold their locks while they hold them.
func (c *ClusterLock) Member(i int) Locker { return &memberLock{c: c, i: i} }

type memberLock struct {
	c *ClusterLock
	i int
}

var _ Locker = (*memberLock)(nil)

func (m *memberLock) Acquire(context.Context) error {
	if !m.c.held {
		return fmt.Errorf("%w: the cluster lock is not held (ClusterLock.Acquire first)", ErrLockLost)
	}
	return m.Held()
}

func (m *memberLock) Release(context.Context) error { return nil }

func (m *memberLock) Held() error {
	if err := m.c.locks[m.i].Held(); err != nil {
		return &ServerLockError{Server: m.c.names[m.i], Err: err}
	}
	return nil
}

// ServerLockError is a failure of one server's lock within a ClusterLock.
type ServerLockError struct {
	// Server names the server (its address).
	Server string
	Err    error
}

func (e *ServerLockError) Error() string { return "lock on " + e.Server + ": " + e.Err.Error() }

// Unwrap returns the lock's error (a *LockedError, ErrLockLost, ...).
func (e *ServerLockError) Unwrap() error { return e.Err }
