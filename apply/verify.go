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
// into the expected schema, reads the live schema, and fails with a
// *drift.Error when they differ.
type DriftVerifier struct {
	check    *drift.Check
	database string
	init     []Statement
	// footprint is what the units touch at any version (SetUnits).
	footprint *drift.Footprint
}

var (
	_ Verifier   = (*DriftVerifier)(nil)
	_ UnitsAware = (*DriftVerifier)(nil)
)

// UnitsAware is a Verifier that wants to know every unit of the
// directory, not only the applied ones: the runner tells it before it
// verifies.
type UnitsAware interface {
	SetUnits(units []*Unit)
}

// SetUnits implements UnitsAware: the check reads every database the
// units touch at any version, so that what a reverted migration left
// behind is seen.
func (v *DriftVerifier) SetUnits(units []*Unit) {
	v.footprint = MigrationsFootprint(v.init, units, v.database)
}

// NewDriftVerifier returns a verifier that compares with check. database is
// the session's database for unqualified names (the DSN's).
func NewDriftVerifier(check *drift.Check, database string, init []Statement) (*DriftVerifier, error) {
	if check == nil {
		return nil, errors.New("apply: NewDriftVerifier: nil check")
	}
	if database == "" {
		database = "default"
	}
	return &DriftVerifier{check: check, database: database, init: init}, nil
}

// Verify implements Verifier.
func (v *DriftVerifier) Verify(ctx context.Context, applied []*Unit, partial map[Key]PartialUnit) error {
	expected, _, err := ExpectedSchema(v.init, applied, partial, v.database)
	if err != nil {
		return err
	}
	rep, err := v.check.Compare(ctx, expected, v.footprint)
	if err != nil {
		return err
	}
	if rep.Drift() {
		return &drift.Error{Report: rep}
	}
	return nil
}

// ExpectedSchema replays init, then the applied units, the first Done
// statements of the half-applied ones, and the whole up section then the
// first Done down statements of the half-reverted ones, services in name
// order and versions in order, into the schema the server should hold.
// database is the session database, reset for every section. The findings
// are the statements the model cannot follow (their objects are marked
// uncertain).
func ExpectedSchema(init []Statement, applied []*Unit, partial map[Key]PartialUnit, database string) (*schema.Schema, []parser.Finding, error) {
	type step struct {
		u *Unit
		n int
		// down is how many down statements ran after the whole up.
		down int
	}
	var steps []step
	for _, u := range applied {
		steps = append(steps, step{u: u, n: len(u.Up)})
	}
	for _, p := range partial {
		switch {
		case p.Down:
			steps = append(steps, step{u: p.Unit, n: len(p.Unit.Up), down: p.Done})
		case p.Done > 0:
			steps = append(steps, step{u: p.Unit, n: p.Done})
		}
	}
	sort.SliceStable(steps, func(i, j int) bool {
		a, b := steps[i].u, steps[j].u
		if a.Service != b.Service {
			return a.Service < b.Service
		}
		return a.Version < b.Version
	})
	s := parser.StartingSchema(database)
	r, err := parser.NewReplayer(s, database)
	if err != nil {
		return nil, nil, err
	}
	// The server ran these statements (or, without a history, is taken
	// to have): what the model refuses is its own failure.
	r.TrustStatements()
	replay := func(stmts []Statement) {
		r.UseDatabase(database)
		for _, st := range stmts {
			r.ReplayStatement(schema.Position{File: st.File, Line: st.Line, Col: st.Col}, st.SQL)
		}
	}
	replay(init)
	for _, st := range steps {
		replay(st.u.Up[:st.n])
		if st.down > 0 {
			replay(st.u.Down[:min(st.down, len(st.u.Down))])
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

// Split sorts units by progress: the applied ones, the half-applied and
// half-reverted ones (with the statements of their section that completed),
// and the keys of the rest.
func (p *Progress) Split(units []*Unit) (applied []*Unit, partial map[Key]PartialUnit, left []Key) {
	partial = map[Key]PartialUnit{}
	for _, u := range units {
		k := u.Key()
		switch pu, half := p.Partial[k]; {
		case p.State[k].Applied():
			applied = append(applied, u)
		case half:
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
	journal, err := r.journalMode(ctx)
	if err != nil {
		return nil, err
	}
	partial, err := r.resolvePartial(ctx, state, indexUnits(units), journal)
	if err != nil {
		return nil, err
	}
	return &Progress{State: state, Partial: partial}, nil
}

// MigrationsFootprint is what init and every section of units (up or
// down, at any version) touch, database being the session's at the start
// of each: the databases they name, and those and the objects their up
// sections create (see drift.Footprint).
func MigrationsFootprint(init []Statement, units []*Unit, database string) *drift.Footprint {
	fp := &drift.Footprint{CreatedDatabases: map[string]bool{}, Created: map[schema.QualifiedName]bool{}}
	seen := map[string]bool{}
	section := func(stmts []Statement, up bool) {
		db := database
		for _, st := range stmts {
			f := parser.Footprint(st.SQL, db)
			for _, d := range f.Databases {
				if !seen[d] {
					seen[d] = true
					fp.Databases = append(fp.Databases, d)
				}
			}
			if up {
				for _, d := range f.CreatedDatabases {
					fp.CreatedDatabases[d] = true
				}
				for _, o := range f.Created {
					fp.Created[o] = true
				}
			}
			if f.Use != "" {
				db = f.Use
			}
		}
	}
	section(init, true)
	for _, u := range units {
		section(u.Up, true)
		section(u.Down, false)
	}
	sort.Strings(fp.Databases)
	return fp
}
