package parser

import "strings"

// The IS family of operators, which AfterShip v0.5.6 reads only as IS
// [NOT] NULL, found by TestExpressionOperators from the server's own list
// of the operators after an operand. Each is rewritten (a synonym, so for
// lint and the conversion alike) to a comparison of the same length that
// AfterShip reads, and the formatter prints it back the way the server
// does, from the text as written (nullSafeOperator):
//
//	a IS NOT DISTINCT FROM b, a <=> b   → a = b,  printed a <=> b
//	a IS DISTINCT FROM b                → a != b, printed a IS DISTINCT FROM b
//	a IS TRUE, a IS FALSE               → a = TRUE, printed a <=> true
//	a IS NOT TRUE, a IS NOT FALSE       → a != TRUE, printed a IS DISTINCT FROM true
//	a IS UNKNOWN, a IS NOT UNKNOWN      → a IS NULL, a IS NOT NULL (as the server prints them)
//
// The server binds these looser than a comparison (a <=> b = c is
// a <=> (b = c)); AfterShip binds "=" as tightly as any comparison. Where
// a comparison follows one at the same level, the two trees differ, and
// the statement is reported (inexactOperators) rather than modelled wrong.

// ConstructNullSafe is the IS family of operators.
const ConstructNullSafe Construct = "IS [NOT] DISTINCT FROM, <=>, IS [NOT] TRUE, FALSE or UNKNOWN"

// isOperators rewrites the IS family in b (the statement's bytes; toks are
// its tokens) and returns the offsets of those followed by a comparison at
// the same level, whose precedence the rewrite does not keep.
func isOperators(b []byte, toks []sqlTok, note func(Construct, int)) (inexact []int) {
	blank := func(from, to int) {
		for i := from; i < to; i++ {
			if b[i] != '\n' && b[i] != '\r' {
				b[i] = ' '
			}
		}
	}
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		end := -1 // index of the operator's last token
		switch {
		case t.kind == '<' && i+2 < len(toks) && toks[i+1].kind == '=' && toks[i+2].kind == '>' &&
			toks[i+1].off == t.end && toks[i+2].off == t.end+1:
			copy(b[t.off:], "=  ")
			end = i + 2
		case t.is("IS") && i > 0 && isOperandEnd(toks[i-1]) && i+1 < len(toks):
			j, not := i+1, false
			if toks[j].is("NOT") && j+1 < len(toks) {
				j, not = j+1, true
			}
			switch w := toks[j]; {
			case w.is("DISTINCT") && j+1 < len(toks) && toks[j+1].is("FROM"):
				blank(t.off, toks[j+1].end)
				if not {
					b[t.off] = '='
				} else {
					copy(b[t.off:], "!=")
				}
				end = j + 1
			case w.is("TRUE") || w.is("FALSE"):
				blank(t.off, toks[j-1].end)
				if not {
					copy(b[t.off:], "!=")
				} else {
					b[t.off] = '='
				}
				end = j - 1
			case w.is("UNKNOWN"):
				blank(w.off, w.end)
				copy(b[w.off:], "NULL")
				end = j
			}
		}
		if end < 0 {
			continue
		}
		note(ConstructNullSafe, t.off)
		if !toks[end].is("UNKNOWN") && comparisonFollows(toks, end+1) {
			inexact = append(inexact, t.off)
		}
		i = end
	}
	return inexact
}

// comparisonFollows reports whether a comparison operator follows toks[i:]
// at the same level of parentheses, before what ends an operand chain.
func comparisonFollows(toks []sqlTok, i int) bool {
	depth := 0
	for ; i < len(toks); i++ {
		t := toks[i]
		switch t.kind {
		case '(', '[':
			depth++
			continue
		case ')', ']':
			if depth == 0 {
				return false
			}
			depth--
			continue
		}
		if depth > 0 {
			continue
		}
		switch t.kind {
		case ',', '?', ':', ';':
			return false
		case '<':
			if i+2 < len(toks) && toks[i+1].kind == '=' && toks[i+2].kind == '>' && toks[i+2].off == t.off+2 {
				i += 2 // <=>: the same level, left to right
				continue
			}
			return true
		case '=', '!':
			return true
		case '>':
			if i > 0 && toks[i-1].kind == '-' && toks[i-1].end == t.off {
				return false // a lambda's ->
			}
			return true
		case 'w':
			if operandChainEnds[t.upper()] {
				return false
			}
		}
	}
	return false
}

// operandChainEnds are the words that end the operands of a comparison:
// operators that bind looser, and the clauses and keywords after an
// expression.
var operandChainEnds = map[string]bool{"AND": true, "OR": true, "THEN": true, "ELSE": true, "WHEN": true, "END": true, "AS": true,
	"FROM": true, "WHERE": true, "PREWHERE": true, "GROUP": true, "HAVING": true, "ORDER": true, "LIMIT": true, "QUALIFY": true,
	"WINDOW": true, "SETTINGS": true, "UNION": true, "EXCEPT": true, "INTERSECT": true, "TYPE": true, "GRANULARITY": true,
	"TTL": true, "DELETE": true, "RECOMPRESS": true, "TO": true, "COMMENT": true, "CODEC": true, "DEFAULT": true,
	"MATERIALIZED": true, "ALIAS": true, "CHECK": true, "ASSUME": true, "ON": true, "USING": true, "JOIN": true,
	"PARTITION": true, "PRIMARY": true, "SAMPLE": true, "ENGINE": true, "FORMAT": true}

// nullSafeOperator returns how the server prints the comparison e.g. "="
// stands for, when isOperators rewrote it: "<=>" or "IS DISTINCT FROM";
// or "" when it was written as it stands. written is the statement before
// the rewrite; [from, to) is the text between the two operands.
func nullSafeOperator(written string, from, to int) string {
	if written == "" || from < 0 || to > len(written) || from >= to {
		return ""
	}
	toks := scanSQL(written[from:to])
	for len(toks) > 0 && toks[len(toks)-1].kind == '(' {
		toks = toks[:len(toks)-1] // the right operand's parenthesis
	}
	n := len(toks)
	switch {
	case n >= 3 && toks[n-3].kind == '<' && toks[n-2].kind == '=' && toks[n-1].kind == '>':
		return "<=>"
	case n >= 3 && toks[n-1].is("FROM") && toks[n-2].is("DISTINCT"):
		if toks[n-3].is("NOT") {
			return "<=>"
		}
		return "IS DISTINCT FROM"
	case n >= 2 && toks[n-1].is("NOT") && toks[n-2].is("IS"):
		return "IS DISTINCT FROM" // IS NOT TRUE, IS NOT FALSE
	case n >= 1 && toks[n-1].is("IS"):
		return "<=>" // IS TRUE, IS FALSE
	}
	return ""
}

// inexactReason is the finding for an IS operator followed by a
// comparison (see isOperators).
func inexactReason(written string, off int) string {
	op := "<=>"
	if toks := scanSQL(written[off:]); len(toks) > 0 && toks[0].is("IS") {
		op = "IS …"
		var words []string
		for _, t := range toks {
			if t.kind != 'w' || len(words) == 4 {
				break
			}
			words = append(words, strings.ToUpper(t.text))
			if t.is("FROM") || t.is("TRUE") || t.is("FALSE") {
				break
			}
		}
		op = strings.Join(words, " ")
	}
	return op + " followed by a comparison: the server binds it looser than the comparison, which the model does not follow"
}

// ConstructQualify is a query's QUALIFY clause.
const ConstructQualify Construct = "QUALIFY clause"

// qualify rewrites the QUALIFY of a query (toks[i]) that has no HAVING
// and no WINDOW clause, which AfterShip v0.5.6 does not read, into HAVING,
// which it reads in the same place, and marks it: the formatter prints it
// back as QUALIFY after the WINDOW clause, as the server does. A QUALIFY
// after a HAVING or WINDOW is not rewritten yet: AfterShip refuses it (a
// lint error; TODO).
func (p *prepared) qualify(toks []sqlTok, i int) {
	if i == 0 || i+1 >= len(toks) || !isOperandEnd(toks[i-1]) || toks[i+1].kind == ',' || toks[i+1].kind == ')' {
		return // a name: SELECT qualify FROM t
	}
	depth := 0
	for j := i - 1; j >= 0; j-- {
		switch t := toks[j]; t.kind {
		case ')':
			depth++
		case '(':
			if depth == 0 {
				return // no SELECT at this level
			}
			depth--
		case 'w':
			if depth > 0 {
				continue
			}
			switch t.upper() {
			case "HAVING", "WINDOW":
				return
			case "SELECT":
				copy(p.b[toks[i].off:toks[i].end], "HAVING ")
				p.marks[toks[i].off] = "QUALIFY"
				p.note(ConstructQualify, toks[i].off)
				return
			}
		}
	}
}
