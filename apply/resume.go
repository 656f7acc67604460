package apply

import (
	"context"
	"errors"
	"fmt"
	"github.com/chschema/chschema/internal/english"
	"sort"
	"strings"
	"time"

	"github.com/chschema/chschema/parser"
)

// ErrUndecided: the run cannot tell how far an interrupted migration got,
// or a statement of it is partly done; see ResumeError.
var ErrUndecided = errors.New("apply: cannot tell where to resume an interrupted migration")

// Where a resume decision comes from (ResumeDecided.From).
const (
	// FromHistory: the history says it: a failed or stopped statement, a
	// table-journal event, or a run that never reached the migration.
	FromHistory = "history"
	// FromQueryLog: system.query_log holds every statement of the run.
	FromQueryLog = "query log"
	// FromLiveSchema: the log cannot tell (the server restarted, or there
	// is no log), and exactly one of the possible states is the schema the
	// server holds.
	FromLiveSchema = "live schema"
	// FromResumeAt: the user said so (WithResumeAt, --resume-at).
	FromResumeAt = "resume-at"
)

// ResumeDecided is sent, before anything runs, for each migration that an
// interrupted run left half-done: how many statements of its section count
// as completed, and how that was decided.
type ResumeDecided struct {
	Key
	Down bool `json:"down,omitempty"`
	// Done statements of Total completed; the run resumes at Done+1.
	Done  int `json:"done"`
	Total int `json:"total"`
	// From is FromHistory, FromQueryLog, FromLiveSchema or FromResumeAt.
	From string `json:"from"`
	// Detail says why, in words.
	Detail string `json:"detail,omitempty"`
}

// Kind implements RunEvent.
func (ResumeDecided) Kind() string { return "resume_decided" }

func (e ResumeDecided) String() string {
	s := fmt.Sprintf("%s %s: %d of %s completed (from the %s)", sectionName(e.Down), e.Key, e.Done, english.Plural(e.Total, "statement"), e.From)
	if e.From == FromResumeAt {
		s = fmt.Sprintf("%s %s: %d of %s completed (as --resume-at says)", sectionName(e.Down), e.Key, e.Done, english.Plural(e.Total, "statement"))
	}
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	return s
}

var _ RunEvent = ResumeDecided{}

// StateMatcher tells which of several possible states the server holds: for
// each state, whether the live schema is the one it describes, on the
// objects where the states differ. DriftVerifier is one.
type StateMatcher interface {
	Match(ctx context.Context, states []AppliedState) ([]bool, error)
}

// WithStateMatcher sets how a resume decides, when the query log cannot
// tell, how far an interrupted migration got: from the live schema. Without
// one, such a resume is refused (ErrUndecided) unless WithResumeAt says.
func WithStateMatcher(m StateMatcher) Option {
	return func(r *Runner) error {
		if m == nil {
			return errors.New("apply: WithStateMatcher: nil matcher")
		}
		r.matcher = m
		return nil
	}
}

// ResumePoint says where to resume a half-applied migration: Next is the
// 1-based statement of its current section (up, or down while it is being
// reverted) to run next; the ones before it count as completed. Next may be
// one past the last statement: the section is then complete. It is what a
// user decides after ErrUndecided, having checked the server.
type ResumePoint struct {
	Key
	Next int
}

// ParseResumePoint reads "service/version:statement", e.g. "xapi/0003:4".
func ParseResumePoint(s string) (ResumePoint, error) {
	bad := fmt.Errorf("apply: resume point %q: want SERVICE/VERSION:STATEMENT, e.g. xapi/0003:4", s)
	rest, stmt, ok := strings.Cut(s, ":")
	if !ok {
		return ResumePoint{}, bad
	}
	i := strings.LastIndexByte(rest, '/')
	if i <= 0 {
		return ResumePoint{}, bad
	}
	var v uint64
	var n int
	if _, err := fmt.Sscanf(rest[i+1:]+" "+stmt, "%d %d", &v, &n); err != nil || n < 1 ||
		strings.TrimLeft(rest[i+1:], "0123456789") != "" || strings.TrimLeft(stmt, "0123456789") != "" {
		return ResumePoint{}, bad
	}
	return ResumePoint{Key: Key{Service: rest[:i], Version: v}, Next: n}, nil
}

func (p ResumePoint) String() string { return fmt.Sprintf("%s:%d", p.Key, p.Next) }

// WithResumeAt tells a migrate or down where to resume half-applied
// migrations when it cannot tell (ErrUndecided), or overrides what it
// would decide. A point may not go back before a statement known to have
// completed (that would run it twice), and must name a half-applied
// migration of the section being resumed.
func WithResumeAt(points ...ResumePoint) Option {
	return func(r *Runner) error {
		if r.resumeAt == nil {
			r.resumeAt = map[Key]int{}
		}
		for _, p := range points {
			if p.Next < 1 {
				return fmt.Errorf("apply: WithResumeAt: %s: statements count from 1", p)
			}
			if _, dup := r.resumeAt[p.Key]; dup {
				return fmt.Errorf("apply: WithResumeAt: %s given twice", p.Key)
			}
			r.resumeAt[p.Key] = p.Next - 1
		}
		return nil
	}
}

// ResumeError is an interrupted migration the run cannot resume on its
// own: how far it got is ambiguous, or a statement is partly done. It
// says what is known, what to check, and how to go on.
type ResumeError struct {
	Key
	File  string
	Down  bool
	Total int
	// Known is how many statements are known to have completed.
	Known int
	// Candidates are the completed counts the evidence leaves possible,
	// when ambiguous; empty for a partly done statement.
	Candidates []int
	// Partial is set when statement Known+1 wrote rows and did not finish.
	Partial *PartialStatement
	// Reason says why the evidence is not enough.
	Reason string
	// SchemaChecked is true when Candidates are the counts whose state the
	// live schema matches (else they are what the log and history allow).
	SchemaChecked bool
	// Stmts are the section's statements, for the message.
	Stmts []Statement
	// Certain is, for every half-applied migration, what is known for
	// sure (for a diff of what the server holds at least).
	Certain map[Key]PartialUnit
}

// PartialStatement is a data statement that wrote rows and did not finish.
type PartialStatement struct {
	// Index is the statement's 0-based index in its section.
	Index       int
	Stmt        Statement
	WrittenRows uint64
	// Error is how it ended, when known.
	Error string
}

func (e *ResumeError) Error() string {
	var b strings.Builder
	flag := "migrate"
	if e.Down {
		flag = "down"
	}
	if p := e.Partial; p != nil {
		fmt.Fprintf(&b, "apply: %s %s statement %d of %d (%s) wrote %s and did not finish",
			sectionName(e.Down), e.Key, p.Index+1, e.Total, p.Stmt.Pos(), english.Plural(int(p.WrittenRows), "row"))
		if p.Error != "" {
			fmt.Fprintf(&b, " (%s)", p.Error)
		}
		fmt.Fprintf(&b, "; running it again would write those rows twice.\n  statement: %s\n", oneLine(p.Stmt.SQL))
		fmt.Fprintf(&b, "  Check what it wrote. Then either remove those rows and run it again: chschema %s --resume-at %s:%d\n", flag, e.Key, p.Index+1)
		fmt.Fprintf(&b, "  or, if what it wrote is enough (or you completed it by hand), go on after it: chschema %s --resume-at %s:%d", flag, e.Key, p.Index+2)
		return b.String()
	}
	fmt.Fprintf(&b, "apply: cannot tell how far %s %s (%s) got: %d of its %s are known to have completed, and %s",
		sectionName(e.Down), e.Key, e.File, e.Known, english.Plural(e.Total, "statement"), e.Reason)
	if len(e.Candidates) > 0 {
		if e.SchemaChecked {
			fmt.Fprintf(&b, ".\n  The server's schema fits %s completed statements; the statements in question:", countList(e.Candidates))
		} else {
			fmt.Fprintf(&b, ".\n  It may have completed %s statements; the statements in question:", countList(e.Candidates))
		}
		lo, hi := e.Candidates[0], e.Candidates[len(e.Candidates)-1]
		for i := lo; i < hi && i < len(e.Stmts); i++ {
			if i-lo == 10 {
				fmt.Fprintf(&b, "\n    ... (%d more)", hi-i)
				break
			}
			fmt.Fprintf(&b, "\n    %d. %s: %s%s", i+1, e.Stmts[i].Pos(), oneLine(e.Stmts[i].SQL), effectNote(e.Stmts[i]))
		}
		fmt.Fprintf(&b, "\n  Check on the server which of them ran (their rows, their mutations in system.mutations), then resume at the first one that did not:")
		for i, c := range e.Candidates {
			if i == 12 {
				fmt.Fprintf(&b, "\n    ... up to --resume-at %s:%d", e.Key, e.Candidates[len(e.Candidates)-1]+1)
				break
			}
			fmt.Fprintf(&b, "\n    chschema %s --resume-at %s:%d   (%d completed)", flag, e.Key, c+1, c)
		}
	} else {
		fmt.Fprintf(&b, ".\n  Check on the server which statements ran, then resume at the first one that did not: chschema %s --resume-at %s:N", flag, e.Key)
	}
	return b.String()
}

func (e *ResumeError) Unwrap() error { return ErrUndecided }

func countList(c []int) string {
	parts := make([]string, len(c))
	for i, n := range c {
		parts[i] = fmt.Sprint(n)
	}
	if len(parts) == 1 {
		return parts[0]
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " or " + parts[len(parts)-1]
}

func oneLine(sql string) string {
	s := strings.Join(strings.Fields(sql), " ")
	if len(s) > 120 {
		s = s[:117] + "..."
	}
	return s
}

// effectNote says why a statement leaves the schema as it was.
func effectNote(s Statement) string {
	c, err := parser.Convert(s.SQL, "default")
	if err != nil || c == nil {
		return ""
	}
	switch {
	case c.NoEffect:
		switch firstWord(s.SQL) {
		case "INSERT", "DELETE", "UPDATE", "TRUNCATE", "ALTER", "OPTIMIZE":
			return "   (changes data, not the schema)"
		}
		return "   (no schema change)"
	case len(c.Unsupported) > 0:
		return "   (its effect on the schema is not modelled)"
	case len(c.Changes) == 0:
		return "   (no schema change)"
	}
	return ""
}

// loggedStmt is what the query log says of one statement of an attempt.
type loggedStmt struct {
	hash        string
	finished    bool
	failed      bool
	writtenRows uint64
	exception   string
}

// logEvidence is what the query log holds of the attempts of half-applied
// migrations.
type logEvidence struct {
	// stmts are the statements' entries by attempt, migration and index.
	stmts map[string]map[Key]map[int]loggedStmt
	// complete says, per attempt, whether the log holds all of it: the
	// attempt's opening history insert is logged and the server has not
	// restarted since (a restart loses the entries not yet flushed).
	complete map[string]bool
}

// waitInterrupted waits until no statement of the given attempts still runs
// on the server: the statements of a run that was killed, stopped or lost
// its lock may run on after it.
func (r *Runner) waitInterrupted(ctx context.Context, attempts []string) error {
	where, args := attemptFilter(attempts)
	for {
		var running uint64
		if err := r.conn.QueryRow(ctx, "SELECT count() FROM system.processes WHERE "+where, args...).Scan(&running); err != nil {
			return fmt.Errorf("apply: read system.processes: %w", err)
		}
		if running == 0 {
			return nil
		}
		r.events(InterruptedWaiting{Running: int(running)})
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w: %v", ErrStillRunning, ctx.Err())
		case <-time.After(r.poll):
		}
	}
}

func attemptFilter(attempts []string) (string, []any) {
	var conds []string
	var args []any
	for _, a := range attempts {
		conds = append(conds, "startsWith(query_id, ?)")
		args = append(args, queryIDPrefix+a+":")
	}
	return "(" + strings.Join(conds, " OR ") + ")", args
}

// readQueryLog reads the log entries of the given attempts in one query,
// after flushing the logs. It returns nil when the server keeps no log.
func (r *Runner) readQueryLog(ctx context.Context, attempts []string) (*logEvidence, error) {
	ok, err := r.hasQueryLog(ctx)
	if err != nil || !ok {
		return nil, err
	}
	if err := r.conn.Exec(ctx, "SYSTEM FLUSH LOGS"); err != nil {
		return nil, fmt.Errorf("apply: SYSTEM FLUSH LOGS: %w", err)
	}
	where, args := attemptFilter(attempts)
	// since_start: logged after the server's last start (uptime is in whole
	// seconds, so an entry of the first second counts as before: the safe
	// side).
	rows, err := r.conn.Query(ctx, `SELECT query_id, type = 'QueryFinish', written_rows, exception,
		event_time_microseconds > now64(6) - toIntervalSecond(uptime()) AS since_start
		FROM system.query_log WHERE type != 'QueryStart' AND `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("apply: read system.query_log: %w", err)
	}
	defer rows.Close()
	ev := &logEvidence{stmts: map[string]map[Key]map[int]loggedStmt{}, complete: map[string]bool{}}
	for rows.Next() {
		var id, exception string
		var finished, sinceStart bool
		var written uint64
		if err := rows.Scan(&id, &finished, &written, &exception, &sinceStart); err != nil {
			return nil, err
		}
		if a, ok := strings.CutSuffix(strings.TrimPrefix(id, queryIDPrefix), ":history"); ok && finished {
			ev.complete[a] = sinceStart
			continue
		}
		attempt, k, idx, hash, ok := parseQueryID(id)
		if !ok {
			continue
		}
		if ev.stmts[attempt] == nil {
			ev.stmts[attempt] = map[Key]map[int]loggedStmt{}
		}
		if ev.stmts[attempt][k] == nil {
			ev.stmts[attempt][k] = map[int]loggedStmt{}
		}
		prev := ev.stmts[attempt][k][idx]
		cur := loggedStmt{hash: hash, finished: finished || prev.finished, failed: !finished || prev.failed,
			writtenRows: max(written, prev.writtenRows), exception: prev.exception}
		if !finished && exception != "" {
			cur.exception = firstLineOf(exception)
		}
		ev.stmts[attempt][k][idx] = cur
	}
	return ev, rows.Err()
}

func firstLineOf(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if i := strings.Index(s, ". Stack trace"); i >= 0 {
		s = s[:i]
	}
	return s
}

// halfUnit is one half-applied migration while its resume point is decided.
type halfUnit struct {
	key   Key
	unit  *Unit
	rec   Record
	down  bool
	stmts []Statement
	// last is the attempt that last worked on the section.
	last string
	// start is how many statements were done when last began it.
	start int
	// lo is how many are known to have completed; hi how many may have.
	lo, hi int
	// exact: lo is the answer, from.
	exact bool
	from  string
	why   string
	// partial is set when statement lo wrote rows and did not finish.
	partial *PartialStatement
	// hashes are the rendered-statement hashes the log recorded for the
	// completed statements.
	hashes map[int]string
	// fits are the completed counts whose state the live schema matches,
	// when several do.
	fits []int
}

// resolvePartial finds, for every half-applied migration, how many
// statements of its section completed, from the best evidence there is:
// the history (a failed or stopped statement, table-journal events), then
// the query log while it holds the whole attempt, then the live schema
// (StateMatcher), then the user's word (WithResumeAt). It refuses with a
// *ResumeError when they leave it open, and checks that completed
// statements were not edited since.
func (r *Runner) resolvePartial(ctx context.Context, events []Event, state map[Key]Record, byKey map[Key]*Unit) (map[Key]PartialUnit, error) {
	var halves []*halfUnit
	var attempts []string
	seen := map[string]bool{}
	for _, k := range SortedKeys(state) {
		rec := state[k]
		if !rec.Incomplete() {
			continue
		}
		u, ok := byKey[k]
		if !ok {
			return nil, fmt.Errorf("%w: %s (%s) is half-applied but its file is gone", ErrMissing, k, rec.Name)
		}
		h := &halfUnit{key: k, unit: u, rec: rec, down: rec.Status.Down(), last: rec.Attempts[len(rec.Attempts)-1]}
		h.stmts = u.Up
		if h.down {
			h.stmts = u.Down
		}
		h.start = attemptStart(events, k, h.last, rec)
		halves = append(halves, h)
		for _, a := range rec.Attempts {
			if !seen[a] {
				seen[a] = true
				attempts = append(attempts, a)
			}
		}
	}
	for k := range r.resumeAt {
		if rec, ok := state[k]; !ok || !rec.Incomplete() {
			return nil, fmt.Errorf("apply: --resume-at %s: %s is not half-applied (it is %s)", k, k, statusWord(rec, ok))
		}
	}
	if len(halves) == 0 {
		return map[Key]PartialUnit{}, nil
	}
	if err := r.waitInterrupted(ctx, attempts); err != nil {
		return nil, err
	}
	logged, err := r.readQueryLog(ctx, attempts)
	if err != nil {
		return nil, err
	}
	for _, h := range halves {
		if err := r.facts(h, logged); err != nil {
			return nil, err
		}
	}
	chainOrder(events, halves)
	for _, h := range halves {
		if d, ok := r.resumeAt[h.key]; ok {
			if d < h.lo {
				return nil, fmt.Errorf("apply: --resume-at %s:%d would run statement %d again, which is known to have completed (%d of %d are)",
					h.key, d+1, d+1, h.lo, len(h.stmts))
			}
			if d > len(h.stmts) {
				return nil, fmt.Errorf("apply: --resume-at %s:%d: the section has %s (%d: all completed)", h.key, d+1, english.Plural(len(h.stmts), "statement"), len(h.stmts)+1)
			}
			h.lo, h.hi, h.exact, h.from, h.why, h.partial = d, d, true, FromResumeAt, "", nil
		}
	}
	var units []*Unit
	for _, k := range SortedKeys(byKey) {
		units = append(units, byKey[k])
	}
	if err := r.decideFromSchema(ctx, halves, appliedUnits(state, units)); err != nil {
		return nil, err
	}
	partial := map[Key]PartialUnit{}
	certain := map[Key]PartialUnit{}
	for _, h := range halves {
		certain[h.key] = PartialUnit{Unit: h.unit, Done: h.lo, Down: h.down}
	}
	for _, h := range halves {
		if h.partial != nil {
			return nil, &ResumeError{Key: h.key, File: h.unit.File, Down: h.down, Total: len(h.stmts), Known: h.lo, Partial: h.partial, Stmts: h.stmts, Certain: certain}
		}
		if !h.exact {
			return nil, &ResumeError{Key: h.key, File: h.unit.File, Down: h.down, Total: len(h.stmts), Known: h.lo,
				Candidates: candidates(h), Reason: h.why, Stmts: h.stmts, Certain: certain, SchemaChecked: h.fits != nil}
		}
		if err := checkEdits(h); err != nil {
			return nil, err
		}
		r.events(ResumeDecided{Key: h.key, Down: h.down, Done: h.lo, Total: len(h.stmts), From: h.from, Detail: h.why})
		partial[h.key] = PartialUnit{Unit: h.unit, Done: h.lo, Down: h.down, From: h.from}
	}
	return partial, nil
}

func statusWord(rec Record, ok bool) string {
	if !ok {
		return "not in the history"
	}
	return string(rec.Status)
}

func candidates(h *halfUnit) []int {
	if h.fits != nil {
		return h.fits
	}
	var c []int
	for d := h.lo; d <= h.hi; d++ {
		c = append(c, d)
	}
	return c
}

// attemptStart is how many statements of k's section were done when
// attempt began it: the Statements of its first event for k.
func attemptStart(events []Event, k Key, attempt string, rec Record) int {
	for _, e := range events {
		if e.Attempt == attempt && e.Service == k.Service && e.Version == k.Version && e.Status.Down() == rec.Status.Down() {
			return int(e.Statements)
		}
	}
	return int(rec.Statements)
}

// facts sets what the history and the query log establish for h.
func (r *Runner) facts(h *halfUnit, logged *logEvidence) error {
	n := len(h.stmts)
	h.lo = int(h.rec.Statements)
	h.hashes = map[int]string{}
	if logged != nil {
		finished := map[int]bool{}
		for _, a := range h.rec.Attempts {
			for idx, st := range logged.stmts[a][h.key] {
				if st.finished {
					finished[idx] = true
					h.hashes[idx] = st.hash
				}
			}
		}
		done := 0
		for finished[done] {
			done++
		}
		h.lo = max(h.lo, done)
	}
	if h.lo > n {
		return fmt.Errorf("%w: %s: %s ran but the file now has %d", ErrEdited, h.unit.File, english.Plural(h.lo, "statement"), n)
	}
	switch h.rec.Status {
	case StatusFailed, StatusRevertFailed, StatusStopped, StatusRevertStopped:
		// The run saw the statement end and recorded it, rows included.
		h.exact, h.from = true, FromHistory
		h.why = fmt.Sprintf("the run %s there", h.rec.Status)
		if h.rec.WrittenRows > 0 && h.lo == int(h.rec.Statements) && h.lo < n {
			h.partial = &PartialStatement{Index: h.lo, Stmt: h.stmts[h.lo], WrittenRows: h.rec.WrittenRows}
			if h.rec.Status == StatusFailed || h.rec.Status == StatusRevertFailed {
				h.partial.Error = h.rec.Error
			} else {
				h.partial.Error = "cancelled by a stop request"
			}
		}
	case StatusStarted, StatusReverting:
		if logged != nil && logged.complete[h.last] {
			h.exact, h.from = true, FromQueryLog
		}
	}
	if logged != nil && h.lo < n && h.partial == nil {
		// A data statement that wrote rows and did not finish is partly
		// done, whatever else is known.
		if st, ok := logged.stmts[h.last][h.key][h.lo]; ok && !st.finished && st.writtenRows > 0 && cancelOnStop(h.stmts[h.lo]) {
			h.partial = &PartialStatement{Index: h.lo, Stmt: h.stmts[h.lo], WrittenRows: st.writtenRows, Error: st.exception}
			h.exact = true
		}
	}
	if h.exact {
		h.hi = h.lo
		return nil
	}
	h.hi = n
	switch {
	case h.rec.Journal == JournalTable:
		// An event follows every statement: at most the one after the last
		// event may have run unrecorded.
		h.hi = min(h.lo+1, n)
		h.why = "the run was interrupted between a statement and its history event"
	case logged == nil && h.rec.Journal == JournalQueryLog:
		h.why = "the run recorded its statements in the query log, which is gone (the server restarted, or the log was dropped)"
	case logged == nil:
		h.why = "the server keeps no query log"
	default:
		h.why = "the query log no longer holds the run (the server restarted since, losing the entries it had not flushed)"
	}
	if h.lo == n {
		h.exact, h.from = true, FromHistory
	}
	return nil
}

// chainOrder narrows the ranges with the order a run follows: it starts a
// migration only after the one before it in its plan completed. A
// migration whose run stopped in an earlier one ran nothing in that run,
// and one that has statements done in a run means every earlier one of
// that run completed.
func chainOrder(events []Event, halves []*halfUnit) {
	byAttempt := map[string][]*halfUnit{}
	for _, h := range halves {
		byAttempt[h.last] = append(byAttempt[h.last], h)
	}
	for attempt, hs := range byAttempt {
		order := planOrder(events, attempt)
		sort.SliceStable(hs, func(i, j int) bool { return order[hs[i].key] < order[hs[j].key] })
		// Progress in a later migration completes every earlier one.
		for i := len(hs) - 1; i > 0; i-- {
			if hs[i].lo > hs[i].start {
				for _, e := range hs[:i] {
					e.lo, e.hi, e.exact, e.from = len(e.stmts), len(e.stmts), true, FromHistory
					e.why = "a later migration of the same run has statements done"
				}
				break
			}
		}
		// A migration that certainly did not complete blocks the later ones.
		for i, h := range hs {
			if h.lo < len(h.stmts) && (h.exact || h.hi < len(h.stmts)) {
				for _, e := range hs[i+1:] {
					if !e.exact {
						e.lo, e.hi, e.exact, e.from = e.start, e.start, true, FromHistory
						e.why = fmt.Sprintf("the run stopped in %s, before it", h.key)
					}
				}
				break
			}
		}
	}
}

// planOrder is the order in which attempt planned its migrations: the
// order of its opening events, which one insert wrote.
func planOrder(events []Event, attempt string) map[Key]int {
	order := map[Key]int{}
	for _, e := range events {
		k := Key{e.Service, e.Version}
		if _, ok := order[k]; !ok && e.Attempt == attempt {
			order[k] = len(order)
		}
	}
	return order
}

// maxStates bounds how many possible states the live schema is compared
// with.
const maxStates = 256

// decideFromSchema settles the undecided migrations from the live schema:
// of the states the evidence leaves possible, the one the server holds.
func (r *Runner) decideFromSchema(ctx context.Context, halves []*halfUnit, applied []*Unit) error {
	var open []*halfUnit
	for _, h := range halves {
		if !h.exact && h.partial == nil {
			open = append(open, h)
		}
	}
	if len(open) == 0 {
		return nil
	}
	if r.matcher == nil {
		for _, h := range open {
			h.why += "; no live-schema check is configured"
		}
		return nil
	}
	// Every combination of the open migrations' possible counts.
	combos := [][]int{{}}
	for _, h := range open {
		var next [][]int
		for _, c := range combos {
			for d := h.lo; d <= h.hi; d++ {
				next = append(next, append(append([]int(nil), c...), d))
			}
		}
		combos = next
		if len(combos) > maxStates {
			for _, h := range open {
				h.why += fmt.Sprintf("; too many possible states (over %d) to compare with the live schema", maxStates)
			}
			return nil
		}
	}
	base := map[Key]PartialUnit{}
	for _, h := range halves {
		if h.exact {
			base[h.key] = PartialUnit{Unit: h.unit, Done: h.lo, Down: h.down}
		}
	}
	states := make([]AppliedState, len(combos))
	for i, c := range combos {
		p := map[Key]PartialUnit{}
		for k, v := range base {
			p[k] = v
		}
		for j, h := range open {
			p[h.key] = PartialUnit{Unit: h.unit, Done: c[j], Down: h.down}
		}
		states[i] = AppliedState{Init: r.init, Applied: applied, Partial: p}
	}
	match, err := r.matcher.Match(ctx, states)
	if err != nil {
		return fmt.Errorf("apply: compare the possible states with the live schema: %w", err)
	}
	for j, h := range open {
		fits := map[int]bool{}
		for i, c := range combos {
			if match[i] {
				fits[c[j]] = true
			}
		}
		var ds []int
		for d := range fits {
			ds = append(ds, d)
		}
		sort.Ints(ds)
		switch {
		case len(ds) == 0:
			h.why += fmt.Sprintf("; the server's schema fits none of the states after %d to %s (drift, or a statement the model cannot follow: see chschema diff)", h.lo, english.Plural(h.hi, "statement"))
		case len(ds) == 1:
			h.lo, h.hi, h.exact, h.from = ds[0], ds[0], true, FromLiveSchema
			h.why = fmt.Sprintf("%s; the server's schema is the one after statement %d", h.why, ds[0])
			if ds[0] == 0 {
				h.why = h.why[:strings.LastIndex(h.why, ";")] + "; the server's schema is the one before its first statement"
			}
		case idempotentRun(h.stmts, ds):
			// Running again statements that change nothing when they
			// already ran is safe: resume at the first candidate.
			h.lo, h.hi, h.exact, h.from = ds[0], ds[0], true, FromLiveSchema
			h.why = fmt.Sprintf("%s; the server's schema fits %s completed statements, and statements %d to %d are idempotent, so they run again", h.why, countList(ds), ds[0]+1, ds[len(ds)-1])
		default:
			h.lo, h.hi = ds[0], ds[len(ds)-1]
			h.why += "; several of the possible states have the schema the server holds (statements that change data, or no schema, leave no trace in it)"
			h.fits = ds
		}
	}
	return nil
}

// idempotentRun reports whether every statement between the first and the
// last candidate count is idempotent.
func idempotentRun(stmts []Statement, ds []int) bool {
	for i := ds[0]; i < ds[len(ds)-1]; i++ {
		if ok, _ := parser.Idempotent(parser.Statement{Text: stmts[i].SQL, Pos: parser.FileStart}); !ok {
			return false
		}
		// CREATE OR REPLACE TABLE is idempotent for the schema, not for
		// the rows: it empties the table again.
		effects, _ := destructive(stmts[i].SQL, "default")
		if len(effects) > 0 {
			return false
		}
	}
	return true
}

// checkEdits refuses when a completed statement changed since it ran.
func checkEdits(h *halfUnit) error {
	for i := 0; i < h.lo; i++ {
		if hash, ok := h.hashes[i]; ok && hash != h.stmts[i].Hash() {
			return fmt.Errorf("%w: %s: statement %d (%s) already ran and has changed since; restore it, or revert by hand and record the state with baseline",
				ErrEdited, h.unit.File, i+1, h.stmts[i].Pos())
		}
	}
	if h.lo > 0 && len(h.hashes) < h.lo && h.rec.RawChecksum != h.unit.RawChecksum &&
		h.rec.Status != StatusFailed && h.rec.Status != StatusRevertFailed && h.from != FromResumeAt {
		// Without the log's per-statement hashes, only a failed statement
		// (recorded as such) may be fixed.
		return fmt.Errorf("%w: %s changed while half-applied (%s done)", ErrEdited, h.unit.File, english.Plural(h.lo, "statement"))
	}
	return nil
}
