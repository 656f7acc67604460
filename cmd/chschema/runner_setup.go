package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/chschema/chschema/apply"
	"github.com/chschema/chschema/migrations"
)

// runnerFlags are the flags of the commands that change the server.
type runnerFlags struct {
	historyFlags
	LockTimeout time.Duration `help:"How long to wait for another run's lock before failing." default:"5m"`
	LockLease   time.Duration `help:"How long a lock lives without renewal; a crashed holder's lock expires after it." default:"1m"`
	Journal     string        `help:"How completed statements are recorded: auto (query log if the server has one), querylog, or table (a history row per statement)." enum:"auto,querylog,table" default:"auto"`
	Cluster     string        `help:"Create the history and lock tables ON CLUSTER, the history as ReplicatedMergeTree." placeholder:"NAME"`
}

// loadUnits opens --dir and renders its migrations with the template variables.
func loadUnits(g *Globals, env *Env) ([]*apply.Unit, []apply.Statement, error) {
	dir, err := migrations.Open(migrations.DirFS(g.Dir))
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", g.Dir, err)
	}
	return apply.Units(dir, g.Vars(env.Environ))
}

// newRunner connects and builds a runner with the history, the lock and the
// init statements.
func (f *runnerFlags) newRunner(ctx context.Context, g *Globals, env *Env, init []apply.Statement, extra ...apply.Option) (*apply.Runner, driver.Conn, error) {
	return newRunner(ctx, g, env, &f.historyFlags, f, init, extra...)
}

// newVerifyingRunner is newRunner with the drift check of ig before applying.
func (f *runnerFlags) newVerifyingRunner(ctx context.Context, g *Globals, env *Env, ig *ignoreFlags, init []apply.Statement, extra ...apply.Option) (*apply.Runner, driver.Conn, error) {
	r, conn, _, err := newRunnerDB(ctx, g, env, &f.historyFlags, f, ig, init, extra...)
	return r, conn, err
}

// newRunner builds a runner from the history flags and, for commands that
// change the server, the runner flags (nil: the defaults).
func newRunner(ctx context.Context, g *Globals, env *Env, h *historyFlags, f *runnerFlags, init []apply.Statement, extra ...apply.Option) (*apply.Runner, driver.Conn, error) {
	r, conn, _, err := newRunnerDB(ctx, g, env, h, f, nil, init, extra...)
	return r, conn, err
}

// newRunnerDB is newRunner that also returns the DSN's database and, when ig
// is not nil, verifies drift before applying (with ig's ignore rules).
func newRunnerDB(ctx context.Context, g *Globals, env *Env, h *historyFlags, f *runnerFlags, ig *ignoreFlags, init []apply.Statement, extra ...apply.Option) (*apply.Runner, driver.Conn, string, error) {
	if f == nil {
		f = &runnerFlags{LockTimeout: 5 * time.Minute, LockLease: time.Minute, Journal: "auto"}
	}
	conn, dsnDB, err := h.connect(ctx, g)
	if err != nil {
		return nil, nil, "", err
	}
	hdb, htable, err := h.historyTable(dsnDB)
	if err != nil {
		conn.Close()
		return nil, nil, "", err
	}
	engine := ""
	if f.Cluster != "" {
		engine = apply.ReplicatedHistoryEngine
	}
	history, err := apply.NewTableHistory(conn, hdb, htable, engine, f.Cluster)
	if err != nil {
		conn.Close()
		return nil, nil, "", err
	}
	lock, err := apply.NewTableLock(conn, hdb, apply.LockTableName(htable), apply.LockOptions{
		Timeout: f.LockTimeout, Lease: f.LockLease, ID: "chschema " + Version(), OnCluster: f.Cluster})
	if err != nil {
		conn.Close()
		return nil, nil, "", err
	}
	var progress io.Writer
	if env.StderrTTY {
		progress = env.Stderr
	}
	journal := map[string]apply.Journal{"auto": apply.JournalAuto, "querylog": apply.JournalQueryLog, "table": apply.JournalTable}[f.Journal]
	if ig != nil {
		v, err := driftVerifier(ctx, g, env, conn, h, ig, dsnDB, init)
		if err != nil {
			conn.Close()
			return nil, nil, "", err
		}
		extra = append(extra, apply.WithVerifier(v))
	}
	opts := append([]apply.Option{
		apply.WithInit(init),
		apply.WithProgress(progress),
		apply.WithJournal(journal),
		apply.WithClassifier(apply.MutationClassifier),
		apply.WithVersion(Version()),
	}, extra...)
	r, err := apply.New(conn, history, lock, opts...)
	if err != nil {
		conn.Close()
		return nil, nil, "", err
	}
	return r, conn, dsnDB, nil
}

// historyReader is a runner over conn that only reads: the history and, for
// half-applied migrations, the query log. It never takes the lock.
func historyReader(conn driver.Conn, h *historyFlags, dsnDB string) (*apply.Runner, error) {
	hdb, htable, err := h.historyTable(dsnDB)
	if err != nil {
		return nil, err
	}
	history, err := apply.NewTableHistory(conn, hdb, htable, "", "")
	if err != nil {
		return nil, err
	}
	lock, err := apply.NewTableLock(conn, hdb, apply.LockTableName(htable), apply.LockOptions{})
	if err != nil {
		return nil, err
	}
	return apply.New(conn, history, lock)
}
