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
}

var _ Verifier = (*DriftVerifier)(nil)

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
	expected, err := ExpectedSchema(v.init, applied, partial, v.database)
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

// ExpectedSchema replays init, then the applied units and the first Done
// statements of the partial ones (up sections only), services in name order
// and versions in order, into the schema the server should hold. database is
// the session database, reset for every file.
func ExpectedSchema(init []Statement, applied []*Unit, partial map[Key]PartialUnit, database string) (*schema.Schema, error) {
	type step struct {
		u *Unit
		n int
	}
	var steps []step
	for _, u := range applied {
		steps = append(steps, step{u, len(u.Up)})
	}
	for _, p := range partial {
		if !p.Down && p.Done > 0 {
			steps = append(steps, step{p.Unit, p.Done})
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
		return nil, err
	}
	replay := func(stmts []Statement) {
		r.UseDatabase(database)
		for _, st := range stmts {
			r.ReplayStatement(schema.Position{File: st.File, Line: st.Line, Col: st.Col}, st.SQL)
		}
	}
	replay(init)
	for _, st := range steps {
		replay(st.u.Up[:st.n])
	}
	if err := r.Err(); err != nil {
		return nil, err
	}
	return s, nil
}
