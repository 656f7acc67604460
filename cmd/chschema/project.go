package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/chschema/chschema"
	"github.com/chschema/chschema/apply"
	"github.com/chschema/chschema/diff"
	"github.com/chschema/chschema/drift"
	"github.com/chschema/chschema/lint"
	"github.com/chschema/chschema/migrations"
)

// IgnoreFile is the ignore file's name in the migrations root.
const IgnoreFile = chschema.IgnoreFile

// waitFlag is embedded by commands that talk to a server: Tutor jobs start
// together with ClickHouse, so they may have to wait for it.
type waitFlag struct {
	Wait time.Duration `help:"How long to wait for the server to answer before giving up." default:"0s"`
}

// historyFlags are the flags of the commands that read or write the history.
type historyFlags struct {
	HistoryTable string `help:"History table, as table or db.table; the database defaults to the DSN's. The lock is the table <name>_lock beside it." env:"CHSCHEMA_HISTORY_TABLE" default:"chschema_migrations" placeholder:"DB.TABLE"`
	waitFlag
}

// runnerFlags are the flags of the commands that change the server.
type runnerFlags struct {
	historyFlags
	LockTimeout time.Duration `help:"How long to wait for another run's lock before failing." default:"5m"`
	LockLease   time.Duration `help:"How long a lock lives without renewal (at least 1s); a crashed holder's lock expires after it. The holder renews it every fifth and stops, exit 2, half a lease after its last confirmed renewal." default:"1m"`
	Journal     string        `help:"How completed statements are recorded: auto (query log if the server has one), querylog, or table (a history row per statement)." enum:"auto,querylog,table" default:"auto"`
	Cluster     string        `help:"Create the history and lock tables ON CLUSTER, the history as ReplicatedMergeTree." placeholder:"NAME"`
}

// ignoreFlags select objects that drift checks leave out.
type ignoreFlags struct {
	Ignore []string `help:"Leave out objects matching db.table or db.* (globs allowed; a name without a dot is a SQL function). Repeatable; also env CHSCHEMA_IGNORE and <dir>/chschema.ignore." placeholder:"PATTERN"`
}

// options are the ignore patterns of the flag and CHSCHEMA_IGNORE (Open
// adds the ignore file's).
func (f *ignoreFlags) options(environ []string) []chschema.Option {
	patterns := append([]string(nil), f.Ignore...)
	for _, kv := range environ {
		if v, ok := strings.CutPrefix(kv, "CHSCHEMA_IGNORE="); ok {
			patterns = append(patterns, v)
		}
	}
	return []chschema.Option{chschema.WithIgnore(patterns...)}
}

// options are the project options of the commands that change the server.
func (f *runnerFlags) options() []chschema.Option {
	journal := map[string]chschema.Journal{"auto": chschema.JournalAuto, "querylog": chschema.JournalQueryLog, "table": chschema.JournalTable}[f.Journal]
	return []chschema.Option{chschema.WithLockTimeout(f.LockTimeout), chschema.WithLockLease(f.LockLease), chschema.WithJournal(journal)}
}

// openProject opens --dir with the template variables, the version, the
// progress display and opts. The error is Open's, as it is.
func openProject(g *Globals, env *Env, opts ...chschema.Option) (*chschema.Project, error) {
	return openWithEvents(g, env, progress(env), opts...)
}

// openWithEvents is openProject with another event display.
func openWithEvents(g *Globals, env *Env, events func(chschema.Event), opts ...chschema.Option) (*chschema.Project, error) {
	base := []chschema.Option{chschema.WithVars(g.Vars(env.Environ)), chschema.WithVersion(Version()), chschema.WithEvents(events)}
	return chschema.Open(g.Dir, append(base, opts...)...)
}

// dirError names --dir in front of a list of problems in its files.
func dirError(g *Globals, err error) error {
	var list migrations.ErrorList
	if errors.As(err, &list) {
		return fmt.Errorf("%s: %w", g.Dir, err)
	}
	return err
}

// progress prints, on a terminal, a line per migration and per wait.
func progress(env *Env) func(chschema.Event) {
	return func(e chschema.Event) {
		if !env.StderrTTY {
			return
		}
		switch e := e.(type) {
		case chschema.MigrationStarted, chschema.InterruptedWaiting, chschema.ResumeDecided, chschema.LeaseLost,
			chschema.StatementCancelled, chschema.Stopped:
			fmt.Fprintln(env.Stderr, e)
		case chschema.MutationWaiting:
			fmt.Fprintln(env.Stderr, "  "+e.String())
		}
	}
}

// connect opens the --dsn connection, waiting as --wait says, with the
// history table of --history-table and opts.
func (h *historyFlags) connect(ctx context.Context, g *Globals, opts ...chschema.ConnectOption) (*chschema.DB, error) {
	if g.DSN == "" {
		return nil, errors.New("--dsn (or CHSCHEMA_DSN) is required")
	}
	return connect(ctx, g.DSN, h.Wait, append(opts, chschema.WithHistoryTable(h.HistoryTable))...)
}

// connectRunner is connect with --cluster.
func (f *runnerFlags) connect(ctx context.Context, g *Globals) (*chschema.DB, error) {
	var opts []chschema.ConnectOption
	if f.Cluster != "" {
		opts = append(opts, chschema.WithCluster(f.Cluster))
	}
	return f.historyFlags.connect(ctx, g, opts...)
}

// connect opens a connection to dsn, waiting up to wait for the server.
func connect(ctx context.Context, dsn string, wait time.Duration, opts ...chschema.ConnectOption) (*chschema.DB, error) {
	db, err := chschema.Connect(ctx, dsn, append(opts, chschema.WithWait(wait))...)
	var de *chschema.DSNError
	if errors.As(err, &de) {
		return nil, fmt.Errorf("--dsn: %w", err)
	}
	return db, err
}

// refusal turns refusals into findings (exit 1) after printing them: a
// broken seal as lint findings, drift the way `chschema diff` prints it,
// and edited, missing or out-of-order migrations as messages. Other errors
// stay errors (exit 2).
func refusal(env *Env, g *Globals, err error, what string) error {
	if se, ok := err.(*chschema.SealError); ok {
		rep := &lint.Report{Findings: se.Findings}
		w := env.Stderr
		if g.Format != "text" {
			w = env.Stdout
		}
		if werr := rep.Write(w, lint.Format(g.Format), displayDir(g.Dir)); werr != nil {
			return werr
		}
		fmt.Fprintf(env.Stderr, "chschema: %s refused: the migrations do not match chschema.sum; released migrations stay as they are (add a new migration instead)\n", what)
		return errFindings
	}
	var de *drift.Error
	if !errors.As(err, &de) {
		if errors.Is(err, apply.ErrEdited) || errors.Is(err, apply.ErrMissing) || errors.Is(err, apply.ErrOutOfOrder) ||
			errors.Is(err, apply.ErrUndecided) || errors.Is(err, apply.ErrDataLoss) {
			fmt.Fprintf(env.Stderr, "chschema: %s refused: %v\n", what, err)
			return errFindings
		}
		return dirError(g, err)
	}
	_ = writeDiff(env, g, env.Stderr, de.Report.Result, "expected (applied migrations in "+g.Dir+")", "live (server)")
	hint := ""
	if what == "migrate" {
		hint = "; fix the drift, or run with --allow-drift"
	}
	fmt.Fprintf(env.Stderr, "chschema: %s refused: %v (see above)%s\n", what, err, hint)
	return errFindings
}

// writeDiff prints a diff in --format: JSON and GitHub annotations on
// stdout, text on text (stdout for a command whose output is the diff,
// stderr for a refusal), coloured on a terminal unless NO_COLOR is set.
func writeDiff(env *Env, g *Globals, text io.Writer, res *diff.Result, fromLabel, toLabel string) error {
	switch g.Format {
	case "json":
		return diff.WriteJSON(env.Stdout, res)
	case "github":
		return diff.WriteGitHub(env.Stdout, res)
	}
	return diff.WriteText(text, res, diff.TextOptions{
		Color:     env.IsTTY && !hasEnv(env.Environ, "NO_COLOR"),
		FromLabel: fromLabel,
		ToLabel:   toLabel,
	})
}
