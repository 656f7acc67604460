package apply

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// ClickHouse error codes the lock relies on.
const (
	codeUnknownTable       = 60
	codeUnknownDatabase    = 81
	codeUnfinished         = 341
	codeTableAlreadyExists = 57
	codeUnknownIdentifier  = 47
)

// Locker serialises migrate runs across processes and hosts that share a
// server: exactly one holder at a time.
type Locker interface {
	// Acquire takes the lock, waiting up to the locker's timeout. When another
	// holder keeps it, the error is a *LockedError naming it.
	Acquire(ctx context.Context) error
	// Release gives the lock back. It fails if the lock is no longer this
	// holder's (its lease expired and another holder broke it).
	Release(ctx context.Context) error
	// Held reports, without a round trip, whether this holder may still act
	// under the lock: nil while its lease is valid, else an error wrapping
	// ErrLockLost. The runner calls it before every statement and every
	// history write.
	Held() error
}

var _ Locker = (*TableLock)(nil)

// LockHolder says who holds a lock and since when. It is stored as JSON in the
// lock table's comment, so that it is created atomically with the lock.
type LockHolder struct {
	ID      string    `json:"id"`
	Host    string    `json:"host"`
	PID     int       `json:"pid"`
	Since   time.Time `json:"since"`
	Renewed time.Time `json:"renewed"`
	Lease   Duration  `json:"lease"`
}

// Expires reports when the holder's lease runs out unless renewed.
func (h LockHolder) Expires() time.Time { return h.Renewed.Add(time.Duration(h.Lease)) }

func (h LockHolder) String() string {
	return fmt.Sprintf("%s (host %s, pid %d) since %s", h.ID, h.Host, h.PID, h.Since.UTC().Format(time.RFC3339))
}

// Duration is a time.Duration that encodes as a Go duration string.
type Duration time.Duration

// MarshalJSON encodes d as "1m30s".
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

// UnmarshalJSON decodes "1m30s".
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	v, err := time.ParseDuration(s)
	*d = Duration(v)
	return err
}

// LockedError is returned when the lock stays held by another holder for
// longer than the timeout.
type LockedError struct {
	Table  string
	Holder LockHolder
	Waited time.Duration
}

func (e *LockedError) Error() string {
	return fmt.Sprintf("apply: lock %s is held by %s; waited %s (lease expires %s; `chschema unlock` forces a release)",
		e.Table, e.Holder, e.Waited.Round(time.Millisecond), e.Holder.Expires().UTC().Format(time.RFC3339))
}

// ErrLockLost means the lock was taken from this holder: its lease expired
// (the process stalled longer than the lease) and another holder broke it.
var ErrLockLost = errors.New("apply: the migration lock was lost to another holder")

// TableLock is a lock held as the existence of a table.
//
// Acquiring is `CREATE TABLE <lock> ... COMMENT '<holder JSON>'` without IF NOT
// EXISTS: ClickHouse guards each table name with a DDL guard, so of several
// concurrent CREATEs of one name exactly one succeeds and the others fail with
// TABLE_ALREADY_EXISTS. The holder renews its lease by rewriting the comment.
// An expired lock is broken by renaming it to a tombstone named after its
// UUID; RENAME is equally atomic and fails when the target exists, so two
// processes that both saw the same expired lock cannot both break it, and
// neither can break the fresh lock that replaced it.
//
// Other runs break the lock when their wall clock passes Renewed + Lease.
// The holder itself trusts its lease only until half a lease after it sent
// the last renewal the server confirmed, on a clock that wall-clock steps
// do not move and that counts a suspended machine's sleep (Held): a
// process stopped for longer (SIGSTOP, a pause, a slow network) finds its
// lease gone when it resumes, before it runs anything else, and the other
// half of the lease covers a difference of up to Lease/2 between the
// holder's and the breakers' wall clocks. It renews every Lease/5 (so a
// renewal that fails is retried several times before the lease's local
// end) and checks every min(Lease/10, 1s) that the lock table is still its
// own, so `chschema unlock` is noticed within a second.
type TableLock struct {
	conn  driver.Conn
	db    string
	table string
	opts  LockOptions

	mu     sync.Mutex
	uuid   string // of the lock table this holder created
	holder LockHolder
	// validUntil is the end of the lease as this holder may rely on it:
	// half a lease after sending the last confirmed renewal, on leaseClock.
	validUntil time.Duration
	// lastSent is when the last confirmed renewal (or the CREATE) was
	// sent, on leaseClock.
	lastSent time.Duration
	stop     chan struct{}
	done     chan struct{}
	lostErr  error
}

// LockOptions tune a TableLock.
type LockOptions struct {
	// Timeout is how long Acquire waits for another holder; 0 tries once.
	Timeout time.Duration
	// Lease is how long the lock survives without renewal: other runs break
	// it when it is that old. The holder renews it every Lease/5 and stops
	// using it Lease/2 after its last confirmed renewal. Default 1 minute.
	Lease time.Duration
	// Poll is the wait between attempts. Default 500 ms.
	Poll time.Duration
	// ID names this holder in messages. Default "chschema".
	ID string
	// OnCluster, when set, creates the lock table ON CLUSTER.
	OnCluster string
	// Events, when set, receives LockWaiting, LockBroken and LockAcquired
	// events from Acquire.
	Events func(RunEvent)
}

// NewTableLock returns a lock held as table db.table on conn.
func NewTableLock(conn driver.Conn, db, table string, opts LockOptions) (*TableLock, error) {
	if conn == nil {
		return nil, errors.New("apply: NewTableLock: nil connection")
	}
	if db == "" || table == "" {
		return nil, errors.New("apply: NewTableLock: empty database or table name")
	}
	if opts.Timeout < 0 || opts.Lease < 0 || opts.Poll < 0 {
		return nil, errors.New("apply: NewTableLock: negative duration")
	}
	if opts.Lease == 0 {
		opts.Lease = time.Minute
	}
	if opts.Poll == 0 {
		opts.Poll = 500 * time.Millisecond
	}
	if opts.ID == "" {
		opts.ID = "chschema"
	}
	if opts.Events == nil {
		opts.Events = func(RunEvent) {}
	}
	return &TableLock{conn: conn, db: db, table: table, opts: opts}, nil
}

func (l *TableLock) name() string { return quoteIdent(l.db) + "." + quoteIdent(l.table) }

func (l *TableLock) onCluster() string {
	if l.opts.OnCluster == "" {
		return ""
	}
	return " ON CLUSTER " + quoteIdent(l.opts.OnCluster)
}

// Acquire takes the lock, breaking an expired one, and starts renewing it.
func (l *TableLock) Acquire(ctx context.Context) error {
	start := time.Now()
	host, _ := os.Hostname()
	table := l.db + "." + l.table
	for attempt := 1; ; attempt++ {
		now := time.Now().UTC().Truncate(time.Millisecond)
		h := LockHolder{ID: l.opts.ID, Host: host, PID: os.Getpid(), Since: now, Renewed: now, Lease: Duration(l.opts.Lease)}
		err := l.create(ctx, h)
		if isCode(err, codeUnknownDatabase) {
			// The lock lives beside the history, whose database init.sql may
			// be about to create: create it now (idempotent) and try again.
			if err = l.conn.Exec(ctx, "CREATE DATABASE IF NOT EXISTS "+quoteIdent(l.db)+l.onCluster()); err == nil {
				err = l.create(ctx, h)
			}
		}
		if err == nil {
			l.opts.Events(LockAcquired{Table: table, Waited: time.Since(start)})
			return nil
		}
		if !isCode(err, codeTableAlreadyExists) {
			return fmt.Errorf("apply: take lock %s: %w", l.name(), err)
		}
		cur, ok, err := l.current(ctx)
		if err != nil {
			return err
		}
		if ok && time.Now().After(cur.holder.Expires()) {
			if err := l.breakExpired(ctx, cur.uuid); err != nil {
				return err
			}
			l.opts.Events(LockBroken{Table: table, Holder: cur.holder})
			continue
		}
		if time.Since(start) >= l.opts.Timeout {
			return &LockedError{Table: table, Holder: cur.holder, Waited: time.Since(start)}
		}
		l.opts.Events(LockWaiting{Table: table, Holder: cur.holder, Attempt: attempt, Waited: time.Since(start), Timeout: l.opts.Timeout,
			Expires: cur.holder.Expires()})
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(l.opts.Poll):
		}
	}
}

func (l *TableLock) create(ctx context.Context, h LockHolder) error {
	info, err := json.Marshal(h)
	if err != nil {
		return err
	}
	q := fmt.Sprintf("CREATE TABLE %s%s (holder String) ENGINE = Memory COMMENT %s", l.name(), l.onCluster(), quoteString(string(info)))
	sent := leaseClock()
	if err := l.conn.Exec(ctx, q); err != nil {
		return err
	}
	cur, ok, err := l.current(ctx)
	if err != nil {
		return err
	}
	if !ok || cur.holder.Since != h.Since || cur.holder.PID != h.PID || cur.holder.Host != h.Host {
		return fmt.Errorf("apply: lock %s changed right after it was created", l.name())
	}
	l.mu.Lock()
	l.uuid, l.holder, l.lostErr = cur.uuid, h, nil
	l.lastSent, l.validUntil = sent, sent+l.opts.Lease/2
	l.stop, l.done = make(chan struct{}), make(chan struct{})
	l.mu.Unlock()
	go l.renew(l.stop, l.done)
	return nil
}

type lockState struct {
	uuid   string
	holder LockHolder
}

// current reads the lock table's UUID and holder; ok is false when there is
// no lock.
func (l *TableLock) current(ctx context.Context) (lockState, bool, error) {
	var uuid, comment string
	err := l.conn.QueryRow(ctx, "SELECT toString(uuid), comment FROM system.tables WHERE database = ? AND name = ?", l.db, l.table).Scan(&uuid, &comment)
	if errors.Is(err, sql.ErrNoRows) {
		return lockState{}, false, nil
	}
	if err != nil {
		return lockState{}, false, fmt.Errorf("apply: read lock %s: %w", l.name(), err)
	}
	var h LockHolder
	if err := json.Unmarshal([]byte(comment), &h); err != nil {
		// Not ours to interpret: never expire a lock whose holder is unreadable.
		h = LockHolder{ID: "unknown holder (comment " + quoteString(comment) + ")", Renewed: time.Now(), Lease: Duration(24 * time.Hour)}
	}
	return lockState{uuid: uuid, holder: h}, true, nil
}

// breakExpired renames the expired lock with the given UUID to its tombstone.
// Losing the race to another breaker is not an error: the caller retries.
func (l *TableLock) breakExpired(ctx context.Context, uuid string) error {
	tomb := quoteIdent(l.db) + "." + quoteIdent(l.table+"_expired_"+strings.ReplaceAll(uuid, "-", ""))
	err := l.conn.Exec(ctx, fmt.Sprintf("RENAME TABLE %s TO %s%s", l.name(), tomb, l.onCluster()))
	if err == nil || isCode(err, codeTableAlreadyExists) || isCode(err, codeUnknownTable) {
		return nil
	}
	return fmt.Errorf("apply: break expired lock %s: %w", l.name(), err)
}

// renew keeps the lease until stopped: every min(Lease/10, 1s) it checks
// that the lock table is still this holder's, and every Lease/5 it rewrites
// the comment with a new Renewed time. A failed renewal is retried at the
// next tick; the lock is lost when the table is gone or another holder's,
// or when no renewal was confirmed before the lease's local end (Held).
func (l *TableLock) renew(stop, done chan struct{}) {
	defer close(done)
	t := time.NewTicker(min(l.opts.Lease/10, time.Second))
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
		}
		if l.Held() != nil {
			return
		}
		l.mu.Lock()
		now := leaseClock()
		due := now-l.lastSent >= l.opts.Lease/5
		left := l.validUntil - now
		l.mu.Unlock()
		// Never wait past the lease's end: a confirmation after it does
		// not count.
		ctx, cancel := context.WithTimeout(context.Background(), left)
		err := l.renewOnce(ctx, due)
		cancel()
		if errors.Is(err, ErrLockLost) {
			l.lose(err)
			return
		}
	}
}

// lose records the first reason the lock was lost.
func (l *TableLock) lose(err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.lostErr == nil {
		l.lostErr = err
	}
}

// renewOnce checks that the lock is still this holder's and, when due,
// renews it: the new lease counts from when the renewal was sent, and only
// if the server confirmed it before the current lease ran out; then it
// reads the lock again to see its own renewal there.
func (l *TableLock) renewOnce(ctx context.Context, due bool) error {
	l.mu.Lock()
	mine, h := l.uuid, l.holder
	l.mu.Unlock()
	if err := l.mine(ctx, mine, nil); err != nil || !due {
		return err
	}
	h.Renewed = time.Now().UTC().Truncate(time.Millisecond)
	info, _ := json.Marshal(h)
	sent := leaseClock()
	if err := l.conn.Exec(ctx, fmt.Sprintf("ALTER TABLE %s%s MODIFY COMMENT %s", l.name(), l.onCluster(), quoteString(string(info)))); err != nil {
		if isCode(err, codeUnknownTable) {
			return fmt.Errorf("%w: the lock table %s is gone (was it dropped with chschema unlock?)", ErrLockLost, l.name())
		}
		return fmt.Errorf("apply: renew lock %s: %w", l.name(), err)
	}
	confirmed := leaseClock()
	l.mu.Lock()
	late := confirmed >= l.validUntil
	l.mu.Unlock()
	if late {
		return fmt.Errorf("%w: the renewal sent %s ago was confirmed after the lease's end", ErrLockLost, (confirmed - sent).Round(time.Millisecond))
	}
	if err := l.mine(ctx, mine, &h); err != nil {
		return err
	}
	l.mu.Lock()
	l.holder, l.lastSent, l.validUntil = h, sent, sent+l.opts.Lease/2
	l.mu.Unlock()
	return nil
}

// mine fails with ErrLockLost unless the lock table is the one with UUID
// uuid and, when want is set, carries want as its holder.
func (l *TableLock) mine(ctx context.Context, uuid string, want *LockHolder) error {
	cur, ok, err := l.current(ctx)
	switch {
	case err != nil:
		return err
	case !ok:
		return fmt.Errorf("%w: the lock table %s is gone (was it dropped with chschema unlock?)", ErrLockLost, l.name())
	case cur.uuid != uuid:
		return fmt.Errorf("%w: %s now holds %s", ErrLockLost, cur.holder, l.name())
	case want != nil && !cur.holder.Renewed.Equal(want.Renewed):
		return fmt.Errorf("%w: the lock %s does not carry this holder's renewal", ErrLockLost, l.name())
	}
	return nil
}

// Held implements Locker: nil while this holder's lease is valid. The
// lease ends half a lease after the last confirmed renewal was sent, on the
// monotonic clock, or as soon as a check finds the lock table gone or
// another holder's.
func (l *TableLock) Held() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.lostErr != nil {
		return l.lostErr
	}
	if l.uuid == "" {
		return fmt.Errorf("%w: the lock %s is not held", ErrLockLost, l.name())
	}
	if now := leaseClock(); now >= l.validUntil {
		l.lostErr = fmt.Errorf("%w: no renewal of %s was confirmed for %s (the process was stopped or the server did not answer); another run may break the lease",
			ErrLockLost, l.name(), (now - l.lastSent).Round(time.Millisecond))
	}
	return l.lostErr
}

// Lost reports, after Acquire, whether the lock was lost (an error wrapping
// ErrLockLost), or nil.
func (l *TableLock) Lost() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.lostErr
}

// Release stops renewing and drops the lock if it is still this holder's.
// A lock whose lease this holder lost (Held fails) is left alone: another
// run may hold it by now, and an orphan expires after its lease.
func (l *TableLock) Release(ctx context.Context) error {
	held := l.Held()
	l.mu.Lock()
	stop, done, mine := l.stop, l.done, l.uuid
	l.stop, l.uuid = nil, ""
	l.mu.Unlock()
	if stop == nil {
		return errors.New("apply: release of a lock that is not held")
	}
	close(stop)
	<-done
	if held != nil {
		return held
	}
	cur, ok, err := l.current(ctx)
	if err != nil {
		return err
	}
	if !ok || cur.uuid != mine {
		return ErrLockLost
	}
	if err := l.conn.Exec(ctx, fmt.Sprintf("DROP TABLE %s%s SYNC", l.name(), l.onCluster())); err != nil {
		return fmt.Errorf("apply: release lock %s: %w", l.name(), err)
	}
	return nil
}

// ForceUnlock drops the lock whoever holds it, and returns the holder it
// removed; ok is false when nothing was locked. It is `chschema unlock`.
func ForceUnlock(ctx context.Context, conn driver.Conn, db, table string) (holder LockHolder, ok bool, err error) {
	l, err := NewTableLock(conn, db, table, LockOptions{})
	if err != nil {
		return LockHolder{}, false, err
	}
	cur, ok, err := l.current(ctx)
	if err != nil || !ok {
		return LockHolder{}, false, err
	}
	if err := conn.Exec(ctx, fmt.Sprintf("DROP TABLE IF EXISTS %s SYNC", l.name())); err != nil {
		return LockHolder{}, false, fmt.Errorf("apply: unlock %s: %w", l.name(), err)
	}
	return cur.holder, true, nil
}

// isCode reports whether err is a ClickHouse exception with the given code.
func isCode(err error, code int32) bool {
	var ex *clickhouse.Exception
	return errors.As(err, &ex) && ex.Code == code
}

// quoteIdent quotes a ClickHouse identifier with backticks.
func quoteIdent(s string) string {
	return "`" + strings.NewReplacer(`\`, `\\`, "`", "\\`").Replace(s) + "`"
}

// quoteString quotes a ClickHouse string literal.
func quoteString(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}
