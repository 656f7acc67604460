package parser

import (
	"strings"

	ch "github.com/AfterShip/clickhouse-sql-parser/parser"
)

// A query (a view's, a materialized view's, an INSERT's or a projection's)
// may name a column or a table with a word the server reads as a name there
// but AfterShip reads as a keyword: SELECT ON, x FROM ON; FROM t JOIN s ON
// on = s.k; ORDER BY x, limit DESC; FROM join LIMIT 10. The server prints
// such names bare in the definitions it stores (system.tables.as_select),
// so the live reader meets them as often as the user's files. The gap layer
// gives them same-length placeholders (prepared.placeholder), which the
// formatter prints back as the name.

// queryOperandProbes are the operand positions of a query where AfterShip
// refuses some keywords as a bare column name; a word refused in any of
// them is given a placeholder wherever the context makes it a name
// (queryOperandNames).
var queryOperandProbes = []string{
	"SELECT %s, x FROM t",
	"SELECT x, %s FROM t",
	"SELECT x FROM t WHERE %s > 1",
	"SELECT x FROM t WHERE x = %s",
	"SELECT x FROM t GROUP BY %s",
	"SELECT x FROM t GROUP BY x, %s",
	"SELECT x FROM t ORDER BY %s",
	"SELECT x FROM t ORDER BY x, %s DESC",
	"SELECT x FROM t AS a JOIN s ON %s = 1",
	"SELECT x FROM t AS a JOIN s ON a.x = 1 AND %s = 1",
	"SELECT f(%s) FROM t",
	"SELECT %s + 1 FROM t",
}

// isReservedInQuery reports whether AfterShip refuses word as a bare
// column name in some operand position of a query (queryOperandProbes).
func isReservedInQuery(word string) bool {
	switch strings.ToUpper(word) {
	case "NULL", "TRUE", "FALSE":
		return false // literals: the server reads them so too
	case "NOT":
		return false // an operator: the server reads no column called NOT bare
	}
	for _, form := range queryOperandProbes {
		if misreadAsName(form, word) {
			return true
		}
	}
	return false
}

// isReservedInFrom reports whether AfterShip refuses or misreads word as a
// table after FROM or JOIN, where the server reads it as a name (FROM on
// AS a; FROM clone AS t, which AfterShip reads as a table called AS).
func isReservedInFrom(word string) bool {
	return misreadAsName("SELECT 1 FROM %s AS a", word) || misreadAsName("SELECT 1 FROM %s LIMIT 1", word) ||
		misreadAsName("SELECT 1 FROM t JOIN %s AS b ON 1", word) || misreadAsName("CREATE VIEW v AS SELECT 1 FROM %s AS a", word)
}

// misreadAsName reports whether AfterShip refuses form with word in place
// of %s, or reads it otherwise than with a plain name there (ORDER BY x,
// select DESC is read as the column "select DESC" sorted ASC), once per
// form and word.
func misreadAsName(form, word string) bool {
	key := "misread\x00" + form + "\x00" + strings.ToUpper(word)
	if v, ok := reservedCache.Load(key); ok {
		return v.(bool)
	}
	const plain = "zq_plain_name"
	misread := true
	format := func(s string) (string, bool) {
		if strings.HasPrefix(s, "SELECT") {
			// chschema's own formatter, which shows what AfterShip's
			// tree means (ORDER BY x, select DESC: "select DESC" ASC).
			return formatQueryText(s, "db")
		}
		e, err := parseAfterShip(s)
		if err != nil {
			return "", false
		}
		return ch.Format(e), true
	}
	if got, ok := format(strings.Replace(form, "%s", word, 1)); ok {
		if want, ok := format(strings.Replace(form, "%s", plain, 1)); ok {
			misread = got != strings.ReplaceAll(want, plain, word)
		}
	}
	reservedCache.Store(key, misread)
	return misread
}

// operandBefore are the words after which an operand goes.
var operandBefore = map[string]bool{"SELECT": true, "WHERE": true, "PREWHERE": true, "HAVING": true, "BY": true, "ON": true,
	"AND": true, "OR": true, "QUALIFY": true}

// operandAfter are the words that may follow a column name in a query: an
// operator, the next clause, a sort direction or an alias.
var operandAfter = map[string]bool{"FROM": true, "WHERE": true, "PREWHERE": true, "GROUP": true, "ORDER": true, "HAVING": true,
	"LIMIT": true, "AS": true, "ASC": true, "DESC": true, "ASCENDING": true, "DESCENDING": true, "AND": true, "OR": true,
	"UNION": true, "EXCEPT": true, "INTERSECT": true, "SETTINGS": true, "FORMAT": true, "INNER": true, "LEFT": true,
	"RIGHT": true, "FULL": true, "CROSS": true, "JOIN": true, "ARRAY": true, "ANY": true, "ALL": true, "SEMI": true,
	"ANTI": true, "ASOF": true, "GLOBAL": true, "PASTE": true, "USING": true, "WINDOW": true, "QUALIFY": true,
	"OFFSET": true, "NULLS": true, "COLLATE": true, "WITH": true, "IS": true, "IN": true, "NOT": true, "BETWEEN": true,
	"LIKE": true, "ILIKE": true, "DIV": true, "MOD": true, "FINAL": true, "SAMPLE": true}

// prefixWords are the words that take an operand after them, which may
// start with a sign.
var prefixWords = map[string]bool{"CASE": true, "DISTINCT": true, "ALL": true, "ANY": true, "INTERVAL": true, "TOP": true,
	"EXISTS": true}

// operandStart and operandEnd are the punctuation tokens before and after
// an operand: a separator, a parenthesis or an operator ('*' is left out:
// SELECT * FROM).
const (
	operandStart = ",(=<>+-/%!|"
	operandEnd   = ",)=<>+-/%!|;"
)

// queryOperandNames gives placeholders to the bare column names of the
// queries in toks that AfterShip refuses (isReservedInQuery): a word is a
// name when an operand goes where it stands (after a comma, a parenthesis,
// an operator, SELECT, WHERE, BY, ON, AND, …) and what follows can follow
// an operand only (a comma, a parenthesis, an operator, FROM, AS, DESC,
// the end, …). A call (on(…)), a qualified name (t.on, on.x) and a table
// (objectNameAt) are not operands.
func (p *prepared) queryOperandNames(toks []sqlTok) {
	start := -1
	for i, t := range toks {
		if t.is("SELECT") {
			start = i
			break
		}
	}
	if start < 0 {
		return
	}
	for i := start + 1; i < len(toks); i++ {
		t := toks[i]
		if t.kind != 'w' || string(p.b[t.off:t.end]) != t.text || !isReservedInQuery(t.text) {
			continue
		}
		prev := toks[i-1]
		if prev.is("BY") && t.is("ALL") {
			continue // GROUP BY ALL, ORDER BY ALL: the server's keyword
		}
		switch {
		case prev.kind == 'w':
			// A keyword, not a name: x AS on FROM t, FROM on WHERE …
			if !operandBefore[prev.upper()] || !prev.is("SELECT") && i >= 2 && (toks[i-2].is("AS") || toks[i-2].kind == '.') || i >= 2 && objectNameAt(toks, i-1) {
				continue
			}
		case strings.IndexByte(operandStart, prev.kind) < 0:
			continue
		}
		if i+1 < len(toks) {
			next := toks[i+1]
			switch {
			case next.kind == '(' || next.kind == '.':
				continue
			case next.kind == 'w':
				if !operandAfter[next.upper()] {
					continue
				}
			case strings.IndexByte(operandEnd, next.kind) < 0:
				continue
			case (next.kind == '-' || next.kind == '+') && prefixWords[t.upper()]:
				continue // CASE -x WHEN: a sign, not an operator
			}
		}
		if objectNameAt(toks, i) {
			continue
		}
		p.placeholder(t, ConstructKeywordColumn)
	}
}
