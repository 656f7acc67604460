package parser

// MutatedTable reports whether stmt may start a mutation, which runs in the
// background after the statement returns, and names the table it mutates:
// ALTER TABLE commands UPDATE, DELETE, MATERIALIZE …, CLEAR …, APPLY …,
// MODIFY COLUMN, DROP COLUMN, MODIFY TTL, and the lightweight DELETE FROM.
// The table's Database is empty when the statement does not name one.
func MutatedTable(stmt Statement) (QualifiedName, bool) {
	c := &cursor{toks: scanSQL(stmt.Text), stmt: stmt}
	if c.accept("DELETE", "FROM") {
		return c.qualified()
	}
	if !c.accept("ALTER", "TABLE") {
		return QualifiedName{}, false
	}
	table, ok := c.qualified()
	if !ok {
		return QualifiedName{}, false
	}
	if _, ok := c.cluster(); !ok {
		return QualifiedName{}, false
	}
	for _, cmd := range actionSegments(c.toks[c.i:]) {
		cc := &cursor{toks: cmd}
		if cc.accept("MODIFY", "COLUMN") || cc.accept("DROP", "COLUMN") || cc.accept("MODIFY", "TTL") {
			return table, true
		}
		for _, kw := range []string{"UPDATE", "DELETE", "MATERIALIZE", "CLEAR", "APPLY"} {
			if cmd[0].is(kw) {
				return table, true
			}
		}
	}
	return QualifiedName{}, false
}

// SessionSettings reads SET name = value, ...: the settings it gives the
// rest of its session, values as the server takes them in a setting
// (strings unquoted).
func SessionSettings(stmt Statement) (map[string]string, bool) {
	toks := scanSQL(blankComments(stmt.Text))
	if len(toks) < 4 || !toks[0].is("SET") || toks[1].is("ROLE") || toks[1].is("DEFAULT") {
		return nil, false
	}
	out := map[string]string{}
	for _, seg := range splitTopLevel(toks[1:]) {
		if len(seg) < 3 || seg[0].kind != 'w' || seg[1].kind != '=' {
			return nil, false
		}
		v := stmt.Text[seg[2].off:seg[len(seg)-1].end]
		if len(seg) == 3 && seg[2].kind == 's' {
			v = unquoteLiteral(seg[2].text)
		}
		out[seg[0].text] = v
	}
	return out, true
}
