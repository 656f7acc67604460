package parser

import (
	"fmt"
	"strings"
)

// Idempotent reports whether running the statement a second time leaves the
// same state as running it once, as init SQL must; when it does not, reason
// says why, for a lint message. Unknown statement kinds are not idempotent:
// init SQL should be plain.
func Idempotent(stmt Statement) (ok bool, reason string) {
	toks := scanSQL(stmt.Text)
	if len(toks) == 0 {
		return true, ""
	}
	lead := func(n int) []sqlTok { return toks[:min(n, len(toks))] }
	has := func(ts []sqlTok, kws ...string) bool {
		for i := 0; i+len(kws) <= len(ts); i++ {
			match := true
			for k, kw := range kws {
				if !ts[i+k].is(kw) {
					match = false
					break
				}
			}
			if match {
				return true
			}
		}
		return false
	}
	first := strings.ToUpper(toks[0].text)
	switch first {
	case "CREATE", "ATTACH":
		if has(lead(3), "OR", "REPLACE") || has(lead(8), "IF", "NOT", "EXISTS") {
			return true, ""
		}
		return false, fmt.Sprintf("%s without IF NOT EXISTS (or OR REPLACE) fails when init SQL runs again", first)
	case "DROP", "DETACH":
		if has(lead(6), "IF", "EXISTS") {
			return true, ""
		}
		return false, fmt.Sprintf("%s without IF EXISTS fails when init SQL runs again", first)
	case "ALTER":
		if len(toks) > 1 && !toks[1].is("TABLE") {
			if has(toks, "RENAME") {
				return false, "ALTER … RENAME fails when init SQL runs again"
			}
			return true, "" // ALTER USER/ROLE/QUOTA/… set state
		}
		return alterIdempotent(toks)
	case "GRANT", "REVOKE", "SET", "USE", "SELECT", "WITH", "SHOW", "DESCRIBE", "DESC", "EXPLAIN", "SYSTEM":
		return true, ""
	case "INSERT":
		return false, "INSERT adds its rows again every time init SQL runs"
	case "TRUNCATE", "DELETE":
		return false, first + " deletes data every time init SQL runs"
	case "RENAME", "EXCHANGE":
		return false, first + " fails or undoes itself when init SQL runs again"
	}
	return false, fmt.Sprintf("cannot tell whether %s is idempotent; init SQL runs on every apply, so keep it to CREATE … IF NOT EXISTS, DROP … IF EXISTS, GRANT and similar", first)
}

// alterIdempotent checks each command of an ALTER TABLE.
func alterIdempotent(toks []sqlTok) (bool, string) {
	start := 2
	for start < len(toks) && !(toks[start].kind == 'w' && alterActionWords[toks[start].upper()]) {
		start++
	}
	cmds := toks[start:]
	if k := trailingSettings(cmds); k >= 0 {
		cmds = cmds[:k]
	}
	for _, cmd := range actionSegments(cmds) {
		verb := strings.ToUpper(cmd[0].text)
		ifExists := false
		for k := 0; k+1 < len(cmd) && k < 5; k++ {
			if cmd[k].is("IF") && (cmd[k+1].is("EXISTS") || cmd[k+1].is("NOT")) {
				ifExists = true
			}
		}
		switch {
		case verb == "MODIFY" || verb == "COMMENT" || verb == "MATERIALIZE" || verb == "RESET":
		case (verb == "ADD" || verb == "DROP" || verb == "RENAME" || verb == "CLEAR") && ifExists:
		default:
			return false, fmt.Sprintf("ALTER TABLE … %s is not idempotent (only ADD/DROP/RENAME/CLEAR … IF [NOT] EXISTS and MODIFY/COMMENT are)", verb)
		}
	}
	return true, ""
}
