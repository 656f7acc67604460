package chschema

import (
	"context"
	"fmt"
	"io"
	"sync"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
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
