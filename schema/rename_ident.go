package schema

import "strings"

// RenameIdent returns e, an expression in canonical form, with every
// reference to the column from replaced by to: bare or backquoted
// identifiers, not function names, string literals or the parts of a
// dotted name.
func RenameIdent(e Expr, from, to string) Expr {
	s := string(e)
	if s == "" {
		return e
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '\'':
			j := min(skipQuoted(s, i)+1, len(s))
			b.WriteString(s[i:j])
			i = j
		case c == '`' || c == '"':
			j := min(skipQuoted(s, i)+1, len(s))
			if unquoteIdent(s[i:j]) == from && standalone(s, i, j) {
				b.WriteString(QuoteIdent(to))
			} else {
				b.WriteString(s[i:j])
			}
			i = j
		case isIdentStart(c):
			j := i + 1
			for j < len(s) && isIdentChar(s[j]) {
				j++
			}
			if s[i:j] == from && standalone(s, i, j) {
				b.WriteString(QuoteIdent(to))
			} else {
				b.WriteString(s[i:j])
			}
			i = j
		case c >= '0' && c <= '9':
			// A number, whose letters (1e3, 0x1F) are no identifier.
			j := i + 1
			for j < len(s) && (isIdentChar(s[j]) || s[j] == '.') {
				j++
			}
			b.WriteString(s[i:j])
			i = j
		default:
			b.WriteByte(c)
			i++
		}
	}
	return Expr(b.String())
}

// standalone reports whether the name at s[i:j] is a whole column
// reference: not called as a function, not part of a dotted name.
func standalone(s string, i, j int) bool {
	if i > 0 && s[i-1] == '.' {
		return false
	}
	k := j
	for k < len(s) && s[k] == ' ' {
		k++
	}
	return k >= len(s) || (s[k] != '(' && s[k] != '.')
}

func isIdentStart(c byte) bool { return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
