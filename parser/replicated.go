package parser

// ReplicatedWrite names the table a statement changes in a way that a
// Replicated*MergeTree table passes on to the other replicas of its shard
// through the keeper, so that on such a table it must run on one replica
// only: INSERT INTO t (not INSERT INTO FUNCTION), ALTER TABLE t with at
// least one command other than the local ones, OPTIMIZE TABLE t, TRUNCATE
// [TABLE] t, and the lightweight DELETE FROM t. The local ALTER commands,
// which each replica keeps to itself, are MODIFY SETTING and RESET SETTING
// (StorageReplicatedMergeTree::alter: "We don't replicate storage_settings
// ALTER. It's local operation"), MODIFY COMMENT, and FREEZE, UNFREEZE and
// FETCH (which act on the replica's own files). CREATE, DROP, ATTACH,
// DETACH and RENAME are never replicated ("executed on a single server and
// are not replicated", ClickHouse's documentation of Replicated* engines)
// and so are not reported. The table's Database is empty when the statement
// does not name one.
func ReplicatedWrite(stmt Statement) (QualifiedName, bool) {
	c := &cursor{toks: scanSQL(stmt.Text), stmt: stmt}
	switch {
	case c.accept("DELETE", "FROM"):
		return c.qualified()
	case c.accept("INSERT", "INTO"):
		if c.peek().is("FUNCTION") {
			return QualifiedName{}, false
		}
		c.accept("TABLE")
		return c.qualified()
	case c.accept("OPTIMIZE", "TABLE"):
		return c.qualified()
	case c.accept("TRUNCATE"):
		if c.peek().is("DATABASE") || c.peek().is("ALL") {
			return QualifiedName{}, false
		}
		c.accept("TEMPORARY")
		c.accept("TABLE")
		c.accept("IF", "EXISTS")
		return c.qualified()
	case c.accept("ALTER", "TABLE"):
	default:
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
		switch {
		case cc.accept("MODIFY", "SETTING"), cc.accept("RESET", "SETTING"), cc.accept("MODIFY", "COMMENT"),
			cc.accept("FREEZE"), cc.accept("UNFREEZE"), cc.accept("FETCH"):
			continue
		}
		return table, true
	}
	return QualifiedName{}, false
}

// OnCluster reports the cluster of a statement's ON CLUSTER clause: the
// clause outside parentheses and before the statement's query or data (AS,
// SELECT, WITH, VALUES, FORMAT, WHERE), so that a join's "ON cluster = x"
// does not count.
func OnCluster(stmt Statement) (string, bool) {
	toks := scanSQL(stmt.Text)
	depth := 0
	for i, t := range toks {
		switch {
		case t.kind == '(':
			depth++
		case t.kind == ')':
			depth--
		case depth == 0 && (t.is("AS") || t.is("SELECT") || t.is("WITH") || t.is("VALUES") || t.is("FORMAT") || t.is("WHERE")):
			return "", false
		case depth == 0 && t.is("ON") && i+1 < len(toks) && toks[i+1].is("CLUSTER"):
			c := &cursor{toks: toks, i: i, stmt: stmt}
			if name, ok := c.cluster(); ok && name != "" {
				return name, true
			}
		}
	}
	return "", false
}
