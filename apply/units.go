package apply

import (
	"errors"

	"github.com/chschema/chschema/migrations"
	"github.com/chschema/chschema/parser"
)

// Units renders every migration of d with vars and splits its sections into
// statements, with file positions. It also returns init.sql's statements.
// Every error of every file is reported, sorted, with its position.
func Units(d *migrations.Dir, vars map[string]string) (units []*Unit, init []Statement, err error) {
	var errs migrations.ErrorList
	if d.Init != nil {
		init = section(d.Init, vars, &errs)
	}
	for _, m := range d.Migrations() {
		u := &Unit{Service: m.Service.Name, Version: uint64(m.Version), Name: m.Name,
			File: m.Files[0], RawChecksum: m.Checksum()}
		if m.Up == nil {
			errs = append(errs, &migrations.Error{File: m.Files[0], Err: migrations.ErrMissingUp, Msg: "no up section"})
			continue
		}
		if m.Down == nil {
			errs = append(errs, &migrations.Error{File: m.Files[0], Err: migrations.ErrMissingDown, Msg: "no down section"})
			continue
		}
		u.Up = section(m.Up, vars, &errs)
		u.Down = section(m.Down, vars, &errs)
		u.DownNoOp = m.Down.NoOp && len(u.Down) == 0
		units = append(units, u)
	}
	if err := errs.Err(); err != nil {
		return nil, nil, err
	}
	return units, init, nil
}

func section(sec *migrations.Section, vars map[string]string, errs *migrations.ErrorList) []Statement {
	rendered, stmts, err := parser.SplitSection(sec, vars)
	var list migrations.ErrorList
	if errors.As(err, &list) {
		*errs = append(*errs, list...)
		return nil
	}
	var se *parser.SyntaxError
	if errors.As(err, &se) {
		p := rendered.FilePos(se.Pos.Offset)
		*errs = append(*errs, &migrations.Error{File: sec.File, Pos: p, Err: err, Msg: se.Msg})
	} else if err != nil {
		*errs = append(*errs, &migrations.Error{File: sec.File, Pos: sec.Start, Err: err, Msg: err.Error()})
	}
	out := make([]Statement, len(stmts))
	for i, st := range stmts {
		p := rendered.FilePos(st.Pos.Offset)
		out[i] = Statement{SQL: st.Text, File: sec.File, Line: p.Line, Col: p.Col}
	}
	return out
}

// MutationClassifier tells the runner which statements start mutations,
// and the settings of SET statements, by the parser's reading of them.
func MutationClassifier(s Statement) StmtInfo {
	stmt := parser.Statement{Text: s.SQL, Pos: parser.FileStart}
	if set, ok := parser.SessionSettings(stmt); ok {
		return StmtInfo{Set: set}
	}
	q, ok := parser.MutatedTable(stmt)
	if !ok {
		return StmtInfo{}
	}
	return StmtInfo{Mutation: true, Database: q.Database, Table: q.Name}
}
