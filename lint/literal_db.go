package lint

import (
	"slices"

	"github.com/chschema/chschema/migrations"
	"github.com/chschema/chschema/parser"
)

// RuleLiteralDatabase is a database name written literally where the value
// of a template variable that names that database elsewhere would do: with
// another value of the variable, the statement would touch another
// database. (chschema plan writes ${VAR} itself when a variable's value is
// the database's name.)
const RuleLiteralDatabase Rule = "literal-database"

// literalRef is a database name written literally, at its file position.
type literalRef struct {
	file string
	pos  migrations.Pos
	name string
}

// databaseNames collects, for the literal-database rule, the variables used
// as database names (${V}.table, DATABASE ${V}, USE ${V}) with their values,
// and the database names written literally in the same places.
type databaseNames struct {
	vars     map[string][]string // value → the variables that have it
	literals []literalRef
}

// literalDatabases records the database names of a rendered section's
// statements.
func (l *linter) literalDatabases(sec *migrations.Section, rendered *migrations.Rendered, stmts []parser.Statement) {
	if rendered == nil || len(stmts) == 0 {
		return
	}
	if l.dbNames.vars == nil {
		l.dbNames.vars = map[string][]string{}
	}
	for _, n := range parser.DatabaseNames(rendered, stmts) {
		if n.Var == "" {
			l.dbNames.literals = append(l.dbNames.literals, literalRef{file: sec.File, pos: rendered.FilePos(n.Off), name: n.Name})
		} else if !slices.Contains(l.dbNames.vars[n.Name], n.Var) {
			l.dbNames.vars[n.Name] = append(l.dbNames.vars[n.Name], n.Var)
		}
	}
}

// literalDatabaseFindings warns about every literal database name that a
// variable names elsewhere.
func (l *linter) literalDatabaseFindings() {
	for _, ref := range l.dbNames.literals {
		vars := l.dbNames.vars[ref.name]
		if len(vars) == 0 {
			continue
		}
		slices.Sort(vars)
		l.add(ref.file, ref.pos, RuleLiteralDatabase, Warning,
			"database %s is written literally, but ${%s} names it elsewhere (its value is %s here): write ${%s}, or a deployment with another value of %s will run this statement on %s",
			ref.name, vars[0], ref.name, vars[0], vars[0], ref.name)
	}
}
