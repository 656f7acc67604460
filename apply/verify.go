package apply

import (
	"context"
	"errors"
	"sort"

	"github.com/chschema/chschema/drift"
	"github.com/chschema/chschema/parser"
	"github.com/chschema/chschema/schema"
)

// DriftVerifier is the Verifier of migrate and baseline: it replays init.sql,
// the applied migrations and the completed statements of half-applied ones
// into the expected schema (ReplayApplied), reads the live schema, and fails
// with a *drift.Error when they differ.
type DriftVerifier struct {
	check    *drift.Check
	database string
}

var _ Verifier = (*DriftVerifier)(nil)

// NewDriftVerifier returns a verifier that reads the live schema from q and
// compares as opts say. opts.Session, the session's database (the DSN's), is
// also the database of unqualified names in the migrations; "default" when
// empty.
func NewDriftVerifier(q schema.Querier, opts drift.Options) (*DriftVerifier, error) {
	if opts.Session == "" {
		opts.Session = "default"
	}
	check, err := drift.New(q, opts)
	if err != nil {
		return nil, err
	}
	return &DriftVerifier{check: check, database: opts.Session}, nil
}

// Verify implements Verifier.
func (v *DriftVerifier) Verify(ctx context.Context, state AppliedState) error {
	expected, _, err := ReplayApplied(state, v.database)
	if err != nil {
		return err
	}
	rep, err := v.check.Compare(ctx, expected)
	if err != nil {
		return err
	}
	if rep.Drift() {
		return &drift.Error{Report: rep}
	}
	return nil
}

// ReplayApplied replays state into the schema the server should hold:
// init.sql, then the applied units and the first Done statements of the
// partial ones (for a unit being reverted: its up section, then the first
// Done statements of its down section), services in name order and
// versions in order. database is the session database, reset for every file. The
// findings are the statements the model cannot follow (their objects are
// marked uncertain). It is the expected schema of units already rendered;
// parser.ExpectedSchema computes the same from a migrations directory.
func ReplayApplied(state AppliedState, database string) (*schema.Schema, []parser.Finding, error) {
	type step struct {
		u *Unit
		n int
		// down statements of the unit's down section follow its up section.
		down int
	}
	var steps []step
	for _, u := range state.Applied {
		steps = append(steps, step{u, len(u.Up), 0})
	}
	for _, p := range state.Partial {
		switch {
		case p.Down:
			// Being reverted: applied, then the completed down statements.
			steps = append(steps, step{p.Unit, len(p.Unit.Up), p.Done})
		case p.Done > 0:
			steps = append(steps, step{p.Unit, p.Done, 0})
		}
	}
	sort.SliceStable(steps, func(i, j int) bool {
		a, b := steps[i].u, steps[j].u
		if a.Service != b.Service {
			return a.Service < b.Service
		}
		return a.Version < b.Version
	})
	if database == "" {
		database = "default"
	}
	s := parser.StartingSchema(database)
	r, err := parser.NewReplayer(s, database)
	if err != nil {
		return nil, nil, err
	}
	replay := func(stmts []Statement) {
		r.UseDatabase(database)
		for _, st := range stmts {
			r.ReplayStatement(schema.Position{File: st.File, Line: st.Line, Col: st.Col}, st.SQL)
		}
	}
	replay(state.Init)
	for _, st := range steps {
		replay(st.u.Up[:st.n])
		if st.down > 0 {
			replay(st.u.Down[:st.down])
		}
	}
	if err := r.Err(); err != nil {
		return nil, nil, err
	}
	return s, r.Findings(), nil
}

// Progress is how far the server got with the migrations, per its history:
// each migration's record, and how many up statements of each half-applied
// one completed.
type Progress struct {
	State   map[Key]Record
	Partial map[Key]PartialUnit
}

// Split sorts units by progress: the applied ones, the half-applied ones
// (up sections, with their completed statements), and the keys of the rest.
func (p *Progress) Split(units []*Unit) (applied []*Unit, partial map[Key]PartialUnit, left []Key) {
	partial = map[Key]PartialUnit{}
	for _, u := range units {
		k := u.Key()
		switch pu, half := p.Partial[k]; {
		case p.State[k].Applied():
			applied = append(applied, u)
		case half && !pu.Down:
			partial[k] = pu
		default:
			left = append(left, k)
		}
	}
	return applied, partial, left
}

// Progress reads the history and, for half-applied migrations, the query log
// (or the table journal), without taking the lock or changing anything but
// flushing the server's logs. It is nil when the server has no history.
func (r *Runner) Progress(ctx context.Context, units []*Unit) (*Progress, error) {
	events, err := r.history.Load(ctx)
	if err != nil || len(events) == 0 {
		return nil, err
	}
	state := State(events)
	partial, err := r.resolvePartial(ctx, events, state, indexUnits(units))
	var re *ResumeError
	if errors.As(err, &re) {
		// Undecided: what is certain is what completed.
		partial, err = re.Certain, nil
	}
	if err != nil {
		return nil, err
	}
	return &Progress{State: state, Partial: partial}, nil
}

var _ StateMatcher = (*DriftVerifier)(nil)

// Match implements StateMatcher: it replays each state and asks the live
// schema which one it is, on the objects where they differ (drift.Check.Match).
func (v *DriftVerifier) Match(ctx context.Context, states []AppliedState) ([]bool, error) {
	schemas := make([]*schema.Schema, len(states))
	for i, st := range states {
		s, _, err := ReplayApplied(st, v.database)
		if err != nil {
			return nil, err
		}
		schemas[i] = s
	}
	return v.check.Match(ctx, schemas)
}
