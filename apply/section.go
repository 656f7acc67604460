package apply

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"sort"
	"strings"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/chschema/chschema/parser"
)

// sectionRun is one section being run (init.sql, or a migration's up or down
// section): the session its statements share, and what they did to it.
type sectionRun struct {
	r *Runner
	// sess is the section's session; nil when the runner has none, and the
	// settings of its SET statements are sent with every statement after
	// them instead (emulated).
	sess     Session
	emulated clickhouse.Settings
	// set are the settings the section's SET statements gave the session:
	// the runner's own per-query settings of those names are not sent, so
	// that the section's SET wins, as it did when it was emulated.
	set map[string]bool
	// use is the database of the section's last USE, "" before any.
	use string
	// replay are the section's USE and SET statements so far, which give a
	// new session what the lost one had.
	replay []indexed
	// temporary are the section's temporary tables, by name, with the
	// statement that created them; other is a statement that changed the
	// session in a way running it again does not restore (a transaction).
	temporary map[string]Statement
	other     *Statement
	// replayID is the query_id of a statement run again.
	replayID func(i int, st Statement) string
}

// indexed is a statement with its index in its section.
type indexed struct {
	i  int
	st Statement
}

// openSection starts a section on a clean session, the previous section's
// when that one left its session as it found it, else a new one. On a
// resume (start > 0), the USE and SET statements among the first start
// statements run again first, so that the statements still to run see the
// session they would have seen.
func (r *Runner) openSection(ctx context.Context, stmts []Statement, start int, replayID func(i int, st Statement) string) (*sectionRun, error) {
	sec := &sectionRun{r: r, set: map[string]bool{}, temporary: map[string]Statement{}, replayID: replayID}
	if r.sessions == nil {
		sec.emulated = maps.Clone(r.settings)
		for i, st := range stmts[:start] {
			sec.note(i, st)
		}
		return sec, nil
	}
	if r.cur != nil && !r.curClean {
		_ = r.cur.Close()
		r.cur = nil
	}
	if r.cur == nil {
		s, err := r.sessions.OpenSession(ctx)
		if err != nil {
			return nil, fmt.Errorf("apply: open a session: %w", err)
		}
		r.cur = s
	}
	r.curClean = true
	sec.sess = r.cur
	for i, st := range stmts[:start] {
		switch parser.SessionEffectOf(parser.Statement{Text: st.SQL}).Kind {
		case parser.SessionUse, parser.SessionSet:
			if err := sec.run(ctx, st, replayID(i, st)); err != nil {
				return nil, &StmtError{Index: i, Stmt: st, Err: fmt.Errorf("running it again in a new session, to resume after it: %w", serverError(err))}
			}
		}
		sec.note(i, st)
	}
	return sec, nil
}

// settings are the per-query settings of the section's next statement.
func (sec *sectionRun) settings() clickhouse.Settings {
	if sec.sess == nil {
		return sec.emulated
	}
	if len(sec.set) == 0 {
		return sec.r.settings
	}
	out := clickhouse.Settings{}
	for k, v := range sec.r.settings {
		if !sec.set[k] {
			out[k] = v
		}
	}
	return out
}

// exec runs one statement of the section with its query_id; a session
// lost before the statement was sent is replaced (see reopen) and the
// statement sent again, once.
func (sec *sectionRun) exec(ctx context.Context, st Statement, id string) error {
	err := sec.run(ctx, st, id)
	if sec.sess != nil && errors.Is(err, ErrSessionLost) {
		if rerr := sec.reopen(ctx); rerr != nil {
			return rerr
		}
		err = sec.run(ctx, st, id)
	}
	if isCode(err, codeUnfinished) {
		// The server ran the mutation synchronously and it failed.
		return fmt.Errorf("%w: %w", ErrMutationFailed, serverError(err))
	}
	return serverError(err)
}

func (sec *sectionRun) run(ctx context.Context, st Statement, id string) error {
	qctx := clickhouse.Context(ctx, clickhouse.WithQueryID(id), clickhouse.WithSettings(sec.settings()))
	if sec.sess == nil {
		return sec.r.conn.Exec(qctx, st.SQL)
	}
	return sec.sess.Exec(qctx, st.SQL)
}

// reopen replaces a lost session: a new one gets the section's USE and SET
// statements again. It fails when the lost one held what running
// statements again cannot give back.
func (sec *sectionRun) reopen(ctx context.Context) error {
	if err := sec.unrecoverable(); err != "" {
		return fmt.Errorf("%w, and with it %s", ErrSessionLost, err)
	}
	r := sec.r
	_ = r.cur.Close()
	r.cur = nil
	s, err := r.sessions.OpenSession(ctx)
	if err != nil {
		return fmt.Errorf("%w, and a new one could not be opened: %w", ErrSessionLost, err)
	}
	r.cur, sec.sess = s, s
	r.curClean = len(sec.replay) == 0
	for _, x := range sec.replay {
		if err := sec.run(ctx, x.st, sec.replayID(x.i, x.st)); err != nil {
			return fmt.Errorf("%w; running %s again in a new session failed: %w", ErrSessionLost, x.st.Pos(), serverError(err))
		}
	}
	return nil
}

// unrecoverable names what the section's session holds that a new session
// cannot get by running statements again, or "".
func (sec *sectionRun) unrecoverable() string {
	var what []string
	for _, name := range sortedNames(sec.temporary) {
		st := sec.temporary[name]
		what = append(what, fmt.Sprintf("the temporary table %s that %s created", quoteIdent(name), st.Pos()))
	}
	if sec.other != nil {
		what = append(what, fmt.Sprintf("what %s (%s) did to it", sec.other.Pos(), oneLine(sec.other.SQL)))
	}
	return strings.Join(what, " and ")
}

func sortedNames[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// note records what statement i of the section, which ran, did to its
// session.
func (sec *sectionRun) note(i int, st Statement) {
	e := parser.SessionEffectOf(parser.Statement{Text: st.SQL})
	if e.Kind != parser.SessionNone && sec.r.cur != nil && sec.sess == sec.r.cur {
		sec.r.curClean = false
	}
	if e.Dropped != "" {
		delete(sec.temporary, e.Dropped)
	}
	switch e.Kind {
	case parser.SessionUse:
		sec.use = e.Use
		sec.replay = append(sec.replay, indexed{i, st})
	case parser.SessionSet:
		sec.replay = append(sec.replay, indexed{i, st})
		set := e.Settings
		if custom := sec.r.classify(st).Set; len(custom) > 0 {
			set = custom
		}
		for k, v := range set {
			sec.set[k] = true
			if sec.emulated != nil {
				sec.emulated[k] = v
			}
		}
	case parser.SessionTemporary:
		if e.Temporary != "" {
			sec.temporary[e.Temporary] = st
		}
	case parser.SessionOther:
		if sec.other == nil {
			sec.other = &st
		}
	}
}

// closeSession ends the session of the last section, at the end of an
// operation.
func (r *Runner) closeSession() {
	if r.cur != nil {
		_ = r.cur.Close()
		r.cur, r.curClean = nil, false
	}
}

// sessionQueryID is the query_id of a statement run again to rebuild a
// section's session: not a statement of the attempt's journal, which
// counts each statement once.
func sessionQueryID(attempt, service string, version uint64, idx int) string {
	return fmt.Sprintf("chschema-session:%s:%s:%d:%d", attempt, service, version, idx)
}

// needsSession lists the statements of the sections a run is about to run
// that only a session can run as written, for a runner without one.
func needsSession(sections ...[]Statement) []string {
	var out []string
	for _, stmts := range sections {
		for _, st := range stmts {
			e := parser.SessionEffectOf(parser.Statement{Text: st.SQL})
			switch {
			case e.Kind == parser.SessionUse, e.Kind == parser.SessionTemporary, e.Kind == parser.SessionOther,
				e.Kind == parser.SessionSet && e.Settings == nil:
				out = append(out, fmt.Sprintf("%s: %s", st.Pos(), oneLine(st.SQL)))
			}
		}
	}
	return out
}

// checkSessions refuses, before anything runs, what the run cannot run as
// written: without a session, a section with a statement that needs one
// (ErrNeedsSession); on a resume, a section whose completed statements
// left in the interrupted run's session a temporary table (or a
// transaction) that the statements still to run may need, unless
// WithResumeAt says where to go on.
func (r *Runner) checkSessions(plan []plannedUnit, down, runInit bool) error {
	sectionOf := func(u *Unit) []Statement {
		if down {
			return u.Down
		}
		return u.Up
	}
	if r.sessions == nil {
		var all [][]Statement
		if runInit {
			all = append(all, r.init)
		}
		for _, p := range plan {
			all = append(all, sectionOf(p.unit))
		}
		if bad := needsSession(all...); len(bad) > 0 {
			return fmt.Errorf("%w: the runner has no session opener (chschema.NewDB without WithSessionOpener), and these statements only run as written in a session, where the statements after them see what they did:\n  %s",
				ErrNeedsSession, strings.Join(bad, "\n  "))
		}
		return nil
	}
	var errs []error
	for _, p := range plan {
		if p.start == 0 {
			continue
		}
		if _, given := r.resumeAt[p.unit.Key()]; given {
			continue
		}
		stmts := sectionOf(p.unit)
		sec := &sectionRun{r: r, temporary: map[string]Statement{}, set: map[string]bool{}}
		for i, st := range stmts[:min(p.start, len(stmts))] {
			sec.note(i, st)
		}
		if what := sec.unrecoverable(); what != "" && p.start < len(stmts) {
			flag := "migrate"
			if down {
				flag = "down"
			}
			errs = append(errs, fmt.Errorf("%w: %w: %s %s stopped before statement %d (%s), and the interrupted run's session held %s, which a new session does not get back: chschema does not run the statements that made it again, since they ran once. Check the server and finish the section's statements that need it by hand, then go on after them: chschema %s --resume-at %s:N",
				ErrSessionLost, ErrUndecided, sectionName(down), p.unit.Key(), p.start+1, stmts[p.start].Pos(), what, flag, p.unit.Key()))
		}
	}
	return errors.Join(errs...)
}
