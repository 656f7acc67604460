package parser

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	ch "github.com/AfterShip/clickhouse-sql-parser/parser"

	"github.com/chschema/chschema/schema"
)

// alterTable converts ALTER TABLE name [ON CLUSTER c] action, ... [SETTINGS
// ...]. Each action is read on its own: the column, index, projection, TTL,
// ORDER BY, SETTING and QUERY forms through AfterShip, the rest by the
// token readers here. An action that cannot be read marks the table
// uncertain; the others still apply.
func (c *converter) alterTable() error {
	c.orig = c.sql
	c.inAlter = true
	name, i, ok := c.nameAt(2)
	if !ok {
		return c.syntax(c.offAt(2), "expected a table name")
	}
	c.out.alterSession = !(len(c.toks) > 3 && c.toks[3].kind == '.')
	i = c.onCluster(i)
	rest, _ := alterCommandTokens(c.toks[i:])
	if len(rest) == 0 {
		return c.syntax(len(c.sql), "expected an ALTER action")
	}
	if !(rest[0].kind == 'w' && alterActionWords[rest[0].upper()]) {
		return c.syntax(rest[0].off, "expected an ALTER command, got %q", rest[0].text)
	}
	p := prepareAlter(c.sql, c.toks)
	c.names, c.ttls, c.fmt.marks, c.fmt.intervals, c.fmt.names = p.names, p.ttls, p.marks, p.intervals, p.names
	c.sql = p.text()
	if err := c.checkTypeless(p.typelessExprs); err != nil {
		return err
	}
	ephemeral := p.ephemeral
	c.colSettings, c.colSettingValues = p.colSettings, p.colSettingValues
	m := &schema.ModifyTable{Name: name}
	allData := true
	for _, seg := range actionSegments(rest) {
		ch, data, err := c.alterAction(name, seg, ephemeral)
		if err != nil {
			return err
		}
		if !data {
			allData = false
		}
		if ch != nil {
			m.Changes = append(m.Changes, ch)
		}
		m.Changes = append(m.Changes, c.more...)
		c.more = nil
	}
	c.columnSettingsUnknown(name)
	if len(m.Changes) > 0 {
		c.out.Changes = append(c.out.Changes, m)
	} else if allData {
		c.out.NoEffect = true
	}
	return nil
}

// parseAction parses one ALTER action of the prepared statement, with the
// numbers the gap layer rewrote given their text back (0x1p4, 1_000).
func (c *converter) parseAction(seg []sqlTok) (ch.AlterTableClause, error) {
	st, err := parseAction(c.sql, seg)
	if err != nil {
		return nil, err
	}
	restoreNumbers(st, c.orig)
	return st, nil
}

// alterAction converts one action. data reports an action with no schema
// effect.
func (c *converter) alterAction(table schema.QualifiedName, seg []sqlTok, ephemeral map[string]bool) (schema.Change, bool, error) {
	w := func(i int) string {
		if i < len(seg) && seg[i].kind == 'w' {
			return seg[i].upper()
		}
		return ""
	}
	head := upperWords(seg, 2)
	off := seg[0].off
	// ifExists reads IF [NOT] EXISTS at i.
	ifExists := func(i int) (bool, int) {
		if w(i) == "IF" && w(i+1) == "EXISTS" {
			return true, i + 2
		}
		if w(i) == "IF" && w(i+1) == "NOT" && w(i+2) == "EXISTS" {
			return true, i + 3
		}
		return false, i
	}
	// nameEnd is the token index after the name nameAt read.
	nameEnd := 0
	nameAt := func(i int) (string, bool) {
		if i < len(seg) && (seg[i].kind == 'w' || seg[i].kind == 'q') {
			n := identText(seg[i])
			nameEnd = i + 1
			// Nested sub-columns: n.a
			if i+2 < len(seg) && seg[i+1].kind == '.' {
				n += "." + identText(seg[i+2])
				nameEnd = i + 3
			}
			return n, true
		}
		return "", false
	}
	switch {
	case head == "ADD COLUMN":
		// The server drops the SETTINGS (…) of a column ALTER ADD COLUMN
		// adds (ClickHouse 26.7, MergeTree and Memory alike).
		c.takeColumnSettings(seg)
		toks, after, first := trimPlacement(seg)
		st, err := c.parseAction(toks)
		if err != nil {
			return c.unsupportedAction(table, off, err), false, nil
		}
		a, ok := st.(*ch.AlterTableAddColumn)
		if !ok {
			return c.unsupportedAction(table, off, fmt.Errorf("unexpected %T", st)), false, nil
		}
		cols, err := c.column(a.Column, ephemeral, seg[len(seg)-1].end)
		if err != nil {
			return nil, false, err
		}
		if cols[0].Type == "" {
			c.unsupported(off, "column "+schema.BackQuote(cols[0].Name)+" has no type: the server infers it", table)
			c.out.Unsupported[len(c.out.Unsupported)-1].Exists = true
		}
		if a.After != nil {
			after = nestedName(a.After)
		}
		// A Nested column is several Array columns, added one after the
		// other.
		nested := ""
		if declared := nestedName(a.Column.Name); cols[0].Name != declared {
			nested = declared // n Nested(…), flattened to n.x columns
		}
		for i, col := range cols[1:] {
			c.more = append(c.more, &schema.AddColumn{C: col, IfNotExists: a.IfNotExists, After: cols[i].Name, Nested: nested})
		}
		return &schema.AddColumn{C: cols[0], IfNotExists: a.IfNotExists, After: after, First: first, Nested: nested}, false, nil
	case head == "ADD INDEX":
		toks, after, first := trimPlacement(seg)
		ine, i := ifExists(2)
		ix, err := c.readIndex(toks, i)
		if err != nil {
			return nil, false, err
		}
		return &schema.AddIndex{I: ix, IfNotExists: ine, After: after, First: first}, false, nil
	case head == "ADD PROJECTION":
		ine, i := ifExists(2)
		p, err := c.readProjection(seg, i)
		if err != nil {
			return nil, false, err
		}
		return &schema.AddProjection{P: p, IfNotExists: ine}, false, nil
	case head == "ADD CONSTRAINT":
		ine, i := ifExists(2)
		x, err := c.readConstraint(seg, i)
		if err != nil {
			return nil, false, err
		}
		return &schema.AddConstraint{C: x, IfNotExists: ine}, false, nil
	case head == "DROP COLUMN", head == "DROP INDEX", head == "DROP PROJECTION", head == "DROP CONSTRAINT":
		ie, i := ifExists(2)
		n, ok := nameAt(i)
		if !ok {
			return nil, false, c.syntax(off, "expected a name after %s", head)
		}
		switch head {
		case "DROP COLUMN":
			return &schema.DropColumn{Name: n, IfExists: ie}, false, nil
		case "DROP INDEX":
			return &schema.DropIndex{Name: n, IfExists: ie}, false, nil
		case "DROP PROJECTION":
			return &schema.DropProjection{Name: n, IfExists: ie}, false, nil
		}
		return &schema.DropConstraint{Name: n, IfExists: ie}, false, nil
	case head == "RENAME COLUMN":
		ie, i := ifExists(2)
		from, ok := nameAt(i)
		j := nameEnd
		to, ok2 := nameAt(j + 1)
		if !ok || !ok2 || w(j) != "TO" {
			return nil, false, c.syntax(off, "expected RENAME COLUMN a TO b")
		}
		return &schema.RenameColumn{From: from, To: to, IfExists: ie}, false, nil
	case head == "COMMENT COLUMN", head == "MODIFY COMMENT":
		_, g, err := readCommand(c.sql, seg, Statement{Text: c.orig, Pos: FileStart})
		if err != nil {
			return nil, false, &offsetError{Offset: err.(*ParseError).Pos.Offset, Err: err}
		}
		switch g := g.(type) {
		case *CommentColumn:
			return &schema.ModifyColumn{To: &schema.Column{Name: g.Column, Comment: schema.Comment(g.Comment)}, Kind: schema.ChangeComment, IfExists: g.IfExists}, false, nil
		case *ModifyComment:
			return &schema.ModifyComment{Comment: schema.Comment(g.Comment)}, false, nil
		}
	case head == "MODIFY COLUMN":
		return c.modifyColumn(table, seg, ephemeral)
	case head == "MODIFY SAMPLE":
		if w(2) != "BY" || len(seg) < 4 {
			return nil, false, c.syntax(off, "expected MODIFY SAMPLE BY expr")
		}
		e, err := c.exprSpan(seg[3].off, seg[len(seg)-1].end)
		if err != nil {
			return c.unsupportedAction(table, off, err), false, nil
		}
		return &schema.ModifySampleBy{SampleBy: schema.SampleBy(e)}, false, nil
	case head == "REMOVE SAMPLE":
		return &schema.ModifySampleBy{}, false, nil
	case head == "REMOVE TTL":
		return &schema.ModifyTTL{}, false, nil
	case head == "MODIFY TTL":
		t, ok, err := c.ttlIn(off, seg[len(seg)-1].end, true)
		if err != nil {
			return c.unsupportedAction(table, off, err), false, nil
		}
		if !ok {
			return nil, false, c.syntax(off, "expected MODIFY TTL expr")
		}
		return &schema.ModifyTTL{TTL: schema.TTL(t)}, false, nil
	case head == "MODIFY ORDER", head == "MODIFY SETTING", head == "MODIFY QUERY", head == "RESET SETTING":
		st, err := c.parseAction(seg)
		if err != nil {
			return c.unsupportedAction(table, off, err), false, nil
		}
		switch a := st.(type) {
		case *ch.AlterTableModifyOrderBy:
			return &schema.ModifyOrderBy{OrderBy: schema.OrderBy(c.keyList([]ch.Expr{a.OrderBy}))}, false, nil
		case *ch.AlterTableModifySetting:
			return &schema.ModifySettings{Settings: c.fmt.settings(a.Settings)}, false, nil
		case *ch.AlterTableResetSetting:
			var names []string
			for _, s := range a.Settings {
				names = append(names, s.Name)
			}
			return &schema.ResetSettings{Names: names}, false, nil
		case *ch.AlterTableModifyQuery:
			mq := &schema.ModifyQuery{Query: schema.Expr(c.fmt.selectQuery(a.SelectExpr))}
			c.views = append(c.views, viewSource{mq, a.SelectExpr})
			return mq, false, nil
		}
		return c.unsupportedAction(table, off, fmt.Errorf("unexpected %T", st)), false, nil
	}
	if head == "MODIFY REFRESH" {
		r, end, err := readRefresh(c.orig, seg, 2)
		if err != nil {
			c.unreadable(err.off, "cannot read the REFRESH clause: "+err.msg, table)
			return nil, false, nil
		}
		if end < len(seg) {
			c.unreadable(seg[end].off, fmt.Sprintf("unexpected %q after the REFRESH clause", seg[end].text), table)
			return nil, false, nil
		}
		return &schema.ModifyRefresh{To: qualifyRefresh(r, c.db)}, false, nil
	}
	if head == "MODIFY SQL" || head == "MODIFY DEFINER" {
		return nil, true, nil // who runs a view's query: not modelled
	}
	if head == "CLEAR COLUMN" {
		// No schema effect, but an ALTER of the table (a Memory table
		// writes its settings back).
		ie, i := ifExists(2)
		if n, ok := nameAt(i); ok && nameEnd <= len(seg) {
			return &schema.ClearColumn{Name: n, IfExists: ie}, false, nil
		}
	}
	switch w(0) {
	case "UPDATE", "DELETE", "MATERIALIZE", "CLEAR", "FREEZE", "UNFREEZE", "FETCH", "MOVE", "APPLY", "UNLOCK", "FORGET", "REWRITE":
		return nil, true, nil
	case "ATTACH", "DETACH", "REPLACE":
		if w(1) == "PARTITION" || w(1) == "PART" {
			return nil, true, nil
		}
	case "DROP":
		switch w(1) {
		case "PARTITION", "PART", "DETACHED":
			return nil, true, nil
		}
	}
	return c.unsupportedAction(table, off, fmt.Errorf("ALTER action %s is not modelled", c.orig[seg[0].off:seg[min(2, len(seg)-1)].end])), false, nil
}

// unsupportedAction records an ALTER action the model cannot follow and
// returns a change that marks the table uncertain.
func (c *converter) unsupportedAction(table schema.QualifiedName, off int, err error) schema.Change {
	reason := firstLine(err.Error())
	var pe *ch.ParseError
	if errors.Is(err, ErrSyntax) || errors.As(err, &pe) {
		c.unreadable(off, reason, table)
	} else {
		c.unsupported(off, reason, table)
	}
	return nil
}

// exprSpan parses and formats the expression at c.sql[start:end].
func (c *converter) exprSpan(start, end int) (string, error) {
	e, err := c.fmt.parse(c.sql[start:end])
	if err != nil {
		return "", err
	}
	// Positions of e are relative to "SELECT "; only the formatted text is
	// used.
	return c.fmt.expr(e), nil
}

// modifyColumn converts MODIFY COLUMN [IF EXISTS] name [type] [default]
// [codec] [TTL] [COMMENT] [FIRST|AFTER x], and MODIFY COLUMN name REMOVE
// property.
func (c *converter) modifyColumn(table schema.QualifiedName, seg []sqlTok, ephemeral map[string]bool) (schema.Change, bool, error) {
	off := seg[0].off
	toks, after, first := trimPlacement(seg)
	i := 2
	ie := false
	if len(toks) > 4 && toks[2].upper() == "IF" && toks[3].upper() == "EXISTS" {
		ie, i = true, 4
	}
	if i >= len(toks) {
		return nil, false, c.syntax(off, "expected a column name")
	}
	name := identText(toks[i])
	j := i + 1
	if j+1 < len(toks) && toks[j].kind == '.' {
		name += "." + identText(toks[j+1])
		j += 2
	}
	mc := &schema.ModifyColumn{To: &schema.Column{Name: name}, IfExists: ie, After: after, First: first}
	if j == len(toks) {
		// MODIFY COLUMN x FIRST / AFTER y only moves the column.
		return mc, false, nil
	}
	if toks[j].kind == 'w' && toks[j].upper() == "REMOVE" && j+1 < len(toks) {
		switch toks[j+1].upper() {
		case "DEFAULT", "MATERIALIZED", "ALIAS", "EPHEMERAL":
			mc.Kind = schema.ChangeDefault
		case "CODEC":
			mc.Kind = schema.ChangeCodec
		case "COMMENT":
			mc.Kind = schema.ChangeComment
		case "TTL":
			mc.Kind = schema.ChangeTTL
		case "SETTINGS":
			mc.Kind = schema.ChangeSettings
		default:
			return c.unsupportedAction(table, off, fmt.Errorf("MODIFY COLUMN REMOVE %s is not modelled", toks[j+1].text)), false, nil
		}
		return mc, false, nil
	}
	if toks[j].kind == 'w' && (toks[j].upper() == "MODIFY" || toks[j].upper() == "RESET") && j+2 < len(toks) && toks[j+1].is("SETTING") {
		ms := &schema.ModifyColumnSettings{Column: name, IfExists: ie}
		for _, part := range splitTopLevel(toks[j+2:]) {
			if toks[j].is("RESET") {
				if len(part) != 1 || !part[0].isName() {
					return c.unsupportedAction(table, off, fmt.Errorf("expected setting names after RESET SETTING")), false, nil
				}
				ms.Reset = append(ms.Reset, identText(part[0]))
				continue
			}
			d := readColumnSettings(c.orig, name, part)
			if !d.ok {
				return c.unsupportedAction(table, off, fmt.Errorf("MODIFY COLUMN MODIFY SETTING: expected name = value")), false, nil
			}
			ms.Set = append(ms.Set, d.settings...)
		}
		return ms, false, nil
	}
	if toks[j].kind == 'w' && columnPropertyWords[toks[j].upper()] {
		// Properties without a type: MODIFY COLUMN x DEFAULT 1 COMMENT 'c'.
		if err := c.columnProperties(mc, toks[j:]); err != nil {
			return c.unsupportedAction(table, off, err), false, nil
		}
		return mc, false, nil
	}
	st, err := c.parseAction(toks)
	if err != nil {
		return c.unsupportedAction(table, off, err), false, nil
	}
	a, ok := st.(*ch.AlterTableModifyColumn)
	if !ok || a.Column == nil {
		return c.unsupportedAction(table, off, fmt.Errorf("unexpected %T", st)), false, nil
	}
	cols, err := c.column(a.Column, ephemeral, seg[len(seg)-1].end)
	if err != nil {
		return nil, false, err
	}
	col := cols[0]
	col.Name = name
	mc.To = col
	if d, ok := c.takeColumnSettings(seg); ok {
		// MODIFY COLUMN c T SETTINGS (…) replaces the column's settings;
		// without SETTINGS it keeps them.
		col.Settings = d.settings
		mc.Kind |= schema.ChangeSettings
	}
	d := a.Column
	if d.Type != nil {
		mc.Kind |= schema.ChangeType
	}
	if col.Default != nil {
		mc.Kind |= schema.ChangeDefault
	}
	if d.Codec != nil {
		mc.Kind |= schema.ChangeCodec
		if d.Type == nil {
			// Delta and Gorilla take their width from the column's type,
			// which only the schema knows: the replayer renormalises.
			c.codecFixups = append(c.codecFixups, codecFixup{mc, c.codecList(d.Codec)})
		}
	}
	if d.Comment != nil {
		mc.Kind |= schema.ChangeComment
	}
	if col.TTL != "" {
		mc.Kind |= schema.ChangeTTL
	}
	return mc, false, nil
}

// readIndex reads "INDEX name expr TYPE type [GRANULARITY n]" (toks[0] is
// INDEX, or the name when skip is 0) from the original text.
func (c *converter) readIndex(toks []sqlTok, skip int) (*schema.Index, error) {
	if len(toks) < skip+4 {
		return nil, c.syntax(toks[0].off, "expected INDEX name expr TYPE type")
	}
	ix := &schema.Index{Name: identText(toks[skip]), Granularity: 1}
	typeAt, granAt := -1, len(toks)
	depth := 0
	// The expression has at least one token, so the TYPE keyword is not
	// before skip+2 (the expression may be a column named type).
	for i := skip + 1; i < len(toks); i++ {
		switch toks[i].kind {
		case '(':
			depth++
		case ')':
			depth--
		case 'w':
			if depth == 0 && toks[i].upper() == "TYPE" && typeAt < 0 && i >= skip+2 {
				typeAt = i
			}
			if depth == 0 && toks[i].upper() == "GRANULARITY" {
				granAt = i
			}
		}
	}
	if typeAt < 0 || typeAt == skip+1 || typeAt+1 >= granAt {
		return nil, c.syntax(toks[0].off, "expected INDEX name expr TYPE type")
	}
	e, err := c.exprAt(toks[skip+1].off, toks[typeAt-1].end)
	if err != nil {
		return nil, &offsetError{Offset: toks[skip+1].off, Err: fmt.Errorf("%w: index expression: %v", ErrSyntax, firstLine(err.Error()))}
	}
	// system.data_skipping_indices prints the expression like a key: a
	// tuple as its elements, "a, b".
	ix.Expr = schema.Expr(c.keyList([]ch.Expr{e}))
	te, err := c.exprAt(toks[typeAt+1].off, toks[granAt-1].end)
	if err != nil {
		return nil, &offsetError{Offset: toks[typeAt+1].off, Err: fmt.Errorf("%w: index type: %v", ErrSyntax, firstLine(err.Error()))}
	}
	ix.Type = schema.Expr(c.fmt.expr(te))
	written := granAt+1 < len(toks)
	if written {
		g, err := strconv.ParseUint(toks[granAt+1].text, 10, 64)
		if err != nil {
			return nil, c.syntax(toks[granAt+1].off, "GRANULARITY: %v", err)
		}
		ix.Granularity = g
	}
	ix.Granularity = storedGranularity(string(ix.Type), written, ix.Granularity)
	return ix, nil
}

// storedGranularity is the GRANULARITY the server stores for an index of
// type typ (its type_full) given the one written, if any: a text index
// always covers 100000000 granules, whatever is written, a
// vector_similarity one when none is written; the other types default
// to 1. Derived from ClickHouse 26.7 for every index type it lists
// (TestIndexGranularity).
func storedGranularity(typ string, written bool, g uint64) uint64 {
	name, _, _ := strings.Cut(typ, "(")
	switch {
	case name == "text":
		return 100000000
	case name == "vector_similarity" && !written:
		return 100000000
	}
	return g
}

// readConstraint reads "CONSTRAINT name CHECK|ASSUME expr".
func (c *converter) readConstraint(toks []sqlTok, skip int) (*schema.Constraint, error) {
	if len(toks) < skip+3 {
		return nil, c.syntax(toks[0].off, "expected CONSTRAINT name CHECK expr")
	}
	kind := schema.ConstraintKind(strings.ToUpper(toks[skip+1].text))
	if kind != schema.Check && kind != schema.Assume {
		return nil, c.syntax(toks[skip+1].off, "expected CHECK or ASSUME")
	}
	e, err := c.exprAt(toks[skip+2].off, toks[len(toks)-1].end)
	if err != nil {
		return nil, &offsetError{Offset: toks[skip+2].off, Err: fmt.Errorf("%w: constraint: %v", ErrSyntax, firstLine(err.Error()))}
	}
	return &schema.Constraint{Name: identText(toks[skip]), Kind: kind, Expr: schema.Expr(c.fmt.expr(e))}, nil
}

// readProjection reads "PROJECTION name (SELECT ...)".
func (c *converter) readProjection(toks []sqlTok, skip int) (*schema.Projection, error) {
	if len(toks) < skip+3 || toks[skip+1].kind != '(' || toks[len(toks)-1].kind != ')' {
		return nil, c.syntax(toks[0].off, "expected PROJECTION name (SELECT ...)")
	}
	text := c.orig[toks[skip+2].off:toks[len(toks)-2].end]
	// Keywords that stand where only an operand can are column names
	// (SELECT ON, x ORDER BY x): placeholders, printed back as written.
	f := exprFormatter{names: map[string]string{}}
	qt := scanSQL(text)
	if ks := operandKeywords(qt[1:]); len(ks) > 0 {
		b := []byte(text)
		for _, k := range ks {
			t := qt[k+1]
			ph := placeholder(len(t.text), len(f.names))
			f.names[ph] = t.text
			copy(b[t.off:t.end], ph)
		}
		text = string(b)
	}
	st, err := parseAfterShip(text)
	if err != nil {
		return nil, &offsetError{Offset: toks[skip+2].off, Err: fmt.Errorf("%w: projection: %v", ErrSyntax, firstLine(err.Error()))}
	}
	q, ok := st.(*ch.SelectQuery)
	if !ok {
		return nil, c.syntax(toks[skip+2].off, "projection: expected SELECT")
	}
	items := make([]string, len(q.SelectItems))
	for i, it := range q.SelectItems {
		items[i] = f.expr(it.Expr)
		if it.Alias != nil {
			items[i] += " AS " + c.fmt.ident(it.Alias)
		}
	}
	parts := []string{"SELECT " + strings.Join(items, ", ")}
	if q.GroupBy != nil {
		parts = append(parts, "GROUP BY "+f.listExpr(q.GroupBy.Expr))
	}
	if q.OrderBy != nil {
		// Printed like a key: ORDER BY (a, b) is "a, b".
		elems := keyElems(orderItemsExprs(q.OrderBy.Items))
		parts = append(parts, "ORDER BY "+f.exprs(elems))
	}
	c.fmt.unsupported = append(c.fmt.unsupported, f.unsupported...)
	return &schema.Projection{Name: identText(toks[skip]), Query: schema.Expr(strings.Join(parts, " "))}, nil
}

// columnProperties reads the properties of MODIFY COLUMN x <properties>
// given without a type, into mc.
func (c *converter) columnProperties(mc *schema.ModifyColumn, toks []sqlTok) error {
	// Cut toks at the top-level property words.
	type part struct {
		word string
		toks []sqlTok
	}
	var parts []part
	depth := 0
	for i, t := range toks {
		switch t.kind {
		case '(':
			depth++
		case ')':
			depth--
		}
		if depth == 0 && t.kind == 'w' && columnPropertyWords[t.upper()] && (i == 0 || parts[len(parts)-1].word != "TTL") {
			parts = append(parts, part{word: t.upper()})
			continue
		}
		if len(parts) == 0 {
			return fmt.Errorf("%w: unexpected %q", ErrSyntax, t.text)
		}
		parts[len(parts)-1].toks = append(parts[len(parts)-1].toks, t)
	}
	for _, p := range parts {
		switch p.word {
		case "DEFAULT", "MATERIALIZED", "ALIAS", "EPHEMERAL":
			d := &schema.ColumnDefault{Kind: schema.DefaultKind(p.word)}
			if len(p.toks) > 0 {
				e, err := c.exprAt(p.toks[0].off, p.toks[len(p.toks)-1].end)
				if err != nil {
					return fmt.Errorf("%w: %s: %v", ErrSyntax, p.word, firstLine(err.Error()))
				}
				d.Expr = schema.Expr(c.fmt.expr(e))
			} else if p.word != "EPHEMERAL" {
				return fmt.Errorf("%w: %s without an expression", ErrSyntax, p.word)
			}
			mc.To.Default = d
			mc.Kind |= schema.ChangeDefault
		case "COMMENT":
			if len(p.toks) != 1 || p.toks[0].kind != 's' {
				return fmt.Errorf("%w: COMMENT: expected a string", ErrSyntax)
			}
			mc.To.Comment = schema.Comment(unquoteLiteral(p.toks[0].text))
			mc.Kind |= schema.ChangeComment
		case "CODEC":
			if len(p.toks) < 2 {
				return fmt.Errorf("%w: CODEC: expected a list", ErrSyntax)
			}
			list := c.orig[p.toks[0].end:p.toks[len(p.toks)-1].off]
			mc.To.Codec = schema.Codec(NormalizeCodec(list, ""))
			mc.Kind |= schema.ChangeCodec
			c.codecFixups = append(c.codecFixups, codecFixup{mc, list})
		case "TTL":
			if len(p.toks) == 0 {
				return fmt.Errorf("%w: TTL: expected an expression", ErrSyntax)
			}
			t, err := c.readTTL(p.toks)
			if err != nil {
				return err
			}
			mc.To.TTL = schema.Expr(t)
			mc.Kind |= schema.ChangeTTL
		}
	}
	return nil
}
