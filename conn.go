package chschema

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/chschema/chschema/apply"
	"github.com/chschema/chschema/schema"
)

// DB is a connection to a ClickHouse server, with what chschema needs to
// know about it: the session database, in which unqualified names in the
// migrations are created (the DSN's), and where chschema keeps its history
// and lock tables. Get one from Connect or NewDB.
type DB struct {
	conn     driver.Conn
	owned    bool
	database string
	server   string
	addr     []string
	history  historyTable
	cluster  string
	// session is set when the DSN's database did not exist at Connect.
	session *sessionConn
	// sessions opens the session each section of a migration runs in; nil
	// for a DB from NewDB without WithSessionOpener.
	sessions apply.SessionOpener
}

type historyTable struct{ database, table string }

type connectConfig struct {
	wait         time.Duration
	waitSet      bool
	historyTable string
	cluster      string
	events       func(Event)
	sessions     apply.SessionOpener
}

type connectOption func(*connectConfig) error

func (f connectOption) applyConnect(c *connectConfig) error { return f(c) }

// WithWait makes Connect retry until the server answers, for up to d (for
// deploy jobs that start together with ClickHouse). Each failed attempt is
// a ServerWaiting event. By default Connect tries once.
func WithWait(d time.Duration) ConnectOption {
	return connectOption(func(c *connectConfig) error {
		if d < 0 {
			return fmt.Errorf("chschema: WithWait: negative duration %s", d)
		}
		if c.waitSet {
			return errors.New("chschema: WithWait given twice")
		}
		c.wait, c.waitSet = d, true
		return nil
	})
}

// WithHistoryTable names the history table, as table (in the session
// database) or db.table; DefaultHistoryTable by default. The lock is the
// table <name>_lock beside it.
func WithHistoryTable(name string) ConnectOption {
	return connectOption(func(c *connectConfig) error {
		if c.historyTable != "" {
			return errors.New("chschema: WithHistoryTable given twice")
		}
		if name == "" {
			return errors.New("chschema: WithHistoryTable: empty name")
		}
		c.historyTable = name
		return nil
	})
}

// WithCluster creates the history and lock tables ON CLUSTER name, the
// history as apply.ReplicatedHistoryEngine, so that any node can run the
// next migrate.
func WithCluster(name string) ConnectOption {
	return connectOption(func(c *connectConfig) error {
		if c.cluster != "" {
			return errors.New("chschema: WithCluster given twice")
		}
		if name == "" {
			return errors.New("chschema: WithCluster: empty cluster name")
		}
		c.cluster = name
		return nil
	})
}

// WithSessionOpener gives NewDB what it cannot get from a driver.Conn: a
// way to open the session each section of a migration runs in (init.sql,
// each up or down section; see "a section is a session" in the README).
// apply.NewSessionOpener makes one from the clickhouse.Options the
// connection was opened with:
//
//	conn, _ := clickhouse.Open(opts)
//	sessions, _ := apply.NewSessionOpener(opts)
//	db, _ := chschema.NewDB(ctx, conn, chschema.WithSessionOpener(sessions))
//
// Without it, a DB from NewDB sends each statement with the settings of
// the SET statements before it in its section, and Migrate and Down refuse
// a section that needs more (a USE, a temporary table, SET ROLE, a
// transaction) before running anything, naming each such statement at its
// file:line:col (apply.ErrNeedsSession). Connect opens sessions from its
// DSN and refuses this option.
func WithSessionOpener(o apply.SessionOpener) ConnectOption {
	return connectOption(func(c *connectConfig) error {
		if o == nil {
			return errors.New("chschema: WithSessionOpener: nil opener")
		}
		if c.sessions != nil {
			return errors.New("chschema: WithSessionOpener given twice")
		}
		c.sessions = o
		return nil
	})
}

func newConnectConfig(opts []ConnectOption) (connectConfig, error) {
	c := connectConfig{}
	for i, o := range opts {
		if o == nil {
			return c, fmt.Errorf("chschema: connect option %d is nil", i+1)
		}
		if err := o.applyConnect(&c); err != nil {
			return c, err
		}
	}
	if c.historyTable == "" {
		c.historyTable = DefaultHistoryTable
	}
	if c.events == nil {
		c.events = func(Event) {}
	}
	return c, nil
}

// DSNError is a DSN that clickhouse-go cannot parse.
type DSNError struct {
	Err error
}

func (e *DSNError) Error() string { return "malformed DSN: " + e.Err.Error() }

// Unwrap returns the parser's error.
func (e *DSNError) Unwrap() error { return e.Err }

// Connect opens a connection to the server dsn names (a clickhouse-go DSN,
// for example clickhouse://user:pass@127.0.0.1:9000/db) and checks that it
// answers, retrying for as long as WithWait says, and only while the
// server cannot be reached or is starting (ServerWaiting events): an
// error the server answers with, such as a failed login, ends the wait at
// once with the server's message. The DSN's database (default when it
// names none) is the session database.
//
// The session database need not exist yet: on a first deploy, init.sql
// may create it. Connect then connects without a database, and Migrate
// and Baseline use the database as soon as a statement creates it; they
// refuse, before changing anything, when init.sql does not create it
// before anything would need it. Close the DB when done.
func Connect(ctx context.Context, dsn string, opts ...ConnectOption) (*DB, error) {
	cfg, err := newConnectConfig(opts)
	if err != nil {
		return nil, err
	}
	if cfg.sessions != nil {
		return nil, errors.New("chschema: WithSessionOpener is for NewDB: Connect opens sessions from its DSN")
	}
	o, err := clickhouse.ParseDSN(dsn)
	if err != nil {
		return nil, &DSNError{Err: err}
	}
	return connectWith(ctx, o, cfg)
}

// connectWith is Connect on parsed options.
func connectWith(ctx context.Context, o *clickhouse.Options, cfg connectConfig) (*DB, error) {
	database := o.Auth.Database
	if database == "" {
		database = "default"
	}
	server := redact(o)
	if database == "default" {
		conn, err := clickhouse.Open(o)
		if err != nil {
			return nil, fmt.Errorf("open %s: %w", server, err)
		}
		if err := waitFor(ctx, cfg, server, conn.Ping); err != nil {
			conn.Close()
			return nil, err
		}
		if cfg.sessions, err = apply.NewSessionOpener(o); err != nil {
			conn.Close()
			return nil, err
		}
		return newDB(conn, true, database, server, o.Addr, cfg)
	}
	// Connect without the database first: it may not exist yet, and a
	// connection to a missing database is an error (code 81).
	bareOpts := *o
	bareOpts.Auth.Database = ""
	bare, err := clickhouse.Open(&bareOpts)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", server, err)
	}
	exists := false
	err = waitFor(ctx, cfg, server, func(ctx context.Context) error {
		if err := bare.Ping(ctx); err != nil {
			return err
		}
		exists, err = databaseExists(ctx, bare, database)
		var ex *clickhouse.Exception
		if errors.As(err, &ex) {
			// A user who may not read system.databases: connect to the
			// database as the DSN says, and the server says if it is missing.
			exists, err = true, nil
		}
		return err
	})
	if err != nil {
		bare.Close()
		return nil, err
	}
	if !exists {
		sc := newSessionConn(bare, o, database)
		if cfg.sessions, err = newFirstDeployOpener(sc, o); err != nil {
			sc.Close()
			return nil, err
		}
		db, err := newDB(sc, true, database, server, o.Addr, cfg)
		if db != nil {
			db.session = sc
		}
		return db, err
	}
	bare.Close()
	conn, err := clickhouse.Open(o)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", server, err)
	}
	if err := waitFor(ctx, cfg, server, conn.Ping); err != nil {
		conn.Close()
		return nil, err
	}
	if cfg.sessions, err = apply.NewSessionOpener(o); err != nil {
		conn.Close()
		return nil, err
	}
	return newDB(conn, true, database, server, o.Addr, cfg)
}

// NewDB wraps a connection the program already has. The session database
// is the connection's current database, which NewDB asks the server for
// (retrying as WithWait says). Closing the DB does not close conn.
//
// A driver.Conn is a pool, not a session: give WithSessionOpener so that
// each section of a migration runs in a session of its own, as with
// Connect; without it, a section that needs one is refused (see there).
func NewDB(ctx context.Context, conn driver.Conn, opts ...ConnectOption) (*DB, error) {
	if conn == nil {
		return nil, errors.New("chschema: NewDB: nil connection")
	}
	cfg, err := newConnectConfig(opts)
	if err != nil {
		return nil, err
	}
	var database string
	err = waitFor(ctx, cfg, "the connection's server", func(ctx context.Context) error {
		return conn.QueryRow(ctx, "SELECT currentDatabase()").Scan(&database)
	})
	if err != nil {
		return nil, err
	}
	return newDB(conn, false, database, "", nil, cfg)
}

func newDB(conn driver.Conn, owned bool, database, server string, addr []string, cfg connectConfig) (*DB, error) {
	hdb, htable, err := apply.ParseTableName(cfg.historyTable, database)
	if err != nil {
		if owned {
			conn.Close()
		}
		return nil, err
	}
	return &DB{conn: conn, owned: owned, database: database, server: server, addr: addr,
		history: historyTable{hdb, htable}, cluster: cfg.cluster, sessions: cfg.sessions}, nil
}

// waitFor calls try until it succeeds, for up to cfg.wait, as long as the
// error is one a server that is starting gives (see retryable); any other
// error ends the wait at once.
func waitFor(ctx context.Context, cfg connectConfig, server string, try func(context.Context) error) error {
	start := time.Now()
	deadline := start.Add(cfg.wait)
	for attempt := 1; ; attempt++ {
		err := try(ctx)
		if err == nil {
			cfg.events(ServerReady{Server: server, Attempts: attempt, Waited: time.Since(start)})
			return nil
		}
		if !retryable(err) {
			return fmt.Errorf("server at %s: %w", server, serverMessage(err))
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			if cfg.wait > 0 {
				return fmt.Errorf("server at %s did not answer within %s: %w", server, cfg.wait, err)
			}
			return fmt.Errorf("server at %s: %w", server, err)
		}
		cfg.events(ServerWaiting{Server: server, Attempt: attempt, Err: err, Waited: time.Since(start), Wait: cfg.wait})
		select {
		case <-ctx.Done():
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// redact names the server without its password.
func redact(o *clickhouse.Options) string {
	user := o.Auth.Username
	if user == "" {
		user = "default"
	}
	return fmt.Sprintf("%s@%s/%s", user, strings.Join(o.Addr, ","), o.Auth.Database)
}

// Conn is the underlying clickhouse-go connection.
func (db *DB) Conn() driver.Conn { return db.conn }

// Database is the session database: unqualified names in the migrations
// are created in it.
func (db *DB) Database() string { return db.database }

// HistoryTable is where chschema keeps its history; the lock is the table
// apply.LockTableName(table) beside it.
func (db *DB) HistoryTable() (database, table string) {
	return db.history.database, db.history.table
}

// Close closes the connection if Connect opened it; a DB from NewDB leaves
// the program's connection open.
func (db *DB) Close() error {
	if !db.owned {
		return nil
	}
	return db.conn.Close()
}

// ServerVersion is the server's version, as SELECT version() reports it.
func (db *DB) ServerVersion(ctx context.Context) (string, error) {
	var v string
	if err := db.conn.QueryRow(ctx, "SELECT version()").Scan(&v); err != nil {
		return "", fmt.Errorf("server version: %w", err)
	}
	return v, nil
}

// UnlockResult says what Unlock released.
type UnlockResult struct {
	// Released is false when no lock was held.
	Released bool `json:"released"`
	// Holder is whose lock it was.
	Holder *apply.LockHolder `json:"holder,omitempty"`
}

// Unlock forces the release of the migration lock, whoever holds it: for a
// run that crashed and whose lease has not run out yet. It needs no
// migrations directory.
func (db *DB) Unlock(ctx context.Context) (*UnlockResult, error) {
	holder, ok, err := apply.ForceUnlock(ctx, db.conn, db.history.database, apply.LockTableName(db.history.table))
	if err != nil {
		return nil, err
	}
	res := &UnlockResult{Released: ok}
	if ok {
		res.Holder = &holder
	}
	return res, nil
}

// sessionPending reports whether the session database does not exist
// yet (see Connect).
func (db *DB) sessionPending() bool { return db.session != nil && db.session.pending() }

// DatabaseMissing reports whether the session database did not exist when
// Connect connected and no statement has created it since: a first deploy
// whose init.sql creates it, or a DSN naming the wrong database.
func (db *DB) DatabaseMissing() bool { return db.sessionPending() }

// own reports the tables chschema keeps beside the history: never drift.
func (db *DB) own() func(schema.QualifiedName) bool {
	return apply.OwnTable(db.history.database, db.history.table)
}
