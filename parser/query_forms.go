package parser

// Query forms the server stores differently from how the model prints
// them (TestExpressionOperators found each): a view using one would differ
// on every diff, a false drift. Until each is printed as the server does,
// the view is uncertain, with the form named.

// unmodelledQueryForms returns, by offset, the forms in a stored query
// (a view's, or MODIFY QUERY's) that the model does not print as the
// server does.
func unmodelledQueryForms(toks []sqlTok) map[int]string {
	out := map[int]string{}
	join := func(k int) bool {
		if k >= len(toks) || toks[k].kind != 'w' {
			return false
		}
		switch toks[k].upper() {
		case "JOIN", "INNER", "LEFT", "RIGHT", "FULL", "CROSS", "ANY", "ALL", "SEMI", "ANTI", "ASOF", "GLOBAL", "OUTER":
			return true
		}
		return false
	}
	for i, t := range toks {
		if t.kind != 'w' {
			continue
		}
		next := func(k int) sqlTok {
			if i+k < len(toks) {
				return toks[i+k]
			}
			return sqlTok{}
		}
		switch t.upper() {
		case "NATURAL", "LOCAL":
			// The server reads NATURAL JOIN as a join of its own kind, and
			// LOCAL before a join as the table's alias.
			if join(i + 1) {
				out[t.off] = t.upper() + " before a JOIN"
			}
		case "PASTE":
			if next(1).is("JOIN") {
				out[t.off] = "PASTE JOIN"
			}
		case "ROLLUP", "CUBE":
			if i > 0 && (toks[i-1].is("BY") || toks[i-1].kind == ',') && next(1).kind == '(' {
				out[t.off] = "GROUP BY " + t.upper() + "(…)"
			}
		case "EXCEPT", "INTERSECT":
			// A set operation (not SELECT * EXCEPT (c)): the server stores
			// EXCEPT ALL with its operands in parentheses.
			n := next(1)
			if n.is("SELECT") || n.is("WITH") || n.is("ALL") || n.is("DISTINCT") || n.kind == '(' && (next(2).is("SELECT") || next(2).is("WITH")) {
				out[t.off] = t.upper() + " between queries"
			}
		}
	}
	return out
}

// storesQuery reports whether a statement stores a query in the schema:
// CREATE or ATTACH of a view, or an ALTER with MODIFY QUERY.
func storesQuery(toks []sqlTok) bool {
	if len(toks) == 0 {
		return false
	}
	switch toks[0].upper() {
	case "CREATE", "ATTACH":
		for i := 1; i < len(toks) && i < 6; i++ {
			if toks[i].is("VIEW") && viewKindAt(toks, i) {
				return true
			}
		}
	case "ALTER":
		for i := 1; i+1 < len(toks); i++ {
			if toks[i].is("MODIFY") && toks[i+1].is("QUERY") {
				return true
			}
		}
	}
	return false
}
