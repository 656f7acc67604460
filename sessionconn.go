package chschema

import (
	"context"
	"fmt"
	"io"
	"sync"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/chschema/chschema/apply"
	"github.com/chschema/chschema/parser"
	"github.com/chschema/chschema/schema"
)

// sessionConn is the connection of a DB whose DSN names a database the
// server does not have yet: a first deploy whose init.sql creates it. It
// starts as a connection without a database and, after each statement it
// executes, looks whether the database exists now; once it does, it
// connects to it, so that every later statement runs in it as the DSN
// says. Unqualified names before that point are refused offline (see
// Project's preflight), never sent to another database.
type sessionConn struct {
	driver.Conn // the connection without a database; forwards what is not overridden

	opts     *clickhouse.Options
	database string

	mu  sync.Mutex
	cur driver.Conn // nil until the database exists
}

var _ driver.Conn = (*sessionConn)(nil)

func newSessionConn(bare driver.Conn, opts *clickhouse.Options, database string) *sessionConn {
	return &sessionConn{Conn: bare, opts: opts, database: database}
}

// pending reports whether the database does not exist yet.
func (c *sessionConn) pending() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.cur == nil
}

// conn is the connection statements run on now.
func (c *sessionConn) conn() driver.Conn {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cur != nil {
		return c.cur
	}
	return c.Conn
}

// settle connects to the database once it exists.
func (c *sessionConn) settle(ctx context.Context) error {
	if !c.pending() {
		return nil
	}
	exists, err := databaseExists(ctx, c.Conn, c.database)
	if err != nil || !exists {
		return err
	}
	conn, err := clickhouse.Open(c.opts)
	if err != nil {
		return fmt.Errorf("connect to database %s, created just now: %w", c.database, err)
	}
	if err := conn.Ping(ctx); err != nil {
		conn.Close()
		return fmt.Errorf("connect to database %s, created just now: %w", c.database, err)
	}
	c.mu.Lock()
	c.cur = conn
	c.mu.Unlock()
	return nil
}

// databaseExists asks the server whether it has the database.
func databaseExists(ctx context.Context, conn driver.Conn, name string) (bool, error) {
	var n uint64
	if err := conn.QueryRow(ctx, "SELECT count() FROM system.databases WHERE name = ?", name).Scan(&n); err != nil {
		return false, fmt.Errorf("look for database %s: %w", name, err)
	}
	return n > 0, nil
}

// Exec runs the statement, then connects to the database if the statement
// created it.
func (c *sessionConn) Exec(ctx context.Context, query string, args ...any) error {
	if err := c.conn().Exec(ctx, query, args...); err != nil {
		return err
	}
	return c.settle(context.WithoutCancel(ctx))
}

func (c *sessionConn) Select(ctx context.Context, dest any, query string, args ...any) error {
	return c.conn().Select(ctx, dest, query, args...)
}

func (c *sessionConn) Query(ctx context.Context, query string, args ...any) (driver.Rows, error) {
	return c.conn().Query(ctx, query, args...)
}

func (c *sessionConn) QueryRow(ctx context.Context, query string, args ...any) driver.Row {
	return c.conn().QueryRow(ctx, query, args...)
}

func (c *sessionConn) PrepareBatch(ctx context.Context, query string, opts ...driver.PrepareBatchOption) (driver.Batch, error) {
	return c.conn().PrepareBatch(ctx, query, opts...)
}

func (c *sessionConn) QueryFormat(ctx context.Context, format, query string, args ...any) (io.ReadCloser, error) {
	return c.conn().QueryFormat(ctx, format, query, args...)
}

func (c *sessionConn) InsertFormat(ctx context.Context, format, query string, data io.Reader) error {
	return c.conn().InsertFormat(ctx, format, query, data)
}

func (c *sessionConn) AsyncInsert(ctx context.Context, query string, wait bool, args ...any) error {
	return c.conn().AsyncInsert(ctx, query, wait, args...)
}

func (c *sessionConn) Ping(ctx context.Context) error { return c.conn().Ping(ctx) }

func (c *sessionConn) ServerVersion() (*driver.ServerVersion, error) { return c.conn().ServerVersion() }

func (c *sessionConn) Stats() driver.Stats { return c.conn().Stats() }

// Close closes both connections.
func (c *sessionConn) Close() error {
	c.mu.Lock()
	cur := c.cur
	c.mu.Unlock()
	err := c.Conn.Close()
	if cur != nil {
		if cerr := cur.Close(); err == nil {
			err = cerr
		}
	}
	return err
}

// firstDeployOpener opens the sessions of a DB whose database did not
// exist at Connect. While it does not, a session connects without a
// database and, after the statement of its section that creates the
// database, switches to it (USE), unless the section chose its database
// itself with a USE before: unqualified names land in the DSN's database
// from the statement that created it on, as the pre-flight's replay
// expects. Once the database exists, sessions connect to it, as the DSN
// says.
type firstDeployOpener struct {
	sc         *sessionConn
	bare, full apply.SessionOpener
}

var _ apply.SessionOpener = (*firstDeployOpener)(nil)

func newFirstDeployOpener(sc *sessionConn, o *clickhouse.Options) (*firstDeployOpener, error) {
	full, err := apply.NewSessionOpener(o)
	if err != nil {
		return nil, err
	}
	bareOpts := *o
	bareOpts.Auth.Database = ""
	bare, err := apply.NewSessionOpener(&bareOpts)
	if err != nil {
		return nil, err
	}
	return &firstDeployOpener{sc: sc, bare: bare, full: full}, nil
}

func (f *firstDeployOpener) OpenSession(ctx context.Context) (apply.Session, error) {
	if !f.sc.pending() {
		return f.full.OpenSession(ctx)
	}
	s, err := f.bare.OpenSession(ctx)
	if err != nil {
		return nil, err
	}
	return &firstDeploySession{Session: s, sc: f.sc}, nil
}

// firstDeploySession is a session opened before the DSN's database
// existed.
type firstDeploySession struct {
	apply.Session
	sc *sessionConn
	// used says a USE of the section chose the current database; switched
	// that the database exists now and the session has moved on.
	used, switched bool
}

// Exec runs the statement, then, while the DSN's database is pending,
// looks whether the statement created it, and switches to it.
func (s *firstDeploySession) Exec(ctx context.Context, query string, args ...any) error {
	if err := s.Session.Exec(ctx, query, args...); err != nil {
		return err
	}
	if s.switched {
		return nil
	}
	if parser.SessionEffectOf(parser.Statement{Text: query}).Kind == parser.SessionUse {
		s.used = true
	}
	bctx := context.WithoutCancel(ctx)
	if err := s.sc.settle(bctx); err != nil || s.sc.pending() {
		return err
	}
	s.switched = true
	if s.used {
		return nil
	}
	// Its own query_id, not the statement's.
	uctx := clickhouse.Context(bctx, clickhouse.WithQueryID(""), clickhouse.WithSettings(clickhouse.Settings{}))
	if err := s.Session.Exec(uctx, "USE "+schema.QuoteIdent(s.sc.database)); err != nil {
		return fmt.Errorf("use database %s, created just now: %w", s.sc.database, err)
	}
	return nil
}
