package schema

import (
	"fmt"
	"strings"
)

// renameColumnRefs applies RENAME COLUMN from TO to to the expressions of
// t that use the column, as the server does (issue 11 F10, measured on
// ClickHouse 26.7): column defaults (DEFAULT, MATERIALIZED, ALIAS, …),
// column TTLs, the table TTL, skip index expressions and constraints. A
// column used by a key (PARTITION BY, ORDER BY, PRIMARY KEY, SAMPLE BY) or
// by a projection cannot be renamed: the server refuses it, so does the
// model. Views that select the column are not rewritten, on the server
// either.
func (t *Table) renameColumnRefs(from, to string) error {
	for _, k := range []struct{ what, expr string }{
		{"PARTITION BY", string(t.PartitionBy)}, {"ORDER BY", string(t.OrderBy)},
		{"PRIMARY KEY", string(t.PrimaryKey)}, {"SAMPLE BY", string(t.SampleBy)},
	} {
		if _, used := renameIdent(k.expr, from, to); used {
			return fmt.Errorf("column %s is in the %s key, which RENAME COLUMN cannot change: %w", BackQuote(from), k.what, ErrInvalid)
		}
	}
	for _, p := range t.Projections {
		if _, used := renameIdent(maskQueryKeywords(string(p.Query)), from, to); used {
			return fmt.Errorf("column %s is used by projection %s: %w", BackQuote(from), BackQuote(p.Name), ErrInvalid)
		}
	}
	for _, c := range t.Columns {
		if c.Default != nil {
			if s, used := renameIdent(string(c.Default.Expr), from, to); used {
				d := *c.Default
				d.Expr = Expr(s)
				c.Default = &d
			}
		}
		if s, used := renameIdent(string(c.TTL), from, to); used {
			c.TTL = Expr(s)
		}
	}
	if s, used := renameIdent(string(t.TTL), from, to); used {
		t.TTL = TTL(s)
	}
	for i, x := range t.Indexes {
		if s, used := renameIdent(string(x.Expr), from, to); used {
			y := *x
			y.Expr = Expr(s)
			t.Indexes[i] = &y
		}
	}
	for i, x := range t.Constraints {
		if s, used := renameIdent(string(x.Expr), from, to); used {
			y := *x
			y.Expr = Expr(s)
			t.Constraints[i] = &y
		}
	}
	return nil
}

// renameIdent replaces the identifier from, bare or backquoted, by to
// (quoted as the server quotes it) in expr, a formatted expression, and
// reports whether it occurs. Strings, function names (a name before "(")
// and qualified names (x.from) are left alone.
func renameIdent(expr, from, to string) (string, bool) {
	if expr == "" || !strings.Contains(expr, from) && !strings.Contains(expr, strings.ReplaceAll(from, "`", "\\`")) {
		return expr, false
	}
	var b strings.Builder
	used := false
	i := 0
	for i < len(expr) {
		c := expr[i]
		switch {
		case c == '\'' || c == '"':
			j := min(skipQuoted(expr, i)+1, len(expr))
			b.WriteString(expr[i:j])
			i = j
		case c == '`':
			j := min(skipQuoted(expr, i)+1, len(expr))
			name := strings.ReplaceAll(strings.ReplaceAll(expr[i+1:j-1], "\\`", "`"), "\\\\", "\\")
			if name == from && refAt(expr, i, j) {
				b.WriteString(QuoteIdent(to))
				used = true
			} else {
				b.WriteString(expr[i:j])
			}
			i = j
		case isIdentStart(c):
			j := i
			for j < len(expr) && (isIdentStart(expr[j]) || expr[j] >= '0' && expr[j] <= '9' || expr[j] == '.' && strings.Contains(from, ".")) {
				j++
			}
			if expr[i:j] == from && refAt(expr, i, j) {
				b.WriteString(QuoteIdent(to))
				used = true
			} else {
				b.WriteString(expr[i:j])
			}
			i = j
		case c >= '0' && c <= '9':
			j := i
			for j < len(expr) && (isIdentStart(expr[j]) || expr[j] >= '0' && expr[j] <= '9' || expr[j] == '.') {
				j++
			}
			b.WriteString(expr[i:j])
			i = j
		default:
			b.WriteByte(c)
			i++
		}
	}
	return b.String(), used
}

// maskQueryKeywords blanks the clause keywords of a projection's query as
// the server formats it (SELECT …, GROUP BY …, ORDER BY …), so that
// renameIdent does not take them for the columns of those names, which
// the server prints bare too (SELECT ORDER, BY GROUP BY ORDER).
func maskQueryKeywords(q string) string {
	type word struct{ i, j int }
	var words []word
	for i := 0; i < len(q); {
		switch c := q[i]; {
		case c == '\'' || c == '"' || c == '`':
			i = min(skipQuoted(q, i)+1, len(q))
			words = append(words, word{-1, -1}) // not a keyword
		case isIdentStart(c):
			j := i
			for j < len(q) && (isIdentStart(q[j]) || q[j] >= '0' && q[j] <= '9') {
				j++
			}
			words = append(words, word{i, j})
			i = j
		case c == ' ' || c == '\n' || c == '\t':
			i++
		default:
			words = append(words, word{-1, -1})
			i++
		}
	}
	text := func(k int) string {
		if k < 0 || k >= len(words) || words[k].i < 0 {
			return ""
		}
		return q[words[k].i:words[k].j]
	}
	b := []byte(q)
	for k, w := range words {
		t := text(k)
		if k == 0 && t == "SELECT" || (t == "GROUP" || t == "ORDER") && text(k+1) == "BY" ||
			t == "BY" && (text(k-1) == "GROUP" || text(k-1) == "ORDER") {
			for x := w.i; x < w.j; x++ {
				b[x] = '#'
			}
		}
	}
	return string(b)
}

// refAt reports whether the name at expr[i:j] is a column reference: not
// a function's name, nor qualified by a table.
func refAt(expr string, i, j int) bool {
	k := j
	for k < len(expr) && expr[k] == ' ' {
		k++
	}
	if k < len(expr) && expr[k] == '(' {
		return false
	}
	return i == 0 || expr[i-1] != '.'
}

func isIdentStart(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}
