package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/chschema/chschema"
	"github.com/chschema/chschema/apply"
	"github.com/chschema/chschema/diff"
	"github.com/chschema/chschema/drift"
	"github.com/chschema/chschema/internal/english"
	"github.com/chschema/chschema/lint"
	"github.com/chschema/chschema/migrations"
)

// IgnoreFile is the ignore file's name in the migrations root.
const IgnoreFile = chschema.IgnoreFile

// waitFlag is embedded by commands that talk to a server: Tutor jobs start
// together with ClickHouse, so they may have to wait for it.
type waitFlag struct {
	Wait time.Duration `help:"How long to keep retrying while the server cannot be reached or is starting; an error the server answers with (a failed login) ends it at once." default:"0s" env:"CHSCHEMA_WAIT"`
	logFlag
}

// historyFlags are the flags of the commands that read or write the history.
type historyFlags struct {
	HistoryTable string `help:"History table, as table or db.table; the database defaults to the DSN's. The lock is the table <name>_lock beside it." env:"CHSCHEMA_HISTORY_TABLE" default:"chschema_migrations" placeholder:"DB.TABLE"`
	waitFlag
}

// runnerFlags are the flags of the commands that change the server.
type runnerFlags struct {
	historyFlags
	LockTimeout time.Duration `help:"How long to wait for another run's lock before failing." default:"5m" env:"CHSCHEMA_LOCK_TIMEOUT"`
	LockLease   time.Duration `help:"How long a lock lives without renewal (at least 1s); a crashed holder's lock expires after it. The holder renews it every fifth and stops, exit 2, half a lease after its last confirmed renewal." default:"1m" env:"CHSCHEMA_LOCK_LEASE"`
	Journal     string        `help:"How completed statements are recorded: auto (query log if the server has one), querylog, or table (a history row per statement)." enum:"auto,querylog,table" default:"auto" env:"CHSCHEMA_JOURNAL"`
	Cluster     string        `help:"The cluster the schema lives on. Without --per-node: the history and lock tables are created ON CLUSTER, the history as ReplicatedMergeTree, and migrate first checks the drift of every node (the servers system.clusters lists for it, each reached with the DSN's credentials). With --per-node (migrate, down): the nodes to apply on." placeholder:"NAME" env:"CHSCHEMA_CLUSTER"`
}

// perNodeFlag is --per-node, of migrate and down.
type perNodeFlag struct {
	PerNode bool `name:"per-node" help:"With --cluster: chschema sends every statement to every node itself, without ON CLUSTER: each node keeps its own history, statement k runs on every node before statement k+1 runs on any, the lock of every node is held for the run, and every node is checked before anything runs (an unreachable node refuses the run). See README, Clusters." env:"CHSCHEMA_PER_NODE"`
}

// ignoreFlags select objects that drift checks leave out.
type ignoreFlags struct {
	Ignore []string `help:"Leave out objects matching db.table or db.* (globs allowed; a name without a dot is a SQL function). Repeatable or comma-separated; the patterns of env CHSCHEMA_IGNORE and <dir>/chschema.ignore count too." placeholder:"PATTERN" env:"CHSCHEMA_IGNORE"`
}

// options are the ignore patterns of the flag and of CHSCHEMA_IGNORE, all
// together (Open adds the ignore file's). Kong fills the flag from the
// variable when the flag is absent; each pattern counts once.
func (f *ignoreFlags) options(environ []string) []chschema.Option {
	patterns := append([]string(nil), f.Ignore...)
	for _, kv := range environ {
		if v, ok := strings.CutPrefix(kv, "CHSCHEMA_IGNORE="); ok {
			for _, p := range strings.Split(v, ",") {
				if !slices.Contains(patterns, p) {
					patterns = append(patterns, p)
				}
			}
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

// progress is where the events of a command go: a live display on a
// terminal, timestamped lines or JSON lines elsewhere (logs.go).
func progress(env *Env) func(chschema.Event) { return env.event }

// connect opens the --dsn connection, waiting as --wait says, with the
// history table of --history-table and opts.
func (h *historyFlags) connect(ctx context.Context, g *Globals, opts ...chschema.ConnectOption) (*chschema.DB, error) {
	if g.DSN == "" {
		return nil, errors.New("--dsn (or CHSCHEMA_DSN) is required")
	}
	return connect(ctx, g.DSN, h.Wait, append(opts, append(g.eventOptions(), chschema.WithHistoryTable(h.HistoryTable))...)...)
}

// noteMissingDatabase says, for a command that only reads, that the DSN's
// database does not exist: every migration shows as pending, which is
// right before a first deploy and a typo otherwise.
func noteMissingDatabase(env *Env, g *Globals, db *chschema.DB) {
	if db.DatabaseMissing() && g.Format == "text" {
		fmt.Fprintf(env.Stderr, "chschema: note: the DSN's database %s does not exist on the server (yet)\n", db.Database())
	}
}

// connectRunner is connect with --cluster.
func (f *runnerFlags) connect(ctx context.Context, g *Globals) (*chschema.DB, error) {
	var opts []chschema.ConnectOption
	if f.Cluster != "" {
		opts = append(opts, chschema.WithCluster(f.Cluster))
	}
	return f.historyFlags.connect(ctx, g, opts...)
}

// eventOptions makes Connect report its waits for the server as events.
func (g *Globals) eventOptions() []chschema.ConnectOption {
	if g.events == nil {
		return nil
	}
	return []chschema.ConnectOption{chschema.WithEvents(g.events)}
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

// refusal turns refusals into a *refusedError (exit 1), which reportError
// prints: a broken seal and pre-flight lint errors as lint findings, drift
// the way `chschema diff` prints it, and edited, missing or out-of-order
// migrations as messages. Other errors stay errors (exit 2).
func refusal(env *Env, g *Globals, err error, what string) error {
	unchanged := ""
	switch what {
	case "migrate", "down", "baseline":
		unchanged = "; nothing was changed on the server"
	}
	lintText := func(findings []lint.Finding) func(io.Writer) {
		return func(w io.Writer) {
			_ = (&lint.Report{Findings: findings}).Write(w, lint.Text, displayDir(g.Dir))
		}
	}
	if se, ok := err.(*chschema.SealError); ok {
		return &refusedError{What: what, Reason: "the migrations do not match chschema.sum; released migrations stay as they are (add a new migration instead)",
			Findings: underDir(g, se.Findings), text: lintText(se.Findings), err: err}
	}
	var pe *chschema.PreflightError
	if errors.As(err, &pe) {
		if pe.Reason != "" {
			return &refusedError{What: what, Reason: pe.Reason + unchanged, err: err}
		}
		return &refusedError{What: what, Reason: fmt.Sprintf("lint reports %s in what it would run%s", english.Plural(len(pe.Findings), "error"), unchanged),
			Findings: underDir(g, pe.Findings), text: lintText(pe.Findings), err: err}
	}
	var de *drift.Error
	if errors.As(err, &de) {
		hint := ""
		if what == "migrate" {
			hint = "; fix the drift, or run with --allow-drift"
		}
		return &refusedError{What: what, Reason: fmt.Sprintf("%s (see above)%s%s", strings.TrimPrefix(err.Error(), "chschema: "), unchanged, hint), Drift: de.Report.Result, err: err,
			text: func(w io.Writer) {
				_ = diff.WriteText(w, de.Report.Result, diff.TextOptions{FromLabel: "expected (applied migrations in " + g.Dir + ")", ToLabel: "live (server)",
					Color: env.StderrTTY && !hasEnv(env.Environ, "NO_COLOR")})
			}}
	}
	if errors.Is(err, apply.ErrEdited) || errors.Is(err, apply.ErrMissing) || errors.Is(err, apply.ErrOutOfOrder) ||
		errors.Is(err, apply.ErrUndecided) || errors.Is(err, apply.ErrDataLoss) || errors.Is(err, apply.ErrNeedsSession) {
		return &refusedError{What: what, Reason: err.Error(), err: err}
	}
	return dirError(g, err)
}

// underDir is findings with their paths under --dir as the user named it,
// as lint's own output has them.
func underDir(g *Globals, findings []lint.Finding) []lint.Finding {
	out := make([]lint.Finding, len(findings))
	for i, f := range findings {
		f.File = path.Join(displayDir(g.Dir), f.File)
		out[i] = f
	}
	return out
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
