package apply

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
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

// Verifier checks the live schema against the expected one before anything
// runs. applied lists the applied units per the history; partial gives, for
// each half-applied unit, how many of its statements completed (they count as
// expected). It returns an error describing the drift, if any.
type Verifier interface {
	Verify(ctx context.Context, applied []*Unit, partial map[Key]PartialUnit) error
}

// PartialUnit is a half-applied unit: Done statements of its section ran.
type PartialUnit struct {
	Unit *Unit
	Done int
	Down bool
}

// StmtInfo is what the runner needs to know about a statement beyond its text.
type StmtInfo struct {
	// Mutation is true when the statement may start a mutation to wait for.
	Mutation bool
	// Database and Table name the mutated table (Database empty: the connection's).
	Database, Table string
	// Set holds the settings of a SET statement. They apply to the
	// statements after it in the same section, as in a session: the runner
	// sends every statement with its own settings, since a pooled
	// connection keeps no session.
	Set map[string]string
}

// Option configures a Runner.
type Option func(*Runner) error

// WithInit sets the statements of init.sql, run before anything else on every
// migrate; they must be idempotent.
func WithInit(stmts []Statement) Option {
	return func(r *Runner) error { r.init = stmts; return nil }
}

// WithVerifier sets the drift check run before applying.
func WithVerifier(v Verifier) Option {
	return func(r *Runner) error { r.verifier = v; return nil }
}

// WithProgress sets where progress lines go (nil: nowhere).
func WithProgress(w io.Writer) Option {
	return func(r *Runner) error { r.progress = w; return nil }
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

// WithClassifier tells the runner which statements start mutations.
func WithClassifier(f func(Statement) StmtInfo) Option {
	return func(r *Runner) error { r.classify = f; return nil }
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

// Runner applies migrations to one server. It holds the lock for each
// operation and records every step in the history.
type Runner struct {
	conn       driver.Conn
	history    HistoryStore
	locker     Locker
	init       []Statement
	verifier   Verifier
	progress   io.Writer
	journal    Journal
	classify   func(Statement) StmtInfo
	version    string
	host       string
	strictDown bool
	settings   clickhouse.Settings
	poll       time.Duration
}

// New returns a Runner. conn, history and locker are required.
func New(conn driver.Conn, history HistoryStore, locker Locker, opts ...Option) (*Runner, error) {
	if conn == nil || history == nil || locker == nil {
		return nil, errors.New("apply: New needs a connection, a history store and a locker")
	}
	host, _ := os.Hostname()
	r := &Runner{conn: conn, history: history, locker: locker, progress: io.Discard, host: host,
		// log_queries: resume reads system.query_log. mutations_sync=0: an
		// ALTER that starts a mutation returns once it is registered (and
		// logged as finished), and the runner then waits in system.mutations,
		// so an interruption while waiting never runs the ALTER twice.
		settings: clickhouse.Settings{"log_queries": 1, "mutations_sync": 0}, poll: 200 * time.Millisecond,
		classify: func(Statement) StmtInfo { return StmtInfo{} }}
	for _, o := range opts {
		if err := o(r); err != nil {
			return nil, err
		}
	}
	if r.progress == nil {
		r.progress = io.Discard
	}
	return r, nil
}

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
	// Applied lists the units whose section ran to the end in this run.
	Applied []Key `json:"applied"`
	// Resumed lists units that an earlier run left half-done, with how many
	// statements it had completed.
	Resumed []Resumed `json:"resumed,omitempty"`
	// Statements counts the statements executed.
	Statements int `json:"statements"`
	// Plan is filled by a dry run: the statements that would run, in order.
	Plan []PlannedStatement `json:"plan,omitempty"`
}

// Resumed is a unit that a run took up where an interrupted one stopped.
type Resumed struct {
	Key
	// Done is how many statements had completed before.
	Done int `json:"done"`
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

// begin takes the lock (unless dryRun), runs init.sql (if runInit), and reads
// and checks the history. The caller must call r.release when lock is true.
func (r *Runner) begin(ctx context.Context, units []*Unit, dryRun, runInit bool) (*session, error) {
	s := &session{attempt: newAttempt(), byKey: indexUnits(units)}
	if !dryRun {
		if err := r.locker.Acquire(ctx); err != nil {
			return nil, err
		}
		if err := r.prepareServer(ctx, s, runInit); err != nil {
			r.release(ctx)
			return nil, err
		}
	}
	err := r.readState(ctx, s)
	if err != nil && !dryRun {
		r.release(ctx)
	}
	return s, err
}

func (r *Runner) prepareServer(ctx context.Context, s *session, runInit bool) error {
	if runInit {
		for i, st := range r.init {
			if err := r.exec(ctx, st, queryID(s.attempt, "init", 0, i, st), r.settings); err != nil {
				return &StmtError{Service: "init", Index: i, Stmt: st, Err: err}
			}
		}
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
	s.partial, err = r.resolvePartial(ctx, s.state, s.byKey, s.journal)
	return err
}

// Migrate brings the server to target: init.sql, verification, then the
// pending and half-applied units in order, statement by statement. With
// dryRun it only returns the plan: it takes no lock and changes nothing.
func (r *Runner) Migrate(ctx context.Context, units []*Unit, target Target, dryRun bool) (*Report, error) {
	s, err := r.begin(ctx, units, dryRun, true)
	if err != nil {
		return &Report{}, err
	}
	if !dryRun {
		defer r.release(ctx)
	}
	rep := &Report{Attempt: s.attempt}
	for k, p := range s.partial {
		if p.Down {
			return rep, fmt.Errorf("%w: %s was being reverted (%d statements done); run down to finish it", ErrIncomplete, k, p.Done)
		}
	}
	if r.verifier != nil {
		setUnits(r.verifier, units)
		if err := r.verifier.Verify(ctx, appliedUnits(s.state, units), s.partial); err != nil {
			return rep, err
		}
	}
	plan, err := planUp(units, s.state, s.partial, target)
	if err != nil {
		return rep, err
	}
	for _, p := range plan {
		if p.start > 0 {
			rep.Resumed = append(rep.Resumed, Resumed{p.unit.Key(), p.start})
		}
	}
	if dryRun {
		for _, p := range plan {
			for i := p.start; i < len(p.unit.Up); i++ {
				rep.Plan = append(rep.Plan, PlannedStatement{Key: p.unit.Key(), Index: i, Stmt: p.unit.Up[i]})
			}
		}
		return rep, nil
	}
	return rep, r.run(ctx, s, plan, false, rep)
}

// setUnits tells a UnitsAware verifier every unit.
func setUnits(v Verifier, units []*Unit) {
	if ua, ok := v.(UnitsAware); ok {
		ua.SetUnits(units)
	}
}

// run executes planned sections in order and records them.
func (r *Runner) run(ctx context.Context, s *session, plan []plannedUnit, down bool, rep *Report) error {
	if err := r.checkLock(); err != nil || len(plan) == 0 {
		return err
	}
	startSt, failSt, doneSt := StatusStarted, StatusFailed, StatusApplied
	if down {
		startSt, failSt, doneSt = StatusReverting, StatusRevertFailed, StatusReverted
	}
	section := func(u *Unit) []Statement {
		if down {
			return u.Down
		}
		return u.Up
	}
	now := time.Now()
	started := make([]Event, len(plan))
	for i, p := range plan {
		started[i] = r.event(p.unit, startSt, s.attempt, p.start, len(section(p.unit)), now)
	}
	if err := r.history.Append(ctx, started...); err != nil {
		return err
	}
	w := newEventWriter(ctx, r.history)
	for pi, p := range plan {
		u, stmts := p.unit, section(p.unit)
		begin := time.Now()
		// A section is a session: its SET statements apply to the
		// statements after them, also those after a resume.
		settings := maps.Clone(r.settings)
		for i := 0; i < p.start; i++ {
			r.sessionSettings(settings, stmts[i])
		}
		verb := "up"
		if down {
			verb = "down"
		}
		fmt.Fprintf(r.progress, "%s %s %04d_%s: %d statements", verb, u.Service, u.Version, u.Name, len(stmts)-p.start)
		if p.start > 0 {
			fmt.Fprintf(r.progress, " (resuming after %d done)", p.start)
		}
		fmt.Fprintln(r.progress)
		if p.start > 0 {
			// An interrupted run may have left a mutation of its last
			// completed statement running (or failed): see it through first.
			if err := r.waitMutations(ctx, stmts[p.start-1]); err != nil {
				failed := r.event(u, failSt, s.attempt, p.start, len(stmts), begin)
				failed.Error = err.Error()
				return errors.Join(&StmtError{Service: u.Service, Version: u.Version, Index: p.start - 1, Stmt: stmts[p.start-1], Err: err, Down: down},
					w.close(), r.history.Append(context.WithoutCancel(ctx), failed))
			}
		}
		for i := p.start; i < len(stmts); i++ {
			st := stmts[i]
			err := r.exec(ctx, st, queryID(s.attempt, u.Service, u.Version, i, st), settings)
			if err == nil {
				err = r.waitMutations(ctx, st)
			}
			r.sessionSettings(settings, st)
			if err != nil {
				failed := r.event(u, failSt, s.attempt, i, len(stmts), begin)
				failed.Error = err.Error()
				events := []Event{failed}
				// Units planned after this one never started: say so.
				for _, q := range plan[pi+1:] {
					back := StatusPending
					if down {
						back = StatusApplied
					}
					ev := r.event(q.unit, back, s.attempt, q.start, len(section(q.unit)), begin)
					if down {
						// Still applied, since it was: keep when.
						prev := s.state[q.unit.Key()]
						ev.Statements = uint32(len(q.unit.Up))
						ev.RawChecksum = prev.RawChecksum
						ev.StartedAt, ev.FinishedAt = prev.StartedAt, prev.AppliedAt()
					}
					events = append(events, ev)
				}
				werr := w.close()
				if herr := r.history.Append(context.WithoutCancel(ctx), events...); herr != nil {
					werr = errors.Join(werr, herr)
				}
				return errors.Join(&StmtError{Service: u.Service, Version: u.Version, Index: i, Stmt: st, Err: err, Down: down}, werr)
			}
			rep.Statements++
			if s.journal == JournalTable {
				if err := r.history.Append(ctx, r.event(u, startSt, s.attempt, i+1, len(stmts), begin)); err != nil {
					return errors.Join(err, w.close())
				}
			}
		}
		done := r.event(u, doneSt, s.attempt, len(stmts), len(stmts), begin)
		done.FinishedAt = time.Now().UTC()
		done.Duration = time.Since(begin)
		w.add(done)
		rep.Applied = append(rep.Applied, u.Key())
	}
	if err := w.close(); err != nil {
		return err
	}
	return r.checkLock()
}

func (r *Runner) release(ctx context.Context) {
	_ = r.locker.Release(context.WithoutCancel(ctx))
}

// checkLock fails when the lock was lost while the run held it.
func (r *Runner) checkLock() error {
	if tl, ok := r.locker.(interface{ Lost() error }); ok {
		return tl.Lost()
	}
	return nil
}

func (r *Runner) event(u *Unit, st Status, attempt string, done, total int, started time.Time) Event {
	return Event{Service: u.Service, Version: u.Version, Name: u.Name, Status: st, Attempt: attempt,
		Statements: uint32(done), Total: uint32(total), RawChecksum: u.RawChecksum,
		RenderedChecksum: u.RenderedChecksum(), StartedAt: started.UTC(),
		ChschemaVersion: r.version, Host: r.host}
}

// sessionSettings adds the settings of a SET statement to settings.
func (r *Runner) sessionSettings(settings clickhouse.Settings, s Statement) {
	for k, v := range r.classify(s).Set {
		settings[k] = v
	}
}

// exec runs one statement with its deterministic query_id and settings.
func (r *Runner) exec(ctx context.Context, s Statement, id string, settings clickhouse.Settings) error {
	qctx := clickhouse.Context(ctx, clickhouse.WithQueryID(id), clickhouse.WithSettings(settings))
	err := r.conn.Exec(qctx, s.SQL)
	if isCode(err, codeUnfinished) {
		// The server ran the mutation synchronously and it failed.
		return fmt.Errorf("%w: %w", ErrMutationFailed, serverError(err))
	}
	return serverError(err)
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
// of them fails.
func (r *Runner) waitMutations(ctx context.Context, s Statement) error {
	info := r.classify(s)
	if !info.Mutation {
		return nil
	}
	for {
		rows, err := r.conn.Query(ctx, `SELECT mutation_id, command, parts_to_do, latest_fail_reason
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
			if err := rows.Scan(&id, &cmd, &parts, &reason); err != nil {
				rows.Close()
				return err
			}
			pending++
			if reason != "" {
				fail = fmt.Errorf("%w: %s on %s: %s", ErrMutationFailed, id, info.Table, reason)
			}
			fmt.Fprintf(r.progress, "  waiting for mutation %s (%s): %d parts to do\n", id, cmd, parts)
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

// resolvePartial finds, for every incomplete unit, how many statements of its
// section really completed, and checks that those were not edited since.
func (r *Runner) resolvePartial(ctx context.Context, state map[Key]Record, byKey map[Key]*Unit, journal Journal) (map[Key]PartialUnit, error) {
	partial := map[Key]PartialUnit{}
	var attempts []string
	for _, k := range SortedKeys(state) {
		if rec := state[k]; rec.Incomplete() {
			attempts = append(attempts, rec.Attempts...)
		}
	}
	if len(attempts) == 0 {
		return partial, nil
	}
	var logged map[string]map[Key]map[int]loggedStmt
	if journal == JournalQueryLog {
		var err error
		if logged, err = r.readQueryLog(ctx, attempts); err != nil {
			return nil, err
		}
	}
	for _, k := range SortedKeys(state) {
		rec := state[k]
		if !rec.Incomplete() {
			continue
		}
		u, ok := byKey[k]
		if !ok {
			return nil, fmt.Errorf("%w: %s (%s) is half-applied but its file is gone", ErrMissing, k, rec.Name)
		}
		down := rec.Status.Down()
		stmts := u.Up
		if down {
			stmts = u.Down
		}
		done := int(rec.Statements)
		var hashes map[int]string
		if journal == JournalQueryLog {
			done, hashes = completedFromLog(logged, rec.Attempts, k)
		}
		if done > len(stmts) {
			return nil, fmt.Errorf("%w: %s: %d statements ran but the file now has %d", ErrEdited, u.File, done, len(stmts))
		}
		for i := 0; i < done; i++ {
			if h, ok := hashes[i]; ok && h != stmts[i].Hash() {
				return nil, fmt.Errorf("%w: %s: statement %d (%s) already ran and has changed since; restore it, or revert by hand and record the state with baseline",
					ErrEdited, u.File, i+1, stmts[i].Pos())
			}
		}
		if journal == JournalTable && done > 0 && rec.RawChecksum != u.RawChecksum && rec.Status != StatusFailed {
			// The table journal keeps no per-statement hashes: only a failed
			// statement (recorded as such) may be fixed.
			return nil, fmt.Errorf("%w: %s changed while half-applied (%d statements done)", ErrEdited, u.File, done)
		}
		partial[k] = PartialUnit{Unit: u, Done: done, Down: down}
	}
	return partial, nil
}

type loggedStmt struct {
	hash     string
	finished bool
}

// readQueryLog reads the log entries of the given attempts in one query, after
// flushing the logs and making sure none of their statements still runs.
func (r *Runner) readQueryLog(ctx context.Context, attempts []string) (map[string]map[Key]map[int]loggedStmt, error) {
	var conds []string
	var args []any
	for _, a := range attempts {
		conds = append(conds, "startsWith(query_id, ?)")
		args = append(args, queryIDPrefix+a+":")
	}
	where := strings.Join(conds, " OR ")
	for {
		var running uint64
		if err := r.conn.QueryRow(ctx, "SELECT count() FROM system.processes WHERE "+where, args...).Scan(&running); err != nil {
			return nil, fmt.Errorf("apply: read system.processes: %w", err)
		}
		if running == 0 {
			break
		}
		fmt.Fprintf(r.progress, "waiting for %d statements of an interrupted run to finish on the server\n", running)
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("%w: %v", ErrStillRunning, ctx.Err())
		case <-time.After(r.poll):
		}
	}
	if err := r.conn.Exec(ctx, "SYSTEM FLUSH LOGS"); err != nil {
		return nil, fmt.Errorf("apply: SYSTEM FLUSH LOGS: %w", err)
	}
	rows, err := r.conn.Query(ctx, "SELECT query_id, type = 'QueryFinish' FROM system.query_log WHERE type != 'QueryStart' AND ("+where+")", args...)
	if err != nil {
		return nil, fmt.Errorf("apply: read system.query_log: %w", err)
	}
	defer rows.Close()
	out := map[string]map[Key]map[int]loggedStmt{}
	for rows.Next() {
		var id string
		var finished bool
		if err := rows.Scan(&id, &finished); err != nil {
			return nil, err
		}
		attempt, k, idx, hash, ok := parseQueryID(id)
		if !ok {
			continue
		}
		if out[attempt] == nil {
			out[attempt] = map[Key]map[int]loggedStmt{}
		}
		if out[attempt][k] == nil {
			out[attempt][k] = map[int]loggedStmt{}
		}
		prev := out[attempt][k][idx]
		out[attempt][k][idx] = loggedStmt{hash: hash, finished: finished || prev.finished}
	}
	return out, rows.Err()
}

// completedFromLog counts the leading statements of k that finished in any
// of the attempts, and returns the hash each ran with.
func completedFromLog(logged map[string]map[Key]map[int]loggedStmt, attempts []string, k Key) (int, map[int]string) {
	hashes := map[int]string{}
	finished := map[int]bool{}
	for _, a := range attempts {
		for idx, st := range logged[a][k] {
			if st.finished {
				finished[idx] = true
				hashes[idx] = st.hash
			}
		}
	}
	done := 0
	for finished[done] {
		done++
	}
	return done, hashes
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
	ctx      context.Context
	interval time.Duration
	mu       sync.Mutex
	pending  []Event
	err      error
	kick     chan struct{}
	closing  chan struct{}
	done     chan struct{}
}

func newEventWriter(ctx context.Context, h HistoryStore) *eventWriter {
	w := &eventWriter{h: h, ctx: context.WithoutCancel(ctx), interval: time.Second,
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
	if err := w.h.Append(w.ctx, batch...); err != nil {
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
