package lint

import (
	"cmp"
	"errors"
	"slices"

	"github.com/chschema/chschema/migrations"
	"github.com/chschema/chschema/parser"
	"github.com/chschema/chschema/schema"
)

// RuleReplay is a statement that cannot replay onto the schema the
// statements before it build: what the server would refuse on a fresh
// deployment (a table, column or database that does not exist, an object
// created twice, a DROP of something absent without IF EXISTS). It is the
// replay chschema schema and migrate's drift check use.
const RuleReplay Rule = "replay"

// maxSessionCandidates bounds the session databases tried when the DSN's
// database is not known.
const maxSessionCandidates = 8

// replayStmt is a statement of a replayed section, at its file position.
type replayStmt struct {
	pos  migrations.Pos
	text string
	// broken is a statement lint reported as a syntax error: its effect
	// is unknown.
	broken bool
}

// replaySection is init.sql or an up section, in replay order.
type replaySection struct {
	file  string
	stmts []replayStmt
	// lost says that what follows the statements cannot be followed: the
	// section did not render (an undefined variable, an unsafe value) or
	// did not lex.
	lost bool
}

// replayFindings replays init.sql and the up sections, in the order
// migrate runs them (services in name order, each in ID order), and adds a
// RuleReplay error for each statement the model refuses. Nothing is
// reported on objects an unmodelled statement may have touched, nor after a
// statement or section whose effect is unknown (a syntax error, an
// undefined variable, a statement with no named objects that the model
// cannot follow): those are reported by their own rules, and the replay is
// checked again once they are fixed.
//
// Unqualified names are in the session database: Options.Database when
// set; otherwise, since lint does not know the DSN's database, an error is
// reported only when it happens with default as the session database and
// with each database the migrations name as well.
func (l *linter) replayFindings() {
	session := cmp.Or(l.opts.Database, "default")
	errs, final := l.replayPass(session)
	if len(errs) == 0 {
		return
	}
	if l.opts.Database == "" {
		tried := map[string]bool{session: true}
		var candidates []string
		add := func(db string) {
			if !tried[db] && db != "system" && len(candidates) < maxSessionCandidates {
				tried[db] = true
				candidates = append(candidates, db)
			}
		}
		for _, d := range final.Databases {
			add(d.Name)
		}
		for _, e := range errs {
			for _, db := range e.databases {
				add(db)
			}
		}
		for _, db := range candidates {
			other, _ := l.replayPass(db)
			for k := range errs {
				if _, ok := other[k]; !ok {
					delete(errs, k)
				}
			}
			if len(errs) == 0 {
				return
			}
		}
	}
	for _, e := range errs {
		l.add(e.file, migrations.Pos{Line: e.pos.Line, Col: e.pos.Col}, RuleReplay, Error, "%s", e.msg)
	}
}

// passError is one refused statement of a replay pass.
type passError struct {
	file      string
	pos       schema.Position
	msg       string
	databases []string // the databases the refused change names
}

// replayPass replays every section with session as the session database and
// returns the refused statements, keyed by position, and the schema built.
func (l *linter) replayPass(session string) (map[schema.Position]passError, *schema.Schema) {
	s := parser.StartingSchema(session)
	r, err := parser.NewReplayer(s, session)
	if err != nil {
		return nil, s
	}
	out := map[schema.Position]passError{}
	uncertainObjects := map[schema.QualifiedName]bool{}
	uncertainDatabases := map[string]bool{}
	touchesUncertain := func(c schema.Change) bool {
		objs, dbs := changeNames(c)
		for _, o := range objs {
			if uncertainObjects[o] || uncertainDatabases[o.Database] {
				return true
			}
		}
		return slices.ContainsFunc(dbs, func(db string) bool { return uncertainDatabases[db] })
	}
	for _, sec := range l.replaySections {
		r.UseDatabase(session)
		for _, st := range sec.stmts {
			if st.broken {
				return out, s
			}
			at := schema.Position{File: sec.file, Line: st.pos.Line, Col: st.pos.Col}
			errs, findings := r.Replay(at, st.text)
			unknown := false
			for _, f := range findings {
				if len(f.Objects) == 0 && len(f.Databases) == 0 {
					unknown = true // anything may have changed
				}
				for _, o := range f.Objects {
					uncertainObjects[o] = true
				}
				for _, db := range f.Databases {
					uncertainDatabases[db] = true
				}
			}
			for _, e := range errs {
				if unknown || e.Change != nil && touchesUncertain(e.Change) {
					continue
				}
				if _, seen := out[e.Pos]; seen {
					continue
				}
				var use *parser.UseError
				if errors.As(e.Err, &use) {
					// USE of a database no migration creates: the server
					// has it (the DSN's, say), or refuses the USE. What
					// the model does not know is uncertain, not an error.
					_ = s.Apply(&schema.MarkUncertain{Databases: []string{use.Database},
						Reason: schema.Uncertainty{Reason: "a database no migration creates", Pos: e.Pos}})
					r.UseDatabase(use.Database)
					uncertainDatabases[use.Database] = true
					continue
				}
				_, dbs := changeNames(e.Change)
				out[e.Pos] = passError{file: sec.file, pos: e.Pos, msg: e.Err.Error(), databases: dbs}
				if e.Change == nil {
					unknown = true // the statement itself was not followed
				}
			}
			if unknown {
				return out, s
			}
		}
		if sec.lost {
			return out, s
		}
	}
	return out, s
}

// changeNames returns the objects and the databases a top-level change
// names (the databases of the objects included).
func changeNames(c schema.Change) (objs []schema.QualifiedName, dbs []string) {
	switch c := c.(type) {
	case *schema.AddDatabase:
		dbs = append(dbs, c.D.Name)
	case *schema.DropDatabase:
		dbs = append(dbs, c.Name)
	case *schema.RenameDatabase:
		dbs = append(dbs, c.From, c.To)
	case *schema.DetachDatabase:
		dbs = append(dbs, c.Name)
	case *schema.AttachDatabase:
		dbs = append(dbs, c.Name)
	case *schema.ModifyDatabaseComment:
		dbs = append(dbs, c.Name)
	case *schema.AddTable:
		objs = append(objs, c.Name)
		if c.AsTable != nil {
			objs = append(objs, *c.AsTable)
		}
	case *schema.AddView:
		objs = append(objs, c.Name)
		if c.V != nil && c.V.To != nil {
			objs = append(objs, *c.V.To)
		}
	case *schema.AddDictionary:
		objs = append(objs, c.Name)
	case *schema.DropObject:
		objs = append(objs, c.Name)
	case *schema.DetachObject:
		objs = append(objs, c.Name)
	case *schema.AttachObject:
		objs = append(objs, c.Name)
	case *schema.RenameObject:
		objs = append(objs, c.From, c.To)
	case *schema.ExchangeObjects:
		objs = append(objs, c.A, c.B)
	case *schema.ModifyTable:
		objs = append(objs, c.Name)
	}
	for _, o := range objs {
		dbs = append(dbs, o.Database)
	}
	return objs, dbs
}
