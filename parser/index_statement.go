package parser

import "errors"

// ConstructIndexStatement is CREATE INDEX or DROP INDEX … ON, which
// AfterShip has no node for.
const ConstructIndexStatement Construct = "CREATE INDEX or DROP INDEX … ON"

// IndexStatement is "CREATE [UNIQUE] INDEX [IF NOT EXISTS] name ON table
// [ON CLUSTER c] expression TYPE type [GRANULARITY n]" or "DROP INDEX [IF
// EXISTS] name ON table [ON CLUSTER c]" (issue 11 F44). The server runs
// them as ALTER TABLE table ADD INDEX and DROP INDEX, with what those take;
// chschema reads them as that ALTER (Alter). A CREATE INDEX without TYPE is
// refused by the server, or ignored under allow_create_index_without_type;
// CREATE UNIQUE INDEX is refused, or a plain index under
// create_index_ignore_unique.
type IndexStatement struct {
	Drop                  bool
	Name                  string
	Table                 QualifiedName
	IfExists, IfNotExists bool
	Cluster               string
	// NoType says a CREATE INDEX has no TYPE.
	NoType bool
	// Alter is the ALTER TABLE of the same meaning. Its bytes from
	// len(Alter)-len(tail) on are the statement's own, from Tail on.
	Alter string
	// Tail is the offset in the statement of the part Alter ends with
	// (a CREATE INDEX's expression and TYPE), or the statement's length.
	Tail int
}

// Construct names the form: ConstructIndexStatement.
func (*IndexStatement) Construct() Construct { return ConstructIndexStatement }

func (*IndexStatement) gap() {}

// StatementOffset returns the offset in the statement of byte off of
// Alter: the same byte in the tail, else the statement's first byte.
func (g *IndexStatement) StatementOffset(off int, stmtLen int) int {
	head := len(g.Alter) - (stmtLen - g.Tail)
	if off < head {
		return 0
	}
	return min(g.Tail+off-head, stmtLen)
}

// readIndexStatement reads an IndexStatement from toks of text, or returns
// nil.
func readIndexStatement(text string, toks []sqlTok) *IndexStatement {
	c := &cursor{toks: toks}
	g := &IndexStatement{}
	switch {
	case c.accept("CREATE", "INDEX"), c.accept("CREATE", "UNIQUE", "INDEX"):
		g.IfNotExists = c.accept("IF", "NOT", "EXISTS")
	case c.accept("DROP", "INDEX"):
		g.Drop = true
		g.IfExists = c.accept("IF", "EXISTS")
	default:
		return nil
	}
	nameTok := c.peek()
	name, _, ok := c.name()
	if !ok || !c.accept("ON") {
		return nil
	}
	g.Name = name
	tableFrom := c.i
	if g.Table, ok = c.qualified(); !ok {
		return nil
	}
	tableText := text[toks[tableFrom].off:toks[c.i-1].end]
	clusterFrom := c.i
	if g.Cluster, ok = c.cluster(); !ok {
		return nil
	}
	clusterText := ""
	if c.i > clusterFrom {
		clusterText = " " + text[toks[clusterFrom].off:toks[c.i-1].end]
	}
	head := "ALTER TABLE " + tableText + clusterText
	if g.Drop {
		if !c.done() {
			return nil
		}
		head += " DROP INDEX "
		if g.IfExists {
			head += "IF EXISTS "
		}
		g.Alter, g.Tail = head+text[nameTok.off:nameTok.end], len(text)
		return g
	}
	if c.done() {
		return nil
	}
	g.NoType = true
	depth := 0
	for _, t := range toks[c.i:] {
		switch t.kind {
		case '(':
			depth++
		case ')':
			depth--
		}
		if depth == 0 && t.is("TYPE") {
			g.NoType = false
		}
	}
	head += " ADD INDEX "
	if g.IfNotExists {
		head += "IF NOT EXISTS "
	}
	head += text[nameTok.off:nameTok.end] + " "
	g.Tail = toks[c.i].off
	tail := []byte(text[g.Tail:])
	// CREATE INDEX reads a parenthesised expression as its list of
	// columns: "(s)" is s, as ADD INDEX s; "((s))" is (s); "(s, x)" stays.
	if open := c.i; toks[open].kind == '(' {
		if close := closingParen(toks, open); close > open && (close+1 == len(toks) || toks[close+1].is("TYPE")) &&
			len(splitTopLevel(toks[open+1:close])) == 1 {
			tail[0], tail[toks[close].off-g.Tail] = ' ', ' '
		}
	}
	g.Alter = head + string(tail)
	return g
}

// parseIndexStatement is Parse for an IndexStatement: its ALTER must parse,
// and an error in it is reported at the statement's own position.
func parseIndexStatement(stmt Statement, text string, g *IndexStatement) (*Result, error) {
	r := &Result{Stmt: stmt, Text: text, Gap: g, Workarounds: []Workaround{{Construct: ConstructIndexStatement, Pos: stmt.Pos}}}
	if g.NoType {
		return r, nil // refused by the server, or ignored
	}
	if _, err := Parse(Statement{Text: g.Alter, Pos: FileStart}); err != nil {
		var pe *ParseError
		if !errors.As(err, &pe) {
			return nil, err
		}
		off := g.StatementOffset(pe.Pos.Offset, len(text))
		return nil, &ParseError{Pos: stmt.PosAt(off), Msg: pe.Msg, Stmt: stmt, Err: pe.Err}
	}
	return r, nil
}

// indexStatement converts an IndexStatement as its ALTER.
func (c *converter) indexStatement() error {
	g := readIndexStatement(c.sql, c.toks)
	if g == nil {
		return c.syntax(0, "%s", "expected CREATE INDEX name ON table expression TYPE type, or DROP INDEX name ON table")
	}
	if g.NoType {
		// The server refuses it, or ignores it under
		// allow_create_index_without_type.
		c.out.NoEffect = true
		return nil
	}
	sub, err := convertIn(g.Alter, c.db, c.sess)
	if err != nil {
		var oe *offsetError
		if errors.As(err, &oe) {
			oe.Offset = g.StatementOffset(oe.Offset, len(c.sql))
		}
		return err
	}
	for i := range sub.Unsupported {
		u := &sub.Unsupported[i]
		u.Offset = g.StatementOffset(u.Offset, len(c.sql))
	}
	*c.out = *sub
	return nil
}
