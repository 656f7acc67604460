package apply

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// ErrSessionLost: the connection of a section's session broke between two
// of its statements, so what the statements before did to the session (a
// USE, a SET, a temporary table) is gone. The statement about to run did
// not run. The runner opens a new session and runs the section's USE and
// SET statements again before it, and fails with this error only when the
// session held what it cannot get back: a temporary table, a transaction.
var ErrSessionLost = errors.New("apply: the section's session was lost")

// ErrNeedsSession: a section has a statement that only a session of its
// own can run as written (USE, a temporary table, SET ROLE, a
// transaction), and the runner has no SessionOpener (see WithSessions).
// Nothing ran.
var ErrNeedsSession = errors.New("apply: the section needs a session of its own")

// Session is one ClickHouse session: statements executed on it run in
// order, on one connection, and each sees what the ones before it did to
// the session: the current database (USE), the settings (SET), the roles,
// the temporary tables. It starts clean: in the DSN's database, with the
// connection's settings only. It is used by one goroutine at a time.
//
// Exec returns an error wrapping ErrSessionLost when the session is gone
// before the statement was sent (the statement did not run). A
// driver.Conn that holds one connection and never replaces it is a
// Session.
type Session interface {
	Exec(ctx context.Context, query string, args ...any) error
	Close() error
}

// SessionOpener opens sessions: the runner runs each section (init.sql,
// one migration's up or down section) on a session of its own, as
// clickhouse-client --multiquery runs a file. Opening should cost nothing
// until the first statement: the runner opens a session for a section only
// when the previous section changed its session (see WithSessions).
type SessionOpener interface {
	OpenSession(ctx context.Context) (Session, error)
}

// WithSessions makes the runner run every section on a session from o:
// a section starts in a clean session, and a USE, SET or temporary table
// reaches the statements after it in the section, and no other section.
// Sections that leave their session as they found it (no USE, SET,
// temporary table, transaction; see parser.SessionEffectOf) share one
// session, so that a run of such sections costs one connection; a section
// after one that changed its session gets a new one.
//
// The runner's own queries (history, lock, KILL QUERY, system.mutations,
// system.processes) go through the connection given to New, never the
// session.
//
// Without WithSessions the runner has no session: it sends each statement
// with the settings of the SET statements before it in its section, and
// refuses, before running anything, a section that needs more
// (ErrNeedsSession).
func WithSessions(o SessionOpener) Option {
	return func(r *Runner) error {
		if o == nil {
			return errors.New("apply: WithSessions: nil opener")
		}
		r.sessions = o
		return nil
	}
}

// NewSessionOpener opens sessions with a clickhouse-go connection's
// options, as clickhouse.ParseDSN returns them: each session is a
// connection of its own (dialled at its first statement), which is never
// replaced behind the session's back. Over HTTP, each session is a
// ClickHouse HTTP session (session_id), checked on every statement after
// the first (session_check), so that an expired one is noticed.
func NewSessionOpener(opts *clickhouse.Options) (SessionOpener, error) {
	if opts == nil {
		return nil, errors.New("apply: NewSessionOpener: nil options")
	}
	if len(opts.Addr) == 0 {
		return nil, errors.New("apply: NewSessionOpener: no server address in the options")
	}
	o := *opts
	o.Settings = maps.Clone(opts.Settings)
	return &optionsOpener{opts: o}, nil
}

type optionsOpener struct{ opts clickhouse.Options }

var _ SessionOpener = (*optionsOpener)(nil)

// OpenSession opens a session on one new connection (none is dialled
// until the first statement).
func (o *optionsOpener) OpenSession(ctx context.Context) (Session, error) {
	opts := o.opts
	opts.Settings = maps.Clone(o.opts.Settings)
	// One connection, kept for as long as the session lives: a pool that
	// closed it for its age, or opened another, would end the session.
	opts.MaxOpenConns, opts.MaxIdleConns = 1, 1
	opts.ConnMaxLifetime = 100 * 365 * 24 * time.Hour
	if opts.Protocol == clickhouse.HTTP {
		return openHTTPSession(opts)
	}
	s := &connSession{}
	dial := opts.DialStrategy
	if dial == nil {
		dial = clickhouse.DefaultDialStrategy
	}
	opts.DialStrategy = func(ctx context.Context, connID int, o *clickhouse.Options, d clickhouse.Dial) (clickhouse.DialResult, error) {
		// The second dial would be a new session, without what the
		// statements before did to the first: refuse it.
		if s.dialled.Swap(true) {
			return clickhouse.DialResult{}, fmt.Errorf("%w: its connection was closed", ErrSessionLost)
		}
		return dial(ctx, connID, o, d)
	}
	conn, err := clickhouse.Open(&opts)
	if err != nil {
		return nil, err
	}
	s.conn = conn
	return s, nil
}

// connSession is a session on one native connection.
type connSession struct {
	conn    driver.Conn
	dialled atomic.Bool
}

func (s *connSession) Exec(ctx context.Context, query string, args ...any) error {
	return s.conn.Exec(ctx, query, args...)
}

func (s *connSession) Close() error { return s.conn.Close() }

// httpSession is a ClickHouse HTTP session: every request names it
// (session_id); the first creates it, the later ones require it
// (session_check), so that a session the server let expire is an error,
// not a new empty session.
type httpSession struct {
	create, checked driver.Conn
	// database is the DSN's: the session's current database, which its
	// first request sets with USE. A request naming a database (the HTTP
	// parameter) would override the session's USE for that request.
	database string
	mu       sync.Mutex
	started  bool
}

// codeSessionNotFound is the server's SESSION_NOT_FOUND.
const codeSessionNotFound = 372

func openHTTPSession(opts clickhouse.Options) (Session, error) {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	if opts.Settings == nil {
		opts.Settings = clickhouse.Settings{}
	}
	opts.Settings["session_id"] = "chschema-" + hex.EncodeToString(b)
	database := opts.Auth.Database
	opts.Auth.Database = ""
	create, err := clickhouse.Open(&opts)
	if err != nil {
		return nil, err
	}
	checked := opts
	checked.Settings = maps.Clone(opts.Settings)
	checked.Settings["session_check"] = 1
	c, err := clickhouse.Open(&checked)
	if err != nil {
		create.Close()
		return nil, err
	}
	return &httpSession{create: create, checked: c, database: database}, nil
}

func (s *httpSession) Exec(ctx context.Context, query string, args ...any) error {
	s.mu.Lock()
	started := s.started
	s.mu.Unlock()
	if !started {
		use := "SELECT 1"
		if s.database != "" {
			use = "USE " + quoteIdent(s.database)
		}
		// Queries of their own (clickhouse-go's HTTP dial asks the server
		// its version with the context it is given): the query log must
		// hold the statement's query_id for the statement only.
		uctx := clickhouse.Context(ctx, clickhouse.WithQueryID(""), clickhouse.WithSettings(clickhouse.Settings{}))
		if err := s.create.Exec(uctx, use); err != nil {
			return err
		}
		if err := s.checked.Ping(uctx); err != nil {
			return err
		}
		s.mu.Lock()
		s.started = true
		s.mu.Unlock()
	}
	err := s.checked.Exec(ctx, query, args...)
	if isCode(err, codeSessionNotFound) || err != nil && strings.Contains(err.Error(), "SESSION_NOT_FOUND") {
		return fmt.Errorf("%w: the server no longer has it (%w)", ErrSessionLost, err)
	}
	return err
}

func (s *httpSession) Close() error {
	return errors.Join(s.create.Close(), s.checked.Close())
}
