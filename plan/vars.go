package plan

import (
	"strings"

	"github.com/chschema/chschema/parser"
)

// templateDatabases writes, in the SQL of a generated statement, each
// database name that has a variable in vars (database name → variable
// name) as ${VAR}: the first part of a qualified name (`db`.`t`, in view
// queries too), the name after DATABASE, and a dictionary source's
// DB 'name'. Other text is kept byte for byte.
func templateDatabases(sql string, vars map[string]string) string {
	if len(vars) == 0 {
		return sql
	}
	var toks []parser.Token
	lx := parser.NewLexer(sql)
	for {
		t, err := lx.Next()
		if err != nil || t.Kind == parser.TokenEOF {
			break
		}
		if !t.Kind.IsTrivia() {
			toks = append(toks, t)
		}
	}
	text := func(i int) string { return sql[toks[i].Off:toks[i].End] }
	isName := func(i int) bool {
		return i >= 0 && i < len(toks) && (toks[i].Kind == parser.TokenIdent || toks[i].Kind == parser.TokenQuotedIdent)
	}
	isWord := func(i int, w string) bool {
		return i >= 0 && toks[i].Kind == parser.TokenIdent && strings.EqualFold(text(i), w)
	}
	var b strings.Builder
	last := 0
	for i, t := range toks {
		var name string
		quoted := false
		switch {
		case isName(i) && (i+2 < len(toks) && text(i+1) == "." && isName(i+2) && (i == 0 || text(i-1) != ".") || isWord(i-1, "DATABASE")):
			name = unquote(text(i))
		case t.Kind == parser.TokenString && isWord(i-1, "DB"):
			name, quoted = unquote(text(i)), true
		default:
			continue
		}
		v, ok := vars[name]
		if !ok {
			continue
		}
		b.WriteString(sql[last:t.Off])
		if quoted {
			b.WriteString("'${" + v + "}'")
		} else {
			b.WriteString("${" + v + "}")
		}
		last = t.End
	}
	if last == 0 {
		return sql
	}
	b.WriteString(sql[last:])
	return b.String()
}

// unquote returns the text of a quoted identifier or string whose only
// escapes are doubled quotes and backslashes (as schema.BackQuote and
// schema.QuoteString write them), or s itself.
func unquote(s string) string {
	if len(s) < 2 || !strings.ContainsRune("`\"'", rune(s[0])) || s[len(s)-1] != s[0] {
		return s
	}
	q := s[0]
	body := s[1 : len(s)-1]
	var b strings.Builder
	for i := 0; i < len(body); i++ {
		if (body[i] == '\\' || body[i] == q && i+1 < len(body) && body[i+1] == q) && i+1 < len(body) {
			i++
		}
		b.WriteByte(body[i])
	}
	return b.String()
}
