package apply

import (
	"context"
	"errors"
	"fmt"
	"github.com/chschema/chschema/internal/english"
	"strings"
	"sync/atomic"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/chschema/chschema/parser"
)

// ErrInterrupted: the run stopped before it finished because it was asked
// to (WithStop) or its context was cancelled. What ran is recorded and the
// lock is released; the next run resumes.
var ErrInterrupted = errors.New("apply: interrupted")

// WithStop sets a channel whose closing asks a migrate or down to stop
// early but cleanly. The run stops at the next statement boundary: a
// running schema statement (DDL) finishes first, since it is short and
// atomic; a running data statement (INSERT, OPTIMIZE), which may run for
// hours, is cancelled on the server with KILL QUERY, and recorded as not
// done, or as partly done with the rows it wrote (a resume then refuses to
// run it again unless told how, see WithResumeAt). A wait for a mutation
// ends; the mutation goes on on the server and the next run waits for it.
// The run records its progress (migrations never started stay pending),
// releases the lock and returns an error wrapping ErrInterrupted.
//
// Cancelling the context instead stops at once: the running statement,
// whatever its kind, is cancelled on the server (KILL QUERY by its
// query_id), its outcome read back from the query log and recorded, and the
// lock released.
func WithStop(stop <-chan struct{}) Option {
	return func(r *Runner) error {
		if stop == nil {
			return errors.New("apply: WithStop: nil channel")
		}
		r.stop = stop
		return nil
	}
}

// stopRequested reports whether the run was asked to stop, gracefully or
// by its context.
func (r *Runner) stopRequested(ctx context.Context) bool {
	if ctx.Err() != nil {
		return true
	}
	select {
	case <-r.stop:
		return true
	default:
		return false
	}
}

// held checks, without a round trip, that the run still holds its lease,
// and reports the first loss as a LeaseLost event.
func (r *Runner) held() error {
	err := r.locker.Held()
	if err != nil && !r.leaseLost {
		r.leaseLost = true
		r.events(LeaseLost{Err: err})
	}
	return err
}

// cancelOnStop reports whether a statement is cancelled on a stop request
// rather than waited for: data statements (INSERT, OPTIMIZE), which may run
// for hours and whose cancellation leaves the schema as it was.
func cancelOnStop(s Statement) bool {
	switch firstWord(s.SQL) {
	case "INSERT", "OPTIMIZE":
		return true
	}
	return false
}

// firstWord is the statement's first keyword, upper case, read with the
// parser's lexer (comments skipped).
func firstWord(sql string) string {
	lx := parser.NewLexer(sql)
	for {
		tok, err := lx.Next()
		if err != nil || tok.Kind == parser.TokenEOF {
			return ""
		}
		if tok.Kind.IsTrivia() {
			continue
		}
		return strings.ToUpper(sql[tok.Off:tok.End])
	}
}

// execResult is how one statement's execution ended.
type execResult struct {
	err error
	// cancelled says who cancelled it: "" (nobody), "stop" or "context".
	cancelled string
	// progressRows counts the rows the server reported written.
	progressRows uint64
}

// execWatched runs a statement while watching the stop channel and the
// context: a stop request cancels a data statement on the server (KILL
// QUERY), a cancelled context any statement.
func (r *Runner) execWatched(ctx context.Context, sec *sectionRun, st Statement, id string) execResult {
	qctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	var rows atomic.Uint64
	qctx = clickhouse.Context(qctx, clickhouse.WithProgress(func(p *clickhouse.Progress) { rows.Add(p.WroteRows) }))
	done := make(chan error, 1)
	go func() { done <- sec.exec(qctx, st, id) }()
	var res execResult
	stop := r.stop
	if !cancelOnStop(st) {
		stop = nil
	}
	ctxDone := ctx.Done()
	for {
		select {
		case err := <-done:
			res.err, res.progressRows = err, rows.Load()
			return res
		case <-stop:
			stop = nil
			res.cancelled = "stop"
			r.killQuery(ctx, id)
		case <-ctxDone:
			ctxDone, stop = nil, nil
			res.cancelled = "context"
			r.killQuery(ctx, id)
			cancel()
		}
	}
}

// killQuery cancels a statement on the server by its query_id.
func (r *Runner) killQuery(ctx context.Context, id string) {
	kctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	_ = r.conn.Exec(kctx, "KILL QUERY WHERE query_id = ? ASYNC", id)
}

// outcome is what the server says became of a statement the run cancelled
// or saw fail.
type outcome struct {
	// known is false when the server has no query log entry for it (no
	// query log, or the log lost it).
	known    bool
	finished bool
	// writtenRows are the rows it wrote, finished or not.
	writtenRows uint64
}

// statementOutcome waits until the statement with query_id id no longer
// runs on the server and reads its fate from the query log.
func (r *Runner) statementOutcome(ctx context.Context, id string) outcome {
	octx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Minute)
	defer cancel()
	for {
		var running uint64
		if err := r.conn.QueryRow(octx, "SELECT count() FROM system.processes WHERE query_id = ?", id).Scan(&running); err != nil {
			return outcome{}
		}
		if running == 0 {
			break
		}
		select {
		case <-octx.Done():
			return outcome{}
		case <-time.After(r.poll):
		}
	}
	if ok, err := r.hasQueryLog(octx); err != nil || !ok {
		return outcome{}
	}
	if err := r.conn.Exec(octx, "SYSTEM FLUSH LOGS"); err != nil {
		return outcome{}
	}
	rows, err := r.conn.Query(octx, "SELECT type = 'QueryFinish', written_rows FROM system.query_log WHERE query_id = ? AND type != 'QueryStart'", id)
	if err != nil {
		return outcome{}
	}
	defer rows.Close()
	var o outcome
	for rows.Next() {
		var finished bool
		var written uint64
		if err := rows.Scan(&finished, &written); err != nil {
			return outcome{}
		}
		o.known = true
		o.finished = o.finished || finished
		o.writtenRows = max(o.writtenRows, written)
	}
	if rows.Err() != nil {
		return outcome{}
	}
	return o
}

// sentinelQueryID is the query_id of the history insert that opens an
// attempt. While the query log holds it, the log holds every later
// statement of the attempt too, unless the server restarted since.
func sentinelQueryID(attempt string) string {
	return queryIDPrefix + attempt + ":history"
}

// execution is one run of planned sections: what it executes and records.
type execution struct {
	r    *Runner
	ctx  context.Context
	s    *session
	plan []plannedUnit
	down bool
	rep  *Report
	w    *eventWriter

	startSt, failSt, stopSt, doneSt Status
}

func (x *execution) section(u *Unit) []Statement {
	if x.down {
		return u.Down
	}
	return u.Up
}

// run executes planned sections in order and records them.
func (r *Runner) run(ctx context.Context, s *session, plan []plannedUnit, down bool, rep *Report) error {
	if err := r.held(); err != nil || len(plan) == 0 {
		return err
	}
	if r.stopRequested(ctx) {
		return r.interrupted(ctx, "before the first statement; nothing ran")
	}
	x := &execution{r: r, ctx: ctx, s: s, plan: plan, down: down, rep: rep,
		startSt: StatusStarted, failSt: StatusFailed, stopSt: StatusStopped, doneSt: StatusApplied}
	if down {
		x.startSt, x.failSt, x.stopSt, x.doneSt = StatusReverting, StatusRevertFailed, StatusRevertStopped, StatusReverted
	}
	now := time.Now()
	started := make([]Event, len(plan))
	for i, p := range plan {
		started[i] = r.event(p.unit, x.startSt, s.attempt, p.start, len(x.section(p.unit)), now)
		started[i].Journal = s.journal
	}
	// The 'started' events go first, in one insert with a known query_id:
	// the sentinel by which a resume knows the query log still covers this
	// attempt.
	if err := r.history.Append(clickhouse.Context(ctx, clickhouse.WithQueryID(sentinelQueryID(s.attempt))), started...); err != nil {
		return err
	}
	x.w = newEventWriter(ctx, r.history, r.locker.Held)
	for pi, p := range plan {
		if err := x.unit(pi, p); err != nil {
			return err
		}
	}
	if err := x.w.close(); err != nil {
		return err
	}
	return r.held()
}

// interrupted is the error of a run stopped early.
func (r *Runner) interrupted(ctx context.Context, where string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("%w (%w): stopped %s", ErrInterrupted, err, where)
	}
	return fmt.Errorf("%w: stopped on request %s", ErrInterrupted, where)
}

// unit runs the statements of one planned section.
func (x *execution) unit(pi int, p plannedUnit) error {
	r, u, stmts := x.r, p.unit, x.section(p.unit)
	begin := time.Now()
	if err := r.held(); err != nil {
		return x.lost(err, u, p.start)
	}
	if r.stopRequested(x.ctx) {
		return x.stop(pi, p.start, begin, 0, true, fmt.Sprintf("before %s", u.Key()))
	}
	r.events(MigrationStarted{Key: u.Key(), Name: u.Name, File: u.File, Down: x.down, Index: pi + 1, Count: len(x.plan),
		Statements: len(stmts), Start: p.start})
	// A section is a session: what its statements do to it (USE, SET, a
	// temporary table) reaches the statements after them, also those after
	// a resume, and no other section.
	sec, err := r.openSection(x.ctx, stmts, p.start, func(i int, st Statement) string {
		return sessionQueryID(x.s.attempt, u.Service, u.Version, i)
	})
	if err != nil {
		var se *StmtError
		if errors.As(err, &se) {
			se.Service, se.Version, se.Down = u.Service, u.Version, x.down
		}
		return x.fail(pi, p.start, begin, 0, err)
	}
	if p.start > 0 {
		// An interrupted run may have left a mutation of its last
		// completed statement running (or failed): see it through first.
		if err := r.waitMutations(x.ctx, u.Key(), sec.use, stmts[p.start-1]); err != nil {
			if r.stopRequested(x.ctx) {
				return x.stop(pi, p.start, begin, 0, true, fmt.Sprintf("while waiting for the mutation of %s statement %d", u.Key(), p.start))
			}
			return x.fail(pi, p.start, begin, 0, &StmtError{Service: u.Service, Version: u.Version, Index: p.start - 1, Stmt: stmts[p.start-1], Err: err, Down: x.down})
		}
	}
	for i := p.start; i < len(stmts); i++ {
		st := stmts[i]
		if err := r.held(); err != nil {
			return x.lost(err, u, i)
		}
		if r.stopRequested(x.ctx) {
			return x.stop(pi, i, begin, 0, true, fmt.Sprintf("before %s statement %d of %d (%s)", u.Key(), i+1, len(stmts), st.Pos()))
		}
		id := queryID(x.s.attempt, u.Service, u.Version, i, st)
		ev := StatementStarted{Key: u.Key(), Down: x.down, Index: i + 1, Count: len(stmts), Statement: st, QueryID: id}
		stmtBegin := time.Now()
		if r.beforeStmt != nil {
			if err := r.beforeStmt(x.ctx, ev); err != nil {
				return x.fail(pi, i, begin, 0, &StmtError{Service: u.Service, Version: u.Version, Index: i, Stmt: st, Err: err, Down: x.down})
			}
		}
		r.events(ev)
		res := r.execWatched(x.ctx, sec, st, id)
		if res.cancelled != "" {
			oc := r.statementOutcome(x.ctx, id)
			switch {
			case res.err == nil || (oc.known && oc.finished):
				// It finished before the cancellation landed.
				r.events(StatementDone{Key: u.Key(), Down: x.down, Index: i + 1, Count: len(stmts), Statement: st, Duration: time.Since(stmtBegin)})
				x.rep.Statements++
				return x.stop(pi, i+1, begin, 0, true, fmt.Sprintf("after %s statement %d of %d (%s), which finished", u.Key(), i+1, len(stmts), st.Pos()))
			case oc.known:
				r.events(StatementCancelled{Key: u.Key(), Down: x.down, Index: i + 1, Count: len(stmts), Statement: st, WrittenRows: oc.writtenRows})
				return x.stop(pi, i, begin, oc.writtenRows, true, fmt.Sprintf("by cancelling %s statement %d of %d (%s)%s", u.Key(), i+1, len(stmts), st.Pos(), rowsNote(oc.writtenRows)))
			default:
				// No query log to tell: record what is certain, and let the
				// next run decide from the live schema (or refuse).
				r.events(StatementCancelled{Key: u.Key(), Down: x.down, Index: i + 1, Count: len(stmts), Statement: st, WrittenRows: res.progressRows, Unknown: true})
				return x.stop(pi, i, begin, res.progressRows, false, fmt.Sprintf("by cancelling %s statement %d of %d (%s), whose outcome the server did not log", u.Key(), i+1, len(stmts), st.Pos()))
			}
		}
		err := res.err
		if err == nil {
			sec.note(i, st)
			err = r.waitMutations(x.ctx, u.Key(), sec.use, st)
			if err != nil && r.stopRequested(x.ctx) {
				// The statement ran; its mutation goes on on the server.
				x.rep.Statements++
				return x.stop(pi, i+1, begin, 0, true, fmt.Sprintf("while waiting for the mutation of %s statement %d of %d (%s); the mutation goes on on the server", u.Key(), i+1, len(stmts), st.Pos()))
			}
		} else if cancelOnStop(st) {
			// A data statement that failed may have written rows first.
			if oc := r.statementOutcome(x.ctx, id); oc.known {
				return x.fail(pi, i, begin, oc.writtenRows, &StmtError{Service: u.Service, Version: u.Version, Index: i, Stmt: st, Err: err, Down: x.down, WrittenRows: oc.writtenRows})
			}
			return x.fail(pi, i, begin, res.progressRows, &StmtError{Service: u.Service, Version: u.Version, Index: i, Stmt: st, Err: err, Down: x.down, WrittenRows: res.progressRows})
		}
		if err != nil {
			return x.fail(pi, i, begin, 0, &StmtError{Service: u.Service, Version: u.Version, Index: i, Stmt: st, Err: err, Down: x.down})
		}
		x.rep.Statements++
		r.events(StatementDone{Key: u.Key(), Down: x.down, Index: i + 1, Count: len(stmts), Statement: st, Duration: time.Since(stmtBegin)})
		if x.s.journal == JournalTable {
			if err := r.held(); err != nil {
				return x.lost(err, u, i+1)
			}
			e := r.event(u, x.startSt, x.s.attempt, i+1, len(stmts), begin)
			e.Journal = x.s.journal
			if err := r.history.Append(x.ctx, e); err != nil {
				return errors.Join(err, x.w.close())
			}
		}
	}
	done := r.event(u, x.doneSt, x.s.attempt, len(stmts), len(stmts), begin)
	done.FinishedAt = time.Now().UTC()
	done.Duration = time.Since(begin)
	done.Journal = x.s.journal
	x.w.add(done)
	x.rep.Applied = append(x.rep.Applied, u.Key())
	r.events(MigrationDone{Key: u.Key(), Name: u.Name, Down: x.down, Statements: len(stmts), Duration: done.Duration})
	return nil
}

func rowsNote(n uint64) string {
	if n == 0 {
		return ", which wrote no rows"
	}
	return ", which had written " + english.Plural(int(n), "row") + " (it is partly done)"
}

// lost ends a run whose lease is gone: another run may hold the lock, so
// nothing more is executed or recorded (the events not yet written are
// dropped; the next run reads what happened from the server).
func (x *execution) lost(err error, u *Unit, next int) error {
	_ = x.w.close()
	return fmt.Errorf("%w; stopped before %s %s statement %d, and recorded nothing more: the next run resumes from what the server logged",
		err, sectionName(x.down), u.Key(), next+1)
}

// pendingRest returns the events that put the units planned after plan[pi]
// back to where they were: pending (up) or applied (down).
func (x *execution) pendingRest(pi int, at time.Time) []Event {
	var events []Event
	for _, q := range x.plan[pi+1:] {
		events = append(events, x.backEvent(q, at))
	}
	return events
}

// backEvent is the event of a planned unit the run did not touch.
func (x *execution) backEvent(q plannedUnit, at time.Time) Event {
	back := StatusPending
	if x.down {
		back = StatusApplied
	}
	ev := x.r.event(q.unit, back, x.s.attempt, q.start, len(x.section(q.unit)), at)
	if x.down {
		// Still applied, since it was: keep when.
		prev := x.s.state[q.unit.Key()]
		ev.Statements = uint32(len(q.unit.Up))
		ev.RawChecksum = prev.RawChecksum
		ev.StartedAt, ev.FinishedAt = prev.StartedAt, prev.AppliedAt()
	}
	ev.Journal = x.s.journal
	return ev
}

// record writes the closing events of an early end, after the batched
// ones, if the lease still holds.
func (x *execution) record(events []Event) error {
	werr := x.w.close()
	if err := x.r.held(); err != nil {
		return errors.Join(werr, err)
	}
	if herr := x.r.history.Append(context.WithoutCancel(x.ctx), events...); herr != nil {
		werr = errors.Join(werr, herr)
	}
	return werr
}

// fail records plan[pi] as failed after done statements (the next one
// having written writtenRows rows), and the units planned after it as not
// started, and returns err.
func (x *execution) fail(pi, done int, begin time.Time, writtenRows uint64, err error) error {
	u, n := x.plan[pi].unit, len(x.section(x.plan[pi].unit))
	failed := x.r.event(u, x.failSt, x.s.attempt, done, n, begin)
	failed.Error, failed.WrittenRows, failed.Journal = err.Error(), writtenRows, x.s.journal
	werr := x.record(append([]Event{failed}, x.pendingRest(pi, begin)...))
	x.r.events(MigrationFailed{Key: u.Key(), Name: u.Name, Down: x.down, Done: done, Total: n, Err: err, Duration: time.Since(begin)})
	return errors.Join(err, werr)
}

// stop records a run stopped early at plan[pi], after done statements of
// it (the next one having written writtenRows rows). A unit of which this
// run ran nothing goes back to where it was; certain says whether done is
// known (else the unit stays 'started', and the next run decides).
func (x *execution) stop(pi, done int, begin time.Time, writtenRows uint64, certain bool, where string) error {
	p := x.plan[pi]
	u, n := p.unit, len(x.section(p.unit))
	var ev Event
	switch {
	case !certain:
		ev = x.r.event(u, x.startSt, x.s.attempt, done, n, begin)
		ev.WrittenRows = writtenRows
	case done == p.start && p.start == 0 && writtenRows == 0:
		ev = x.backEvent(p, begin)
	case done == n:
		ev = x.r.event(u, x.doneSt, x.s.attempt, n, n, begin)
		ev.FinishedAt, ev.Duration = time.Now().UTC(), time.Since(begin)
		x.rep.Applied = append(x.rep.Applied, u.Key())
		x.r.events(MigrationDone{Key: u.Key(), Name: u.Name, Down: x.down, Statements: n, Duration: ev.Duration})
	default:
		ev = x.r.event(u, x.stopSt, x.s.attempt, done, n, begin)
		ev.WrittenRows = writtenRows
		ev.Error = "stopped " + where
	}
	ev.Journal = x.s.journal
	err := x.r.interrupted(x.ctx, where)
	x.r.events(Stopped{Key: u.Key(), Down: x.down, Done: done, Total: n, Where: where})
	return errors.Join(err, x.record(append([]Event{ev}, x.pendingRest(pi, begin)...)))
}

func (r *Runner) release(ctx context.Context) {
	_ = r.locker.Release(context.WithoutCancel(ctx))
}

// stoppable returns ctx, also cancelled when the run is asked to stop: the
// context of the steps before any statement runs (the lock wait, init.sql,
// the drift check), which a stop request simply cuts short.
func (r *Runner) stoppable(ctx context.Context) (context.Context, context.CancelFunc) {
	sctx, cancel := context.WithCancel(ctx)
	if r.stop == nil {
		return sctx, cancel
	}
	go func() {
		select {
		case <-r.stop:
			cancel()
		case <-sctx.Done():
		}
	}()
	return sctx, cancel
}

// beforeStatements wraps an error of the steps before the first statement:
// when the run was asked to stop, it is that.
func (r *Runner) beforeStatements(ctx context.Context, err error) error {
	if err == nil || !r.stopRequested(ctx) {
		return err
	}
	return errors.Join(r.interrupted(ctx, "before the first statement; nothing ran"), err)
}
