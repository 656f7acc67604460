package parser

import (
	"regexp"
	"strings"
)

// sqlTok is a token of the small scanner the conversion layer uses to cut
// statements and ALTER action lists at top-level commas. It is not a full
// lexer: it only needs to know what is inside strings, quoted identifiers,
// comments and parentheses.
type sqlTok struct {
	off, end int
	kind     byte // 'w' word, 's' string, 'q' quoted identifier, 'n' number, or the punctuation byte
	text     string
}

// upper returns the token's text in upper case (for keyword matching). It
// is computed when asked: most words are names, never matched.
func (t sqlTok) upper() string { return strings.ToUpper(t.text) }

// is reports whether t is the word kw, in any case.
func (t sqlTok) is(kw string) bool { return t.kind == 'w' && strings.EqualFold(t.text, kw) }

// isName reports whether t can be a name: a word or a quoted identifier.
func (t sqlTok) isName() bool { return t.kind == 'w' || t.kind == 'q' }

// scanSQL tokenizes s, dropping spaces and comments.
func scanSQL(s string) []sqlTok {
	toks := make([]sqlTok, 0, len(s)/6+4)
	for i := 0; ; {
		t, next, ok := nextSQLTok(s, i)
		if !ok {
			return toks
		}
		toks = append(toks, t)
		i = next
	}
}

// nextSQLTok returns the token at or after byte i of s, skipping spaces and
// comments, and where the one after it may start; ok is false at the end.
// Callers that need only a few tokens use it instead of scanSQL, whose cost
// grows with the rest of the text.
func nextSQLTok(s string, i int) (t sqlTok, next int, ok bool) {
	for i < len(s) {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f':
			i++
		case c == '-' && i+1 < len(s) && s[i+1] == '-', c == '#':
			for i < len(s) && s[i] != '\n' {
				i++
			}
		case c == '/' && i+1 < len(s) && s[i+1] == '*':
			j := strings.Index(s[i+2:], "*/")
			if j < 0 {
				i = len(s)
			} else {
				i += j + 4
			}
		case c == '\'' || c == '"' || c == '`':
			j := i + 1
			for j < len(s) {
				if s[j] == '\\' {
					j += 2
					continue
				}
				if s[j] == c {
					if j+1 < len(s) && s[j+1] == c {
						j += 2
						continue
					}
					break
				}
				j++
			}
			end := min(j+1, len(s))
			kind := byte('s')
			if c != '\'' {
				kind = 'q'
			}
			return sqlTok{off: i, end: end, kind: kind, text: s[i:end]}, end, true
		case isIdentByte(c) && !(c >= '0' && c <= '9'):
			j := i
			for j < len(s) && isIdentByte(s[j]) {
				j++
			}
			return sqlTok{off: i, end: j, kind: 'w', text: s[i:j]}, j, true
		case c >= '0' && c <= '9':
			j := i
			for j < len(s) && (isIdentByte(s[j]) || s[j] == '.') {
				j++
			}
			if k := digitIdentEnd(s, i); k > 0 {
				// 02725_cnf: a name, as the server reads it.
				return sqlTok{off: i, end: k, kind: 'w', text: s[i:k]}, k, true
			}
			return sqlTok{off: i, end: j, kind: 'n', text: s[i:j]}, j, true
		default:
			return sqlTok{off: i, end: i + 1, kind: c, text: s[i : i+1]}, i + 1, true
		}
	}
	return sqlTok{}, i, false
}

// identText returns the name a word or quoted-identifier token stands for.
func identText(t sqlTok) string {
	if t.kind == 'q' {
		_, s, err := unquoteAt(t.text, 0)
		if err == nil {
			return s
		}
	}
	return t.text
}

// splitTopLevel cuts toks at commas outside parentheses and brackets.
func splitTopLevel(toks []sqlTok) [][]sqlTok {
	var out [][]sqlTok
	depth, start := 0, 0
	for i, t := range toks {
		switch t.kind {
		case '(', '[', '{':
			depth++
		case ')', ']', '}':
			depth--
		case ',':
			if depth == 0 {
				out = append(out, toks[start:i])
				start = i + 1
			}
		}
	}
	return append(out, toks[start:])
}

// closingParen returns the index of the token that closes the parenthesis
// at toks[open], or -1 when it is not closed.
func closingParen(toks []sqlTok, open int) int {
	depth := 0
	for j := open; j < len(toks); j++ {
		switch toks[j].kind {
		case '(':
			depth++
		case ')':
			depth--
		}
		if depth == 0 {
			return j
		}
	}
	return -1
}

// numberRE is a ClickHouse number literal: decimal with _ separators, a
// fraction and an exponent, hexadecimal (a float too: 0x1.8p-1) or binary.
var numberRE = regexp.MustCompile(`^(?i:0x[0-9a-f_]*\.?[0-9a-f_]*(p[+-]?[0-9_]*)?|0b[01_]+|[0-9][0-9_]*(\.[0-9_]*)?(e[+-]?[0-9_]+)?)$`)

// digitIdentEnd returns the end of a bare name that starts with a digit at
// s[i] (02725_cnf, 1e5x: a run of identifier characters that is no
// number, which the server reads as a name), or 0.
func digitIdentEnd(s string, i int) int {
	j := i
	for j < len(s) && isIdentByte(s[j]) {
		j++
	}
	if j < len(s) && (s[j] == '.' || s[j] == '+' || s[j] == '-') && numberRE.MatchString(s[i:j]+"0") {
		return 0 // 1.5, 1e+5: a number that goes on
	}
	if numberRE.MatchString(s[i:j]) {
		return 0
	}
	return j
}
