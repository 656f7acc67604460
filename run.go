package chschema

import (
	"context"
	"errors"
	"fmt"

	"github.com/chschema/chschema/apply"
	"github.com/chschema/chschema/drift"
	"github.com/chschema/chschema/parser"
)

// Key names a migration: its service and version.
type Key = apply.Key

// Report says what Migrate or Down did (or, for a dry run, would do):
// Applied lists the migrations whose section ran to the end (reverted ones
// for Down), Resumed the half-applied ones taken up, Plan the statements of
// a dry run. Applied encodes as [], never null.
type Report = apply.Report

// MigrationStatus is one migration's state on a server; see Status.
type MigrationStatus = apply.UnitStatus

// RunOption shapes one call of Migrate, Down or Baseline. Each method
// accepts the options that make sense for it and rejects the others.
type RunOption interface {
	applyRun(*runConfig) error
}

type runConfig struct {
	to            *uint64
	service       string
	steps         int
	dryRun        bool
	strict        bool
	resumeAt      []ResumePoint
	stop          <-chan struct{}
	allowDataLoss bool
	perNode       bool
	used          map[string]bool
}

// ResumePoint says where to resume a half-applied migration: Next is the
// 1-based statement of its current section to run next. See ResumeAt.
type ResumePoint = apply.ResumePoint

// ParseResumePoint reads a resume point as --resume-at takes it:
// "service/version:statement", e.g. "xapi/0003:4".
func ParseResumePoint(s string) (ResumePoint, error) { return apply.ParseResumePoint(s) }

// DataLoss is data a down statement would destroy; see AllowDataLoss.
type DataLoss = apply.DataLoss

type runOption struct {
	name string
	fn   func(*runConfig) error
}

func (o runOption) applyRun(c *runConfig) error {
	if c.used[o.name] {
		return fmt.Errorf("chschema: %s given twice", o.name)
	}
	c.used[o.name] = true
	return o.fn(c)
}

// ToVersion limits Migrate to the migrations up to and including version
// (with OnlyService, of that service; otherwise of every service), and
// makes Down revert every migration above version (0 reverts all).
func ToVersion(version uint64) RunOption {
	return runOption{"ToVersion", func(c *runConfig) error { c.to = &version; return nil }}
}

// OnlyService limits the operation to one service's migrations.
func OnlyService(name string) RunOption {
	return runOption{"OnlyService", func(c *runConfig) error {
		if name == "" {
			return errors.New("chschema: OnlyService: empty service name")
		}
		c.service = name
		return nil
	}}
}

// Steps makes Down revert the n most recently applied migrations.
func Steps(n int) RunOption {
	return runOption{"Steps", func(c *runConfig) error {
		if n <= 0 {
			return fmt.Errorf("chschema: Steps: %d is not a positive number of steps", n)
		}
		c.steps = n
		return nil
	}}
}

// DryRun makes Migrate or Down return the plan (Report.Plan: the rendered
// statements that would run) and change nothing: no lock, no init.sql, no
// history table.
func DryRun() RunOption {
	return runOption{"DryRun", func(c *runConfig) error { c.dryRun = true; return nil }}
}

// StrictDown makes Down refuse down sections marked -- no-op
// (apply.ErrNoOpDown) instead of recording them as reverted.
func StrictDown() RunOption {
	return runOption{"StrictDown", func(c *runConfig) error { c.strict = true; return nil }}
}

// ResumeAt tells Migrate or Down where to resume half-applied migrations
// when the evidence cannot tell how far an interrupted run got, or a
// statement is partly done (an error wrapping apply.ErrUndecided, an
// *apply.ResumeError that says what to check and which points fit). A
// point never goes back before a statement known to have completed. The
// decision is reported as a ResumeDecided event from "resume-at".
func ResumeAt(points ...ResumePoint) RunOption {
	return runOption{"ResumeAt", func(c *runConfig) error {
		if len(points) == 0 {
			return errors.New("chschema: ResumeAt: no resume point")
		}
		c.resumeAt = points
		return nil
	}}
}

// StopOn makes Migrate or Down stop early, cleanly, when stop is closed (a
// first SIGINT or SIGTERM, in the chschema command): a running schema
// statement finishes, a running data statement (INSERT, OPTIMIZE) is
// cancelled on the server, progress is recorded (migrations never started
// stay pending), the lock is released, and the error wraps
// apply.ErrInterrupted. Cancelling the context instead cancels the running
// statement at once, whatever its kind, and records and releases the same
// way.
func StopOn(stop <-chan struct{}) RunOption {
	return runOption{"StopOn", func(c *runConfig) error {
		if stop == nil {
			return errors.New("chschema: StopOn: nil channel")
		}
		c.stop = stop
		return nil
	}}
}

// AllowDataLoss lets Down run statements that destroy data: drop a
// database, table or column that holds rows, truncate, delete, update,
// drop a partition. By default such a down refuses before running anything
// with an *apply.DataLossError listing what would be lost (rows and bytes,
// per statement); Report.DataLoss lists it in a dry run too.
func AllowDataLoss() RunOption {
	return runOption{"AllowDataLoss", func(c *runConfig) error { c.allowDataLoss = true; return nil }}
}

// options are the apply options of the run options.
func (c *runConfig) options() []apply.Option {
	var opts []apply.Option
	if len(c.resumeAt) > 0 {
		opts = append(opts, apply.WithResumeAt(c.resumeAt...))
	}
	if c.stop != nil {
		opts = append(opts, apply.WithStop(c.stop))
	}
	if c.allowDataLoss {
		opts = append(opts, apply.WithDataLossAllowed())
	}
	return opts
}

// newRunConfig applies opts, allowing only the named ones.
func newRunConfig(method string, opts []RunOption, allowed ...string) (*runConfig, error) {
	c := &runConfig{used: map[string]bool{}}
	for i, o := range opts {
		if o == nil {
			return nil, fmt.Errorf("chschema: %s: option %d is nil", method, i+1)
		}
		if err := o.applyRun(c); err != nil {
			return nil, err
		}
	}
	for name := range c.used {
		ok := false
		for _, a := range allowed {
			ok = ok || a == name
		}
		if !ok {
			return nil, fmt.Errorf("chschema: %s does not take %s", method, name)
		}
	}
	return c, nil
}

func (c *runConfig) target() apply.Target {
	return apply.Target{Service: c.service, To: c.to, Steps: c.steps}
}

func (c *runConfig) mode() apply.Mode {
	if c.dryRun {
		return apply.DryRun
	}
	return apply.Execute
}

// runner builds the apply.Runner of an operation on db.
func (p *Project) runner(db *DB, extra ...apply.Option) (*apply.Runner, error) {
	if db == nil {
		return nil, errors.New("chschema: nil *DB")
	}
	lock, err := p.tableLock(db, p.cfg.events)
	if err != nil {
		return nil, err
	}
	return p.runnerWith(db, lock, p.cfg.events, extra...)
}

// tableLock is the migration lock on db, beside its history.
func (p *Project) tableLock(db *DB, events func(Event)) (*apply.TableLock, error) {
	return apply.NewTableLock(db.conn, db.history.database, apply.LockTableName(db.history.table), apply.LockOptions{
		Timeout: p.cfg.lockTimeout, Lease: p.cfg.lockLease, ID: "chschema " + p.cfg.version,
		OnCluster: db.cluster, Events: events})
}

// runnerWith is runner with its lock and event callback given.
func (p *Project) runnerWith(db *DB, lock apply.Locker, events func(Event), extra ...apply.Option) (*apply.Runner, error) {
	history, err := apply.NewTableHistory(db.conn, apply.HistoryOptions{
		Database: db.history.database, Table: db.history.table, Cluster: db.cluster})
	if err != nil {
		return nil, err
	}
	opts := []apply.Option{
		apply.WithInit(p.init),
		apply.WithEvents(events),
		apply.WithJournal(p.cfg.journal),
		apply.WithVersion(p.cfg.version),
	}
	if p.cfg.noMutationWait {
		opts = append(opts, apply.WithoutMutationWait())
	}
	if db.sessions != nil {
		opts = append(opts, apply.WithSessions(db.sessions))
	}
	return apply.New(db.conn, history, lock, append(opts, extra...)...)
}

// verifier is the drift check of migrate, baseline and verify on db: the
// ignore rules, and chschema's own tables left out.
func (p *Project) verifier(db *DB) (*apply.DriftVerifier, error) {
	return apply.NewDriftVerifier(db.conn, drift.Options{Ignore: p.ignore, Session: db.database, Own: db.own()})
}

// Migrate applies the pending migrations on db, in order: it takes the
// lock, runs init.sql, refuses edited, missing or out-of-order applied
// migrations (apply.ErrEdited, apply.ErrMissing, apply.ErrOutOfOrder) and
// drift (a *drift.Error; see WithoutDriftCheck), resumes a half-applied
// migration after its completed statements, applies the rest statement by
// statement, waiting for the mutations they start, records each in the
// history, and releases the lock. Options: ToVersion, OnlyService, DryRun,
// ResumeAt, StopOn.
//
// A half-applied migration (an interrupted run) is resumed after its
// completed statements, decided from the history, the query log while it
// holds the whole run, or else the live schema (a ResumeDecided event says
// which); when none can tell, or a statement is partly done, Migrate
// refuses with an *apply.ResumeError (apply.ErrUndecided) that says what to
// check and which ResumeAt points fit. A run that loses its lock's lease
// stops before its next statement (apply.ErrLockLost) and records nothing
// more.
//
// A failed statement is an *apply.StmtError at its file:line:col; the
// report then says what was done before it.
func (p *Project) Migrate(ctx context.Context, db *DB, opts ...RunOption) (*Report, error) {
	if err := p.ready(); err != nil {
		return nil, err
	}
	rc, err := newRunConfig("Migrate", opts, "ToVersion", "OnlyService", "DryRun", "ResumeAt", "StopOn")
	if err != nil {
		return nil, err
	}
	if db == nil {
		return nil, errors.New("chschema: nil *DB")
	}
	if err := p.checkTarget("migrate", rc, rc.to, false); err != nil {
		return nil, err
	}
	v, err := p.verifier(db)
	if err != nil {
		return nil, err
	}
	// The live schema decides where to resume when the query log cannot,
	// drift check or not.
	extra := append(rc.options(), apply.WithPreflight(p.preflight(db, "migrate")), apply.WithStateMatcher(v))
	if !p.cfg.noDriftCheck {
		extra = append(extra, apply.WithVerifier(v))
	}
	r, err := p.runner(db, extra...)
	if err != nil {
		return nil, err
	}
	return r.Migrate(ctx, p.units, rc.target(), rc.mode())
}

// Down reverts applied migrations, most recently applied first, running
// their down sections in reverse order and recording each. It needs exactly
// one of ToVersion (revert every migration above it; 0 reverts all) and
// Steps; OnlyService, StrictDown, DryRun, ResumeAt, StopOn and
// AllowDataLoss also apply. A down that would destroy data refuses unless
// AllowDataLoss (see there); Report.DataLoss lists the data.
func (p *Project) Down(ctx context.Context, db *DB, opts ...RunOption) (*Report, error) {
	if err := p.ready(); err != nil {
		return nil, err
	}
	rc, err := newRunConfig("Down", opts, "ToVersion", "Steps", "OnlyService", "StrictDown", "DryRun", "ResumeAt", "StopOn", "AllowDataLoss")
	if err != nil {
		return nil, err
	}
	if (rc.to == nil) == (rc.steps == 0) {
		return nil, errors.New("chschema: Down needs exactly one of ToVersion and Steps")
	}
	if db == nil {
		return nil, errors.New("chschema: nil *DB")
	}
	if err := p.checkTarget("down", rc, rc.to, true); err != nil {
		return nil, err
	}
	extra := append(rc.options(), apply.WithStrictDown(rc.strict), apply.WithPreflight(p.preflight(db, "down")))
	v, err := p.verifier(db)
	if err != nil {
		return nil, err
	}
	extra = append(extra, apply.WithStateMatcher(v))
	r, err := p.runner(db, extra...)
	if err != nil {
		return nil, err
	}
	return r.Down(ctx, p.units, rc.target(), rc.mode())
}

// BaselineResult lists the migrations Baseline recorded.
type BaselineResult struct {
	// Baselined encodes as [], never null.
	Baselined []Key `json:"baselined"`
}

// Baseline records the migrations up to and including version (of every
// service, or of OnlyService's) as applied without running them, for a
// database that already holds their schema. It first checks that the live
// schema equals the expected one at that version, and refuses on any drift
// (a *drift.Error), whatever WithoutDriftCheck says: that check is what
// makes a baseline safe.
func (p *Project) Baseline(ctx context.Context, db *DB, version uint64, opts ...RunOption) (*BaselineResult, error) {
	if err := p.ready(); err != nil {
		return nil, err
	}
	rc, err := newRunConfig("Baseline", opts, "OnlyService", "StopOn")
	if err != nil {
		return nil, err
	}
	if db == nil {
		return nil, errors.New("chschema: nil *DB")
	}
	if err := p.checkTarget("baseline", rc, &version, false); err != nil {
		return nil, err
	}
	v, err := p.verifier(db)
	if err != nil {
		return nil, err
	}
	r, err := p.runner(db, append(rc.options(), apply.WithVerifier(v), apply.WithPreflight(p.preflight(db, "baseline")))...)
	if err != nil {
		return nil, err
	}
	keys, err := r.Baseline(ctx, p.units, apply.Target{Service: rc.service, To: &version})
	if err != nil {
		return nil, err
	}
	if keys == nil {
		keys = []Key{}
	}
	return &BaselineResult{Baselined: keys}, nil
}

// StatusResult is every migration's state on a server.
type StatusResult struct {
	// Migrations are in service, then version order: each applied,
	// baselined, pending, incomplete, edited (changed since applied) or
	// missing (recorded, but its file is gone).
	Migrations []MigrationStatus `json:"migrations"`
}

// Status reads the history on db and reports each migration's state. It
// takes no lock and changes nothing. OnlyService limits it to one service.
func (p *Project) Status(ctx context.Context, db *DB, opts ...RunOption) (*StatusResult, error) {
	if err := p.ready(); err != nil {
		return nil, err
	}
	rc, err := newRunConfig("Status", opts, "OnlyService")
	if err != nil {
		return nil, err
	}
	if err := p.checkTarget("status", rc, nil, false); err != nil {
		return nil, err
	}
	r, err := p.runner(db)
	if err != nil {
		return nil, err
	}
	st, err := r.Status(ctx, p.units)
	if err != nil {
		return nil, err
	}
	res := &StatusResult{Migrations: []MigrationStatus{}}
	for _, m := range st {
		if rc.service == "" || m.Service == rc.service {
			res.Migrations = append(res.Migrations, m)
		}
	}
	return res, nil
}

// Settled reports whether every migration is applied or baselined: none
// pending, incomplete, edited or missing (status --exit-code).
func (r *StatusResult) Settled() bool {
	for _, m := range r.Migrations {
		if m.State != apply.StateApplied && m.State != apply.StateBaselined {
			return false
		}
	}
	return true
}

// newServerParser is lint's server check on db.
func newServerParser(db *DB) (*parser.ServerParser, error) {
	return parser.NewServerParser(db.conn)
}
