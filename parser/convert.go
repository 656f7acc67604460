package parser

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	ch "github.com/AfterShip/clickhouse-sql-parser/parser"

	"github.com/chschema/chschema/schema"
)

// Conversion is what one statement means for the schema model.
type Conversion struct {
	// Changes are the schema changes, in order, with fully qualified names.
	Changes []schema.Change
	// Use is the database a USE statement switches to.
	Use string
	// OnCluster is the cluster of an ON CLUSTER clause. It is recorded and
	// has no effect on the single-node model.
	OnCluster string
	// NoEffect says the statement is recognised as having no schema effect
	// (INSERT, OPTIMIZE, SET, ALTER UPDATE/DELETE, ...).
	NoEffect bool
	// Unsupported lists the parts of the statement that could not be
	// modelled. Each names the objects it may touch.
	Unsupported []Unsupported

	// views are the views whose columns the replayer infers from their
	// SELECT against the schema of the moment.
	views []viewSource
	// codecFixups are MODIFY COLUMN codecs given without a type.
	codecFixups []codecFixup
	// temporary names the table a CREATE TEMPORARY TABLE makes in the
	// session.
	temporary string
	// sessionDrops are the indexes in Changes of the DROPs of an
	// unqualified name, which drop a temporary table of that name first.
	sessionDrops []int
	// dropTemporary names the temporary table DROP TEMPORARY TABLE drops.
	dropTemporary string
	// alterSession says the ALTER TABLE names its table without a
	// database: a temporary table of the session of that name is the one
	// it alters (issue 11 F53).
	alterSession bool
	// settings are the session's settings with those the statement gives
	// itself in its own SETTINGS, when it gives itself any that change DDL
	// (statementSettings).
	settings sessionSettings
}

// codecFixup is a MODIFY COLUMN x CODEC(...) without a type: the codec's
// Delta/Gorilla width comes from the column's current type.
type codecFixup struct {
	mc   *schema.ModifyColumn
	list string
}

// Unsupported is a statement, or part of one, that the model cannot follow.
type Unsupported struct {
	// Offset is the byte offset within the statement.
	Offset int
	Reason string
	// Objects may have been changed in ways the model does not know.
	Objects []schema.QualifiedName
	// Databases, when set, may have gained or lost unknown objects.
	Databases []string
	// AllDatabases says every database may have gained or lost unknown
	// objects (RESTORE ALL).
	AllDatabases bool
	// Unreadable says the text itself could not be read (a syntax error
	// to chschema), as opposed to a form that is read but not modelled.
	Unreadable bool
	// Exists says the objects certainly exist after the statement: only
	// their definitions are unknown (schema.Uncertainty.Exists).
	Exists bool
}

// offsetError is an error at a byte offset of the statement.
type offsetError struct {
	Offset int
	Err    error
}

func (e *offsetError) Error() string { return e.Err.Error() }
func (e *offsetError) Unwrap() error { return e.Err }

// Convert turns one SQL statement into schema changes. database is the
// current database, used for unqualified names. A statement the converter
// cannot read (an AfterShip gap, or a form it does not know) is returned as
// a Conversion with one Unsupported entry that names the objects it may
// touch, not as an error: the server may well accept it.
func Convert(sql string, database string) (*Conversion, error) {
	return convertIn(sql, database, nil)
}

// convertIn is Convert in a session whose statements so far SET sess.
func convertIn(sql string, database string, sess sessionSettings) (*Conversion, error) {
	// AfterShip knows neither '#' nor nested block comments; the server
	// drops comments anyway. Blanking keeps every offset.
	c := &converter{sql: blankComments(sql), db: database, out: &Conversion{}, sess: sess}
	c.syn = rewriteSynonyms(c.sql)
	c.sql = c.syn.text
	c.fmt.src = c.sql
	c.fmt.asWritten = c.syn.orig
	if err := c.convertSafely(); err != nil {
		var oe *offsetError
		if !errors.As(err, &oe) {
			return nil, err
		}
		// A statement the converter cannot read is not necessarily wrong:
		// report it and mark what it touches, rather than fail the run.
		c.out = &Conversion{OnCluster: c.out.OnCluster}
		c.unreadable(oe.Offset, "cannot read the statement: "+firstLine(oe.Err.Error()), c.guessObjects()...)
		if w := c.word(0); w == "CREATE" || w == "ATTACH" {
			c.addPlaceholder()
		}
		c.touchSomething()
		return c.out, nil
	}
	c.out.views = c.views
	c.out.codecFixups = c.codecFixups
	for _, u := range c.fmt.unsupported {
		c.unsupported(0, "expression form not normalised: "+u, c.guessObjects()...)
	}
	for _, off := range c.syn.inexact {
		c.unsupported(off, inexactReason(c.syn.orig, off), c.guessObjects()...)
	}
	for _, off := range slices.Sorted(maps.Keys(c.syn.dropped)) {
		c.unsupported(off, "read without "+c.syn.dropped[off]+", which the model does not follow", c.guessObjects()...)
	}
	if toks := scanSQL(c.syn.orig); storesQuery(toks) {
		forms := unmodelledQueryForms(toks)
		offs := slices.Sorted(maps.Keys(forms))
		for _, off := range offs {
			c.unsupported(off, "query form not modelled as the server stores it: "+forms[off], c.guessObjects()...)
		}
	}
	c.touchSomething()
	return c.out, nil
}

// touchSomething makes every Unsupported name what it may touch: one that
// names nothing marks the objects the statement names, or else its
// database. A part of a statement the model cannot follow is never dropped
// silently (issue 11: a TTL it could not read left no trace).
func (c *converter) touchSomething() {
	for i := range c.out.Unsupported {
		u := &c.out.Unsupported[i]
		if len(u.Objects) == 0 && len(u.Databases) == 0 {
			if u.Objects = c.guessObjects(); len(u.Objects) == 0 {
				if u.Databases = c.guessDatabases(); len(u.Databases) == 0 {
					u.Databases = []string{c.db}
				}
			}
		}
	}
}

// convertSafely runs convert under recoverAfterShip: a panic inside
// AfterShip's parser, or on its tree, makes the statement unreadable at its
// first byte instead of ending the run.
func (c *converter) convertSafely() (err error) {
	defer recoverAfterShip(func(perr error) {
		c.toks = scanSQL(c.sql)
		err = &offsetError{Offset: 0, Err: perr}
	})
	return c.convert()
}

type converter struct {
	// sql is the statement as AfterShip sees it (gap forms rewritten,
	// same length); orig is the user's text.
	sql, orig string
	// names maps placeholders back to keyword column names.
	names map[string]string
	db    string
	out   *Conversion
	toks  []sqlTok
	fmt   exprFormatter
	views []viewSource
	// elems and comment are the parts prepareCreate took out of a CREATE.
	elems   []tableElement
	comment *sqlTok
	// primaryKey is a PRIMARY KEY element of the column list, as the key is
	// printed.
	primaryKey string
	// ttls are the TTL clauses extractTTLs took out.
	ttls []ttlSpan
	// inAlter says an ALTER is being read: column TTLs are at depth 0.
	inAlter bool
	// more are further changes of the ALTER action being read.
	more []schema.Change
	// codecFixups are codecs to renormalise with the column's type.
	codecFixups []codecFixup
	// syn is what rewriteSynonyms rewrote in the statement.
	syn *synonyms
	// noEngine is the span of the storage clauses of a CREATE TABLE
	// without ENGINE, which prepareCreate took out.
	noEngine *[2]int
	// typeless are the defaults of the columns without a type, which the
	// gap layer took out.
	typeless map[string]*schema.ColumnDefault
	// sess are the settings the session SET before this statement.
	sess sessionSettings
	// colSettings are the offsets of column definitions' SETTINGS (…),
	// which prepareCreate took out.
	colSettings []int
	// colSettingValues are those SETTINGS, read, by offset.
	colSettingValues map[int]columnSettingsDef
	// refresh is the REFRESH clause prepareCreate took out of a CREATE
	// MATERIALIZED VIEW.
	refresh *refreshSpan
	// descKeys are the offsets of ASC and DESC that prepareCreate took out
	// of a sorting key.
	descKeys []int
	// colStats are the offsets of column definitions' STATISTICS(…).
	colStats []int
}

// checkTypeless reads the default expressions of the columns without a
// type that the gap layer took out: the server infers their types, so the
// model does not know them (column marks the table uncertain), but the
// expressions must be valid, and are kept.
func (c *converter) checkTypeless(defs []typelessDefault) error {
	for _, d := range defs {
		e, err := c.exprAt(d.from, d.to)
		if err != nil {
			off, msg := afterShipError(err) // at the statement's offsets (exprAt pads)
			return &offsetError{Offset: min(max(off, d.from), d.to), Err: fmt.Errorf("%w: column default: %s", ErrSyntax, msg)}
		}
		if c.typeless == nil {
			c.typeless = map[string]*schema.ColumnDefault{}
		}
		c.fmt.columnExpr = !c.inAlter
		c.typeless[d.column] = &schema.ColumnDefault{Kind: d.kind, Expr: schema.Expr(c.fmt.expr(e))}
		c.fmt.columnExpr = false
	}
	return nil
}

// ttlIn returns the TTL clause whose keyword lies in [from, to), read.
func (c *converter) ttlIn(from, to int, tableLevel bool) (string, bool, error) {
	for _, s := range c.ttls {
		if s.off >= from && s.off < to && (s.depth == 0) == tableLevel {
			t, err := c.readTTL(s.items)
			return t, true, err
		}
	}
	return "", false, nil
}

// parseAfterShip is the one place that calls AfterShip's parser. It parses
// exactly one statement; a panic inside the parser is an error.
func parseAfterShip(sql string) (ast ch.Expr, err error) {
	defer recoverAfterShip(func(perr error) { ast, err = nil, perr })
	p := ch.NewParser(afterShipQuotes(sql, true))
	stmts, err := p.ParseStmts()
	if err != nil {
		return nil, err
	}
	if len(stmts) != 1 {
		return nil, fmt.Errorf("expected one statement, found %d", len(stmts))
	}
	unescapeIdents(stmts[0], sql)
	return stmts[0], nil
}

// parseExprText parses a lone expression.
func parseExprText(s string) (ch.Expr, error) {
	st, err := parseAfterShip("SELECT " + s)
	if err != nil {
		return nil, err
	}
	q, ok := st.(*ch.SelectQuery)
	if !ok || len(q.SelectItems) != 1 || q.From != nil {
		return nil, fmt.Errorf("not one expression: %q", s)
	}
	it := q.SelectItems[0]
	if it.Alias != nil {
		return &ch.ColumnExpr{Expr: it.Expr, Alias: it.Alias}, nil
	}
	return it.Expr, nil
}

// exprAt parses the expression at [from, to) of the user's text on its
// own, at its offsets (the text is padded with spaces), so that the
// formatter's marks and source positions apply to it. DIV and MOD become %
// as in the gap layer (see rewriteInline), numbers keep their text and
// keyword names are given back.
func (c *converter) exprAt(from, to int) (ch.Expr, error) {
	const head = "SELECT "
	text := []byte(c.orig[from:to])
	toks := scanSQL(string(text))
	blankHexFloats(text, c.orig[from:to], toks)
	operands := map[int]bool{}
	if c.fmt.names != nil {
		for _, i := range operandKeywords(toks) {
			operands[i] = true
		}
	}
	for i, t := range toks {
		if operands[i] || i == 0 && t.kind == 'w' && (t.is("TOP") || t.is("DISTINCT") || t.is("ALL")) && (len(toks) == 1 || toks[1].kind != '(') && c.fmt.names != nil {
			// A keyword that stands where only an operand can (CHECK ON >
			// 1), or a column called TOP first: after "SELECT " it would
			// read as the clause (TTL TOP + toIntervalDay(1)).
			ph := placeholder(len(t.text), len(c.fmt.names))
			c.fmt.names[ph] = t.text
			copy(text[t.off:t.end], ph)
			continue
		}
		if t.kind == 'w' && isDigit(t.text[0]) && c.fmt.names != nil {
			// Names that start with a digit (02015_db.d) get placeholders,
			// as the gap layer gives them in the rest of the statement.
			ph := placeholder(len(t.text), len(c.fmt.names))
			c.fmt.names[ph] = t.text
			copy(text[t.off:t.end], ph)
		}
		if t.kind == 'w' {
			joinTypeWords(text, c.orig[from:to], toks, i)
		}
		if t.kind != 'w' || !(t.is("DIV") || t.is("MOD")) || i == 0 || i+1 >= len(toks) || toks[i+1].kind == '(' || !isOperandEnd(toks[i-1]) {
			continue
		}
		copy(text[t.off:t.end], "%  ")
		if t.is("DIV") {
			if c.fmt.marks == nil {
				c.fmt.marks = map[int]string{}
			}
			c.fmt.marks[-(from+t.off)-1] = "DIV"
		}
	}
	if from < len(head) {
		return c.fmt.parse(string(text))
	}
	e, err := c.fmt.parse(strings.Repeat(" ", from-len(head)) + string(text))
	if err != nil {
		return nil, err
	}
	restoreNumbers(e, c.orig)
	restoreNames(e, c.names)
	return e, nil
}

func (c *converter) unsupported(off int, reason string, objs ...schema.QualifiedName) {
	c.out.Unsupported = append(c.out.Unsupported, Unsupported{Offset: off, Reason: reason, Objects: objs})
}

// unreadable records text the converter could not read, at off.
func (c *converter) unreadable(off int, reason string, objs ...schema.QualifiedName) {
	c.unsupported(off, reason, objs...)
	c.out.Unsupported[len(c.out.Unsupported)-1].Unreadable = true
}

func (c *converter) qualify(t *ch.TableIdentifier) schema.QualifiedName {
	q := schema.QualifiedName{Database: c.db, Name: t.Table.Name}
	if n, ok := c.names[q.Name]; ok {
		q.Name = n // a keyword name, a placeholder for AfterShip
	}
	if t.Database != nil {
		q.Database = t.Database.Name
		if n, ok := c.names[q.Database]; ok {
			q.Database = n
		}
	}
	return q
}

func (c *converter) word(i int) string {
	if i < len(c.toks) && c.toks[i].kind == 'w' {
		return c.toks[i].upper()
	}
	return ""
}

func (c *converter) convert() error {
	c.toks = scanSQL(c.sql)
	c.fmt.Database = c.db
	if len(c.toks) == 0 {
		c.out.NoEffect = true
		return nil
	}
	c.statementSettings()
	if c.parallelWith() {
		return nil
	}
	if c.word(0) == "EXECUTE" && c.word(1) == "AS" {
		// EXECUTE AS user [statement]: the statement runs as the user.
		if len(c.toks) <= 3 {
			c.out.NoEffect = true
			return nil
		}
		inner, err := convertIn(blankOutside(c.sql, c.toks[3].off, len(c.sql)), c.db, c.sess)
		if err != nil {
			return err
		}
		c.out = inner
		return nil
	}
	if (c.word(0) == "CREATE" && (c.word(1) == "INDEX" || c.word(1) == "UNIQUE")) || (c.word(0) == "DROP" && c.word(1) == "INDEX") {
		return c.indexStatement()
	}
	switch kind := opaqueKind(c.toks); {
	case kind == "RESTORE":
		c.restore()
		return nil
	case kind != "" && kind != "TRUNCATE", c.toks[0].kind == '(':
		c.out.NoEffect = true // a statement that changes no schema (gaps_statements.go)
		return nil
	}
	switch first := c.word(0); first {
	case "CREATE", "ATTACH":
		if err := c.create(); err != nil {
			return err
		}
		c.innerTables()
		if on, _, _, ok := c.sess.bool("create_if_not_exists", false); ok && on && first == "CREATE" {
			// SET create_if_not_exists = 1: every CREATE is CREATE … IF
			// NOT EXISTS (issue 11 F52, ClickHouse test 03221).
			for _, x := range c.out.Changes {
				switch x := x.(type) {
				case *schema.AddTable:
					x.IfNotExists = x.IfNotExists || !x.OrReplace
				case *schema.AddView:
					x.IfNotExists = x.IfNotExists || !x.OrReplace
				case *schema.AddDictionary:
					x.IfNotExists = x.IfNotExists || !x.OrReplace
				case *schema.AddDatabase:
					x.IfNotExists = true
				case *schema.AddFunction:
					x.IfNotExists = x.IfNotExists || !x.OrReplace
				}
			}
		}
		if !c.syn.orReplace {
			return nil
		}
		// REPLACE TABLE|DICTIONARY: CREATE OR REPLACE of what exists.
		for _, x := range c.out.Changes {
			switch x := x.(type) {
			case *schema.AddTable:
				x.OrReplace, x.IfNotExists = true, false
			case *schema.AddDictionary:
				x.OrReplace, x.IfNotExists = true, false
			}
		}
		return nil
	case "DROP", "DETACH", "UNDROP":
		return c.drop()
	case "ALTER":
		switch c.word(1) {
		case "TABLE":
			return c.alterTable()
		case "DATABASE":
			return c.alterDatabase()
		case "TEMPORARY":
			if c.word(2) == "TABLE" {
				// ALTER TEMPORARY TABLE t …: a temporary table of the
				// session; no schema effect (issue 11 F53).
				c.out.NoEffect = true
				return nil
			}
		case "USER", "ROLE", "QUOTA", "SETTINGS", "PROFILE", "ROW", "POLICY", "NAMED":
			c.out.NoEffect = true
			return nil
		}
	case "RENAME":
		return c.rename()
	case "EXCHANGE":
		return c.exchange()
	case "USE":
		if len(c.toks) >= 2 {
			c.out.Use = identText(c.toks[1])
			c.out.NoEffect = true
			return nil
		}
	case "TRUNCATE":
		if c.word(1) == "DATABASE" {
			// TRUNCATE DATABASE drops every object of the database
			// (ClickHouse 26.7: tables, views and dictionaries alike).
			i, ifExists := 2, false
			if c.word(i) == "IF" && c.word(i+1) == "EXISTS" {
				i, ifExists = i+2, true
			}
			if i >= len(c.toks) || !c.toks[i].isName() {
				return c.syntax(c.offAt(i), "expected a database name")
			}
			c.onCluster(i + 1)
			c.out.Changes = append(c.out.Changes, &schema.TruncateDatabase{Name: identText(c.toks[i]), IfExists: ifExists})
			return nil
		}
		c.out.NoEffect = true // the data of tables
		return nil
	case "INSERT", "SELECT", "WITH", "OPTIMIZE", "SET", "SYSTEM", "SHOW", "DESCRIBE", "DESC",
		"EXPLAIN", "KILL", "CHECK", "GRANT", "REVOKE", "DELETE", "UPDATE", "EXISTS", "BACKUP":
		c.out.NoEffect = true
		return nil
	}
	c.unsupported(0, "statement not modelled: "+firstWords(c.toks, 3), c.guessObjects()...)
	return nil
}

func firstWords(toks []sqlTok, n int) string {
	var ws []string
	for i := 0; i < len(toks) && i < n; i++ {
		ws = append(ws, toks[i].text)
	}
	return strings.Join(ws, " ")
}

// guessObjects finds "TABLE|VIEW|DICTIONARY [IF [NOT] EXISTS|EMPTY] name"
// in a statement the converter cannot read, to mark what it may touch: with
// every name of the forms that take several (DROP TABLE a, b; RENAME TABLE
// a TO b, c TO d; EXCHANGE TABLES a AND b).
func (c *converter) guessObjects() []schema.QualifiedName {
	more := map[string]bool{",": true}
	switch c.word(0) {
	case "RENAME":
		more["TO"] = true
	case "EXCHANGE":
		more["AND"] = true
	}
	for i := 0; i < len(c.toks); i++ {
		switch c.word(i) {
		case "TABLE", "VIEW", "DICTIONARY", "TABLES", "DICTIONARIES":
			j := i + 1
			for c.word(j) == "IF" {
				j++
				if c.word(j) == "NOT" {
					j++
				}
				j++
			}
			var out []schema.QualifiedName
			for {
				q, k, ok := c.nameAt(j)
				if !ok {
					break
				}
				out = append(out, q)
				if k < len(c.toks) && (c.toks[k].kind == ',' && more[","] || more[c.word(k)]) {
					j = k + 1
					continue
				}
				break
			}
			if len(out) > 0 {
				return out
			}
		}
	}
	return nil
}

// guessDatabases finds "DATABASE [IF [NOT] EXISTS] name" (and RENAME
// DATABASE a TO b) in a statement the converter cannot read.
func (c *converter) guessDatabases() []string {
	for i := 0; i < len(c.toks); i++ {
		if c.word(i) != "DATABASE" {
			continue
		}
		j := i + 1
		for c.word(j) == "IF" {
			j++
			if c.word(j) == "NOT" {
				j++
			}
			j++
		}
		var out []string
		for j < len(c.toks) && c.toks[j].isName() {
			out = append(out, identText(c.toks[j]))
			if c.word(j+1) == "TO" || j+1 < len(c.toks) && c.toks[j+1].kind == ',' {
				j += 2
				continue
			}
			break
		}
		return out
	}
	return nil
}

// nameAt reads [db.]name at token i and returns the index after it.
func (c *converter) nameAt(i int) (schema.QualifiedName, int, bool) {
	if i >= len(c.toks) || (c.toks[i].kind != 'w' && c.toks[i].kind != 'q') {
		return schema.QualifiedName{}, i, false
	}
	first := identText(c.toks[i])
	if i+2 < len(c.toks) && c.toks[i+1].kind == '.' && (c.toks[i+2].kind == 'w' || c.toks[i+2].kind == 'q') {
		return schema.QualifiedName{Database: first, Name: identText(c.toks[i+2])}, i + 3, true
	}
	return schema.QualifiedName{Database: c.db, Name: first}, i + 1, true
}

// onCluster reads "ON CLUSTER name" at token i, recording it.
func (c *converter) onCluster(i int) int {
	if c.word(i) == "ON" && c.word(i+1) == "CLUSTER" && i+2 < len(c.toks) {
		c.out.OnCluster = identText(c.toks[i+2])
		if c.toks[i+2].kind == 's' {
			c.out.OnCluster = unquoteLiteral(c.toks[i+2].text)
		}
		return i + 3
	}
	return i
}

func (c *converter) syntax(off int, format string, args ...any) error {
	return &offsetError{Offset: off, Err: fmt.Errorf("%w: %s", ErrSyntax, fmt.Sprintf(format, args...))}
}

func (c *converter) drop() error {
	detach := c.word(0) == "DETACH"
	if c.word(0) == "UNDROP" {
		c.unsupported(0, "UNDROP is not modelled", c.guessObjects()...)
		return nil
	}
	i := 1
	kind := schema.ObjectKind(0)
	switch c.word(1) {
	case "DATABASE":
		i = 2
		ifExists := false
		if c.word(i) == "IF" && c.word(i+1) == "EXISTS" {
			ifExists, i = true, i+2
		}
		if i >= len(c.toks) {
			return c.syntax(c.toks[len(c.toks)-1].end, "expected a database name")
		}
		name := identText(c.toks[i])
		c.onCluster(i + 1)
		if detach {
			// PERMANENTLY: the server refuses it for a database.
			c.out.Changes = append(c.out.Changes, &schema.DetachDatabase{Name: name, IfExists: ifExists})
			return nil
		}
		c.out.Changes = append(c.out.Changes, &schema.DropDatabase{Name: name, IfExists: ifExists})
		return nil
	case "FUNCTION":
		r, err := c.parse()
		if err != nil {
			return err
		}
		f, ok := r.Gap.(*DropFunction)
		if !ok {
			return c.syntax(0, "expected DROP FUNCTION")
		}
		c.out.OnCluster = f.Cluster
		c.out.Changes = append(c.out.Changes, &schema.DropFunction{Name: f.Name, IfExists: f.IfExists})
		return nil
	case "TABLE":
		kind, i = schema.KindTable, 2
	case "VIEW":
		kind, i = schema.KindView, 2
	case "DICTIONARY":
		kind, i = schema.KindDictionary, 2
	case "TEMPORARY":
		// DROP TEMPORARY TABLE [IF EXISTS] name: the session's own.
		j := 3
		if c.word(j) == "IF" && c.word(j+1) == "EXISTS" {
			j += 2
		}
		if c.word(2) == "TABLE" && j < len(c.toks) && c.toks[j].isName() {
			c.out.dropTemporary = identText(c.toks[j])
		}
		c.out.NoEffect = true
		return nil
	case "USER", "ROLE", "QUOTA", "PROFILE", "SETTINGS", "ROW", "POLICY", "NAMED":
		c.out.NoEffect = true
		return nil
	default:
		c.unsupported(0, "statement not modelled: "+firstWords(c.toks, 3), c.guessObjects()...)
		return nil
	}
	ifExists := false
	if c.word(i) == "IF" && c.word(i+1) == "EXISTS" {
		ifExists, i = true, i+2
	}
	// IF EMPTY: the statement fails unless the table is empty, so once it
	// has run the table is gone.
	if c.word(i) == "IF" && c.word(i+1) == "EMPTY" {
		i += 2
	}
	// DROP TABLE a, b drops each.
	var names []schema.QualifiedName
	var qualified []bool
	j := i
	for {
		name, k, ok := c.nameAt(j)
		if !ok {
			return c.syntax(c.offAt(j), "expected a name")
		}
		names, qualified = append(names, name), append(qualified, k == j+3)
		j = k
		if j >= len(c.toks) || c.toks[j].kind != ',' {
			break
		}
		j++
	}
	j = c.onCluster(j)
	permanently, sync := false, false
tail:
	for ; j < len(c.toks); j++ {
		switch c.word(j) {
		case "PERMANENTLY":
			permanently = true
		case "SYNC":
			sync = true
		case "NO", "DELAY":
		case "SETTINGS":
			break tail // query settings of the DROP itself
		default:
			return c.syntax(c.toks[j].off, "unexpected %q", c.toks[j].text)
		}
	}
	for k, name := range names {
		if detach {
			c.out.Changes = append(c.out.Changes, &schema.DetachObject{Name: name, Kind: kind, IfExists: ifExists, Permanently: permanently})
			continue
		}
		if !qualified[k] && kind != schema.KindDictionary {
			// It may name a temporary table of the session.
			c.out.sessionDrops = append(c.out.sessionDrops, len(c.out.Changes))
		}
		c.out.Changes = append(c.out.Changes, &schema.DropObject{Name: name, Kind: kind, IfExists: ifExists, Sync: sync})
	}
	return nil
}

func (c *converter) offAt(i int) int {
	if i < len(c.toks) {
		return c.toks[i].off
	}
	return len(c.sql)
}

// parse runs the statement through Parse, the migrations branch's
// AfterShip wrapper, for the statements whose typed values it provides
// (RENAME, EXCHANGE, DROP FUNCTION).
func (c *converter) parse() (*Result, error) {
	r, err := Parse(Statement{Text: c.sql, Pos: FileStart})
	if err != nil {
		var pe *ParseError
		if errors.As(err, &pe) {
			return nil, &offsetError{Offset: pe.Pos.Offset, Err: fmt.Errorf("%w: %s", ErrSyntax, pe.Msg)}
		}
		return nil, &offsetError{Err: err}
	}
	c.names = r.names
	return r, nil
}

func (c *converter) qualifyName(q QualifiedName) schema.QualifiedName {
	if q.Database == "" {
		return schema.QualifiedName{Database: c.db, Name: q.Name}
	}
	return schema.QualifiedName{Database: q.Database, Name: q.Name}
}

// rename converts RENAME TABLE|DICTIONARY [IF EXISTS] a TO b, c TO d.
func (c *converter) rename() error {
	r, err := c.parse()
	if err != nil {
		return err
	}
	kind := ""
	ifExists := false
	var pairs [][2]schema.QualifiedName
	switch {
	case r.Gap != nil:
		g, ok := r.Gap.(*RenameTables)
		if !ok {
			return c.syntax(0, "expected RENAME")
		}
		kind, ifExists, c.out.OnCluster = g.Kind, g.IfExists, g.Cluster
		for _, p := range g.Pairs {
			pairs = append(pairs, [2]schema.QualifiedName{c.qualifyName(p.From), c.qualifyName(p.To)})
		}
	default:
		st, ok := r.AST.(*ch.RenameStmt)
		if !ok {
			return c.syntax(0, "expected RENAME")
		}
		kind = strings.ToUpper(st.RenameTarget)
		if st.OnCluster != nil {
			c.out.OnCluster = clusterName(st.OnCluster.Expr)
		}
		for _, p := range st.TargetPairList {
			pairs = append(pairs, [2]schema.QualifiedName{c.qualify(p.Old), c.qualify(p.New)})
		}
	}
	if kind == "DATABASE" {
		if ifExists {
			c.unsupported(0, "RENAME DATABASE IF EXISTS is not modelled")
			for _, p := range pairs {
				c.out.Unsupported[0].Databases = append(c.out.Unsupported[0].Databases, p[0].Name, p[1].Name)
			}
			return nil
		}
		for _, p := range pairs {
			c.out.Changes = append(c.out.Changes, &schema.RenameDatabase{From: p[0].Name, To: p[1].Name})
		}
		return nil
	}
	for _, p := range pairs {
		c.out.Changes = append(c.out.Changes, &schema.RenameObject{From: p[0], To: p[1], IfExists: ifExists})
	}
	return nil
}

// exchange converts EXCHANGE TABLES|DICTIONARIES a AND b.
func (c *converter) exchange() error {
	r, err := c.parse()
	if err != nil {
		return err
	}
	g, ok := r.Gap.(*ExchangeTables)
	if !ok {
		return c.syntax(0, "expected EXCHANGE TABLES")
	}
	c.out.OnCluster = g.Cluster
	c.out.Changes = append(c.out.Changes, &schema.ExchangeObjects{A: c.qualifyName(g.A), B: c.qualifyName(g.B)})
	return nil
}

func (c *converter) alterDatabase() error {
	i := 2
	if i >= len(c.toks) {
		return c.syntax(len(c.sql), "expected a database name")
	}
	name := identText(c.toks[i])
	i = c.onCluster(i + 1)
	if c.word(i) == "MODIFY" && c.word(i+1) == "COMMENT" && i+2 < len(c.toks) && c.toks[i+2].kind == 's' {
		c.out.Changes = append(c.out.Changes, &schema.ModifyDatabaseComment{Name: name, Comment: schema.Comment(unquoteLiteral(c.toks[i+2].text))})
		return nil
	}
	c.unsupported(0, "ALTER DATABASE not modelled")
	c.out.Unsupported[0].Databases = []string{name}
	return nil
}

func unquoteLiteral(s string) string {
	_, v, err := unquoteAt(s, 0)
	if err != nil {
		return s
	}
	return v
}

// create handles CREATE and ATTACH of every object kind.
func (c *converter) create() error {
	i := 1
	if c.word(i) == "OR" && c.word(i+1) == "REPLACE" {
		i += 2
	}
	if c.word(i) == "TEMPORARY" {
		if c.word(i+1) == "TABLE" {
			j := i + 2
			if c.word(j) == "IF" && c.word(j+1) == "NOT" && c.word(j+2) == "EXISTS" {
				j += 3
			}
			if j < len(c.toks) && c.toks[j].isName() {
				c.out.temporary = identText(c.toks[j])
			}
		}
		c.out.NoEffect = true
		return nil
	}
	kindWord := c.word(i)
	switch kindWord {
	case "USER", "ROLE", "QUOTA", "ROW", "POLICY", "SETTINGS", "PROFILE", "NAMED":
		c.out.NoEffect = true
		return nil
	case "WINDOW":
		// CREATE WINDOW VIEW: its columns and inner table are the
		// server's (lint checks its query, see windowViewQuery).
		j := i + 2
		if c.word(j) == "IF" && c.word(j+1) == "NOT" && c.word(j+2) == "EXISTS" {
			j += 3
		}
		name, _, ok := c.nameAt(j)
		if c.word(i+1) != "VIEW" || !ok {
			return c.syntax(c.offAt(i+1), "expected WINDOW VIEW name")
		}
		c.unsupported(c.offAt(i), "a window view's columns and inner table are the server's", name)
		c.out.Unsupported[len(c.out.Unsupported)-1].Exists = true
		c.addPlaceholder()
		return nil
	}
	// ATTACH TABLE name, without a definition, brings back a detached table.
	if c.word(0) == "ATTACH" && (kindWord == "TABLE" || kindWord == "DICTIONARY" || kindWord == "VIEW") {
		j := i + 1
		ifNotExists := false
		if c.word(j) == "IF" && c.word(j+1) == "NOT" && c.word(j+2) == "EXISTS" {
			ifNotExists, j = true, j+3
		}
		if name, k, ok := c.nameAt(j); ok {
			k = c.onCluster(k)
			if k >= len(c.toks) || c.word(k) == "PERMANENTLY" {
				c.out.Changes = append(c.out.Changes, &schema.AttachObject{Name: name, IfNotExists: ifNotExists})
				return nil
			}
		}
	}
	c.orig = c.sql
	p := prepareCreate(c.sql, c.toks)
	c.names, c.ttls, c.fmt.marks, c.fmt.intervals, c.fmt.names = p.names, p.ttls, p.marks, p.intervals, p.names
	c.sql = p.text()
	ephemeral := p.ephemeral
	st, err := parseAfterShip(c.sql)
	if err != nil {
		off, msg := afterShipError(err)
		c.unreadable(off, "cannot read the statement: "+msg, c.guessObjects()...)
		c.addPlaceholder()
		return nil
	}
	restoreNumbers(st, c.orig)
	restoreNames(st, c.names)
	c.elems, c.comment = p.elems, p.comment
	c.noEngine, c.colSettings, c.refresh, c.colSettingValues = p.storage, p.colSettings, p.refreshClause, p.colSettingValues
	c.descKeys, c.colStats = p.descKeys, p.colStats
	if err := c.checkTypeless(p.typelessExprs); err != nil {
		return err
	}
	for _, e := range p.elems {
		if e.kind == "PRIMARY" && len(e.toks) > 2 {
			k, err := c.exprAt(e.toks[2].off, e.toks[len(e.toks)-1].end)
			if err != nil {
				return &offsetError{Offset: e.toks[2].off, Err: fmt.Errorf("%w: PRIMARY KEY: %v", ErrSyntax, firstLine(err.Error()))}
			}
			c.primaryKey = c.keyList([]ch.Expr{k})
		}
	}
	if c.primaryKey == "" && len(p.colPrimary) > 0 {
		// a String PRIMARY KEY, b String PRIMARY KEY: PRIMARY KEY (a, b).
		c.primaryKey = strings.Join(p.colPrimary, ", ")
	}
	switch st := st.(type) {
	case *ch.CreateDatabase:
		return c.createDatabase(st)
	case *ch.CreateTable:
		return c.createTable(st, ephemeral)
	case *ch.CreateView:
		if p.materialized {
			return c.createViewNoEngine(st)
		}
		return c.createView(st)
	case *ch.CreateMaterializedView:
		return c.createMaterializedView(st, ephemeral)
	case *ch.CreateDictionary:
		return c.createDictionary(st)
	case *ch.CreateFunction:
		return c.createFunction(st)
	case *ch.CreateRole, *ch.CreateUser, *ch.CreateNamedCollection:
		c.out.NoEffect = true
		return nil
	}
	c.unsupported(0, fmt.Sprintf("%T is not modelled", st), c.guessObjects()...)
	return nil
}

// innerTables follows what the server does with the tables named
// .inner_id.<uuid> (issue 11 F25): a materialized view with UUID u and its
// own engine takes the table .inner_id.u as its inner table, so the model
// has no such table any more (the replay makes a table created under such
// a name uncertain: see Replayer.asUnknown).
func (c *converter) innerTables() {
	for _, x := range c.out.Changes {
		switch x := x.(type) {
		case *schema.AddView:
			if c.syn.uuid == "" || !x.V.Materialized || x.V.To != nil || c.word(0) != "ATTACH" {
				continue
			}
			inner := schema.QualifiedName{Database: x.Name.Database, Name: ".inner_id." + c.syn.uuid}
			c.out.Changes = append(c.out.Changes, &schema.DropObject{Name: inner, Kind: schema.KindTable, IfExists: true})
			// ATTACH stores the definition as written, without the
			// defaults a CREATE adds (index_granularity).
			c.unsupported(0, "ATTACH MATERIALIZED VIEW with a definition: the server keeps it as written, which the model does not follow", x.Name)
			c.out.Unsupported[len(c.out.Unsupported)-1].Exists = true
			return
		}
	}
}

// addPlaceholder adds, for a CREATE the converter cannot read, an empty
// object of the right kind so that later statements find it; the
// Unsupported entry marks it uncertain.
func (c *converter) addPlaceholder() {
	objs := c.out.Unsupported[len(c.out.Unsupported)-1].Objects
	if len(objs) != 1 {
		return
	}
	orReplace := c.word(1) == "OR"
	name := objs[0]
	kind := ""
	for i := 1; i < len(c.toks) && i < 5; i++ {
		switch w := c.word(i); w {
		case "TABLE", "VIEW", "DICTIONARY":
			kind = w
		}
		if kind != "" {
			break
		}
	}
	switch kind {
	case "TABLE":
		c.out.Changes = append(c.out.Changes, &schema.AddTable{Name: name, T: &schema.Table{Name: name.Name}, IfNotExists: !orReplace, OrReplace: orReplace})
	case "VIEW":
		c.out.Changes = append(c.out.Changes, &schema.AddView{Name: name, V: &schema.View{Name: name.Name, Materialized: strings.Contains(strings.ToUpper(c.sql[:c.toks[min(4, len(c.toks)-1)].end]), "MATERIALIZED")}, IfNotExists: !orReplace, OrReplace: orReplace})
	case "DICTIONARY":
		c.out.Changes = append(c.out.Changes, &schema.AddDictionary{Name: name, D: &schema.Dictionary{Name: name.Name}, IfNotExists: !orReplace, OrReplace: orReplace})
	}
}

// afterShipError returns the offset AfterShip stopped at and its message
// without its own "line L:C" prefix.
func afterShipError(err error) (int, string) {
	var pe *ch.ParseError
	if errors.As(err, &pe) {
		msg := firstLine(pe.Error())
		return int(pe.Pos), linePrefixRE.ReplaceAllString(msg, "")
	}
	return 0, firstLine(err.Error())
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

func (c *converter) createDatabase(st *ch.CreateDatabase) error {
	// Without ENGINE the server's default_database_engine decides: the
	// engine is unknown (empty), not Atomic.
	d := &schema.Database{Name: strings.Trim(c.fmt.expr(st.Name), "`")}
	if id, ok := st.Name.(*ch.Ident); ok {
		d.Name = id.Name
		if n, ok := c.names[d.Name]; ok {
			d.Name = n
		}
	}
	if st.OnCluster != nil {
		c.out.OnCluster = clusterName(st.OnCluster.Expr)
	}
	if st.Engine != nil {
		d.Engine = c.engine(st.Engine)
	}
	if st.Comment != nil {
		d.Comment = schema.Comment(unescape(st.Comment.Literal))
	}
	switch {
	case c.word(0) == "ATTACH" && st.Engine == nil:
		// ATTACH DATABASE without ENGINE brings back a detached database.
		c.out.Changes = append(c.out.Changes, &schema.AttachDatabase{Name: d.Name, IfNotExists: st.IfNotExists})
		return nil
	case c.word(0) == "ATTACH":
		// With ENGINE too, if it was detached (01254); else it is made.
		c.out.Changes = append(c.out.Changes, &schema.AttachDatabase{Name: d.Name, IfNotExists: st.IfNotExists, D: d})
		if _, ok := foreignTables[d.Engine.Name]; !ok {
			return nil
		}
	default:
		c.out.Changes = append(c.out.Changes, &schema.AddDatabase{D: d, IfNotExists: st.IfNotExists})
	}
	if from, ok := foreignTables[d.Engine.Name]; ok {
		c.unsupported(int(st.Engine.Pos()), "the tables of a "+d.Engine.Name+" database are "+from)
		c.out.Unsupported[len(c.out.Unsupported)-1].Databases = []string{d.Name}
	}
	return nil
}

// foreignTables are the database engines whose tables no CREATE TABLE
// makes, with where they come from: the model cannot know them. (A
// Dictionary database lists the server's dictionaries, which the live
// reader leaves out: it is compared as an empty database.)
var foreignTables = map[string]string{
	"Filesystem":             "files on the server",
	"S3":                     "objects in S3",
	"HDFS":                   "files in HDFS",
	"MySQL":                  "a MySQL server's tables",
	"MaterializedMySQL":      "a MySQL server's tables",
	"PostgreSQL":             "a PostgreSQL server's tables",
	"MaterializedPostgreSQL": "a PostgreSQL server's tables",
	"SQLite":                 "an SQLite file's tables",
	"Backup":                 "a backup's tables",
	"DataLakeCatalog":        "a data lake catalog's tables",
}

func (c *converter) engine(e *ch.EngineExpr) schema.Engine {
	en := schema.Engine{Name: e.Name}
	if e.Params != nil {
		if e.Params.Items != nil {
			for i, p := range e.Params.Items.Items {
				// The server evaluates some arguments in the statement's
				// session: currentDatabase() there is its database (issue
				// 11 F49; drift.Canonicalize has the server evaluate the
				// rest).
				fold := c.fmt.foldCurrentDatabase
				c.fmt.foldCurrentDatabase = fold || en.EvaluatedArg(i)
				if nameArg(e.Name, i) {
					en.Params = append(en.Params, schema.Expr(c.nameLiteral(p)))
				} else {
					en.Params = append(en.Params, schema.Expr(c.fmt.expr(p)))
				}
				c.fmt.foldCurrentDatabase = fold
			}
			hideSecrets(&en, e.Params.Items.Items)
		}
	}
	if en.Name == "Merge" && len(en.Params) > 0 && en.Params[0] == "''" && c.fmt.Database != "" {
		// Merge('', regexp): the server stores the current database.
		en.Params[0] = schema.Expr(schema.QuoteString(c.fmt.Database))
	}
	return en
}

// unfoldKeeperMacros replaces the {database} and {table} macros in a
// Replicated engine's keeper path and replica name with the table's own,
// as the server does when it creates the table and stores its definition
// ("Unfold {database} and {table} macro on table creation, so table can be
// renamed", TableZnodeInfo::resolve); {uuid}, {shard} and {replica} stay.
// ATTACH keeps them, as the server does.
func unfoldKeeperMacros(e *schema.Engine, table schema.QualifiedName) {
	if !strings.HasPrefix(e.Name, "Replicated") {
		return
	}
	r := strings.NewReplacer("{database}", table.Database, "{table}", table.Name)
	for i := 0; i < 2 && i < len(e.Params); i++ {
		p := string(e.Params[i])
		if !strings.HasPrefix(p, "'") {
			continue
		}
		v := unquoteLiteral(p)
		if u := r.Replace(v); u != v {
			e.Params[i] = schema.Expr(schema.QuoteString(u))
		}
	}
}

// nameArg reports whether argument i of engine is a database or table
// name, which the server stores as a string literal.
func nameArg(engine string, i int) bool {
	switch engine {
	case "Buffer":
		return i <= 1
	case "Merge":
		return i == 0
	case "Distributed":
		return i <= 2
	case "Remote":
		return i == 1 || i == 2
	case "Alias":
		// Alias([db, ]table).
		return true
	case "Dictionary", "File", "URL", "S3", "HDFS", "AzureBlobStorage", "GCS", "OSS", "COSN":
		// Names and formats given as bare identifiers.
		return true
	}
	return false
}

// nameLiteral turns an identifier or currentDatabase() into the string
// literal the server stores.
func (c *converter) nameLiteral(e ch.Expr) string {
	switch x := unparen(e).(type) {
	case *ch.Ident:
		if x.QuoteType == ch.Unquoted || x.QuoteType == ch.BackTicks || x.QuoteType == ch.DoubleQuote {
			return schema.QuoteString(x.Name)
		}
	case *ch.Path:
		parts := make([]string, len(x.Fields))
		for i, f := range x.Fields {
			parts[i] = f.Name
		}
		return schema.QuoteString(strings.Join(parts, "."))
	case *ch.FunctionExpr, *ch.BinaryOperation:
		// currentDatabase(), concat(currentDatabase(), '.d'), 'a' || 'b':
		// the server evaluates a constant name.
		if v, ok := c.fmt.constString(x); ok {
			return schema.QuoteString(v)
		}
	}
	return c.fmt.expr(e)
}

func (c *converter) createTable(st *ch.CreateTable, ephemeral map[string]bool) error {
	name := c.qualify(st.Name)
	if st.OnCluster != nil {
		c.out.OnCluster = clusterName(st.OnCluster.Expr)
	}
	t := &schema.Table{Name: name.Name}
	add := &schema.AddTable{Name: name, T: t, IfNotExists: st.IfNotExists, OrReplace: st.OrReplace}
	if st.HasTemporary {
		c.out.NoEffect = true
		return nil
	}
	if st.TableSchema != nil {
		if st.TableSchema.AliasTable != nil {
			q := c.qualify(st.TableSchema.AliasTable)
			add.AsTable = &q
		}
		if st.TableSchema.TableFunction != nil {
			c.unsupported(int(st.TableSchema.TableFunction.Pos()), "CREATE TABLE AS a table function: columns unknown", name)
		}
		if err := c.tableElements(t, st.TableSchema.Columns, ephemeral); err != nil {
			return err
		}
	}
	if st.TableFunction != nil {
		c.unsupported(int(st.TableFunction.Pos()), "CREATE TABLE AS a table function: columns unknown", name)
	}
	if st.SubQuery != nil && (st.TableSchema == nil || len(st.TableSchema.Columns) == 0) {
		c.unsupported(int(st.SubQuery.Pos()), "CREATE TABLE ... AS SELECT: column types are inferred by the server", name)
		c.out.Unsupported[len(c.out.Unsupported)-1].Exists = true
	}
	switch {
	case c.noEngine != nil && add.AsTable != nil && st.Engine == nil:
		// CREATE TABLE x AS y ORDER BY k: the clauses change y's storage.
		clauses, err := c.asClauses()
		if err != nil {
			return err
		}
		add.AsClauses = clauses
	case c.noEngine != nil:
		if err := c.checkNoEngineStorage(); err != nil {
			return err
		}
		c.unsupported(c.noEngine[0], "CREATE TABLE without ENGINE: the engine is the server's default_table_engine", name)
		c.out.Unsupported[len(c.out.Unsupported)-1].Exists = true
	case st.Engine == nil && add.AsTable == nil && st.TableFunction == nil && (st.TableSchema == nil || st.TableSchema.TableFunction == nil):
		c.unsupported(int(st.Pos()), "CREATE TABLE without ENGINE: the engine is the server's default_table_engine", name)
		c.out.Unsupported[len(c.out.Unsupported)-1].Exists = true
	}
	if st.Engine != nil {
		t.Storage = c.storage(st.Engine)
		add.AsNoOrderBy = add.AsTable != nil && st.Engine.OrderBy == nil
		if c.word(0) == "CREATE" {
			unfoldKeeperMacros(&t.Storage.Engine, name)
		}
		switch t.Storage.Engine.Name {
		case "TimeSeries":
			c.unsupported(int(st.Engine.Pos()), "the columns and inner tables of a TimeSeries table come from the engine", name)
		case "Alias":
			c.unsupported(int(st.Engine.Pos()), "an Alias table's columns are its target's, whatever they are at the time", name)
		}
		switch {
		case enginesWithoutSettings[t.Storage.Engine.Name]:
			// An engine without settings stores none: they were query
			// settings, applied to the CREATE.
			t.Storage.Settings = nil
		case t.Storage.Engine.Name != "TimeSeries":
			c.dropQuerySettings(t, name, int(st.Engine.Pos()))
		}
	}
	if st.Comment != nil {
		t.Comment = schema.Comment(unescape(st.Comment.Literal))
	}
	if err := c.addElements(t); err != nil {
		return err
	}
	c.columnSettingsInto(t)
	c.columnSettingsUnknown(name)
	c.descendingKeyUnknown(name)
	c.out.Changes = append(c.out.Changes, add)
	return nil
}

// checkNoEngineStorage checks the storage clauses of a CREATE TABLE or a
// materialized view without ENGINE (ORDER BY …) as those of a MergeTree;
// the engine is the server's default_table_engine.
func (c *converter) checkNoEngineStorage() error {
	if c.noEngine == nil {
		return nil
	}
	const prefix = "CREATE TABLE t (x UInt8) ENGINE = MergeTree "
	if _, err := parseAfterShip(prefix + c.orig[c.noEngine[0]:c.noEngine[1]]); err != nil {
		off, msg := afterShipError(err)
		return &offsetError{Offset: c.noEngine[0] + max(0, off-len(prefix)), Err: fmt.Errorf("%w: %s", ErrSyntax, msg)}
	}
	return nil
}

// asClauses reads the storage clauses of CREATE TABLE x AS y without an
// engine (c.noEngine), as those of a MergeTree table.
func (c *converter) asClauses() (*schema.StorageClauses, error) {
	const prefix = "CREATE TABLE t AS t ENGINE = MergeTree "
	clauses := c.orig[c.noEngine[0]:c.noEngine[1]]
	conv, err := Convert(prefix+clauses, c.db)
	if err == nil && len(conv.Unsupported) > 0 {
		err = &offsetError{Offset: conv.Unsupported[0].Offset, Err: fmt.Errorf("%w: %s", ErrSyntax, conv.Unsupported[0].Reason)}
	}
	var oe *offsetError
	if errors.As(err, &oe) {
		return nil, &offsetError{Offset: c.noEngine[0] + max(0, oe.Offset-len(prefix)), Err: oe.Err}
	}
	if err != nil {
		return nil, err
	}
	if len(conv.Changes) != 1 {
		return nil, c.syntax(c.noEngine[0], "cannot read the storage clauses")
	}
	add, ok := conv.Changes[0].(*schema.AddTable)
	if !ok {
		return nil, c.syntax(c.noEngine[0], "cannot read the storage clauses")
	}
	w := &schema.StorageClauses{Storage: add.T.Storage, OrderBy: hasOrderBy(scanSQL(clauses))}
	w.Storage.Engine = schema.Engine{}
	if _, ok := w.Storage.Settings.Get("index_granularity"); ok && !strings.Contains(strings.ToLower(clauses), "index_granularity") {
		// Normalize's default for a MergeTree table, not written.
		w.Storage.Settings = slices.DeleteFunc(w.Storage.Settings, func(x schema.Setting) bool { return x.Name == "index_granularity" })
	}
	if !w.Storage.PrimaryKeyExplicit {
		w.Storage.PrimaryKey = ""
	}
	return w, nil
}

// hasOrderBy reports whether storage clauses have an ORDER BY outside
// parentheses.
func hasOrderBy(toks []sqlTok) bool {
	depth := 0
	for i, t := range toks {
		switch t.kind {
		case '(':
			depth++
		case ')':
			depth--
		}
		if depth == 0 && t.is("ORDER") && i+1 < len(toks) && toks[i+1].is("BY") {
			return true
		}
	}
	return false
}

// engineSettings are the settings each engine other than MergeTree stores,
// derived from ClickHouse 26.7 (TestEngineSettings): a query-level setting
// of another name in a CREATE TABLE's SETTINGS applies to the CREATE and is
// not stored.
var engineSettings = map[string]map[string]bool{
	"Memory": {"min_bytes_to_keep": true, "max_bytes_to_keep": true, "min_rows_to_keep": true, "max_rows_to_keep": true, "compress": true},
	"Set":    {"persistent": true, "disk": true},
	"Join": {"persistent": true, "disk": true, "join_use_nulls": true, "max_rows_in_join": true, "max_bytes_in_join": true,
		"join_overflow_mode": true, "join_any_take_last_row": true},
	"Log":             {"disk": true},
	"TinyLog":         {"disk": true},
	"StripeLog":       {"disk": true},
	"EmbeddedRocksDB": {"optimize_for_bulk_insert": true, "bulk_insert_block_size": true},
	"Null":            {},
	"Buffer":          {},
}

// dropQuerySettings leaves out of t's SETTINGS those the server applies to the
// CREATE itself rather than storing: for MergeTree engines every setting
// that is not a MergeTree setting, for the engines of engineSettings the
// query-level settings that are not the engine's own. For another engine
// it is not known which query-level settings it keeps: the table is
// uncertain.
func (c *converter) dropQuerySettings(t *schema.Table, name schema.QualifiedName, off int) {
	st := &t.Storage
	if st.Engine.IsMergeTree() {
		st.Settings = slices.DeleteFunc(st.Settings, func(x schema.Setting) bool { return !mergeTreeSettings[x.Name] })
		return
	}
	own, known := engineSettings[st.Engine.Name]
	for _, x := range st.Settings {
		if querySettings[x.Name] && !own[x.Name] && !known {
			c.unsupported(off, fmt.Sprintf("whether a %s table keeps the query-level setting %s is not known", st.Engine.Name, x.Name), name)
			return
		}
	}
	st.Settings = slices.DeleteFunc(st.Settings, func(x schema.Setting) bool { return querySettings[x.Name] && !own[x.Name] })
}

// addElements adds the INDEX, CONSTRAINT and PROJECTION elements that
// prepareCreate took out of the column list.
func (c *converter) addElements(t *schema.Table) error {
	for _, e := range c.elems {
		switch e.kind {
		case "INDEX":
			ix, err := c.readIndex(e.toks, 1)
			if err != nil {
				return err
			}
			t.Indexes = append(t.Indexes, ix)
		case "CONSTRAINT":
			x, err := c.readConstraint(e.toks, 1)
			if err != nil {
				return err
			}
			t.Constraints = append(t.Constraints, x)
		case "PROJECTION":
			p, err := c.readProjection(e.toks, 1)
			if err != nil {
				return err
			}
			t.Projections = append(t.Projections, p)
		}
	}
	return nil
}

// storage converts an ENGINE clause with its keys, TTL and settings.
func (c *converter) storage(e *ch.EngineExpr) schema.Storage {
	s := schema.Storage{Engine: c.engine(e)}
	if e.OrderBy != nil {
		s.OrderBy = schema.OrderBy(c.keyList(orderItemsExprs(e.OrderBy.Items)))
	}
	if e.PartitionBy != nil {
		s.PartitionBy = schema.PartitionBy(c.partitionKey(e.PartitionBy.Expr))
	}
	if e.PrimaryKey != nil {
		s.PrimaryKey = schema.PrimaryKey(c.keyList([]ch.Expr{e.PrimaryKey.Expr}))
		s.PrimaryKeyExplicit = true
	}
	if c.primaryKey != "" && !s.PrimaryKeyExplicit {
		// PRIMARY KEY written in the column list.
		s.PrimaryKey, s.PrimaryKeyExplicit = schema.PrimaryKey(c.primaryKey), true
	}
	if e.OrderBy == nil && s.PrimaryKeyExplicit && s.Engine.IsMergeTree() {
		// Without ORDER BY the sorting key is the primary key.
		s.OrderBy = schema.OrderBy(s.PrimaryKey)
	}
	if e.SampleBy != nil {
		s.SampleBy = schema.SampleBy(c.fmt.expr(e.SampleBy.Expr))
	}
	if e.OrderBy == nil && e.PartitionBy == nil && e.PrimaryKey == nil && e.SampleBy == nil && c.noStorageSettings(e) && e.Params != nil && e.Params.Items != nil {
		if date, sample, key, ok := s.Engine.OldSyntax(); ok {
			// MergeTree(date, [sampling,] key, granularity): the server
			// derives the keys from the arguments.
			args := e.Params.Items.Items
			s.PartitionBy = schema.PartitionBy("toYYYYMM(" + string(s.Engine.Params[date]) + ")")
			s.OrderBy = schema.OrderBy(c.keyList(args[key : key+1]))
			if sample >= 0 {
				s.SampleBy = schema.SampleBy(s.Engine.Params[sample])
			}
			if s.Engine.Name == "VersionedCollapsingMergeTree" && len(s.Engine.Params) > key+3 {
				// It appends its version column to the sorting key, not to
				// the primary key.
				s.PrimaryKey, s.PrimaryKeyExplicit = schema.PrimaryKey(s.OrderBy), true
				s.OrderBy = schema.OrderBy(strings.Join(append(schema.SplitKey(string(s.OrderBy)), string(s.Engine.Params[len(s.Engine.Params)-1])), ", "))
			}
		}
	}
	if t, ok, err := c.ttlIn(int(e.Pos()), len(c.sql), true); ok && err == nil {
		s.TTL = schema.TTL(t)
	} else if err != nil {
		c.unsupported(int(e.Pos()), err.Error())
	}
	if e.Settings != nil {
		s.Settings = c.fmt.settings(e.Settings.Items)
	}
	s.Normalize()
	return s
}

// noStorageSettings reports whether an ENGINE clause has no SETTINGS the
// table keeps: none, or only query-level ones (SETTINGS
// allow_deprecated_syntax_for_merge_tree = 1), which apply to the CREATE
// and leave MergeTree(d, k, 8192) in the old syntax.
func (c *converter) noStorageSettings(e *ch.EngineExpr) bool {
	if e.Settings == nil {
		return true
	}
	for _, x := range c.fmt.settings(e.Settings.Items) {
		if mergeTreeSettings[x.Name] {
			return false
		}
	}
	return true
}

func orderItemsExprs(items []ch.Expr) []ch.Expr {
	out := make([]ch.Expr, len(items))
	for i, it := range items {
		if o, ok := it.(*ch.OrderExpr); ok {
			out[i] = o.Expr
		} else {
			out[i] = it
		}
	}
	return out
}

// keyElems flattens a key written as (a, b), tuple(a, b) or a list into
// its elements.
func keyElems(items []ch.Expr) []ch.Expr {
	if len(items) == 1 {
		switch x := unparenKeep(items[0]).(type) {
		case *ch.ParamExprList:
			if x.Items != nil && x.ColumnArgList == nil {
				return x.Items.Items
			}
		case *ch.FunctionExpr:
			if strings.EqualFold(x.Name.Name, "tuple") && x.Params != nil && x.Params.ColumnArgList == nil {
				if x.Params.Items == nil {
					return nil
				}
				return x.Params.Items.Items
			}
		case *ch.ColumnExprList:
			return x.Items
		}
	}
	return items
}

// unparenKeep strips ColumnExpr wrappers but keeps parentheses, which
// make a tuple.
func unparenKeep(e ch.Expr) ch.Expr {
	for {
		if x, ok := e.(*ch.ColumnExpr); ok && x.Alias == nil {
			e = x.Expr
			continue
		}
		return e
	}
}

// keyList renders a sorting or primary key, or a skip index's expression,
// as the server prints it: a tuple's elements joined by ", " (parentheses
// around the tuple go, ((a, b)) is a, b), and one expression as the
// formatter prints it (parentheses around it collapse to one pair, ((a)) is
// (a)).
func (c *converter) keyList(items []ch.Expr) string {
	if len(items) == 1 {
		e := items[0]
		for {
			p, ok := unparenKeep(e).(*ch.ParamExprList)
			if !ok {
				break
			}
			inner, ok := singleParen(p)
			if !ok {
				break
			}
			if !isTupleExpr(inner) {
				return c.fmt.expr(items[0])
			}
			e = inner
		}
		items = []ch.Expr{e}
	}
	elems := keyElems(items)
	parts := make([]string, len(elems))
	for i, e := range elems {
		parts[i] = c.fmt.expr(e)
	}
	return strings.Join(parts, ", ")
}

// isTupleExpr reports whether e is a tuple: (a, b) or tuple(...).
func isTupleExpr(e ch.Expr) bool {
	switch x := unparen(e).(type) {
	case *ch.ParamExprList:
		return x.ColumnArgList == nil && (x.Items == nil || len(x.Items.Items) != 1)
	case *ch.FunctionExpr:
		return strings.EqualFold(x.Name.Name, "tuple")
	}
	return false
}

// partitionKey renders PARTITION BY as system.tables prints it: the
// expression as the formatter prints it, tuple() included (the server
// keeps an explicit PARTITION BY tuple()).
func (c *converter) partitionKey(e ch.Expr) string {
	if l, ok := e.(*ch.ColumnExprList); ok && len(l.Items) == 1 {
		e = l.Items[0]
	}
	return c.fmt.expr(e)
}

// tableElements converts the column list of CREATE TABLE: columns, skip
// indexes, projections and constraints.
func (c *converter) tableElements(t *schema.Table, elems []ch.Expr, ephemeral map[string]bool) error {
	for _, e := range elems {
		switch e := e.(type) {
		case *ch.ColumnDef:
			cols, err := c.column(e, ephemeral, c.nextElementPos(elems, e))
			if err != nil {
				return err
			}
			t.Columns = append(t.Columns, cols...)
		default:
			c.unsupported(int(e.Pos()), fmt.Sprintf("table element %T is not modelled", e), schema.QualifiedName{Database: c.db, Name: t.Name})
		}
	}
	return nil
}

func nestedName(n *ch.NestedIdentifier) string {
	if n == nil {
		return ""
	}
	if n.DotIdent != nil {
		return n.Ident.Name + "." + n.DotIdent.Name
	}
	return n.Ident.Name
}

// column converts a column definition. A Nested column becomes one Array
// column per field, as the server flattens it.
func (c *converter) column(d *ch.ColumnDef, ephemeral map[string]bool, limit int) ([]*schema.Column, error) {
	col := &schema.Column{Name: nestedName(d.Name)}
	if orig, ok := c.names[col.Name]; ok {
		col.Name = orig
	}
	if d.Type != nil {
		typ, err := NormalizeType(c.typeText(d.Type))
		if err != nil {
			return nil, &offsetError{Offset: int(d.Type.Pos()), Err: fmt.Errorf("%w: %v", ErrSyntax, err)}
		}
		col.Type = typ
		if d.Nullable != nil {
			col.Type = "Nullable(" + col.Type + ")"
		} else if d.NotNull == nil && !c.inAlter {
			if col.Type, err = c.defaultNullable(col.Name, col.Type); err != nil {
				return nil, err
			}
		}
	} else if !c.inAlter {
		// x DEFAULT expr without a type: the server infers the type from
		// the expression.
		c.unsupported(int(d.NamePos), "column "+schema.BackQuote(col.Name)+" has no type: the server infers it", c.guessObjects()...)
		c.out.Unsupported[len(c.out.Unsupported)-1].Exists = true
	}
	// At CREATE, not in an ALTER (measured on 26.7).
	c.fmt.columnExpr = !c.inAlter
	defer func() { c.fmt.columnExpr = false }()
	switch {
	case ephemeral[col.Name]:
		col.Default = &schema.ColumnDefault{Kind: schema.Ephemeral}
		if d.DefaultExpr != nil {
			col.Default.Expr = schema.Expr(c.fmt.expr(d.DefaultExpr))
		}
		if schema.IsTypeDefault(col.Default.Expr) {
			// The value of an EPHEMERAL column without an expression.
			col.Default.Expr = ""
		}
	case d.DefaultExpr != nil:
		col.Default = &schema.ColumnDefault{Kind: schema.Default, Expr: schema.Expr(c.fmt.expr(d.DefaultExpr))}
	case d.MaterializedExpr != nil:
		col.Default = &schema.ColumnDefault{Kind: schema.Materialized, Expr: schema.Expr(c.fmt.expr(d.MaterializedExpr))}
	case d.AliasExpr != nil:
		col.Default = &schema.ColumnDefault{Kind: schema.Alias, Expr: schema.Expr(c.fmt.expr(d.AliasExpr))}
	case d.Type == nil && c.typeless[col.Name] != nil:
		col.Default = c.typeless[col.Name]
	}
	if d.Codec != nil {
		col.Codec = schema.Codec(c.codec(d.Codec, col.Type))
	}
	if d.Comment != nil {
		col.Comment = schema.Comment(unescape(d.Comment.Literal))
	}
	if t, ok, err := c.ttlIn(int(d.NamePos), limit, false); err != nil {
		return nil, err
	} else if ok {
		col.TTL = schema.Expr(t)
	} else if c.inAlter {
		// ALTER … ADD COLUMN: the column's TTL is at the top level.
		if t, ok, err := c.ttlIn(int(d.NamePos), limit, true); err != nil {
			return nil, err // never a column read without its TTL
		} else if ok {
			col.TTL = schema.Expr(t)
		}
	}
	if strings.HasPrefix(string(col.Type), "Nested(") && c.flattenNested() {
		return flattenNested(col)
	}
	return []*schema.Column{col}, nil
}

// nextElementPos returns where the element after e starts in the column
// list, or the end of the statement.
func (c *converter) nextElementPos(elems []ch.Expr, e ch.Expr) int {
	for i, x := range elems {
		if x == e && i+1 < len(elems) {
			return int(elems[i+1].Pos())
		}
	}
	// The last element: up to the closing parenthesis of the list.
	depth := 0
	for _, t := range scanSQL(c.sql[int(e.Pos()):]) {
		switch t.kind {
		case '(':
			depth++
		case ')':
			if depth == 0 {
				return int(e.Pos()) + t.off
			}
			depth--
		}
	}
	return len(c.sql)
}

// typeText returns the source text of a type node, read from the user's
// text: AfterShip's End stops early for some types, and gap handling may
// have replaced the type (blankType), so only the start is taken from the
// node.
func (c *converter) typeText(t ch.Expr) string {
	src := c.orig
	if src == "" {
		src = c.sql
	}
	start := int(t.Pos())
	if e, ok := t.(*ch.EnumType); ok && e.Name != nil {
		start = int(e.Name.Pos())
	}
	if start >= len(src) {
		return ""
	}
	// Read only the type's tokens: its (possibly multi-word) name, then a
	// balanced argument list. Scanning the rest of the statement for every
	// column made reading a wide table quadratic.
	rest := src[start:]
	first, next, ok := nextSQLTok(rest, 0)
	if !ok {
		return ""
	}
	end := first.end
	// A multi-word name: as many words as the catalog knows as one.
	words, ends, nexts := []string{first.text}, []int{first.end}, []int{next}
	for at := next; len(words) < 4; {
		w, after, ok := nextSQLTok(rest, at)
		if !ok || w.kind != 'w' {
			break
		}
		words, ends, nexts = append(words, w.text), append(ends, w.end), append(nexts, after)
		at = after
	}
	n := multiWordType(words)
	end, next = ends[n-1], nexts[n-1]
	t2, after, ok := nextSQLTok(rest, next)
	if ok && t2.kind == '(' {
		depth := 0
		for tok, at, more := t2, after, true; more; tok, at, more = nextSQLTok(rest, at) {
			switch tok.kind {
			case '(':
				depth++
			case ')':
				depth--
			}
			if depth == 0 {
				end = tok.end
				break
			}
		}
		if w, _, ok := nextSQLTok(rest, end); ok && (w.is("UNSIGNED") || w.is("SIGNED")) {
			end = w.end // INT(11) UNSIGNED (issue 11 F50)
		}
	}
	return src[start : start+end]
}

func flattenNested(col *schema.Column) ([]*schema.Column, error) {
	inner := string(col.Type)[len("Nested(") : len(col.Type)-1]
	var out []*schema.Column
	for _, f := range splitTypeArgs(inner) {
		var name, typ string
		if strings.HasPrefix(f, "`") {
			// A quoted field name, with its escapes: `n\`q`.
			end, n, err := unquoteAt(f, 0)
			if err != nil {
				return nil, fmt.Errorf("%w: Nested field %q", ErrSyntax, f)
			}
			name, typ = n, strings.TrimSpace(f[end:])
		} else {
			var ok bool
			if name, typ, ok = strings.Cut(f, " "); !ok {
				return nil, fmt.Errorf("%w: Nested field %q", ErrSyntax, f)
			}
		}
		sub := &schema.Column{Name: col.Name + "." + name, Type: schema.Type("Array(" + typ + ")"), Comment: col.Comment, Codec: col.Codec, TTL: col.TTL}
		if col.Default != nil {
			// Nested(...) EPHEMERAL makes every field EPHEMERAL.
			d := *col.Default
			sub.Default = &d
		}
		out = append(out, sub)
	}
	return out, nil
}

// splitTypeArgs splits canonical type arguments at top-level ", ".
func splitTypeArgs(s string) []string {
	var out []string
	depth, start := 0, 0
	var quote byte // the quote of the string or name being read
	for i := 0; i < len(s); i++ {
		switch ch := s[i]; {
		case quote != 0 && ch == '\\':
			i++
		case quote != 0 && ch == quote:
			quote = 0
		case quote != 0:
		case ch == '\'' || ch == '`':
			quote = ch
		case ch == '(':
			depth++
		case ch == ')':
			depth--
		case ch == ',' && depth == 0:
			out = append(out, strings.TrimSpace(s[start:i]))
			start = i + 1
		}
	}
	return append(out, strings.TrimSpace(s[start:]))
}

// codec renders a CODEC(...) clause as system.columns prints it, from the
// clause's source text: default levels filled in (ZSTD → ZSTD(1), LZ4HC →
// LZ4HC(0), FPC → FPC(12)) and Delta/Gorilla given the column type's width.
func (c *converter) codec(cc *ch.CompressionCodec, typ schema.Type) string {
	return NormalizeCodec(c.codecList(cc), typ)
}

// codecList returns the codec list inside CODEC(...) as written.
func (c *converter) codecList(cc *ch.CompressionCodec) string {
	src := c.orig
	if src == "" {
		src = c.sql
	}
	text := src[int(cc.Pos()):min(int(cc.End())+1, len(src))]
	// AfterShip's End may stop before the closing parenthesis; take the
	// balanced CODEC(...) from the original text.
	if k := strings.Index(strings.ToUpper(src[int(cc.Pos()):]), "CODEC"); k >= 0 {
		start := int(cc.Pos()) + k
		depth := 0
		for i := start; i < len(src); i++ {
			if src[i] == '(' {
				depth++
			} else if src[i] == ')' {
				depth--
				if depth == 0 {
					text = src[start : i+1]
					break
				}
			}
		}
	}
	open := strings.IndexByte(text, '(')
	if open < 0 {
		return text
	}
	body := strings.TrimSpace(text[open+1:])
	body = strings.TrimSuffix(body, ")")
	if !strings.HasSuffix(text, ")") {
		body = strings.TrimSpace(text[open+1:])
	}
	return body
}

// NormalizeCodec renders a codec list ("Delta, ZSTD(3)") for a column of
// type typ as the server prints it: "CODEC(Delta(4), ZSTD(3))". On a column
// whose streams differ (Tuple(UInt32, UInt8)), a codec that would differ
// from one stream to another (Delta, Gorilla or DoubleDelta without their
// width, T64) makes the server keep the whole list as written, without the
// defaults it adds otherwise (ZSTD, not ZSTD(1); measured on ClickHouse
// 26.7).
func NormalizeCodec(list string, typ schema.Type) string {
	parts := splitTypeArgs(list)
	if codecsAsWritten(parts, typ) {
		for i, p := range parts {
			name, args, hasArgs := strings.Cut(p, "(")
			name = strings.TrimSpace(name)
			if hasArgs {
				name += "(" + strings.Join(splitTypeArgs(strings.TrimSuffix(strings.TrimSpace(args), ")")), ", ") + ")"
			}
			parts[i] = name
		}
		return "CODEC(" + strings.Join(parts, ", ") + ")"
	}
	for i, p := range parts {
		name, args, hasArgs := strings.Cut(p, "(")
		name = strings.TrimSpace(name)
		args = strings.TrimSuffix(strings.TrimSpace(args), ")")
		if canon, ok := codecNames[strings.ToUpper(name)]; ok {
			name = canon
		}
		if strings.TrimSpace(args) == "" {
			hasArgs = false // NONE() is NONE
		}
		if !hasArgs {
			switch name {
			case "ZSTD":
				args, hasArgs = "1", true
			case "LZ4HC":
				args, hasArgs = "0", true
			case "FPC":
				args, hasArgs = "12", true
			case "ZXC":
				args, hasArgs = "3", true
			case "Delta", "Gorilla":
				if w := streamWidth(typ); w > 0 {
					args, hasArgs = strconv.Itoa(w), true
				}
			}
		}
		if !hasArgs {
			parts[i] = name
			continue
		}
		as := splitTypeArgs(args)
		switch name {
		case "DoubleDelta":
			// The server ignores its argument.
			parts[i] = name
			continue
		case "T64":
			// T64('byte') is the default, T64.
			if len(as) == 1 && as[0] == "'byte'" {
				parts[i] = name
				continue
			}
		case "FPC":
			// FPC(level, float size): the server keeps the level.
			as = as[:1]
		case "ZSTD", "LZ4HC":
			// A negative level is stored as an unsigned 64-bit number.
			if n, err := strconv.ParseInt(as[0], 10, 64); err == nil && n < 0 {
				as[0] = strconv.FormatUint(uint64(n), 10)
			}
		case "Quantized":
			// Quantized('rabitq', dimensions) has bits 0.
			if len(as) == 2 && as[0] == "'rabitq'" {
				as = append(as, "0")
			}
		}
		parts[i] = name + "(" + strings.Join(as, ", ") + ")"
	}
	return "CODEC(" + strings.Join(parts, ", ") + ")"
}

// codecsAsWritten reports whether the server keeps the codec list parts as
// written on a column of type typ: one of them would come out different
// for the column's different streams.
func codecsAsWritten(parts []string, typ schema.Type) bool {
	for _, p := range parts {
		name, args, _ := strings.Cut(p, "(")
		name = strings.TrimSpace(name)
		if canon, ok := codecNames[strings.ToUpper(name)]; ok {
			name = canon
		}
		noArgs := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(args), ")")) == ""
		switch name {
		case "Delta", "Gorilla", "DoubleDelta":
			if noArgs && streamWidth(typ) == 0 {
				return true
			}
		case "T64":
			if !sameStreamTypes(typ) {
				return true
			}
		}
	}
	return false
}

var codecNames = map[string]string{
	"ZSTD": "ZSTD", "LZ4": "LZ4", "LZ4HC": "LZ4HC", "DELTA": "Delta", "DOUBLEDELTA": "DoubleDelta",
	"GORILLA": "Gorilla", "T64": "T64", "NONE": "NONE", "DEFAULT": "Default", "FPC": "FPC", "GCD": "GCD",
	"ZSTD_QAT": "ZSTD_QAT", "DEFLATE_QPL": "DEFLATE_QPL", "AES_128_GCM_SIV": "AES_128_GCM_SIV", "AES_256_GCM_SIV": "AES_256_GCM_SIV",
	"ALP": "ALP", "ZXC": "ZXC", "QUANTIZED": "Quantized",
}

// codecStreams are the types of the streams of a column of type t that a
// type-dependent codec (Delta, Gorilla, T64) compresses: not the null maps,
// array sizes nor dictionary indexes; a Tuple's, Nested's or Map's element
// streams; a Variant's discriminators (UInt8) and elements; a Dynamic's
// discriminators; a JSON's, and a stream of its own when it has typed
// paths (measured on ClickHouse 26.7: T64('byte') stays on JSON(a UInt8)).
func codecStreams(t schema.Type) []schema.Type {
	s := string(t)
	for _, w := range []string{"Nullable(", "LowCardinality(", "Array("} {
		if strings.HasPrefix(s, w) && strings.HasSuffix(s, ")") {
			return codecStreams(schema.Type(s[len(w) : len(s)-1]))
		}
	}
	name, args, _ := strings.Cut(s, "(")
	args = strings.TrimSuffix(args, ")")
	switch name {
	case "SimpleAggregateFunction":
		// The stored type is the last argument: (max, Float64).
		as := splitTypeArgs(args)
		return codecStreams(schema.Type(strings.TrimSpace(as[len(as)-1])))
	case "Tuple", "Nested", "Map", "Variant":
		var out []schema.Type
		if name == "Variant" {
			out = append(out, "UInt8")
		}
		for _, a := range splitTypeArgs(args) {
			a = strings.TrimSpace(a)
			if name == "Tuple" || name == "Nested" {
				a = elementType(a)
			}
			out = append(out, codecStreams(schema.Type(a))...)
		}
		return out
	case "Dynamic":
		return []schema.Type{"UInt8"}
	case "JSON":
		out := []schema.Type{"UInt8"}
		for _, a := range splitTypeArgs(args) {
			a = strings.TrimSpace(a)
			if a == "" || strings.Contains(a, "=") || strings.HasPrefix(strings.ToUpper(a), "SKIP ") {
				continue
			}
			out = append(out, codecStreams(schema.Type(elementType(a)))...)
		}
		if len(out) > 1 {
			out = append(out, "JSON")
		}
		return out
	case "Point", "Ring", "LineString", "MultiLineString", "Polygon", "MultiPolygon":
		return []schema.Type{"Float64"} // arrays of tuples of Float64
	case "Geometry":
		// A Variant of the geo types: its discriminators, then Float64s.
		return []schema.Type{"UInt8", "Float64"}
	}
	return []schema.Type{t}
}

// elementType is the type of a Tuple or Nested element or a JSON typed
// path, "name Type" or "Type".
func elementType(a string) string {
	if strings.HasPrefix(a, "`") {
		if end, _, err := unquoteAt(a, 0); err == nil {
			return strings.TrimSpace(a[end:])
		}
	}
	sp, par := strings.IndexByte(a, ' '), strings.IndexByte(a, '(')
	if sp > 0 && (par < 0 || sp < par) {
		return strings.TrimSpace(a[sp+1:])
	}
	return a
}

// streamWidth is the byte width the server gives Delta and Gorilla for a
// column type: the width of its streams when they all have the same, or 0
// (the codec then stays as written).
func streamWidth(t schema.Type) int {
	w := 0
	for i, st := range codecStreams(t) {
		x := typeWidth(st)
		if i > 0 && x != w {
			return 0
		}
		w = x
	}
	return w
}

// sameStreamTypes reports whether every stream of a column of type t has
// the same type.
func sameStreamTypes(t schema.Type) bool {
	ss := codecStreams(t)
	for _, st := range ss[1:] {
		if st != ss[0] {
			return false
		}
	}
	return true
}

// typeWidth is the byte width of a value of a single-stream type t.
func typeWidth(t schema.Type) int {
	s := string(t)
	for _, w := range []string{"Nullable(", "LowCardinality("} {
		if strings.HasPrefix(s, w) {
			return typeWidth(schema.Type(s[len(w) : len(s)-1]))
		}
	}
	if rest, ok := strings.CutPrefix(s, "SimpleAggregateFunction("); ok {
		// The stored type is the last argument: (max, Float64).
		args := splitTypeArgs(strings.TrimSuffix(rest, ")"))
		return typeWidth(schema.Type(strings.TrimSpace(args[len(args)-1])))
	}
	if inner, ok := strings.CutPrefix(s, "Array("); ok {
		return typeWidth(schema.Type(strings.TrimSuffix(inner, ")")))
	}
	name, args, _ := strings.Cut(s, "(")
	switch name {
	case "FixedString":
		if n, err := strconv.Atoi(strings.TrimSuffix(args, ")")); err == nil {
			return n
		}
	case "Point", "Ring", "LineString", "MultiLineString", "Polygon", "MultiPolygon":
		return 8 // arrays of tuples of Float64
	case "QBit":
		// Bit planes of FixedString(ceil(dimension / 8)): QBit(BFloat16,
		// 16) is Delta(2), QBit(Float64, 9) Delta(2) (ClickHouse 26.7).
		if a := splitTypeArgs(strings.TrimSuffix(args, ")")); len(a) == 2 {
			if n, err := strconv.Atoi(strings.TrimSpace(a[1])); err == nil && n > 0 {
				return (n + 7) / 8
			}
		}
	}
	if strings.HasPrefix(name, "Interval") {
		return 8 // an Interval is an Int64
	}
	switch name {
	case "Int8", "UInt8", "Bool", "Enum8":
		return 1
	case "Int16", "UInt16", "Date", "Enum16", "BFloat16":
		return 2
	case "Int32", "UInt32", "Float32", "DateTime", "Date32", "IPv4", "Time":
		return 4
	case "Int64", "UInt64", "Float64", "DateTime64", "Time64":
		return 8
	case "Int128", "UInt128", "IPv6", "UUID":
		return 16
	case "Int256", "UInt256":
		return 32
	case "Decimal":
		p, _ := strconv.Atoi(strings.TrimSpace(strings.Split(args, ",")[0]))
		switch {
		case p <= 9:
			return 4
		case p <= 18:
			return 8
		case p <= 38:
			return 16
		}
		return 32
	}
	return 1
}

// clusterName returns the cluster of ON CLUSTER c, without quotes.
func clusterName(e ch.Expr) string {
	switch x := e.(type) {
	case *ch.StringLiteral:
		return unescape(x.Literal)
	case *ch.Ident:
		return x.Name
	}
	return ch.Format(e)
}
