package parser

import "strings"

// A keyword the server takes as a name where only an operand can stand:
// a column called ON, TOP, NOT or COLLATE in an index expression, a
// constraint, a TTL or a projection's query. The server prints such names
// bare in the definitions it keeps (INDEX i ON TYPE minmax, CHECK ON > 1),
// so the live reader meets them as often as a migration does. AfterShip's
// parser refuses some of them there; operandKeywords finds those by
// position, not by a list of words, so a keyword a newer server adds is
// found as well (TestKeywordNames takes every word of system.keywords).

// operandKeywords returns the indexes of the words in toks that stand
// where only an operand can, between an operand's start (the start, '(',
// ',', '[', an operator, or a keyword an operand follows) and an operand's
// end (the end, ')', ',', ']', a binary operator, or a keyword that
// follows an operand), and that AfterShip refuses as an operand.
func operandKeywords(toks []sqlTok) []int {
	var out []int
	for i, t := range toks {
		if t.kind != 'w' || !operandStartBefore(toks, i) || !operandEndAfter(toks, i) {
			continue
		}
		if refusedAsOperand(t.text) {
			out = append(out, i)
		}
	}
	return out
}

// operandStartBefore reports whether an operand may start at toks[i] and
// nothing else: what precedes it is no operand.
func operandStartBefore(toks []sqlTok, i int) bool {
	if i == 0 {
		return true
	}
	p := toks[i-1]
	switch p.kind {
	case '(', ',', '[', '+', '-', '*', '/', '%', '=', '<', '>', '!', '|', '?', ':':
		return true
	case 'w':
		switch p.upper() {
		case "SELECT", "AND", "OR", "NOT", "WHEN", "THEN", "ELSE", "CASE", "BY", "WHERE", "PREWHERE", "HAVING":
			return true
		}
	}
	return false
}

// operandEndAfter reports whether an operand may end at toks[i]: what
// follows it continues or closes an expression.
func operandEndAfter(toks []sqlTok, i int) bool {
	if i+1 >= len(toks) {
		return true
	}
	n := toks[i+1]
	switch n.kind {
	case ')', ',', ']', '+', '-', '*', '/', '%', '=', '<', '>', '!', '|', '?', ':', ';':
		return true
	case 'w':
		switch n.upper() {
		case "AND", "OR", "IS", "IN", "BETWEEN", "LIKE", "ILIKE", "ASC", "DESC", "NULLS", "COLLATE",
			"FROM", "WHERE", "GROUP", "ORDER", "HAVING", "LIMIT", "AS", "THEN", "ELSE", "END", "WHEN", "TYPE", "GRANULARITY":
			return true
		}
	}
	return false
}

// refusedAsOperand reports whether AfterShip's parser refuses word as a
// lone operand: in a list, in parentheses, and first in a SELECT's list
// or sum (SELECT DISTINCT, x reads DISTINCT as the modifier).
func refusedAsOperand(word string) bool {
	switch strings.ToUpper(word) {
	case "NULL", "TRUE", "FALSE":
		return false // literals, never names where they stand bare
	}
	return refusedAsName("SELECT 1, %s, 2", word) || refusedAsName("SELECT %s + 1", word) || refusedAsName("SELECT (%s)", word) ||
		refusedAsName("SELECT %s, 1", word)
}
