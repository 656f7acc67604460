package lint

import (
	"slices"
	"strings"

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
	subs := rendered.Substitutions()
	inValue := func(t parser.Token) int {
		for i, s := range subs {
			if t.Off < s.End && s.Out < t.End {
				return i
			}
		}
		return -1
	}
	for _, st := range stmts {
		toks := significant(st.Text)
		for i, t := range toks {
			if t.Kind != parser.TokenIdent && t.Kind != parser.TokenQuotedIdent {
				continue
			}
			dotted := i+2 < len(toks) && st.Text[toks[i+1].Off:toks[i+1].End] == "." &&
				(toks[i+2].Kind == parser.TokenIdent || toks[i+2].Kind == parser.TokenQuotedIdent) &&
				(i == 0 || st.Text[toks[i-1].Off:toks[i-1].End] != ".")
			afterDatabase := i > 0 && toks[i-1].Kind == parser.TokenIdent &&
				(strings.EqualFold(st.Text[toks[i-1].Off:toks[i-1].End], "DATABASE") || strings.EqualFold(st.Text[toks[i-1].Off:toks[i-1].End], "USE"))
			if !dotted && !afterDatabase {
				continue
			}
			name := unquoteIdent(st.Text[t.Off:t.End])
			abs := parser.Token{Kind: t.Kind, Off: st.Pos.Offset + t.Off, End: st.Pos.Offset + t.End}
			if k := inValue(abs); k >= 0 {
				s := subs[k]
				if s.Out == abs.Off && s.End == abs.End && !slices.Contains(l.dbNames.vars[name], s.Name) {
					l.dbNames.vars[name] = append(l.dbNames.vars[name], s.Name)
				}
				continue
			}
			l.dbNames.literals = append(l.dbNames.literals, literalRef{file: sec.File, pos: rendered.FilePos(abs.Off), name: name})
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

// significant returns the tokens of src that are not space or comments,
// up to a lexical error.
func significant(src string) []parser.Token {
	var out []parser.Token
	lx := parser.NewLexer(src)
	for {
		t, err := lx.Next()
		if err != nil || t.Kind == parser.TokenEOF {
			return out
		}
		if !t.Kind.IsTrivia() {
			out = append(out, t)
		}
	}
}

// unquoteIdent returns an identifier's name: a `…` or "…" one without its
// quotes, doubled quotes and backslash escapes undone.
func unquoteIdent(s string) string {
	if len(s) < 2 || (s[0] != '`' && s[0] != '"') || s[len(s)-1] != s[0] {
		return s
	}
	q := s[0]
	body := s[1 : len(s)-1]
	var b strings.Builder
	for i := 0; i < len(body); i++ {
		switch {
		case body[i] == '\\' && i+1 < len(body):
			i++
		case body[i] == q && i+1 < len(body) && body[i+1] == q:
			i++
		}
		b.WriteByte(body[i])
	}
	return b.String()
}
