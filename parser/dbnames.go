package parser

import (
	"sort"
	"strings"

	"github.com/chschema/chschema/migrations"
)

// DatabaseName is a database a statement names: the first part of a
// qualified name (db.table, db.table.column), or the name after DATABASE or
// USE.
type DatabaseName struct {
	// Name is the database's name, unquoted.
	Name string
	// Var is the template variable whose value is the whole name, or ""
	// when the name is written literally.
	Var string
	// Off is the name's offset in the rendered text.
	Off int
}

// DatabaseNames returns the database names of a rendered section's
// statements (as SplitSection returns them), in order. Names inside
// strings and comments are not read.
func DatabaseNames(r *migrations.Rendered, stmts []Statement) []DatabaseName {
	subs := r.Substitutions()
	var out []DatabaseName
	for _, st := range stmts {
		toks := significantTokens(st.Text)
		text := func(i int) string { return st.Text[toks[i].Off:toks[i].End] }
		isName := func(i int) bool {
			return i < len(toks) && (toks[i].Kind == TokenIdent || toks[i].Kind == TokenQuotedIdent)
		}
		for i := range toks {
			if !isName(i) {
				continue
			}
			qualifier := i+2 < len(toks) && text(i+1) == "." && isName(i+2) && (i == 0 || text(i-1) != ".")
			afterKeyword := i > 0 && toks[i-1].Kind == TokenIdent && (strings.EqualFold(text(i-1), "DATABASE") || strings.EqualFold(text(i-1), "USE"))
			if !qualifier && !afterKeyword {
				continue
			}
			off, end := st.Pos.Offset+toks[i].Off, st.Pos.Offset+toks[i].End
			name := DatabaseName{Name: text(i), Off: off}
			if toks[i].Kind == TokenQuotedIdent {
				name.Name = unquoteLiteral(name.Name)
			}
			k := sort.Search(len(subs), func(k int) bool { return subs[k].End > off })
			if k < len(subs) && subs[k].Out < end {
				if subs[k].Out != off || subs[k].End != end {
					continue // part of the name comes from a variable: neither literal nor the variable's
				}
				name.Var = subs[k].Name
			}
			out = append(out, name)
		}
	}
	return out
}

// DatabaseVariables maps each database name that a template variable's value
// gives somewhere in d's sections (init.sql, up and down sections) to that
// variable; when several variables give one name, to the first in name
// order. Sections that do not render are skipped.
func DatabaseVariables(d *migrations.Dir, vars map[string]string) map[string]string {
	out := map[string]string{}
	visit := func(sec *migrations.Section) {
		if sec == nil {
			return
		}
		r, stmts, err := SplitSection(sec, vars)
		if r == nil || err != nil {
			return
		}
		for _, n := range DatabaseNames(r, stmts) {
			if n.Var != "" && (out[n.Name] == "" || n.Var < out[n.Name]) {
				out[n.Name] = n.Var
			}
		}
	}
	visit(d.Init)
	for _, m := range d.Migrations() {
		visit(m.Up)
		visit(m.Down)
	}
	return out
}

// significantTokens returns the tokens of src that are not space or
// comments, up to a lexical error.
func significantTokens(src string) []Token {
	var out []Token
	lx := NewLexer(src)
	for {
		t, err := lx.Next()
		if err != nil || t.Kind == TokenEOF {
			return out
		}
		if !t.Kind.IsTrivia() {
			out = append(out, t)
		}
	}
}
