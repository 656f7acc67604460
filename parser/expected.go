package parser

import (
	"errors"
	"fmt"

	"github.com/chschema/chschema/migrations"
	"github.com/chschema/chschema/schema"
)

// ExpectedOptions select what ExpectedSchema replays.
type ExpectedOptions struct {
	// Vars are the template variables for ${NAME}.
	Vars map[string]string
	// Service, when set, replays only that service (after init.sql).
	Service string
	// Upto, when positive, stops each replayed service after the migration
	// with that version.
	Upto int
	// Database is the session's database for unqualified names, reset at
	// the start of every file; "default" when empty.
	Database string
}

// ExpectedSchema computes, without a server, the schema ClickHouse holds
// after running init.sql and then each service's up migrations, services in
// name order, migrations in version order. The schema starts with the
// database every server has, default. It returns the schema, the findings
// (statements the model cannot follow; their objects are marked uncertain),
// and an error listing, sorted by file:line:col, every statement the server
// would refuse.
func ExpectedSchema(d *migrations.Dir, opts ExpectedOptions) (*schema.Schema, []Finding, error) {
	if d == nil {
		return nil, nil, errors.New("parser: ExpectedSchema: nil migrations directory")
	}
	if opts.Database == "" {
		opts.Database = "default"
	}
	var svc *migrations.Service
	if opts.Service != "" {
		s, ok := d.Service(opts.Service)
		if !ok {
			return nil, nil, fmt.Errorf("parser: no service %q in the migrations", opts.Service)
		}
		svc = s
	}
	s := StartingSchema(opts.Database)
	r, err := NewReplayer(s, opts.Database)
	if err != nil {
		return nil, nil, err
	}
	var errs ReplayErrors
	replay := func(sec *migrations.Section) {
		if sec == nil {
			return
		}
		rendered, stmts, err := SplitSection(sec, opts.Vars)
		var list migrations.ErrorList
		if errors.As(err, &list) {
			for _, e := range list {
				errs = append(errs, &ReplayError{Pos: schema.Position{File: e.File, Line: e.Pos.Line, Col: e.Pos.Col}, Err: positioned{e}})
			}
			return
		}
		r.UseDatabase(opts.Database)
		r.replayRendered(sec.File, rendered, stmts, err)
	}
	replay(d.Init)
	for _, sv := range d.Services {
		if svc != nil && sv != svc {
			continue
		}
		for _, m := range sv.Migrations {
			if opts.Upto > 0 && m.Version > opts.Upto {
				break
			}
			replay(m.Up)
		}
	}
	return r.result(errs)
}

// replayRendered replays the statements of a template-rendered section (and
// SplitSection's syntax error), positioning each at its place in the raw
// file.
func (r *Replayer) replayRendered(file string, rendered *migrations.Rendered, stmts []Statement, err error) {
	for _, st := range stmts {
		p := rendered.FilePos(st.Pos.Offset)
		r.ReplayStatement(schema.Position{File: file, Line: p.Line, Col: p.Col}, st.Text)
	}
	if err != nil {
		at := schema.Position{File: file}
		var se *SyntaxError
		if errors.As(err, &se) {
			p := rendered.FilePos(se.Pos.Offset)
			at.Line, at.Col = p.Line, p.Col
		}
		r.errs = append(r.errs, &ReplayError{Pos: at, Err: err})
	}
}

func sortErrors(l ReplayErrors) {
	for i := 1; i < len(l); i++ {
		for j := i; j > 0 && posLess(l[j].Pos, l[j-1].Pos); j-- {
			l[j], l[j-1] = l[j-1], l[j]
		}
	}
}

// positioned is a *migrations.Error inside a ReplayError, which carries the
// position itself: it prints only the message and unwraps to the sentinel.
type positioned struct{ e *migrations.Error }

func (p positioned) Error() string { return p.e.Msg }
func (p positioned) Unwrap() error { return p.e.Err }
