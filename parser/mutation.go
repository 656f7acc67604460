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
