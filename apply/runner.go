package apply

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/chschema/chschema/drift"
	"github.com/chschema/chschema/internal/english"
)

// Sentinel errors of the apply package. Errors wrap them with details.
var (
	// ErrEdited: a migration that was applied (or partly applied) has changed.
	ErrEdited = errors.New("apply: applied migration was edited")
	// ErrMissing: the history records a migration whose file is gone.
	ErrMissing = errors.New("apply: applied migration is missing")
	// ErrOutOfOrder: a pending migration sorts before an applied one.
	ErrOutOfOrder = errors.New("apply: pending migration sorts before an applied one")
	// ErrIncomplete: an operation needs a migration that is half-applied.
	ErrIncomplete = errors.New("apply: migration is incomplete")
	// ErrStillRunning: a statement of an interrupted run is still executing.
	ErrStillRunning = errors.New("apply: a statement of an interrupted run is still running on the server")
	// ErrNoOpDown: a strict down met a down section marked -- no-op.
	ErrNoOpDown = errors.New("apply: down section is a no-op")
	// ErrMutationFailed: a mutation started by a migration failed.
	ErrMutationFailed = errors.New("apply: mutation failed")
)

// Journal says how a run records which statements completed.
type Journal int

const (
	// JournalAuto uses the query log when the server has one, else the table.
	JournalAuto Journal = iota
	// JournalQueryLog: every statement has a deterministic query_id; after an
	// interruption, system.query_log says which ones finished. No extra round
	// trip per statement.
	JournalQueryLog
	// JournalTable: a history event after every statement. One more round trip
	// per statement, and a kill between a statement and its event leaves that
	// one statement unknown (the drift check then decides).
	JournalTable
)

// String names the journal as --journal does: auto, querylog or table.
func (j Journal) String() string {
	switch j {
	case JournalQueryLog:
		return "querylog"
	case JournalTable:
		return "table"
	}
	return "auto"
}

// recorded is the journal as the history stores it: "" when unknown.
func (j Journal) recorded() string {
	if j == JournalAuto {
		return ""
	}
	return j.String()
}

func parseJournal(s string) Journal {
	switch s {
	case "querylog":
		return JournalQueryLog
	case "table":
		return JournalTable
	}
	return JournalAuto
}

// Verifier checks the live schema against the expected one before anything
// runs. It returns an error describing the drift, if any (a *drift.Error for
// DriftVerifier).
type Verifier interface {
	Verify(ctx context.Context, state AppliedState) error
}

// AppliedState is what the server holds according to its history: init.sql,
// then the applied units, then the completed statements of the half-applied
// ones. It is what a Verifier compares the live schema with.
type AppliedState struct {
	// Init is init.sql's statements, which run before every migrate.
	Init []Statement
	// Applied lists the applied units (and, for baseline, the units about
	// to be recorded as applied).
	Applied []*Unit
	// Partial gives, for each half-applied unit, how many statements of its
	// section completed; they count as expected.
	Partial map[Key]PartialUnit
	// Only, when set, limits the comparison to the objects these units (of
	// Applied) create, change or drop: baseline --service compares one
	// service's objects, not those of the others sharing its databases.
	Only []*Unit
	// Strict makes ReplayApplied fail on a statement the model cannot
	// replay, as chschema schema does. Otherwise the statements are taken
	// as ones the server has run: such a statement is the model's failure,
	// a finding whose objects become uncertain, and everything else is
	// still compared.
	Strict bool
}

// PartialUnit is a half-applied unit: Done statements of its section ran.
type PartialUnit struct {
	Unit *Unit
	Done int
	Down bool
	// From says how Done was decided (FromHistory, FromQueryLog,
	// FromLiveSchema, FromResumeAt).
	From string
}

// StmtInfo is what the runner needs to know about a statement beyond its text.
type StmtInfo struct {
	// Mutation is true when the statement may start a mutation to wait for.
	Mutation bool
	// Database and Table name the mutated table (Database empty: the connection's).
	Database, Table string
	// Set holds the settings of a SET statement, when the classifier reads
	// them differently from the parser: they apply to the statements after
	// it in the same section, as in a session (see WithSessions; the
	// runner reads SET, USE and the other session statements itself).
	Set map[string]string
}

// Preflight is what a run knows before it changes anything: the history
// read under the lock, and what the operation is about to run, before
// init.sql runs. See WithPreflight.
type Preflight struct {
	// Op is "migrate", "down" or "baseline".
	Op string
	// DryRun is true for a dry run, which takes no lock and runs nothing.
	DryRun bool
	Units  []*Unit
	// State is each migration's record in the history.
	State map[Key]Record
	// Partial are the half-applied units, with their completed statements.
	Partial map[Key]PartialUnit
	// Run are the units whose sections the operation is about to run, in
	// order: up sections for migrate, down sections for down, none for
	// baseline.
	Run []*Unit
	// Init is true when init.sql runs next (migrate and baseline).
	Init bool
	// Locked is false for the pass made before the lock is taken on a
	// server with no history yet (a first deploy): taking the lock may
	// create the history's database, so a run that is going to be refused
	// is refused before it. The checks then run again under the lock.
	Locked bool
}

// Option configures a Runner.
type Option func(*Runner) error

// WithInit sets the statements of init.sql, run before anything else on every
// migrate and baseline; they must be idempotent. The verifier replays them
// too: they are passed once, here.
func WithInit(stmts []Statement) Option {
	return func(r *Runner) error { r.init = stmts; return nil }
}

// WithVerifier sets the drift check run before applying and baselining.
func WithVerifier(v Verifier) Option {
	return func(r *Runner) error {
		if v == nil {
			return errors.New("apply: WithVerifier: nil verifier")
		}
		r.verifier = v
		return nil
	}
}

// WithEvents sets the callback that receives the run's events (see
// RunEvent): waits, migrations and statements starting and ending, resume
// decisions, the drift check's result.
func WithEvents(fn func(RunEvent)) Option {
	return func(r *Runner) error {
		if fn == nil {
			return errors.New("apply: WithEvents: nil callback")
		}
		r.events = fn
		return nil
	}
}

// WithJournal chooses how completed statements are recorded.
func WithJournal(j Journal) Option {
	return func(r *Runner) error {
		if j < JournalAuto || j > JournalTable {
			return fmt.Errorf("apply: unknown journal mode %d", j)
		}
		r.journal = j
		return nil
	}
}

// WithClassifier replaces the function that tells the runner which
// statements start mutations, and on which table, to wait for them. The
// default is MutationClassifier.
func WithClassifier(f func(Statement) StmtInfo) Option {
	return func(r *Runner) error {
		if f == nil {
			return errors.New("apply: WithClassifier: nil classifier (WithoutMutationWait turns waiting off)")
		}
		if r.noMutationWait {
			return errors.New("apply: WithClassifier conflicts with WithoutMutationWait")
		}
		r.classify, r.customClassifier = f, true
		return nil
	}
}

// WithoutMutationWait makes the runner go on to the next statement as soon
// as a statement that starts a mutation returns, without waiting in
// system.mutations for the mutation to finish (or fail).
func WithoutMutationWait() Option {
	return func(r *Runner) error {
		if r.customClassifier {
			return errors.New("apply: WithoutMutationWait conflicts with WithClassifier")
		}
		r.noMutationWait = true
		r.classify = func(Statement) StmtInfo { return StmtInfo{} }
		return nil
	}
}

// WithVersion sets the chschema version recorded in the history.
func WithVersion(v string) Option {
	return func(r *Runner) error { r.version = v; return nil }
}

// WithStrictDown makes down refuse sections marked -- no-op.
func WithStrictDown(strict bool) Option {
	return func(r *Runner) error { r.strictDown = strict; return nil }
}

// WithSettings adds ClickHouse settings to every migration statement.
func WithSettings(s map[string]any) Option {
	return func(r *Runner) error {
		for k, v := range s {
			r.settings[k] = v
		}
		return nil
	}
}

// WithStatementHook sets a function called before every statement of a
// migration runs, with the statement about to run. An error stops the run
// there, as if the statement had failed: the migration is recorded as
// failed with the statements before it completed, and the error is returned
// in a *StmtError.
func WithStatementHook(fn func(context.Context, StatementStarted) error) Option {
	return func(r *Runner) error {
		if fn == nil {
			return errors.New("apply: WithStatementHook: nil hook")
		}
		r.beforeStmt = fn
		return nil
	}
}

// WithPreflight sets a check that runs once the history is read and the
// operation knows what it is about to run (Preflight.Run), before the drift
// check, init.sql or any migration runs (for a dry run, before the plan is
// returned). An error stops the operation with nothing changed on the
// server: under the lock, the lock table is dropped again; on a server
// with no history yet, the check also runs before the lock is taken (see
// Preflight.Locked), so that not even the history's database is created.
func WithPreflight(fn func(context.Context, Preflight) error) Option {
	return func(r *Runner) error {
		if fn == nil {
			return errors.New("apply: WithPreflight: nil check")
		}
		r.preflight = fn
		return nil
	}
}

// Runner applies migrations to one server. It holds the lock for each
// operation and records every step in the history.
type Runner struct {
	conn             driver.Conn
	history          HistoryStore
	locker           Locker
	init             []Statement
	verifier         Verifier
	events           func(RunEvent)
	journal          Journal
	classify         func(Statement) StmtInfo
	customClassifier bool
	noMutationWait   bool
	beforeStmt       func(context.Context, StatementStarted) error
	preflight        func(context.Context, Preflight) error
	stop             <-chan struct{}
	leaseLost        bool
	matcher          StateMatcher
	resumeAt         map[Key]int
	allowDataLoss    bool
	version          string
	host             string
	strictDown       bool
	settings         clickhouse.Settings
	poll             time.Duration
	// sessions opens the sections' sessions (nil: none, see WithSessions);
	// cur is the session of the last section, curClean whether that
	// section left it as it found it, so that the next one may use it too.
	sessions SessionOpener
	cur      Session
	curClean bool
}

// New returns a Runner. conn, history and locker are required. By default
// the runner waits for the mutations a statement starts (see
// MutationClassifier; WithoutMutationWait turns that off) and reports no
// events.
func New(conn driver.Conn, history HistoryStore, locker Locker, opts ...Option) (*Runner, error) {
	if conn == nil || history == nil || locker == nil {
		return nil, errors.New("apply: New needs a connection, a history store and a locker")
	}
	host, _ := os.Hostname()
	r := &Runner{conn: conn, history: history, locker: locker, events: func(RunEvent) {}, host: host,
		// log_queries: resume reads system.query_log. mutations_sync=0: an
		// ALTER that starts a mutation returns once it is registered (and
		// logged as finished), and the runner then waits in system.mutations,
		// so an interruption while waiting never runs the ALTER twice.
		settings: clickhouse.Settings{"log_queries": 1, "mutations_sync": 0}, poll: 200 * time.Millisecond,
		classify: MutationClassifier}
	for _, o := range opts {
		if o == nil {
			return nil, errors.New("apply: New: nil option")
		}
		if err := o(r); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// Mode says whether Migrate and Down change the server or only plan.
type Mode int

const (
	// Execute takes the lock, runs the statements and records them.
	Execute Mode = iota
	// DryRun returns the plan (Report.Plan) and changes nothing: no lock,
	// no init.sql, no history table.
	DryRun
)

// Target limits a migrate or down.
type Target struct {
	// Service limits the run to one service; empty means all.
	Service string
	// To is the version to stop at (inclusive for up; for down, the version
	// left applied). Nil means no limit (up) or is invalid for down unless
	// Steps is set.
	To *uint64
	// Steps, for down, is how many migrations to revert.
	Steps int
}

// Report says what a run did.
type Report struct {
	Attempt string `json:"attempt"`
	// Applied lists the units whose section ran to the end in this run. It
	// encodes as [] when empty, never null.
	Applied []Key `json:"applied"`
	// Resumed lists units that an earlier run left half-done, with how many
	// statements it had completed.
	Resumed []Resumed `json:"resumed,omitempty"`
	// Statements counts the statements executed.
	Statements int `json:"statements"`
	// Init is filled by a dry run of migrate: init.sql's statements, which
	// run before the plan.
	Init []Statement `json:"init,omitempty"`
	// Plan is filled by a dry run: the statements that would run, in order.
	Plan []PlannedStatement `json:"plan,omitempty"`
	// DataLoss lists, for a down, the data its statements destroy (or, in
	// a dry run, would destroy), as the server held it before.
	DataLoss []DataLoss `json:"data_loss,omitempty"`
}

// MarshalJSON encodes the report with Applied as [] when it is empty.
func (r Report) MarshalJSON() ([]byte, error) {
	type plain Report
	p := plain(r)
	if p.Applied == nil {
		p.Applied = []Key{}
	}
	return json.Marshal(p)
}

// Resumed is a unit that a run took up where an interrupted one stopped.
type Resumed struct {
	Key
	// Done is how many statements had completed before.
	Done int `json:"done"`
	// From says how that was decided: "history", "query log", "live
	// schema" or "resume-at".
	From string `json:"from,omitempty"`
}

// ResumedAt returns how many statements of k had completed when the run
// resumed it, or 0.
func (r *Report) ResumedAt(k Key) int {
	for _, x := range r.Resumed {
		if x.Key == k {
			return x.Done
		}
	}
	return 0
}

// PlannedStatement is one statement of a dry-run plan.
type PlannedStatement struct {
	Key   Key       `json:"key"`
	Index int       `json:"index"`
	Stmt  Statement `json:"statement"`
}

// session is what every operation reads before it changes anything.
type session struct {
	attempt string
	state   map[Key]Record
	byKey   map[Key]*Unit
	journal Journal
	partial map[Key]PartialUnit
}

// opPlan is what an operation is about to do, decided from the history:
// the sections to run, and the state the drift check compares the live
// schema with (nil: no drift check).
type opPlan struct {
	plan   []plannedUnit
	verify *AppliedState
}

// units are the planned units, in order.
func (p *opPlan) units() []*Unit {
	out := make([]*Unit, len(p.plan))
	for i, q := range p.plan {
		out[i] = q.unit
	}
	return out
}

// begin takes the lock (unless mode is DryRun), reads and checks the
// history, decides what to do (prepare), runs the preflight check and the
// drift check, and then init.sql (if runInit). Nothing changes on the
// server before those checks pass: on a server with no history, they run
// once before the lock too (see Preflight.Locked). The caller must call
// r.release unless mode is DryRun or begin failed.
func (r *Runner) begin(ctx context.Context, op string, units []*Unit, mode Mode, runInit bool, prepare func(*session) (*opPlan, error)) (*session, *opPlan, error) {
	if mode != Execute && mode != DryRun {
		return nil, nil, fmt.Errorf("apply: unknown mode %d", mode)
	}
	s := &session{attempt: newAttempt(), byKey: indexUnits(units)}
	dryRun := mode == DryRun
	if !dryRun && (r.preflight != nil || r.verifier != nil) {
		if err := r.checkFirstDeploy(ctx, op, s, runInit, prepare); err != nil {
			return s, nil, err
		}
	}
	if !dryRun {
		if err := r.locker.Acquire(ctx); err != nil {
			return nil, nil, err
		}
	}
	fail := func(err error) (*session, *opPlan, error) {
		if !dryRun {
			r.release(ctx)
		}
		return s, nil, err
	}
	if err := r.readState(ctx, s); err != nil {
		return fail(err)
	}
	pl, err := r.check(ctx, op, s, dryRun, runInit, true, prepare)
	if err != nil {
		return fail(err)
	}
	if !dryRun {
		if err := r.prepareServer(ctx, s, runInit); err != nil {
			return fail(err)
		}
	}
	return s, pl, nil
}

// checkFirstDeploy runs the checks before the lock when the server has no
// history: taking the lock may create the history's database, and a run
// that is going to be refused must change nothing. When the checks fail
// but a history has appeared meanwhile (a concurrent first run), the
// decision is left to the checks under the lock.
func (r *Runner) checkFirstDeploy(ctx context.Context, op string, s *session, runInit bool, prepare func(*session) (*opPlan, error)) error {
	events, err := r.history.Load(ctx)
	if err != nil || len(events) > 0 {
		return err
	}
	first := &session{attempt: s.attempt, byKey: s.byKey, state: map[Key]Record{}, partial: map[Key]PartialUnit{}}
	if _, err := r.check(ctx, op, first, false, runInit, false, prepare); err != nil {
		if again, lerr := r.history.Load(ctx); lerr == nil && len(again) > 0 {
			return nil
		}
		return err
	}
	return nil
}

// check decides what the operation does from the session's history and
// runs the preflight check and the drift check on it.
func (r *Runner) check(ctx context.Context, op string, s *session, dryRun, runInit, locked bool, prepare func(*session) (*opPlan, error)) (*opPlan, error) {
	pl, err := prepare(s)
	if err != nil {
		return nil, err
	}
	if err := r.checkSessions(pl.plan, op == "down", runInit); err != nil {
		return nil, err
	}
	if r.preflight != nil {
		pf := Preflight{Op: op, DryRun: dryRun, Units: unitsOf(s.byKey), State: s.state, Partial: s.partial,
			Run: pl.units(), Init: runInit, Locked: locked}
		if err := r.preflight(ctx, pf); err != nil {
			return nil, err
		}
	}
	if r.verifier != nil && pl.verify != nil {
		setUnits(r.verifier, unitsOf(s.byKey))
		if locked {
			err = r.verifyWith(ctx, r.verifier, *pl.verify)
		} else if err = r.verifier.Verify(ctx, *pl.verify); err != nil {
			// Reported once: the pass under the lock reports its own.
			r.events(DriftChecked{Err: err, Changes: driftChanges(err)})
		}
		if err != nil {
			return nil, err
		}
	}
	return pl, nil
}

func (r *Runner) prepareServer(ctx context.Context, s *session, runInit bool) error {
	if runInit && len(r.init) > 0 {
		r.events(InitStarted{Statements: len(r.init)})
		begin := time.Now()
		sec, err := r.openSection(ctx, r.init, 0, nil)
		if err != nil {
			return err
		}
		for i, st := range r.init {
			if err := r.held(); err != nil {
				return err
			}
			if err := sec.exec(ctx, st, queryID(s.attempt, "init", 0, i, st)); err != nil {
				return &StmtError{Service: "init", Index: i, Stmt: st, Err: err}
			}
			sec.note(i, st)
		}
		r.events(InitDone{Statements: len(r.init), Duration: time.Since(begin)})
	}
	return r.history.Ensure(ctx)
}

func (r *Runner) readState(ctx context.Context, s *session) error {
	events, err := r.history.Load(ctx)
	if err != nil {
		return err
	}
	s.state = State(events)
	if err := checkApplied(s.state, s.byKey); err != nil {
		return err
	}
	if s.journal, err = r.journalMode(ctx); err != nil {
		return err
	}
	s.partial, err = r.resolvePartial(ctx, events, s.state, s.byKey)
	return err
}

// verifyWith runs v and reports its result as a DriftChecked event.
func (r *Runner) verifyWith(ctx context.Context, v Verifier, state AppliedState) error {
	err := v.Verify(ctx, state)
	r.events(DriftChecked{Err: err, Changes: driftChanges(err)})
	return err
}

// driftChanges counts the changes of a drift error.
func driftChanges(err error) int {
	var de *drift.Error
	if errors.As(err, &de) {
		return len(de.Report.Changes)
	}
	return 0
}

// Migrate brings the server to target: the lock, init.sql, verification,
// then the pending and half-applied units in order, statement by statement.
// With mode DryRun it only returns the plan: it takes no lock and changes
// nothing.
func (r *Runner) Migrate(ctx context.Context, units []*Unit, target Target, mode Mode) (*Report, error) {
	pctx, cancel := r.stoppable(ctx)
	defer cancel()
	defer r.closeSession()
	s, pl, err := r.begin(pctx, "migrate", units, mode, true, func(s *session) (*opPlan, error) {
		for _, k := range SortedKeys(s.partial) {
			if p := s.partial[k]; p.Down {
				return nil, fmt.Errorf("%w: %s was being reverted (%s done); run down to finish it", ErrIncomplete, k, english.Plural(p.Done, "statement"))
			}
		}
		plan, err := planUp(units, s.state, s.partial, target)
		if err != nil {
			return nil, err
		}
		return &opPlan{plan: plan, verify: &AppliedState{Init: r.init, Applied: appliedUnits(s.state, units), Partial: s.partial}}, nil
	})
	if err != nil {
		return &Report{}, r.beforeStatements(ctx, err)
	}
	if mode == Execute {
		defer r.release(ctx)
	}
	rep := &Report{Attempt: s.attempt}
	for _, p := range pl.plan {
		if p.start > 0 {
			rep.Resumed = append(rep.Resumed, Resumed{Key: p.unit.Key(), Done: p.start, From: s.partial[p.unit.Key()].From})
			r.events(Resuming{Key: p.unit.Key(), File: p.unit.File, Done: p.start, Total: len(p.unit.Up)})
		}
	}
	if mode == DryRun {
		rep.Init = r.init
		for _, p := range pl.plan {
			for i := p.start; i < len(p.unit.Up); i++ {
				rep.Plan = append(rep.Plan, PlannedStatement{Key: p.unit.Key(), Index: i, Stmt: p.unit.Up[i]})
			}
		}
		return rep, nil
	}
	return rep, r.run(ctx, s, pl.plan, false, rep)
}

// setUnits tells a UnitsAware verifier every unit.
func setUnits(v Verifier, units []*Unit) {
	if ua, ok := v.(UnitsAware); ok {
		ua.SetUnits(units)
	}
}

func (r *Runner) event(u *Unit, st Status, attempt string, done, total int, started time.Time) Event {
	return Event{Service: u.Service, Version: u.Version, Name: u.Name, Status: st, Attempt: attempt,
		Statements: uint32(done), Total: uint32(total), RawChecksum: u.RawChecksum,
		RenderedChecksum: u.RenderedChecksum(), StartedAt: started.UTC(),
		ChschemaVersion: r.version, Host: r.host}
}

// serverError drops the stack trace a server exception may carry, keeping the
// code and message; the original stays reachable with errors.As.
func serverError(err error) error {
	var ex *clickhouse.Exception
	if !errors.As(err, &ex) {
		return err
	}
	msg := ex.Message
	if i := strings.Index(msg, "\n\n0. "); i >= 0 {
		msg = msg[:i]
	}
	if i := strings.Index(msg, "\n0. "); i >= 0 {
		msg = msg[:i]
	}
	return &cleanException{msg: fmt.Sprintf("code %d: %s", ex.Code, strings.TrimSpace(msg)), err: err}
}

type cleanException struct {
	msg string
	err error
}

func (e *cleanException) Error() string { return e.msg }
func (e *cleanException) Unwrap() error { return e.err }

// waitMutations waits for the mutations a statement started, and fails if one
// of them fails. use is the database of the section's last USE before it
// ("": none), in which an unqualified table is.
func (r *Runner) waitMutations(ctx context.Context, k Key, use string, s Statement) error {
	info := r.classify(s)
	if !info.Mutation {
		return nil
	}
	if info.Database == "" {
		info.Database = use
	}
	begin := time.Now()
	totals := map[string]int64{}
	for {
		rows, err := r.conn.Query(ctx, `SELECT mutation_id, command, parts_to_do, create_time, latest_fail_reason
			FROM system.mutations
			WHERE database = if(? = '', currentDatabase(), ?) AND table = ? AND NOT is_done`,
			info.Database, info.Database, info.Table)
		if err != nil {
			return fmt.Errorf("apply: read system.mutations: %w", err)
		}
		pending := 0
		var fail error
		for rows.Next() {
			var id, cmd, reason string
			var parts int64
			var created time.Time
			if err := rows.Scan(&id, &cmd, &parts, &created, &reason); err != nil {
				rows.Close()
				return err
			}
			pending++
			if reason != "" {
				fail = fmt.Errorf("%w: %s on %s: %s", ErrMutationFailed, id, info.Table, reason)
			}
			totals[id] = max(totals[id], parts)
			r.events(MutationWaiting{Key: k, Database: info.Database, Table: info.Table, MutationID: id, Command: cmd,
				PartsToDo: parts, PartsTotal: totals[id], Created: created, Waited: time.Since(begin)})
		}
		rows.Close()
		if fail != nil {
			return fail
		}
		if pending == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-r.stop:
			// A stop request ends the wait; the mutation goes on.
			return fmt.Errorf("%w: stopped waiting for mutation of %s", ErrInterrupted, info.Table)
		case <-time.After(r.poll):
		}
	}
}

// journalMode decides between the query log and the table journal.
func (r *Runner) journalMode(ctx context.Context) (Journal, error) {
	if r.journal != JournalAuto {
		return r.journal, nil
	}
	ok, err := r.hasQueryLog(ctx)
	if err != nil {
		return 0, err
	}
	if ok {
		return JournalQueryLog, nil
	}
	return JournalTable, nil
}

func (r *Runner) hasQueryLog(ctx context.Context) (bool, error) {
	exists := func() (bool, error) {
		var n uint64
		err := r.conn.QueryRow(ctx, "SELECT count() FROM system.tables WHERE database = 'system' AND name = 'query_log'").Scan(&n)
		return n > 0, err
	}
	ok, err := exists()
	if err != nil || ok {
		return ok, err
	}
	// The table appears on the first flush; a server that logs queries has one after this.
	if err := r.conn.Exec(ctx, "SYSTEM FLUSH LOGS"); err != nil {
		return false, nil
	}
	return exists()
}

const queryIDPrefix = "chschema:"

// queryID is the deterministic id of statement idx of a unit in an attempt:
// chschema:<attempt>:<service>:<version>:<idx>:<hash>.
func queryID(attempt, service string, version uint64, idx int, s Statement) string {
	return fmt.Sprintf("%s%s:%s:%d:%d:%s", queryIDPrefix, attempt, service, version, idx, s.Hash())
}

func parseQueryID(id string) (attempt string, k Key, idx int, hash string, ok bool) {
	rest, ok := strings.CutPrefix(id, queryIDPrefix)
	if !ok {
		return
	}
	attempt, rest, ok = strings.Cut(rest, ":")
	if !ok {
		return
	}
	parts := strings.Split(rest, ":")
	if len(parts) < 4 {
		return "", Key{}, 0, "", false
	}
	n := len(parts)
	hash = parts[n-1]
	idx, err1 := strconv.Atoi(parts[n-2])
	version, err2 := strconv.ParseUint(parts[n-3], 10, 64)
	if err1 != nil || err2 != nil {
		return "", Key{}, 0, "", false
	}
	return attempt, Key{strings.Join(parts[:n-3], ":"), version}, idx, hash, true
}

func newAttempt() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return time.Now().UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(b)
}

// unitsOf lists the units of an index, in service then version order.
func unitsOf(byKey map[Key]*Unit) []*Unit {
	out := make([]*Unit, 0, len(byKey))
	for _, k := range SortedKeys(byKey) {
		out = append(out, byKey[k])
	}
	return out
}

func indexUnits(units []*Unit) map[Key]*Unit {
	m := make(map[Key]*Unit, len(units))
	for _, u := range units {
		m[u.Key()] = u
	}
	return m
}

// checkApplied refuses when an applied or half-applied migration's file is
// gone or, for applied ones, changed.
func checkApplied(state map[Key]Record, byKey map[Key]*Unit) error {
	var errs []error
	for _, k := range SortedKeys(state) {
		rec := state[k]
		if !rec.Applied() && !rec.Incomplete() {
			continue
		}
		u, ok := byKey[k]
		if !ok {
			errs = append(errs, fmt.Errorf("%w: %s (%s) is recorded as %s but its file is gone", ErrMissing, k, rec.Name, rec.Status))
			continue
		}
		if rec.Applied() && rec.RawChecksum != u.RawChecksum {
			errs = append(errs, fmt.Errorf("%w: %s changed after it was applied (checksum %s, now %s)", ErrEdited, u.File, short(rec.RawChecksum), short(u.RawChecksum)))
		}
	}
	return errors.Join(errs...)
}

func short(s string) string {
	if len(s) > 12 {
		return s[:12]
	}
	return s
}

func appliedUnits(state map[Key]Record, units []*Unit) []*Unit {
	var out []*Unit
	for _, u := range units {
		if state[u.Key()].Applied() {
			out = append(out, u)
		}
	}
	return out
}

type plannedUnit struct {
	unit  *Unit
	start int
}

// planUp lists the units to run, in service then version order, with the
// statement each starts at.
func planUp(units []*Unit, state map[Key]Record, partial map[Key]PartialUnit, target Target) ([]plannedUnit, error) {
	sorted := append([]*Unit(nil), units...)
	sort.SliceStable(sorted, func(i, j int) bool {
		if sorted[i].Service != sorted[j].Service {
			return sorted[i].Service < sorted[j].Service
		}
		return sorted[i].Version < sorted[j].Version
	})
	lastApplied := map[string]uint64{}
	for k, rec := range state {
		if (rec.Applied() || rec.Incomplete()) && k.Version > lastApplied[k.Service] {
			lastApplied[k.Service] = k.Version
		}
	}
	var plan []plannedUnit
	for _, u := range sorted {
		if target.Service != "" && u.Service != target.Service {
			continue
		}
		rec := state[u.Key()]
		if rec.Applied() {
			continue
		}
		if target.To != nil && u.Version > *target.To {
			continue
		}
		p, half := partial[u.Key()]
		if !half && u.Version < lastApplied[u.Service] {
			return nil, fmt.Errorf("%w: %s (%s) is pending but %s/%04d is applied", ErrOutOfOrder, u.Key(), u.File, u.Service, lastApplied[u.Service])
		}
		plan = append(plan, plannedUnit{unit: u, start: p.Done})
	}
	return plan, nil
}

// eventWriter appends history events in the background, so that recording a
// finished migration costs no round trip on the statement path. It writes at
// most once per interval, and first after one interval: events that arrive
// meanwhile go in the next batch.
// Losing a batch to a kill is harmless, since resume reads system.query_log.
type eventWriter struct {
	h        HistoryStore
	guard    func() error
	ctx      context.Context
	interval time.Duration
	mu       sync.Mutex
	pending  []Event
	err      error
	kick     chan struct{}
	closing  chan struct{}
	done     chan struct{}
}

func newEventWriter(ctx context.Context, h HistoryStore, guard func() error) *eventWriter {
	w := &eventWriter{h: h, guard: guard, ctx: context.WithoutCancel(ctx), interval: time.Second,
		kick: make(chan struct{}, 1), closing: make(chan struct{}), done: make(chan struct{})}
	go w.loop()
	return w
}

func (w *eventWriter) add(e Event) {
	w.mu.Lock()
	w.pending = append(w.pending, e)
	w.mu.Unlock()
	select {
	case w.kick <- struct{}{}:
	default:
	}
}

func (w *eventWriter) loop() {
	defer close(w.done)
	for {
		// Wait an interval first: a short run writes once, at close, and a
		// long one once per interval, never competing with every statement.
		select {
		case <-time.After(w.interval):
		case <-w.closing:
			w.flush()
			return
		}
		select {
		case <-w.kick:
			w.flush()
		case <-w.closing:
			w.flush()
			return
		}
	}
}

func (w *eventWriter) flush() {
	w.mu.Lock()
	batch := w.pending
	w.pending = nil
	w.mu.Unlock()
	if len(batch) == 0 {
		return
	}
	// Another run may hold the lock once the lease is lost: write nothing.
	err := w.guard()
	if err == nil {
		err = w.h.Append(w.ctx, batch...)
	}
	if err != nil {
		w.mu.Lock()
		w.err = errors.Join(w.err, err)
		w.mu.Unlock()
	}
}

// close writes what is left and returns the first error.
func (w *eventWriter) close() error {
	close(w.closing)
	<-w.done
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.err
}
