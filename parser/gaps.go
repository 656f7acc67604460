package parser

// This file is the one place where chschema works around AfterShip
// clickhouse-sql-parser v0.5.6, which rejects some valid ClickHouse and
// cannot read some of what it accepts the way the server prints it. Parse
// (after AfterShip has rejected a statement as written) and the conversion
// into the model (always, for CREATE and ALTER TABLE) both go through it.
//
// The strategy is one: AfterShip never sees what it cannot read. The
// statement is rewritten without changing its length, so every offset in
// AfterShip's tree is the user's own; each construct AfterShip cannot read
// is blanked, or replaced by a same-length form it can, and recorded with
// its offset in a prepared, from which chschema reads it in the original
// text:
//
//   - the MOD and DIV operators become "%";
//   - EPHEMERAL [expr] is blanked (or becomes DEFAULT) and remembered;
//   - column names that are AfterShip keywords (`order`) become
//     same-length placeholders, mapped back by name;
//   - INDEX, CONSTRAINT, PROJECTION and PRIMARY KEY elements of a column
//     list are blanked (named index arguments, no GRANULARITY, ASSUME);
//   - column types with arguments become a same-length placeholder type
//     (Dynamic(max_types=10), JSON settings, Enum lists with implicit
//     values), and multi-word types (INT UNSIGNED, CHAR LARGE OBJECT) one word;
//   - TTL clauses are blanked (WHERE without DELETE, GROUP BY … SET,
//     RECOMPRESS, TO DISK);
//   - CODEC lists become CODEC(NONE);
//   - ORDER BY's NULLS FIRST/LAST and a COMMENT after a view's query are
//     blanked and remembered;
//   - "FUNCTION f AS x -> body" becomes "AS(x)-> body";
//   - an ALTER's trailing SETTINGS is blanked and kept as []Setting.
//
// What has no node in AfterShip at all is read here by leading keywords
// into typed values (the Gap interface): the statements EXCHANGE
// TABLES/DICTIONARIES, DROP FUNCTION, RENAME … IF EXISTS and access control
// (USER, ROLE, QUOTA, ROW POLICY, SETTINGS PROFILE, GRANT, REVOKE, SET
// ROLE); the other statement kinds of the server's parser that change no
// schema (KILL, BACKUP, SHOW, …), RESTORE, EXPLAIN of every kind, EXECUTE
// AS and PARALLEL WITH (gaps_statements.go); and, since ALTER TABLE is read command by command with the other
// commands blanked, the commands COMMENT COLUMN, MODIFY COMMENT and those
// in alterKeywordCommands.
//
// Anything else that AfterShip rejects is a syntax error, reported at
// AfterShip's position (or, when the lint command has a server, checked by
// the server's parser: see ServerParser). TestParseGaps has a case per
// construct.

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	clickhouse "github.com/AfterShip/clickhouse-sql-parser/parser"

	"github.com/chschema/chschema/schema"
)

// Construct names a ClickHouse construct that AfterShip v0.5.6 rejects or
// cannot read, and that chschema reads.
type Construct string

// The recognised constructs.
const (
	ConstructExchange         Construct = "EXCHANGE TABLES"
	ConstructDropFunction     Construct = "DROP FUNCTION"
	ConstructRenameIfExists   Construct = "RENAME … IF EXISTS"
	ConstructRenameNoKind     Construct = "RENAME without TABLE"
	ConstructTableQuery       Construct = "CREATE TABLE … AS WITH … or AS (SELECT …)"
	ConstructAccessControl    Construct = "access-control statement"
	ConstructKeywordStatement Construct = "EXISTS or UNDROP statement"
	ConstructExplain          Construct = "EXPLAIN without a kind"
	ConstructWindowView       Construct = "CREATE WINDOW VIEW"
	ConstructMod              Construct = "MOD or DIV operator"
	ConstructEphemeral        Construct = "EPHEMERAL column"
	ConstructIndexArgs        Construct = "named arguments in an index TYPE"
	ConstructGranularity      Construct = "index without GRANULARITY"
	ConstructConstraint       Construct = "CONSTRAINT"
	ConstructKeywordColumn    Construct = "keyword as a column name"
	ConstructKeywordTable     Construct = "keyword as a table name"
	ConstructAlterSettings    Construct = "SETTINGS after an ALTER command"
	ConstructPlacement        Construct = "FIRST or AFTER on an ALTER command"
	ConstructCommentColumn    Construct = "ALTER … COMMENT COLUMN"
	ConstructModifyComment    Construct = "ALTER … MODIFY COMMENT"
	ConstructAlterCommand     Construct = "ALTER command AfterShip has no node for"
	ConstructTypeWords        Construct = "multi-word type name"
	ConstructNulls            Construct = "NULLS FIRST or LAST"
	ConstructLambda           Construct = "one-parameter lambda without parentheses"
	ConstructViewComment      Construct = "COMMENT after a view's query"
	ConstructTransformer      Construct = "EXCEPT or APPLY without parentheses"
	ConstructPermanently      Construct = "DETACH … PERMANENTLY"
	ConstructAttach           Construct = "ATTACH DICTIONARY without a definition"
	ConstructNumberSeparators Construct = "number with _ separators"
	ConstructAlterParens      Construct = "ALTER TABLE t (command), (command)"
	ConstructCaseNegative     Construct = "CASE -x WHEN …"
	ConstructHexFloat         Construct = "hexadecimal float (0x1p4)"
	ConstructOwnReader        Construct = "a part chschema reads itself (a type, TTL, CODEC or table element)"
	ConstructAlterDatabase    Construct = "ALTER DATABASE … MODIFY COMMENT"
	ConstructPartition        Construct = "PARTITION ALL, PARTITION ID or PART"
	ConstructInterval         Construct = "INTERVAL 'n unit' or an abbreviated unit"
	ConstructTypeless         Construct = "column with a DEFAULT, MATERIALIZED or ALIAS and no type"
	ConstructNoEngine         Construct = "CREATE TABLE or MATERIALIZED VIEW without ENGINE"
	ConstructAsClauses        Construct = "storage clauses after CREATE TABLE … AS table without ENGINE"
	ConstructOpaque           Construct = "statement read by its leading keywords (KILL, BACKUP, RESTORE, SHOW, DESCRIBE, CHECK, WATCH, MOVE, transactions, DELETE, UPDATE, named collections, resources, workloads, …)"
	ConstructParallelWith     Construct = "PARALLEL WITH"
	ConstructOutput           Construct = "INTO OUTFILE, or SETTINGS after FORMAT"
	ConstructSettingFloat     Construct = "float in SETTINGS"
	ConstructInsertQuery      Construct = "INSERT with WITH, a parenthesised query or SETTINGS before the query"
	ConstructDigitName        Construct = "name that starts with a digit"
	ConstructSQLSecurity      Construct = "DEFINER or SQL SECURITY"
	ConstructDrop             Construct = "DROP of several objects, IF EMPTY or SETTINGS"
	ConstructTruncate         Construct = "TRUNCATE DATABASE or TRUNCATE ALL TABLES"
	ConstructSystem           Construct = "SYSTEM statement"
	ConstructInsertData       Construct = "INSERT data for the server's input format (VALUES rows without commas, map literals, FORMAT data)"
	ConstructInsertColumns    Construct = "INSERT column list with * or a transformer"
	ConstructRefresh          Construct = "REFRESH clause of a materialized view (several units, RANDOMIZE FOR, DEPENDS ON, SETTINGS, APPEND)"
	ConstructAntiFirst        Construct = "ANTI before LEFT or RIGHT in a JOIN"
	ConstructJoinKind         Construct = "NATURAL or PASTE JOIN (the view is uncertain)"
	ConstructDropped          Construct = "WITH TIES, AT TIME ZONE or EXCEPT DISTINCT (what it touches is uncertain)"
)

// Workaround is a recognised construct at a file position.
type Workaround struct {
	Construct Construct
	Pos       Pos
}

// Gap is a statement, or an ALTER command, that AfterShip has no node for:
// one of *ExchangeTables, *DropFunction, *RenameTables, *AccessControl,
// *Attach, *KeywordStatement, *AlterDatabase, *AlterTable, *CommentColumn,
// *ModifyComment, *KeywordCommand, *System, *DropObjects, *Truncate,
// *Opaque and *ParallelWith.
type Gap interface {
	// Construct names the form.
	Construct() Construct
	gap()
}

// QualifiedName is a [database.]name, unquoted.
type QualifiedName struct {
	Database string
	Name     string
	Pos      Pos
}

// String renders the name as written, without quotes.
func (q QualifiedName) String() string {
	if q.Database == "" {
		return q.Name
	}
	return q.Database + "." + q.Name
}

// Setting is one name = value of a SETTINGS clause; Value is the SQL text.
type Setting struct {
	Name  string
	Value string
	Pos   Pos
}

// ExchangeTables is EXCHANGE TABLES A AND B (or DICTIONARIES).
type ExchangeTables struct {
	A, B         QualifiedName
	Dictionaries bool
	Cluster      string
}

// DropFunction is DROP FUNCTION [IF EXISTS] Name.
type DropFunction struct {
	Name     string
	IfExists bool
	Cluster  string
	Pos      Pos
}

// RenameTables is RENAME TABLE|DICTIONARY|DATABASE IF EXISTS a TO b, …, or
// RENAME a TO b, … without the kind (tables).
type RenameTables struct {
	Kind     string // TABLE, DICTIONARY or DATABASE
	IfExists bool
	Pairs    []RenamePair
	Cluster  string
	// KindOmitted says the statement names no kind: RENAME a TO b.
	KindOmitted bool
}

// RenamePair is one From TO To of a RENAME.
type RenamePair struct{ From, To QualifiedName }

// AccessControl is a user, role, quota, row policy or settings profile
// statement, or a GRANT, REVOKE or SET ROLE. Only its leading keywords are
// recognised; the rest is not checked offline.
type AccessControl struct {
	// Kind is the leading keywords, upper case: "CREATE USER", "GRANT", ….
	Kind string
	// IfExists and IfNotExists tell whether the statement says so.
	IfExists, IfNotExists, OrReplace bool
}

// Attach is ATTACH TABLE|DICTIONARY|VIEW [IF NOT EXISTS] Name, which brings
// back a detached object.
type Attach struct {
	Kind        string
	Name        QualifiedName
	IfNotExists bool
	Cluster     string
}

// AlterDatabase is ALTER DATABASE Name [ON CLUSTER c] MODIFY COMMENT
// 'Comment'.
type AlterDatabase struct {
	Name    QualifiedName
	Cluster string
	Comment string
}

// AlterTable is an ALTER TABLE with commands AfterShip does not accept.
type AlterTable struct {
	Table    QualifiedName
	Cluster  string
	Commands []AlterCommand
	Settings []Setting
}

// AlterCommand is one command of an AlterTable: either AfterShip's clause
// (AST) or a Gap.
type AlterCommand struct {
	Pos  Pos
	Text string
	AST  clickhouse.AlterTableClause
	Gap  Gap
}

// CommentColumn is ALTER TABLE … COMMENT COLUMN [IF EXISTS] Column 'Comment'.
type CommentColumn struct {
	Column   string
	IfExists bool
	Comment  string
}

// ModifyComment is ALTER TABLE … MODIFY COMMENT 'Comment'.
type ModifyComment struct{ Comment string }

// KeywordCommand is an ALTER command that AfterShip has no node for, such
// as MODIFY SAMPLE BY or ADD CONSTRAINT, recognised by its leading keywords
// (Head). The conversion reads it from its tokens.
type KeywordCommand struct {
	Head      string
	construct Construct
}

// Construct names the form: ConstructExchange.
func (*ExchangeTables) Construct() Construct { return ConstructExchange }

// Construct names the form: ConstructDropFunction.
func (*DropFunction) Construct() Construct { return ConstructDropFunction }

// Construct names the form: ConstructRenameIfExists or
// ConstructRenameNoKind.
func (r *RenameTables) Construct() Construct {
	if r.KindOmitted {
		return ConstructRenameNoKind
	}
	return ConstructRenameIfExists
}

// Construct names the form: ConstructAccessControl.
func (*AccessControl) Construct() Construct { return ConstructAccessControl }

// Construct names the form: ConstructKeywordStatement.
func (*KeywordStatement) Construct() Construct { return ConstructKeywordStatement }

// Construct names the form: ConstructAttach.
func (*Attach) Construct() Construct { return ConstructAttach }

// Construct names the form: ConstructAlterDatabase.
func (*AlterDatabase) Construct() Construct { return ConstructAlterDatabase }

// Construct names the form: ConstructAlterCommand.
func (*AlterTable) Construct() Construct { return ConstructAlterCommand }

// Construct names the form: ConstructCommentColumn.
func (*CommentColumn) Construct() Construct { return ConstructCommentColumn }

// Construct names the form: ConstructModifyComment.
func (*ModifyComment) Construct() Construct { return ConstructModifyComment }

// Construct names the form.
func (k *KeywordCommand) Construct() Construct { return k.construct }

func (*ExchangeTables) gap()   {}
func (*DropFunction) gap()     {}
func (*RenameTables) gap()     {}
func (*AccessControl) gap()    {}
func (*KeywordStatement) gap() {}
func (*Attach) gap()           {}
func (*AlterDatabase) gap()    {}
func (*AlterTable) gap()       {}
func (*CommentColumn) gap()    {}
func (*ModifyComment) gap()    {}
func (*KeywordCommand) gap()   {}

// parseGapForms is Parse's second attempt, for a statement AfterShip
// rejected as written (nativeErr): a statement form read here, the prepared
// statement, or an ALTER TABLE read command by command.
func parseGapForms(stmt Statement, text string, nativeErr error) (*Result, error) {
	toks := scanSQL(text)
	if len(toks) > 2 && toks[0].is("ALTER") && toks[1].is("TEMPORARY") && toks[2].is("TABLE") {
		// ALTER TEMPORARY TABLE t …: read as ALTER TABLE t … (issue 11
		// F53); the conversion knows it for the session's table.
		b := []byte(text)
		for i := toks[1].off; i < toks[1].end; i++ {
			b[i] = ' '
		}
		r, err := parseGapForms(stmt, string(b), nativeErr)
		if r != nil {
			r.Workarounds = append(r.Workarounds, Workaround{Construct: ConstructAlterTemporary, Pos: stmt.PosAt(toks[1].off)})
		}
		return r, err
	}
	if g := readIndexStatement(text, toks); g != nil {
		return parseIndexStatement(stmt, text, g)
	}
	if r, err := parallelWith(stmt, text, toks); r != nil || err != nil {
		return r, err
	}
	if r, err := executeAs(stmt, text, toks); r != nil || err != nil {
		return r, err
	}
	if len(toks) > 1 && toks[0].is("EXPLAIN") && opaqueKind(toks) == "" {
		if r, err := explain(stmt, text, toks); r != nil || err != nil {
			return r, err
		}
	}
	for _, read := range []func(*cursor) Gap{exchangeTables, dropFunction, renameIfExists, accessControl, attach, keywordStatement,
		alterDatabase, dropObjects, truncate, systemStatement, opaqueStatement} {
		c := &cursor{toks: toks, stmt: stmt}
		if g := read(c); g != nil && c.done() {
			return &Result{Stmt: stmt, Text: text, Gap: g,
				Workarounds: []Workaround{{Construct: g.Construct(), Pos: stmt.Pos}}}, nil
		}
	}
	p := prepare(text, toks)
	ast, err := parseOne(p.text())
	if err == nil {
		r := p.result(stmt)
		r.AST = ast
		if len(r.Workarounds) == 0 {
			off, _ := afterShipError(nativeErr)
			r.Workarounds = []Workaround{{Construct: ConstructOwnReader, Pos: stmt.PosAt(off)}}
		}
		return r, nil
	}
	if len(toks) > 1 && toks[0].is("ALTER") && toks[1].is("TABLE") {
		if r, cmdErr := alterByCommand(stmt, p, toks); r != nil || cmdErr != nil {
			return r, cmdErr
		}
	}
	if p.insertQuery > 0 {
		if r, partErr := insertByParts(stmt, p); r != nil || partErr != nil {
			return r, partErr
		}
	}
	// Both attempts got at least as far as their errors: the later one is
	// the one to report. Offsets in p's text are the user's.
	native, prepared := newParseError(stmt, 0, nativeErr), newParseError(stmt, 0, err)
	if prepared.Pos.Offset > native.Pos.Offset {
		return nil, prepared
	}
	return nil, native
}

// cursor walks tokens for the readers of statement forms and commands.
type cursor struct {
	toks []sqlTok
	i    int
	stmt Statement
}

func (c *cursor) peek() sqlTok {
	if c.i < len(c.toks) {
		return c.toks[c.i]
	}
	return sqlTok{}
}
func (c *cursor) done() bool { return c.i >= len(c.toks) }
func (c *cursor) accept(kws ...string) bool {
	for k, kw := range kws {
		if c.i+k >= len(c.toks) || !c.toks[c.i+k].is(kw) {
			return false
		}
	}
	c.i += len(kws)
	return true
}
func (c *cursor) acceptPunct(p byte) bool {
	if c.peek().kind == p {
		c.i++
		return true
	}
	return false
}

// name reads an identifier, quoted or not.
func (c *cursor) name() (string, Pos, bool) {
	t := c.peek()
	if !t.isName() {
		return "", Pos{}, false
	}
	c.i++
	return identText(t), c.stmt.PosAt(t.off), true
}

func (c *cursor) qualified() (QualifiedName, bool) {
	n, pos, ok := c.name()
	if !ok {
		return QualifiedName{}, false
	}
	q := QualifiedName{Name: n, Pos: pos}
	if c.acceptPunct('.') {
		n2, _, ok := c.name()
		if !ok {
			return QualifiedName{}, false
		}
		q.Database, q.Name = n, n2
	}
	return q, true
}

// cluster reads an optional ON CLUSTER name.
func (c *cursor) cluster() (string, bool) {
	if !c.accept("ON", "CLUSTER") {
		return "", true
	}
	t := c.peek()
	switch {
	case t.isName():
		c.i++
		return identText(t), true
	case t.kind == 's':
		c.i++
		return unquoteLiteral(t.text), true
	}
	return "", false
}

// stringLit reads a string literal.
func (c *cursor) stringLit() (string, bool) {
	if t := c.peek(); t.kind == 's' {
		c.i++
		return unquoteLiteral(t.text), true
	}
	return "", false
}

func exchangeTables(c *cursor) Gap {
	g := &ExchangeTables{}
	switch {
	case c.accept("EXCHANGE", "TABLES"):
	case c.accept("EXCHANGE", "DICTIONARIES"):
		g.Dictionaries = true
	default:
		return nil
	}
	var ok bool
	if g.A, ok = c.qualified(); !ok || !c.accept("AND") {
		return nil
	}
	if g.B, ok = c.qualified(); !ok {
		return nil
	}
	if g.Cluster, ok = c.cluster(); !ok {
		return nil
	}
	return g
}

// DropObjects is DROP|DETACH TABLE|VIEW|DICTIONARY in the forms AfterShip
// rejects: several names, IF EMPTY, trailing SETTINGS.
type DropObjects struct {
	Verb, Kind string
	Names      []QualifiedName
}

func (*DropObjects) Construct() Construct { return ConstructDrop }
func (*DropObjects) gap()                 {}

func dropObjects(c *cursor) Gap {
	g := &DropObjects{}
	switch {
	case c.accept("DROP"):
		g.Verb = "DROP"
	case c.accept("DETACH"):
		g.Verb = "DETACH"
	default:
		return nil
	}
	for _, k := range []string{"TABLE", "VIEW", "DICTIONARY"} {
		if c.accept(k) {
			g.Kind = k
		}
	}
	if g.Kind == "" {
		return nil
	}
	c.accept("IF", "EXISTS")
	gap := c.accept("IF", "EMPTY")
	for {
		q, ok := c.qualified()
		if !ok {
			return nil
		}
		g.Names = append(g.Names, q)
		if !c.acceptPunct(',') {
			break
		}
	}
	if _, ok := c.cluster(); !ok {
		return nil
	}
	c.accept("PERMANENTLY")
	c.accept("SYNC")
	c.accept("NO", "DELAY")
	if c.accept("SETTINGS") {
		gap = true
		for {
			if _, _, ok := c.name(); !ok || !c.acceptPunct('=') || c.done() {
				return nil
			}
			c.i++ // the value
			if !c.acceptPunct(',') {
				break
			}
		}
	}
	if !gap && len(g.Names) == 1 {
		return nil // a form the other readers take
	}
	return g
}

// Truncate is TRUNCATE DATABASE db or TRUNCATE ALL TABLES FROM db [[NOT]
// LIKE 'pattern'], which AfterShip has no node for.
type Truncate struct {
	Database string
	// Database says TRUNCATE DATABASE, which drops every object; the other
	// form empties the tables.
	WholeDatabase bool
}

func (*Truncate) Construct() Construct { return ConstructTruncate }
func (*Truncate) gap()                 {}

func truncate(c *cursor) Gap {
	if !c.accept("TRUNCATE") {
		return nil
	}
	g := &Truncate{}
	switch {
	case c.accept("DATABASE"):
		g.WholeDatabase = true
	case c.accept("ALL", "TABLES", "FROM"), c.accept("TABLES", "FROM"):
	default:
		return nil
	}
	c.accept("IF", "EXISTS")
	var ok bool
	if g.Database, _, ok = c.name(); !ok {
		return nil
	}
	if !g.WholeDatabase {
		c.accept("NOT")
		if c.accept("LIKE") || c.accept("ILIKE") {
			if _, ok := c.stringLit(); !ok {
				return nil
			}
		}
	}
	if _, ok := c.cluster(); !ok {
		return nil
	}
	return g
}

func dropFunction(c *cursor) Gap {
	if !c.accept("DROP", "FUNCTION") {
		return nil
	}
	g := &DropFunction{IfExists: c.accept("IF", "EXISTS")}
	var ok bool
	if g.Name, g.Pos, ok = c.name(); !ok {
		return nil
	}
	if g.Cluster, ok = c.cluster(); !ok {
		return nil
	}
	return g
}

func renameIfExists(c *cursor) Gap {
	if !c.accept("RENAME") {
		return nil
	}
	g := &RenameTables{}
	for _, k := range []string{"TABLE", "DICTIONARY", "DATABASE"} {
		if c.accept(k) {
			g.Kind = k
		}
	}
	switch {
	case g.Kind == "":
		// RENAME a TO b renames tables.
		g.Kind, g.KindOmitted = "TABLE", true
		g.IfExists = c.accept("IF", "EXISTS")
	case !c.accept("IF", "EXISTS"):
		return nil
	default:
		g.IfExists = true
	}
	for {
		from, ok := c.qualified()
		if !ok || !c.accept("TO") {
			return nil
		}
		to, ok := c.qualified()
		if !ok {
			return nil
		}
		g.Pairs = append(g.Pairs, RenamePair{From: from, To: to})
		if !c.acceptPunct(',') {
			break
		}
	}
	var ok bool
	if g.Cluster, ok = c.cluster(); !ok {
		return nil
	}
	return g
}

func attach(c *cursor) Gap {
	if !c.accept("ATTACH") {
		return nil
	}
	g := &Attach{}
	for _, k := range []string{"TABLE", "DICTIONARY", "VIEW"} {
		if c.accept(k) {
			g.Kind = k
		}
	}
	if g.Kind == "" {
		return nil
	}
	g.IfNotExists = c.accept("IF", "NOT", "EXISTS")
	var ok bool
	if g.Name, ok = c.qualified(); !ok {
		return nil
	}
	if g.Cluster, ok = c.cluster(); !ok {
		return nil
	}
	return g
}

// KeywordStatement is a statement AfterShip has no node for, read by its
// keywords, that changes no schema the model follows: EXISTS [TABLE] name
// and UNDROP TABLE name (which the model reports it cannot follow).
type KeywordStatement struct {
	// Kind is the leading keyword, upper case.
	Kind string
}

func keywordStatement(c *cursor) Gap {
	switch {
	case c.accept("EXISTS"):
		// EXISTS [TEMPORARY] [TABLE|DICTIONARY|DATABASE|VIEW] name
		c.accept("TEMPORARY")
		for _, k := range []string{"TABLE", "DICTIONARY", "DATABASE", "VIEW"} {
			if c.accept(k) {
				break
			}
		}
		if _, ok := c.qualified(); !ok {
			return nil
		}
		if c.accept("FORMAT") {
			if _, _, ok := c.name(); !ok {
				return nil
			}
		}
		return &KeywordStatement{Kind: "EXISTS"}
	case c.accept("UNDROP", "TABLE"):
		// UNDROP TABLE name [UUID '…'] [ON CLUSTER c]
		if _, ok := c.qualified(); !ok {
			return nil
		}
		if c.accept("UUID") {
			if _, ok := c.stringLit(); !ok {
				return nil
			}
		}
		if _, ok := c.cluster(); !ok {
			return nil
		}
		return &KeywordStatement{Kind: "UNDROP"}
	}
	return nil
}

func alterDatabase(c *cursor) Gap {
	if !c.accept("ALTER", "DATABASE") {
		return nil
	}
	g := &AlterDatabase{}
	var ok bool
	if g.Name.Name, g.Name.Pos, ok = c.name(); !ok {
		return nil
	}
	if g.Cluster, ok = c.cluster(); !ok || !c.accept("MODIFY", "COMMENT") {
		return nil
	}
	if g.Comment, ok = c.stringLit(); !ok {
		return nil
	}
	return g
}

// System is a SYSTEM statement (SYSTEM STOP TTL MERGES t, SYSTEM FLUSH
// LOGS, …) in a form AfterShip rejects. Command is its command's words, one
// of those the server lists (systemCommands); what follows (a table, ON
// CLUSTER, a replica) is not checked offline. No SYSTEM statement changes
// the schema.
type System struct {
	Command string
}

// Construct names the form: ConstructSystem.
func (*System) Construct() Construct { return ConstructSystem }
func (*System) gap()                 {}

func systemStatement(c *cursor) Gap {
	if !c.accept("SYSTEM") {
		return nil
	}
	// The longest command the server knows.
	best := ""
	for n := 1; n <= 6 && c.i+n <= len(c.toks); n++ {
		w := upperWords(c.toks[c.i:], n)
		if systemCommands[w] {
			best = w
		}
	}
	if best == "" {
		return nil
	}
	c.i = len(c.toks) // the rest is not checked offline
	return &System{Command: best}
}

// accessObjects are the objects of access-control statements, longest first.
var accessObjects = [][]string{{"SETTINGS", "PROFILE"}, {"ROW", "POLICY"}, {"MASKING", "POLICY"},
	{"USER"}, {"ROLE"}, {"QUOTA"}, {"POLICY"}, {"PROFILE"}}

func accessControl(c *cursor) Gap {
	g := &AccessControl{}
	switch {
	case c.accept("GRANT"):
		g.Kind = "GRANT"
	case c.accept("REVOKE"):
		g.Kind = "REVOKE"
	case c.accept("SET", "DEFAULT", "ROLE"):
		g.Kind = "SET DEFAULT ROLE"
	case c.accept("SET", "ROLE"):
		g.Kind = "SET ROLE"
	default:
		var verb string
		for _, v := range []string{"CREATE", "ALTER", "DROP"} {
			if c.accept(v) {
				verb = v
			}
		}
		if verb == "" {
			return nil
		}
		if verb == "CREATE" && c.accept("OR", "REPLACE") {
			g.OrReplace = true
		}
		for _, obj := range accessObjects {
			if c.accept(obj...) {
				g.Kind = verb + " " + strings.Join(obj, " ")
				break
			}
		}
		if g.Kind == "" {
			return nil
		}
		g.IfNotExists = c.accept("IF", "NOT", "EXISTS")
		g.IfExists = c.accept("IF", "EXISTS")
	}
	if c.done() {
		return nil // a bare keyword is not a statement
	}
	c.i = len(c.toks) // the body is not checked offline
	return g
}

// alterKeywordCommands are the ALTER commands AfterShip has no node for,
// by their leading keywords (longest first where one is a prefix of
// another). The conversion reads them from their tokens.
var alterKeywordCommands = []struct {
	words     []string
	construct Construct
}{
	{[]string{"RENAME", "COLUMN"}, ConstructAlterCommand},
	{[]string{"ADD", "CONSTRAINT"}, ConstructConstraint},
	{[]string{"DROP", "CONSTRAINT"}, ConstructConstraint},
	{[]string{"MODIFY", "SAMPLE", "BY"}, ConstructAlterCommand},
	{[]string{"REMOVE", "SAMPLE", "BY"}, ConstructAlterCommand},
	{[]string{"MATERIALIZE", "TTL"}, ConstructAlterCommand},
	{[]string{"MATERIALIZE", "COLUMN"}, ConstructAlterCommand},
	{[]string{"APPLY", "DELETED", "MASK"}, ConstructAlterCommand},
	{[]string{"FREEZE"}, ConstructAlterCommand},
	{[]string{"UNFREEZE"}, ConstructAlterCommand},
	{[]string{"MOVE"}, ConstructAlterCommand},
	{[]string{"FETCH"}, ConstructAlterCommand},
	{[]string{"UNLOCK", "SNAPSHOT"}, ConstructAlterCommand},
	{[]string{"ADD", "STATISTICS"}, ConstructAlterCommand},
	{[]string{"MODIFY", "STATISTICS"}, ConstructAlterCommand},
	{[]string{"DROP", "STATISTICS"}, ConstructAlterCommand},
	{[]string{"CLEAR", "STATISTICS"}, ConstructAlterCommand},
	{[]string{"MATERIALIZE", "STATISTICS"}, ConstructAlterCommand},
	{[]string{"DROP", "DETACHED", "PART"}, ConstructPartition},
	{[]string{"DROP", "PART"}, ConstructPartition},
	{[]string{"DETACH", "PART"}, ConstructPartition},
	{[]string{"ATTACH", "PART"}, ConstructPartition},
	{[]string{"FORGET", "PARTITION"}, ConstructPartition},
	{[]string{"DELETE", "IN", "PARTITION"}, ConstructPartition},
	{[]string{"REWRITE", "PARTS"}, ConstructAlterCommand},
	{[]string{"MODIFY", "SQL", "SECURITY"}, ConstructSQLSecurity},
	{[]string{"MODIFY", "DEFINER"}, ConstructSQLSecurity},
	{[]string{"MODIFY", "REFRESH"}, ConstructRefresh},
}

// alterByCommand reads an ALTER TABLE whose prepared text AfterShip still
// rejects, command by command: each command goes to AfterShip with the
// others blanked, or is a typed Gap. It returns nil, nil when the statement
// is not ALTER TABLE name [ON CLUSTER c] command, ….
func alterByCommand(stmt Statement, p *prepared, toks []sqlTok) (*Result, error) {
	c := &cursor{toks: toks, stmt: stmt}
	c.accept("ALTER", "TABLE")
	g := &AlterTable{}
	var ok bool
	if g.Table, ok = c.qualified(); !ok {
		return nil, nil
	}
	if g.Cluster, ok = c.cluster(); !ok || c.done() {
		return nil, nil
	}
	rest, _ := alterCommandTokens(toks[c.i:])
	if len(rest) == 0 {
		return nil, nil
	}
	r := p.result(stmt)
	r.Gap, g.Settings = g, r.Settings
	text := p.text()
	for _, seg := range actionSegments(rest) {
		from, to := seg[0].off, seg[len(seg)-1].end
		ac := AlterCommand{Pos: stmt.PosAt(from), Text: stmt.Text[from:to]}
		var err error
		if len(seg) > 1 && seg[0].is("MODIFY") && seg[1].is("TTL") && p.ttlAt(seg[0].end) {
			// MODIFY TTL whose clause the gap layer took out.
			ac.Gap = &KeywordCommand{Head: "MODIFY TTL", construct: ConstructOwnReader}
		} else if ac.AST, ac.Gap, err = readCommand(text, seg, stmt); err != nil {
			return nil, err
		}
		if ac.Gap != nil {
			r.Workarounds = append(r.Workarounds, Workaround{Construct: ac.Gap.Construct(), Pos: ac.Pos})
		}
		if _, after, first := trimPlacement(seg); after != "" || first {
			r.Workarounds = append(r.Workarounds, Workaround{Construct: ConstructPlacement, Pos: ac.Pos})
		}
		g.Commands = append(g.Commands, ac)
	}
	if len(r.Workarounds) == 0 {
		// Each command alone is AfterShip's, all together are not.
		r.Workarounds = []Workaround{{Construct: ConstructAlterCommand, Pos: stmt.Pos}}
	}
	return r, nil
}

// readCommand reads one ALTER command (seg, tokens of the prepared text):
// a typed Gap, or AfterShip's clause; an error is a *ParseError.
func readCommand(text string, seg []sqlTok, stmt Statement) (clickhouse.AlterTableClause, Gap, error) {
	c := &cursor{toks: seg, stmt: stmt}
	switch {
	case c.accept("COMMENT", "COLUMN"):
		g := &CommentColumn{IfExists: c.accept("IF", "EXISTS")}
		var ok bool
		if g.Column, _, ok = c.name(); ok {
			g.Comment, ok = c.stringLit()
		}
		if !ok || !c.done() {
			return nil, nil, commandError(stmt, c, "expected COMMENT COLUMN name 'comment'")
		}
		return nil, g, nil
	case c.accept("MODIFY", "COMMENT"):
		comment, ok := c.stringLit()
		if !ok || !c.done() {
			return nil, nil, commandError(stmt, c, "expected MODIFY COMMENT 'comment'")
		}
		return nil, &ModifyComment{Comment: comment}, nil
	}
	rest, _, _ := trimPlacement(seg)
	ast, err := parseAction(text, rest)
	if err == nil {
		return ast, nil, nil
	}
	if k := keywordCommand(rest); k != nil {
		return nil, k, nil
	}
	return nil, nil, newParseError(stmt, 0, err)
}

// keywordCommand recognises a command AfterShip has no node for, or an
// ADD INDEX or MODIFY COLUMN in a form it rejects, by its leading keywords.
func keywordCommand(seg []sqlTok) *KeywordCommand {
	c := &cursor{toks: seg}
	for _, k := range alterKeywordCommands {
		if c.accept(k.words...) {
			return &KeywordCommand{Head: strings.Join(k.words, " "), construct: k.construct}
		}
	}
	switch {
	case c.accept("ADD", "INDEX"):
		k := &KeywordCommand{Head: "ADD INDEX", construct: ConstructGranularity}
		for i, t := range seg {
			if t.is("TYPE") && i+3 < len(seg) && seg[i+2].kind == '(' && seg[i+3].isName() && i+4 < len(seg) && seg[i+4].kind == '=' {
				k.construct = ConstructIndexArgs
			}
		}
		return k
	case c.accept("MODIFY", "COLUMN"):
		// Properties without a type (DEFAULT 1, COMMENT 'c', REMOVE TTL).
		c.accept("IF", "EXISTS")
		if _, _, ok := c.name(); ok && c.acceptPunct('.') {
			c.name()
		}
		if t := c.peek(); t.kind == 'w' && (columnPropertyWords[t.upper()] || t.is("REMOVE") || t.is("MODIFY") || t.is("RESET")) {
			return &KeywordCommand{Head: "MODIFY COLUMN", construct: ConstructAlterCommand}
		}
	}
	return nil
}

// commandError reports an unexpected token in a command at c's position.
func commandError(stmt Statement, c *cursor, msg string) *ParseError {
	off := len(stmt.Text)
	if !c.done() {
		off = c.peek().off
		if c.peek().kind == ',' && c.i+1 < len(c.toks) {
			// A command that is not one, merged into this by actionSegments.
			t := c.toks[c.i+1]
			off, msg = t.off, fmt.Sprintf("unexpected %q: expected an ALTER command", t.text)
		}
	}
	return &ParseError{Pos: stmt.PosAt(off), Msg: msg, Stmt: stmt, Err: fmt.Errorf("%w: %s", ErrSyntax, msg)}
}

// parseAction parses one ALTER action (seg, tokens of text) with AfterShip,
// keeping the statement's byte offsets: the action is placed at its own
// offset after a short "ALTER TABLE t" prefix padded with spaces.
func parseAction(text string, seg []sqlTok) (clickhouse.AlterTableClause, error) {
	if len(seg) == 0 {
		return nil, fmt.Errorf("%w: expected an ALTER command", ErrSyntax)
	}
	start, end := seg[0].off, seg[len(seg)-1].end
	prefix := "ALTER TABLE t"
	if start < len(prefix)+1 {
		return nil, fmt.Errorf("action too close to the start")
	}
	st, err := parseAfterShip(prefix + strings.Repeat(" ", start-len(prefix)) + text[start:end])
	if err != nil {
		return nil, err
	}
	at, ok := st.(*clickhouse.AlterTable)
	if !ok || len(at.AlterExprs) != 1 {
		return nil, fmt.Errorf("expected one ALTER action")
	}
	return at.AlterExprs[0], nil
}

// prepared is a statement rewritten for AfterShip, the same length as the
// user's, with what was taken out of it.
type prepared struct {
	orig string
	b    []byte
	// found are the constructs AfterShip rejects that were rewritten.
	found []Workaround // Pos.Offset only
	// ephemeral are the names of the EPHEMERAL columns.
	ephemeral map[string]bool
	// marks are ORDER BY's NULLS FIRST/LAST by the offset of NULLS, DIV
	// operators (now "%") by -offset-1, the floats of SETTINGS ("NUMBER
	// text"), one-element tuples ("TUPLE") and CASE operands
	// (caseOperandMark) by their offset.
	marks map[int]string
	// elems are the INDEX, CONSTRAINT, PROJECTION and PRIMARY KEY elements
	// of a column list.
	elems []tableElement
	// names maps placeholders back to keyword column names.
	names map[string]string
	// intervals are the INTERVALs AfterShip cannot read, by placeholder.
	intervals map[string]interval
	// colSettings are the offsets of the SETTINGS (…) of column
	// definitions, which were blanked (columnSettings).
	colSettings []int
	// colSettingValues are those SETTINGS (…), read, by offset.
	colSettingValues map[int]columnSettingsDef
	// typelessExprs are the defaults of columns without a type, which
	// were blanked.
	typelessExprs []typelessDefault
	// colPrimary are the columns whose definitions say PRIMARY KEY, in
	// order, quoted: the table's primary key.
	colPrimary []string
	// descKeys are the offsets of ASC and DESC in a sorting key.
	descKeys []int
	// colStats are the offsets of column definitions' STATISTICS(…).
	colStats []int
	// storage is the span of the storage clauses of a CREATE TABLE or a
	// materialized view without ENGINE, which were blanked.
	storage *[2]int
	// asClauses says the storage clauses follow AS y, changing y's
	// storage (CREATE TABLE x AS y ORDER BY k).
	asClauses bool
	// materialized says a CREATE MATERIALIZED VIEW without ENGINE or TO
	// was rewritten as a CREATE VIEW (viewNoEngine).
	materialized bool
	// insertQuery is where the query of an INSERT ... [(columns)]
	// [SETTINGS ...] WITH|( starts, which AfterShip reads only alone.
	insertQuery int
	// comment is the COMMENT string after a view's query.
	comment *sqlTok
	// ttls are the TTL clauses.
	ttls []ttlSpan
	// settings are an ALTER's trailing SETTINGS.
	settings []rawSetting
	// refreshClause is the REFRESH clause of a CREATE MATERIALIZED VIEW,
	// blanked when it could be read.
	refreshClause *refreshSpan
}

func (p *prepared) text() string { return string(p.b) }

// settingFloats rewrites the float values of SETTINGS lists, which
// AfterShip rejects (SETTINGS ratio = 0.9, n = 1e9), to same-length
// integers, and marks each with its text for the formatter.
func (p *prepared) settingFloats(toks []sqlTok) {
	in := false
	skip := 0 // tokens of a number already read
	for i, t := range toks {
		if skip > 0 {
			skip--
			continue
		}
		switch {
		case t.is("SETTINGS") || t.is("SETTING"):
			in = true
			continue
		case !in:
			continue
		}
		switch t.kind {
		case 'w', '=', ',', 's', '-':
			continue
		case '.':
			// .5: a float without its leading zero.
			if i > 0 && toks[i-1].kind == '=' && i+1 < len(toks) && toks[i+1].kind == 'n' && toks[i+1].off == t.end {
				n := toks[i+1]
				p.marks[t.off] = "NUMBER " + p.orig[t.off:n.end]
				copy(p.b[t.off:n.end], "0"+strings.Repeat(" ", n.end-t.off-1))
				p.note(ConstructSettingFloat, t.off)
			}
			continue
		case 'n':
			lower := strings.ToLower(t.text)
			if i > 0 && (toks[i-1].kind == '=' || toks[i-1].kind == '-') && strings.ContainsAny(lower, ".e") && !strings.HasPrefix(lower, "0x") {
				end := t.end
				if strings.HasSuffix(lower, "e") && i+2 < len(toks) && (toks[i+1].kind == '-' || toks[i+1].kind == '+') &&
					toks[i+1].off == t.end && toks[i+2].kind == 'n' && toks[i+2].off == toks[i+1].end {
					end, skip = toks[i+2].end, 2 // 5e-01: the scanner cut it at the sign
				}
				p.marks[t.off] = "NUMBER " + p.orig[t.off:end]
				copy(p.b[t.off:end], "0"+strings.Repeat(" ", end-t.off-1))
				p.note(ConstructSettingFloat, t.off)
			}
			continue
		}
		in = false
	}
}

// insert rewrites what AfterShip rejects in an INSERT's head: keyword
// column names in its column list become placeholders, and a SETTINGS list
// before the query is blanked (its values checked as name = value). It
// records where a query that starts with WITH or a parenthesis begins:
// AfterShip reads such a query only on its own (insertByParts).
func (p *prepared) insert(toks []sqlTok) {
	c := &cursor{toks: toks}
	if !c.accept("INSERT", "INTO") {
		return
	}
	if !c.accept("TABLE") && c.accept("FUNCTION") {
		return
	}
	if _, ok := c.qualified(); !ok {
		return
	}
	if c.peek().kind == '(' && c.i+1 < len(toks) && !toks[c.i+1].is("SELECT") && !toks[c.i+1].is("WITH") {
		end := closingParen(toks, c.i)
		if end < 0 {
			return
		}
		star := false
		for _, t := range toks[c.i+1 : end] {
			star = star || t.kind == '*' || t.is("COLUMNS")
		}
		if star {
			// (*), (* EXCEPT a), (COLUMNS('re')): the server matches the
			// columns; nothing here changes the schema.
			p.blank(toks[c.i].off, toks[end].end)
			p.note(ConstructInsertColumns, toks[c.i].off)
		} else {
			for _, seg := range splitTopLevel(toks[c.i+1 : end]) {
				if len(seg) == 1 && seg[0].kind == 'w' && isReservedWord(seg[0].text) {
					p.placeholder(seg[0], ConstructKeywordColumn)
				}
			}
		}
		c.i = end + 1
	}
	if c.peek().is("SETTINGS") {
		start := c.i
		for c.i < len(toks) && !c.peek().is("SELECT") && !c.peek().is("WITH") && !c.peek().is("VALUES") && !c.peek().is("FORMAT") && c.peek().kind != '(' {
			c.i++
		}
		if c.i > start+1 {
			p.blank(toks[start].off, toks[c.i-1].end)
			p.note(ConstructInsertQuery, toks[start].off)
		}
	}
	if t := c.peek(); !c.done() && (t.is("WITH") || t.kind == '(') {
		p.insertQuery = t.off
	}
	p.insertData(toks[c.i:])
}

// insertData blanks the data of an INSERT … VALUES or … FORMAT name, which
// the server reads with the input format's parser, not the SQL parser:
// VALUES rows may go without commas and hold map literals, and FORMAT data
// is not SQL at all. VALUES data must still be rows: parenthesised groups,
// balanced, with or without commas between them.
func (p *prepared) insertData(toks []sqlTok) {
	switch {
	case len(toks) > 1 && toks[0].is("VALUES"):
		data := toks[1:]
		if data[len(data)-1].kind == ';' {
			data = data[:len(data)-1]
		}
		for i := 0; i < len(data); {
			if data[i].kind != '(' {
				return
			}
			j := closingParen(data, i)
			if j < 0 {
				return
			}
			i = j + 1
			if i < len(data) && data[i].kind == ',' {
				i++
			}
		}
		p.blank(data[0].off, len(p.b))
		p.note(ConstructInsertData, data[0].off)
	case len(toks) > 2 && toks[0].is("FORMAT") && toks[1].isName():
		p.blank(toks[2].off, len(p.b))
		p.note(ConstructInsertData, toks[2].off)
	}
}

// insertByParts reads an INSERT whose query starts with WITH or a
// parenthesis: its head with the query replaced by SELECT 1, and the query
// alone at its own offsets.
func insertByParts(stmt Statement, p *prepared) (*Result, error) {
	text := p.text()
	q := p.insertQuery
	if _, err := parseOne(text[:q] + "SELECT 1"); err != nil {
		return nil, newParseError(stmt, 0, err)
	}
	ast, err := parseOne(strings.Repeat(" ", q) + text[q:])
	if err != nil {
		return nil, newParseError(stmt, 0, err)
	}
	r := p.result(stmt)
	r.AST = ast
	r.Workarounds = append(r.Workarounds, Workaround{Construct: ConstructInsertQuery, Pos: stmt.PosAt(q)})
	return r, nil
}

// sqlSecurity blanks a view's DEFINER = name and SQL SECURITY
// DEFINER|INVOKER|NONE before its AS: who runs the query is not part of the
// model.
func (p *prepared) sqlSecurity(toks []sqlTok) {
	depth := 0
	for i, t := range toks {
		switch t.kind {
		case '(':
			depth++
		case ')':
			depth--
		}
		if depth != 0 || t.kind != 'w' {
			continue
		}
		switch {
		case t.is("AS") && i > 0 && !toks[i-1].is("SECURITY"):
			return // the query
		case t.is("DEFINER") && i+2 < len(toks) && toks[i+1].kind == '=':
			p.blank(t.off, toks[i+2].end)
			p.note(ConstructSQLSecurity, t.off)
		case t.is("SQL") && i+2 < len(toks) && toks[i+1].is("SECURITY"):
			p.blank(t.off, toks[i+2].end)
			p.note(ConstructSQLSecurity, t.off)
		}
	}
}

// storageWords start the storage clauses of a CREATE TABLE.
var storageWords = map[string]bool{"PARTITION": true, "ORDER": true, "PRIMARY": true, "SAMPLE": true, "TTL": true, "SETTINGS": true}

// noEngine blanks the storage clauses of a CREATE TABLE without ENGINE,
// which AfterShip rejects, and keeps their span for the conversion: the
// engine is the server's default_table_engine. The clauses follow the
// column list (t (x UInt8) ORDER BY x) or, before AS, the name (t ORDER
// BY x AS SELECT …, issue 11 F43).
func (p *prepared) noEngine(toks []sqlTok) {
	c := &cursor{toks: toks}
	c.i = 1
	for c.accept("OR") || c.accept("REPLACE") {
	}
	if !c.accept("TABLE") {
		return
	}
	c.accept("IF", "NOT", "EXISTS")
	next, ok := afterObjectName(c)
	if !ok {
		return
	}
	if next < len(toks) && toks[next].kind == '(' {
		close := closingParen(toks, next)
		if close < 0 {
			return
		}
		next = close + 1
	} else if src := asTableEnd(toks, next); src > 0 {
		// CREATE TABLE x AS y ORDER BY k: clauses that change y's storage.
		next = src
		p.asClauses = true
	}
	if next >= len(toks) || !storageWords[toks[next].upper()] {
		return
	}
	end := storageEnd(toks, next)
	from, to := toks[next].off, toks[end-1].end
	p.storage = &[2]int{from, to}
	p.blank(from, to)
	if p.asClauses {
		p.note(ConstructAsClauses, from)
		return
	}
	p.note(ConstructNoEngine, from)
}

// asTableEnd returns the index after "AS [db.]name" at toks[i], a table
// whose structure a CREATE TABLE copies, or 0.
func asTableEnd(toks []sqlTok, i int) int {
	if i+1 >= len(toks) || !toks[i].is("AS") || toks[i+1].is("SELECT") || toks[i+1].is("WITH") {
		return 0
	}
	c := &cursor{toks: toks, i: i + 1}
	if _, ok := c.qualified(); !ok {
		return 0
	}
	if c.i < len(toks) && toks[c.i].kind == '(' {
		return 0 // a table function
	}
	return c.i
}

// afterObjectName reads, at c, an object's name and what may follow it
// before its definition (ON CLUSTER c, UUID 'u'), and returns the index of
// the token after them.
func afterObjectName(c *cursor) (int, bool) {
	if _, ok := c.qualified(); !ok {
		return 0, false
	}
	if _, ok := c.cluster(); !ok {
		return 0, false
	}
	if c.accept("UUID") {
		if _, ok := c.stringLit(); !ok {
			return 0, false
		}
	}
	return c.i, true
}

// storageEnd returns the index of the top-level token that ends the
// storage clauses that start at toks[from]: AS, COMMENT, EMPTY, POPULATE,
// or the end.
func storageEnd(toks []sqlTok, from int) int {
	depth := 0
	for j := from; j < len(toks); j++ {
		switch toks[j].kind {
		case '(':
			depth++
		case ')':
			depth--
		}
		if depth == 0 && (toks[j].is("AS") || toks[j].is("COMMENT") || toks[j].is("EMPTY") || toks[j].is("POPULATE")) {
			return j
		}
	}
	return len(toks)
}

// viewNoEngine rewrites a CREATE MATERIALIZED VIEW with neither ENGINE nor
// TO, which AfterShip rejects (the inner table's engine is then the
// server's default_table_engine, issue 11 F43), as a CREATE VIEW: the
// keyword MATERIALIZED, POPULATE or EMPTY, and the storage clauses are
// blanked; the conversion makes the view materialized again, and checks
// the storage clauses kept in p.storage.
func (p *prepared) viewNoEngine(toks []sqlTok) {
	c := &cursor{toks: toks}
	c.i = 1
	mat := c.peek()
	if !c.accept("MATERIALIZED", "VIEW") {
		return
	}
	c.accept("IF", "NOT", "EXISTS")
	next, ok := afterObjectName(c)
	if !ok {
		return
	}
	if next < len(toks) && toks[next].kind == '(' {
		close := closingParen(toks, next)
		if close < 0 {
			return
		}
		next = close + 1
	}
	end := next
	if end < len(toks) && storageWords[toks[end].upper()] {
		end = storageEnd(toks, end)
	}
	kw := end
	if kw < len(toks) && (toks[kw].is("POPULATE") || toks[kw].is("EMPTY")) {
		kw++
	}
	if kw >= len(toks) || !toks[kw].is("AS") {
		return // TO, ENGINE, REFRESH, …: AfterShip's to read
	}
	if end > next {
		p.storage = &[2]int{toks[next].off, toks[end-1].end}
	}
	p.blank(mat.off, mat.end)
	if kw > next {
		p.blank(toks[next].off, toks[kw-1].end)
	}
	p.materialized = true
	p.note(ConstructNoEngine, mat.off)
}

// typeless blanks the default of a column without a type, seg[i] being
// DEFAULT, MATERIALIZED or ALIAS right after the name (AfterShip reads the
// keyword as a type), and keeps the expression's span for the conversion,
// which checks it: the column's type is the server's to infer.
func (p *prepared) typeless(seg []sqlTok, i int) bool {
	if i+1 >= len(seg) || !(seg[i].is("DEFAULT") || seg[i].is("MATERIALIZED") || seg[i].is("ALIAS")) {
		return false
	}
	end := len(seg)
	for j := i + 1; j < len(seg); j++ {
		if seg[j].kind == 'w' && (columnTailKeywords[seg[j].upper()] && !seg[j].is("PRIMARY") || seg[j].is("EPHEMERAL")) && j > i+1 {
			end = j
			break
		}
	}
	if end <= i+1 {
		return false
	}
	p.typelessExprs = append(p.typelessExprs, typelessDefault{column: identText(seg[i-1]), kind: schema.DefaultKind(seg[i].upper()),
		from: seg[i+1].off, to: seg[end-1].end})
	p.blank(seg[i].off, seg[len(seg)-1].end)
	p.note(ConstructTypeless, seg[i].off)
	return true
}

// typelessDefault is the default of a column without a type, at
// [from, to) of the statement.
type typelessDefault struct {
	column   string
	kind     schema.DefaultKind
	from, to int
}

// ttlAt reports whether a TTL clause was taken out right after off.
func (p *prepared) ttlAt(off int) bool {
	for _, s := range p.ttls {
		if s.off >= off && strings.TrimSpace(p.orig[off:s.off]) == "" {
			return true
		}
	}
	return false
}

func (p *prepared) note(c Construct, off int) {
	p.found = append(p.found, Workaround{Construct: c, Pos: Pos{Offset: off}})
}

// blank replaces p.b[from:to] with spaces, keeping newlines.
func (p *prepared) blank(from, to int) {
	for i := from; i < to; i++ {
		if p.b[i] != '\n' {
			p.b[i] = ' '
		}
	}
}

// result is a Result for stmt from p, without AST or Gap.
func (p *prepared) result(stmt Statement) *Result {
	r := &Result{Stmt: stmt, Text: p.text(), names: p.names}
	for _, w := range p.found {
		r.Workarounds = append(r.Workarounds, Workaround{Construct: w.Construct, Pos: stmt.PosAt(w.Pos.Offset)})
	}
	for _, s := range p.settings {
		r.Settings = append(r.Settings, s.at(stmt))
	}
	return r
}

// prepare rewrites a statement (without comments; toks are its tokens) for
// AfterShip.
func prepare(text string, toks []sqlTok) *prepared {
	if q := windowViewQuery(toks); q > 0 {
		// CREATE WINDOW VIEW, which AfterShip has no node for: its clauses
		// before AS are the server's to check (engines, WATERMARK,
		// ALLOWED_LATENESS); the query is checked on its own.
		p := newPrepared(text)
		p.blank(toks[0].off, toks[q-1].end)
		p.note(ConstructWindowView, toks[0].off)
		p.rewriteInline(toks[q:])
		return p
	}
	switch {
	case len(toks) > 0 && (toks[0].is("CREATE") || toks[0].is("ATTACH")):
		return prepareCreate(text, toks)
	case len(toks) > 1 && toks[0].is("ALTER") && toks[1].is("TABLE"):
		return prepareAlter(text, toks)
	}
	p := newPrepared(text)
	if len(toks) > 1 && toks[0].is("EXPLAIN") && !explainKinds[toks[1].upper()] {
		// EXPLAIN SELECT …: AfterShip wants a kind; the statement after
		// EXPLAIN is checked on its own.
		p.blank(toks[0].off, toks[0].end)
		p.note(ConstructExplain, toks[0].off)
		p.rewriteInline(toks[1:])
		return p
	}
	if len(toks) > 0 && toks[0].is("INSERT") {
		p.insert(toks)
	}
	p.outputClauses(toks)
	if n := len(toks); n > 2 && toks[0].is("DETACH") && toks[n-1].is("PERMANENTLY") {
		p.blank(toks[n-1].off, toks[n-1].end)
		p.note(ConstructPermanently, toks[n-1].off)
	}
	p.rewriteInline(toks)
	return p
}

func newPrepared(text string) *prepared {
	return &prepared{orig: text, b: []byte(text), ephemeral: map[string]bool{}, marks: map[int]string{}, names: map[string]string{},
		intervals: map[string]interval{}}
}

// prepareCreate rewrites a CREATE or ATTACH statement.
func prepareCreate(text string, toks []sqlTok) *prepared {
	p := newPrepared(text)
	p.lambdaParams(toks)
	p.tableQuery(toks)
	p.dictionaryKeys(toks)
	p.refresh(toks)
	p.cloneAs(toks)
	p.descendingKey(toks)
	p.noEngine(toks)
	p.queryClauses(toks)
	p.sqlSecurity(toks)
	p.viewNoEngine(scanSQL(p.text()))
	p.createElements(toks)
	if !isCreateDictionary(toks) {
		// A dictionary has no TTL (RANGE(MIN ttl MAX b) names a column).
		p.extractTTLs(scanSQL(p.text()))
	}
	p.rewriteInline(scanSQL(p.text()))
	return p
}

// prepareAlter rewrites an ALTER TABLE statement.
func prepareAlter(text string, toks []sqlTok) *prepared {
	p := newPrepared(text)
	c := &cursor{toks: toks}
	c.accept("ALTER", "TABLE")
	if _, ok := c.qualified(); !ok {
		return p
	}
	if _, ok := c.cluster(); !ok {
		return p
	}
	rest, parens := alterCommandTokens(toks[c.i:])
	settingsAt := trailingSettings(toks[c.i:])
	for _, t := range parens {
		p.b[t.off] = ' '
	}
	if len(parens) > 0 {
		p.note(ConstructAlterParens, parens[0].off)
	}
	p.extractTTLs(toks)
	p.alterTypes(rest)
	p.blankCodecs(scanSQL(p.text()))
	p.partitions(rest)
	if settingsAt >= 0 {
		s := toks[c.i+settingsAt:]
		p.settings = parseSettings(text, s[1:])
		p.blank(s[0].off, s[len(s)-1].end)
		p.note(ConstructAlterSettings, s[0].off)
	}
	p.rewriteInline(scanSQL(p.text()))
	return p
}

// partitions rewrites the partition forms AfterShip cannot read in an
// ALTER's commands: PARTITION ALL (on which it panics) becomes
// PARTITION 000, and PARTITION ID 'id' loses its ID. Commands on PART
// 'name' are keyword commands (alterKeywordCommands). None of them changes
// the schema.
func (p *prepared) partitions(toks []sqlTok) {
	for i := 0; i+1 < len(toks); i++ {
		if !toks[i].is("PARTITION") {
			continue
		}
		switch n := toks[i+1]; {
		case n.is("ALL"):
			copy(p.b[n.off:n.end], "000")
			p.note(ConstructPartition, n.off)
		case n.is("ID") && i+2 < len(toks) && toks[i+2].kind == 's':
			p.blank(n.off, n.end)
			p.note(ConstructPartition, n.off)
		}
	}
}

// ttlClauseAt reports whether the word TTL at toks[i] starts a TTL clause
// rather than naming a table or column (issue 11: a table named ttl): a
// clause follows an expression, a type or MODIFY, and is followed by an
// expression.
func ttlClauseAt(toks []sqlTok, i int) bool {
	if i == 0 || i+1 >= len(toks) {
		return false
	}
	switch n := toks[i+1]; n.kind {
	case '.', ',', ')', ';':
		return false
	case 'w':
		if (n.is("TO") || n.is("AFTER") || n.is("FIRST")) && (i+2 >= len(toks) || toks[i+2].kind == 'w' || toks[i+2].kind == 'q') {
			// RENAME TABLE ttl TO x, RENAME COLUMN ttl TO x, DEFAULT ttl
			// AFTER x; not TTL after + toIntervalDay(1), where the word
			// after TTL is a column the expression starts with.
			return false
		}
	}
	p := toks[i-1]
	if p.kind == 'w' {
		switch p.upper() {
		case "MODIFY":
			return true
		case "TABLE", "COLUMN", "EXISTS", "AFTER", "VIEW", "DICTIONARY", "INDEX", "PROJECTION", "FROM", "JOIN", "AS", "TO",
			"INTO", "AND", "CONSTRAINT":
			// Unless a column of that name ends a key: PRIMARY KEY to TTL …
			return i >= 2 && (toks[i-2].is("KEY") || toks[i-2].is("BY") || toks[i-2].kind == ',')
		}
	}
	return isOperandEnd(p)
}

// columnTailKeywords end a column definition's default expression.
var columnTailKeywords = map[string]bool{
	"COMMENT": true, "CODEC": true, "TTL": true, "PRIMARY": true, "SETTINGS": true, "STATISTICS": true,
	"FIRST": true, "AFTER": true,
}

// columnPropertyWords start a column property.
var columnPropertyWords = map[string]bool{"DEFAULT": true, "MATERIALIZED": true, "ALIAS": true,
	"EPHEMERAL": true, "COMMENT": true, "CODEC": true, "TTL": true}

// rewriteInline rewrites the constructs that may appear in any statement:
// multi-word types, NULLS FIRST/LAST, Enum lists, EPHEMERAL, MOD and DIV.
func (p *prepared) rewriteInline(toks []sqlTok) {
	p.settingFloats(toks)
	for _, sp := range intervalSpans(p.text(), toks) {
		copy(p.b[sp.from:sp.to], addInterval(p.intervals, sp.to-sp.from, sp.iv))
		p.note(ConstructInterval, sp.from)
	}
	p.oneTuples(toks)
	p.queryOperandNames(toks)
	segStart := 0 // index of the first token of the current comma segment
	depth := 0
	segAtDepth := map[int]int{}
	for i, t := range toks {
		if t.off < len(p.b) && p.b[t.off] == ' ' {
			continue // blanked: taken out already
		}
		switch t.kind {
		case '(':
			depth++
			segAtDepth[depth] = i + 1
		case ')':
			depth--
		case ',':
			segAtDepth[depth] = i + 1
		case 'n':
			// 1_000_000, 1_000.5: the number without separators, then
			// spaces.
			if digits, ok := separated(t.text); ok {
				copy(p.b[t.off:t.end], digits+strings.Repeat(" ", len(t.text)-len(digits)))
				p.note(ConstructNumberSeparators, t.off)
			}
			if blankHexFloats(p.b, p.orig, toks[i:i+1]) {
				p.note(ConstructHexFloat, t.off)
			}
		}
		segStart = segAtDepth[depth]
		if t.kind != 'w' {
			continue
		}
		if _, ok := p.names[string(p.b[t.off:t.end])]; ok {
			continue // a name, given a placeholder already
		}
		if isDigit(t.text[0]) {
			// 02725_cnf: AfterShip reads a number.
			p.placeholder(t, ConstructDigitName)
			continue
		}
		if i > 0 && objectNameAt(toks, i) {
			// A table, never an operator (FROM mod WHERE …).
			if isReservedTableName(t.text) || (toks[i-1].is("FROM") || toks[i-1].is("JOIN")) && isReservedInFrom(t.text) {
				p.placeholder(t, ConstructKeywordTable)
			}
			continue
		}
		// Multi-word type names become one word: INT UNSIGNED →
		// INT_UNSIGNED, CHARACTER LARGE OBJECT → CHARACTER_LARGE_OBJECT.
		if joinTypeWords(p.b, p.orig, toks, i) {
			p.note(ConstructTypeWords, t.off)
		}
		switch t.upper() {
		case "OUTER":
			// ANY LEFT OUTER JOIN: AfterShip reads OUTER only without a
			// strictness; the server prints ANY LEFT JOIN (issue 11 F57,
			// ClickHouse test 01050).
			if i >= 2 && i+1 < len(toks) && toks[i+1].is("JOIN") && (toks[i-1].is("LEFT") || toks[i-1].is("RIGHT") || toks[i-1].is("FULL")) &&
				(toks[i-2].is("ANY") || toks[i-2].is("ALL") || toks[i-2].is("ASOF") || toks[i-2].is("SEMI") || toks[i-2].is("ANTI")) {
				p.blank(t.off, t.end)
				p.note(ConstructJoinStrictness, t.off)
			}
		case "UNSIGNED", "SIGNED":
			// INT(11) UNSIGNED: AfterShip reads the width, not the word
			// after it; the type is normalised from the original text
			// (issue 11 F50).
			if i >= 3 && toks[i-1].kind == ')' {
				if o := openingParen(toks, i-1); o >= 1 && toks[o-1].kind == 'w' {
					if _, ok := typeAlias(strings.ToUpper(toks[o-1].text) + " " + t.upper()); ok {
						p.blank(t.off, t.end)
						p.note(ConstructTypeWords, t.off)
					}
				}
			}
		case "NULLS":
			if i+1 < len(toks) && (toks[i+1].is("FIRST") || toks[i+1].is("LAST")) {
				p.marks[t.off] = "NULLS " + toks[i+1].upper()
				p.blank(t.off, toks[i+1].end)
				p.note(ConstructNulls, t.off)
			}
		case "ENUM", "ENUM8", "ENUM16":
			// AfterShip reads only some Enum value lists; the type is
			// normalised from the original text, so give it a dummy list.
			if i+1 < len(toks) && toks[i+1].kind == '(' {
				if j := closingParen(toks, i+1); j >= 0 {
					from, to := toks[i+1].off, toks[j].end
					if to-from >= 7 {
						p.blank(from, to)
						copy(p.b[from:], "('a'=1")
						p.b[to-1] = ')'
					}
				}
			}
		case "EPHEMERAL":
			if tableNameAt(toks, i) || depth == 0 && !alterColumnAt(toks, segStart, i) || i > 0 && toks[i-1].is("AFTER") {
				continue // a name (a table called EPHEMERAL, AFTER ephemeral), no column's
			}
			name := ""
			// The column name is the first token of the segment, or the
			// token after ADD/MODIFY COLUMN [IF NOT EXISTS] in an ALTER.
			j := segStart
			for k := segStart; k+1 < i; k++ {
				if toks[k].is("COLUMN") && k > 0 && (toks[k-1].is("ADD") || toks[k-1].is("MODIFY")) {
					// ALTER TABLE t ADD|MODIFY COLUMN [IF [NOT] EXISTS] name
					j = k + 1
					if toks[j].is("IF") {
						j++
						if toks[j].is("NOT") {
							j++
						}
						j++
					}
					break
				}
			}
			if j >= i {
				continue // the column's name (a column called ephemeral)
			}
			name = identText(toks[j])
			if n, ok := p.names[name]; ok {
				name = n // a keyword name's placeholder (a column called not)
			}
			p.ephemeral[name] = true
			repl := "         " // nine spaces: EPHEMERAL without an expression
			if i+1 < len(toks) {
				n := toks[i+1]
				if n.kind != ',' && n.kind != ')' && !(n.kind == 'w' && columnTailKeywords[n.upper()]) {
					repl = "DEFAULT  "
				}
			}
			copy(p.b[t.off:t.end], repl)
			p.note(ConstructEphemeral, t.off)
		case "EXCEPT", "APPLY":
			// "* EXCEPT x" and "COLUMNS(…) APPLY f": the spaces around
			// the one name become parentheses.
			if i > 0 && i+1 < len(toks) && (toks[i-1].kind == '*' || toks[i-1].kind == ')') {
				x := toks[i+1]
				if x.isName() && !x.is("SELECT") && x.off > t.end && x.end < len(p.b) && strings.IndexByte(" \t\r\n", p.b[x.end]) >= 0 &&
					(i+2 >= len(toks) || toks[i+2].kind != '(') {
					p.b[x.off-1], p.b[x.end] = '(', ')'
					p.note(ConstructTransformer, t.off)
					if x.kind == 'w' && isReservedWord(x.text) {
						p.placeholder(x, ConstructKeywordColumn) // * EXCEPT to
					}
				}
			}
		case "CASE":
			// CASE -x WHEN: AfterShip reads no sign there. The spaces
			// around the operand become parentheses, which the formatter
			// drops again (caseOperandMark).
			if i+1 < len(toks) && toks[i+1].kind == '-' && t.end < len(p.b) && p.b[t.end] == ' ' {
				if j := caseOperandEnd(toks, i+1); j > 0 && strings.IndexByte(" \t\r\n", p.b[toks[j].off-1]) >= 0 && toks[j].off-1 > toks[j-1].end-1 {
					p.b[t.end], p.b[toks[j].off-1] = '(', ')'
					p.marks[t.end] = caseOperandMark
					p.note(ConstructCaseNegative, t.off)
				}
			}
		case "QUALIFY":
			p.qualify(toks, i)
		case "MOD", "DIV":
			if i > 0 && i+1 < len(toks) && toks[i+1].kind != '(' && isOperandEnd(toks[i-1]) && !namesNext[toks[i-1].upper()] {
				copy(p.b[t.off:t.end], "%  ")
				if t.upper() == "DIV" {
					// The formatter prints this "%" as intDiv(a, b).
					p.marks[-t.off-1] = "DIV"
				}
				p.note(ConstructMod, t.off)
			}
		}
	}
}

// namesNext are the words after which a word is a name, not an operator
// (ADD COLUMN MOD Int16: a column called MOD).
var namesNext = map[string]bool{"COLUMN": true, "AFTER": true, "EXISTS": true, "INDEX": true, "PROJECTION": true,
	"CONSTRAINT": true, "TABLE": true, "VIEW": true, "DICTIONARY": true, "DATABASE": true, "AS": true}

// tupleKeywords are the words after which a parenthesis opens an
// expression, not a call's arguments.
var tupleKeywords = map[string]bool{"SELECT": true, "DEFAULT": true, "MATERIALIZED": true, "ALIAS": true, "WHERE": true,
	"PREWHERE": true, "HAVING": true, "AND": true, "OR": true, "NOT": true, "IN": true, "BY": true, "THEN": true, "ELSE": true,
	"WHEN": true, "CASE": true, "ON": true, "CHECK": true, "ASSUME": true, "DISTINCT": true, "TTL": true, "AS": true, "LIKE": true}

// oneTuples rewrites a one-element tuple (x,), which AfterShip reads as
// (x), to (x ) and marks its parenthesis: the formatter prints tuple(x),
// as the server does (issue 11 F23: (*,).1 in a view).
func (p *prepared) oneTuples(toks []sqlTok) {
	var opens []int // indexes of the open parentheses
	commas := map[int]int{}
	for i, t := range toks {
		switch t.kind {
		case '(':
			opens = append(opens, i)
		case ')':
			if len(opens) == 0 {
				return
			}
			open := opens[len(opens)-1]
			opens = opens[:len(opens)-1]
			n := commas[open]
			delete(commas, open)
			if n != 1 || i < 2 || toks[i-1].kind != ',' || i-1 == open+1 {
				continue
			}
			// Not a call's argument list: f(x,) is no tuple.
			if open > 0 {
				if prev := toks[open-1]; prev.kind == 'q' || prev.kind == ')' || prev.kind == ']' || prev.kind == 'w' && !tupleKeywords[prev.upper()] {
					continue
				}
			}
			p.b[toks[i-1].off] = ' '
			p.marks[toks[open].off] = "TUPLE"
		case ',':
			if len(opens) > 0 {
				commas[opens[len(opens)-1]]++
			}
		}
	}
}

func isAlterWord(w string) bool {
	switch w {
	case "ADD", "MODIFY", "COLUMN", "IF", "NOT", "EXISTS":
		return true
	}
	return false
}

func isOperandEnd(t sqlTok) bool {
	switch t.kind {
	case 'n', 's', 'q', ')', ']':
		return true
	case 'w':
		switch t.upper() {
		case "SELECT", "WHERE", "AND", "OR", "NOT", "BY", "ON", "WHEN", "THEN", "ELSE", "CASE", "DEFAULT", "MATERIALIZED", "ALIAS",
			"KEY": // PRIMARY KEY div: a column called div
			return false
		}
		return true
	}
	return false
}

// trimPlacement cuts a trailing FIRST or AFTER name from an ALTER action's
// tokens and returns the remaining tokens with the placement.
func trimPlacement(toks []sqlTok) (rest []sqlTok, after string, first bool) {
	n := len(toks)
	if n >= 2 && toks[n-2].is("AFTER") {
		// AFTER first: a column called first.
		return toks[:n-2], identText(toks[n-1]), false
	}
	if n >= 1 && toks[n-1].is("FIRST") {
		return toks[:n-1], "", true
	}
	return toks, "", false
}

// alterCommandTokens returns the commands of an ALTER TABLE from toks, the
// tokens after the table name and ON CLUSTER: without a trailing SETTINGS,
// and without the parentheses of ALTER TABLE t (command), (command), …,
// which it returns as parens.
func alterCommandTokens(toks []sqlTok) (cmds, parens []sqlTok) {
	if k := trailingSettings(toks); k >= 0 {
		toks = toks[:k]
	}
	if len(toks) == 0 || toks[0].kind != '(' {
		return toks, nil
	}
	drop := map[int]bool{}
	for _, seg := range splitTopLevel(toks) {
		if len(seg) < 3 || seg[0].kind != '(' || closingParen(seg, 0) != len(seg)-1 {
			return toks, nil
		}
		drop[seg[0].off], drop[seg[len(seg)-1].off] = true, true
		parens = append(parens, seg[0], seg[len(seg)-1])
	}
	for _, t := range toks {
		if !drop[t.off] {
			cmds = append(cmds, t)
		}
	}
	return cmds, parens
}

// trailingSettings finds a statement-level "SETTINGS name = value, ..."
// at the end of an ALTER's tokens and returns the index where it starts, or
// -1.
func trailingSettings(toks []sqlTok) int {
	depth := 0
	for i, t := range toks {
		switch t.kind {
		case '(':
			depth++
		case ')':
			depth--
		case 'w':
			if depth == 0 && t.is("QUERY") && i > 0 && toks[i-1].is("MODIFY") {
				return -1 // the SETTINGS of MODIFY QUERY's SELECT are the query's
			}
			if depth == 0 && t.is("REFRESH") && i > 0 && toks[i-1].is("MODIFY") {
				return -1 // the SETTINGS of MODIFY REFRESH are the refresh's
			}
			if depth == 0 && t.upper() == "SETTINGS" && i+2 < len(toks) && (toks[i+1].kind == 'w' || toks[i+1].kind == 'q') && toks[i+2].kind == '=' {
				// SETTINGS name = …; not CHECK settings >= 1.
				return i
			}
		}
	}
	return -1
}

// rawSetting is a Setting at an offset of its text.
type rawSetting struct {
	name, value string
	off         int
}

func (s rawSetting) at(stmt Statement) Setting {
	return Setting{Name: s.name, Value: s.value, Pos: stmt.PosAt(s.off)}
}

// parseSettings reads name = value, … from toks of text.
func parseSettings(text string, toks []sqlTok) []rawSetting {
	var out []rawSetting
	for _, seg := range splitTopLevel(toks) {
		if len(seg) < 3 || !seg[0].isName() || seg[1].kind != '=' {
			return out
		}
		out = append(out, rawSetting{identText(seg[0]), text[seg[2].off:seg[len(seg)-1].end], seg[0].off})
	}
	return out
}

// alterActionWords begin an ALTER action; a comma segment that begins with
// anything else continues the previous action (MODIFY SETTING a = 1, b = 2).
var alterActionWords = map[string]bool{
	"ADD": true, "DROP": true, "MODIFY": true, "RENAME": true, "CLEAR": true, "COMMENT": true,
	"UPDATE": true, "DELETE": true, "MATERIALIZE": true, "REMOVE": true, "RESET": true,
	"ATTACH": true, "DETACH": true, "FREEZE": true, "UNFREEZE": true, "REPLACE": true,
	"MOVE": true, "FETCH": true, "APPLY": true, "EXCHANGE": true, "UNLOCK": true,
	"FORGET": true, "REWRITE": true, "EXECUTE": true, "ALTER": true,
}

// actionSegments groups an ALTER's action tokens into actions.
func actionSegments(toks []sqlTok) [][]sqlTok {
	var out [][]sqlTok
	for _, seg := range splitTopLevel(toks) {
		if len(seg) == 0 {
			continue
		}
		if len(out) > 0 && !(seg[0].kind == 'w' && alterActionWords[seg[0].upper()]) {
			last := out[len(out)-1]
			// Re-join with the comma between them.
			merged := append(append([]sqlTok{}, last...), sqlTok{kind: ',', off: seg[0].off - 1, end: seg[0].off})
			out[len(out)-1] = append(merged, seg...)
			continue
		}
		out = append(out, seg)
	}
	return out
}

// tableElement is an INDEX, CONSTRAINT, PROJECTION or PRIMARY KEY element
// of a CREATE TABLE column list, blanked by createElements.
type tableElement struct {
	kind string // INDEX, CONSTRAINT, PROJECTION, PRIMARY
	toks []sqlTok
}

// createElements rewrites a CREATE's column list and CODECs:
// INDEX/CONSTRAINT/PROJECTION/PRIMARY KEY elements are blanked and kept in
// p.elems; column names that are keywords become placeholders (p.names);
// types with arguments become a placeholder type; long CODEC lists become
// CODEC(NONE); a trailing COMMENT 'x' after a view's query is blanked and
// kept in p.comment.
func (p *prepared) createElements(toks []sqlTok) {
	var kwCols map[string]bool // the columns named with a keyword
	// The column list: the first parenthesised group at depth 0, unless
	// the statement is CREATE TABLE x AS y.
	open := -1
	for i, t := range toks {
		if t.kind == '(' {
			open = i
			break
		}
		if (t.is("AS") || t.is("ENGINE")) && !tableNameAt(toks, i) {
			break // not a table called engine
		}
	}
	dictionary := isCreateDictionary(toks)
	if open >= 0 {
		end := closingParen(toks, open)
		if end < 0 {
			end = len(toks)
		}
		segs := splitTopLevel(toks[open+1 : end])
		pos := open + 1
		for si, seg := range segs {
			if len(seg) == 0 {
				pos++
				continue
			}
			head := ""
			if seg[0].kind == 'w' {
				head = seg[0].upper()
			}
			if head == "PRIMARY" && !(len(seg) > 1 && seg[1].is("KEY")) || dictionary {
				// A column named PRIMARY (the others are keywords there),
				// or an attribute: a dictionary has no other elements, so
				// constraint String is an attribute called constraint.
				head = ""
			}
			switch head {
			case "INDEX", "CONSTRAINT", "PROJECTION", "PRIMARY":
				p.elems = append(p.elems, tableElement{kind: head, toks: seg})
				from, to := seg[0].off, seg[len(seg)-1].end
				// Take a comma with it: the one before, else the one after.
				if si > 0 {
					from = toks[pos-1].off
				} else if si+1 < len(segs) {
					to = toks[pos+len(seg)].end
				}
				p.blank(from, to)
				p.noteElement(head, seg)
			default:
				if seg[0].kind == 'w' && isReservedWord(seg[0].text) {
					p.placeholder(seg[0], ConstructKeywordColumn)
				}
				if (seg[0].kind == 'w' || seg[0].kind == 'q') && isReservedWord(identText(seg[0])) {
					if kwCols == nil {
						kwCols = map[string]bool{}
					}
					kwCols[identText(seg[0])] = true
				}
				p.columnSettings(seg)
				p.columnStatistics(seg)
				seg = p.columnPrimaryKey(seg)
				seg = p.nullModifier(seg)
				if !p.typeless(seg, 1) {
					p.blankType(seg, 1)
				}
			}
			pos += len(seg) + 1
		}
		p.defaultNames(segs)
		if end+1 < len(toks) {
			p.keyClauseNames(toks[end+1:], kwCols)
		}
	}
	p.blankCodecs(toks)
	// A trailing COMMENT 'x' after a view's query.
	if n := len(toks); n >= 2 && toks[n-1].kind == 's' && toks[n-2].is("COMMENT") {
		isView := false
		for i := 1; i < len(toks) && i < 5; i++ {
			if toks[i].is("VIEW") && viewKindAt(toks, i) { // not CREATE TABLE view (view Date)
				isView = true
			}
		}
		if isView {
			c := toks[n-1]
			p.comment = &c
			p.blank(toks[n-2].off, toks[n-1].end)
			p.note(ConstructViewComment, toks[n-2].off)
		}
	}
}

// noteElement records what AfterShip rejects in a blanked element.
func (p *prepared) noteElement(head string, seg []sqlTok) {
	switch head {
	case "CONSTRAINT":
		for _, t := range seg {
			if t.is("ASSUME") {
				p.note(ConstructConstraint, seg[0].off)
			}
		}
	case "INDEX":
		granularity := false
		for i, t := range seg {
			if t.is("GRANULARITY") {
				granularity = true
			}
			if t.is("TYPE") && i+4 < len(seg) && seg[i+2].kind == '(' && seg[i+3].isName() && seg[i+4].kind == '=' {
				p.note(ConstructIndexArgs, seg[i+3].off)
			}
		}
		if !granularity {
			p.note(ConstructGranularity, seg[0].off)
		}
	}
}

// caseOperandMark marks the parentheses the gap layer put around a CASE
// operand.
const caseOperandMark = "CASE operand"

// caseOperandEnd returns the index of the WHEN that ends the CASE operand
// starting at toks[from], or -1.
func caseOperandEnd(toks []sqlTok, from int) int {
	depth, cases := 0, 0
	for j := from; j < len(toks); j++ {
		switch t := toks[j]; {
		case t.kind == '(' || t.kind == '[':
			depth++
		case t.kind == ')' || t.kind == ']':
			depth--
			if depth < 0 {
				return -1
			}
		case t.kind == 'w' && depth == 0 && t.is("CASE"):
			cases++
		case t.kind == 'w' && depth == 0 && t.is("END") && cases > 0:
			cases--
		case t.kind == 'w' && depth == 0 && cases == 0 && t.is("WHEN"):
			return j
		}
	}
	return -1
}

// expressionKeywords are the words that have a meaning of their own inside
// an expression: a column of such a name, written bare there, is read as
// the keyword (by the server too).
var expressionKeywords = map[string]bool{"CASE": true, "WHEN": true, "THEN": true, "ELSE": true, "END": true, "AND": true,
	"OR": true, "NOT": true, "IN": true, "IS": true, "NULL": true, "LIKE": true, "ILIKE": true, "BETWEEN": true, "AS": true,
	"INTERVAL": true, "DISTINCT": true, "TRUE": true, "FALSE": true, "GLOBAL": true, "ANY": true, "ALL": true, "FROM": true,
	"SELECT": true, "EXISTS": true, "COLLATE": true, "DIV": true, "MOD": true, "ASC": true, "DESC": true, "OVER": true,
	"DEFAULT": true, "MATERIALIZED": true, "ALIAS": true, "EPHEMERAL": true, "COMMENT": true, "CODEC": true, "TTL": true,
	"SETTINGS": true, "STATISTICS": true, "PRIMARY": true, "KEY": true}

// defaultNames gives placeholders to the bare names of columns that
// AfterShip reads as keywords in an expression, in the column defaults of a
// column list: ALIAS CASE INTERSECT WHEN … reads a column called INTERSECT.
func (p *prepared) defaultNames(segs [][]sqlTok) {
	kwCols := map[string]bool{}
	for _, seg := range segs {
		if len(seg) > 1 && seg[0].isName() && isReservedInExpr(identText(seg[0])) {
			kwCols[identText(seg[0])] = true
		}
	}
	if len(kwCols) == 0 {
		return
	}
	for _, seg := range segs {
		in := false
		for k, t := range seg {
			if k == 0 || t.kind != 'w' {
				continue
			}
			if !in {
				in = t.is("DEFAULT") || t.is("MATERIALIZED") || t.is("ALIAS") || t.is("EPHEMERAL")
				continue
			}
			if !kwCols[t.text] || expressionKeywords[t.upper()] || p.b[t.off] != t.text[0] ||
				k+1 < len(seg) && (seg[k+1].kind == '(' || seg[k+1].kind == '.') || seg[k-1].kind == '.' {
				continue
			}
			p.placeholder(t, ConstructKeywordColumn)
		}
	}
}

// keyClauseNames gives placeholders to the bare names of keyword columns
// (kwCols) in the key clauses after a column list: ORDER BY cross.
func (p *prepared) keyClauseNames(toks []sqlTok, kwCols map[string]bool) {
	if len(kwCols) == 0 {
		return
	}
	clauseAt := func(i int) bool {
		if i+1 >= len(toks) || toks[i].kind != 'w' {
			return false
		}
		switch {
		case toks[i].is("ORDER") || toks[i].is("PARTITION") || toks[i].is("SAMPLE"):
			return toks[i+1].is("BY")
		case toks[i].is("PRIMARY"):
			return toks[i+1].is("KEY")
		}
		return false
	}
	depth, in := 0, false
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		switch t.kind {
		case '(':
			depth++
			continue
		case ')':
			depth--
			continue
		}
		if depth == 0 && t.kind == 'w' {
			if clauseAt(i) {
				in = true
				i++
				continue
			}
			if t.is("ENGINE") || t.is("TTL") || t.is("SETTINGS") || t.is("COMMENT") || t.is("AS") || t.is("EMPTY") || t.is("POPULATE") {
				in = false
				continue
			}
		}
		if in && t.kind == 'w' && kwCols[t.text] && !(i+1 < len(toks) && (toks[i+1].kind == '(' || toks[i+1].kind == '.')) && !(i > 0 && toks[i-1].kind == '.') {
			p.placeholder(t, ConstructKeywordColumn)
		}
	}
}

// placeholder gives a keyword name a same-length placeholder.
func (p *prepared) placeholder(t sqlTok, c Construct) {
	ph := placeholder(len(t.text), len(p.names))
	p.names[ph] = t.text
	copy(p.b[t.off:t.end], ph)
	p.note(c, t.off)
}

// objectNameAt reports whether toks[i] is the unqualified name of a table,
// view or dictionary: after TABLE, VIEW, DICTIONARY, INTO or IF [NOT]
// EXISTS, after TO in RENAME and CREATE … VIEW … TO, or after FROM or JOIN.
func objectNameAt(toks []sqlTok, i int) bool {
	if i+1 < len(toks) && toks[i+1].kind == '.' || toks[i-1].kind == '.' {
		return false
	}
	if toks[i].is("IF") && i+1 < len(toks) && (toks[i+1].is("NOT") || toks[i+1].is("EXISTS")) {
		return false
	}
	prev := toks[i-1]
	switch {
	case prev.is("INTO"):
		return true
	case prev.is("AS"):
		// CREATE TABLE t AS other [ENGINE …]: a table called with (AS WITH).
		return toks[0].is("CREATE") && len(toks) > 1 && (toks[1].is("TABLE") || toks[1].is("OR")) &&
			(i+1 == len(toks) || toks[i+1].is("ENGINE") || toks[i+1].kind == ';')
	case prev.is("TABLE"), prev.is("VIEW"), prev.is("DICTIONARY"):
		// The word is the kind of a statement's object (CREATE VIEW, DROP
		// TABLE), not a name of its own (CREATE VIEW [db.]dictionary AS,
		// ORDER BY view SETTINGS).
		return i < 2 || kindVerbs[toks[i-2].upper()]
	case prev.is("EXISTS"):
		return i >= 2 && (toks[i-2].is("IF") || toks[i-2].is("NOT"))
	case prev.is("TO"):
		// RENAME a TO b, CREATE MATERIALIZED VIEW v TO t (not a column
		// called to: PRIMARY KEY to ORDER BY).
		if toks[0].is("RENAME") {
			return true
		}
		if !toks[0].is("CREATE") || !slices.ContainsFunc(toks[1:min(5, len(toks))], func(t sqlTok) bool { return t.is("VIEW") }) {
			return false
		}
		// The view's TO comes before its query (SELECT * EXCEPT to FROM).
		depth := 0
		for _, t := range toks[:i-1] {
			switch {
			case t.kind == '(':
				depth++
			case t.kind == ')':
				depth--
			case depth == 0 && t.is("AS"):
				return false
			}
		}
		return depth == 0
	case prev.is("FROM"), prev.is("JOIN"):
		// A table in a query (FROM window), not a table function nor
		// INSERT ... FROM INFILE. A FROM or JOIN where an operand goes is
		// a column of that name (PARTITION BY JOIN ORDER BY …).
		if i >= 2 && toks[i-2].is("AS") {
			return false // an alias called from (x AS from FROM t)
		}
		if i >= 2 && !isOperandEnd(toks[i-2]) && toks[i-2].text != "*" && !(i >= 3 && toks[i-3].is("AS")) {
			// After an alias (x AS on FROM t), it is still a table.
			return false
		}
		if i >= 2 && objectNameAt(toks, i-1) {
			return false // the FROM or JOIN is a table's name (FROM join LIMIT 10)
		}
		return !(i+1 < len(toks) && toks[i+1].kind == '(') && !toks[i].is("INFILE")
	}
	return false
}

// kindVerbs are the words after which TABLE, VIEW or DICTIONARY names the
// kind of a statement's object.
var kindVerbs = map[string]bool{"CREATE": true, "ATTACH": true, "DETACH": true, "DROP": true, "TRUNCATE": true, "RENAME": true,
	"OPTIMIZE": true, "ALTER": true, "CHECK": true, "DESCRIBE": true, "DESC": true, "SHOW": true, "EXISTS": true, "UNDROP": true,
	"INTO": true, "REPLACE": true, "TEMPORARY": true, "MATERIALIZED": true, "LIVE": true, "WINDOW": true, "BACKUP": true,
	"RESTORE": true, "RELOAD": true, "EXCHANGE": true}

// isReservedTableName reports whether AfterShip refuses word as a table
// name.
func isReservedTableName(word string) bool {
	return refusedAsName("CREATE TABLE %s (a UInt8) ENGINE = Memory", word)
}

// isReservedWord reports whether AfterShip refuses word as a bare
// identifier.
func isReservedWord(word string) bool {
	return refusedAsName("CREATE TABLE t (%s UInt8) ENGINE = Memory", word)
}

// isReservedInDictKey reports whether AfterShip refuses word as a
// dictionary's PRIMARY KEY, where the server prints a keyword unquoted
// (PRIMARY KEY WINDOW).
func isReservedInDictKey(word string) bool {
	return refusedAsName("CREATE DICTIONARY d (a UInt8) PRIMARY KEY %s SOURCE(NULL()) LAYOUT(FLAT()) LIFETIME(0)", word)
}

// dictionaryKeys gives keyword names after a dictionary's PRIMARY KEY
// placeholders.
func (p *prepared) dictionaryKeys(toks []sqlTok) {
	if !isCreateDictionary(toks) {
		return
	}
	depth := 0
	for i := 0; i+1 < len(toks); i++ {
		switch toks[i].kind {
		case '(':
			depth++
		case ')':
			depth--
		}
		if depth != 0 || !toks[i].is("PRIMARY") || !toks[i+1].is("KEY") {
			continue
		}
		for j := i + 2; j < len(toks); j++ {
			t := toks[j]
			switch {
			case t.kind == ',' || t.kind == '(' || t.kind == ')':
				continue
			case t.kind != 'w':
			case (t.is("SOURCE") || t.is("LAYOUT") || t.is("LIFETIME") || t.is("RANGE") || t.is("SETTINGS")) && j+1 < len(toks) && toks[j+1].kind == '(',
				t.is("COMMENT") && j+1 < len(toks) && toks[j+1].kind == 's':
				// The next clause; a key may be called settings.
				return
			case isReservedInDictKey(t.text):
				p.placeholder(t, ConstructKeywordColumn)
				continue
			default:
				continue
			}
			return
		}
	}
}

// isReservedInExpr reports whether AfterShip refuses word as a column in an
// expression.
func isReservedInExpr(word string) bool {
	return refusedAsName("SELECT CASE %s WHEN 1 THEN 2 END + 1", word)
}

// isReservedInAlter reports whether AfterShip refuses word as the column of
// ALTER TABLE ... ADD COLUMN.
func isReservedInAlter(word string) bool {
	return refusedAsName("ALTER TABLE t ADD COLUMN %s UInt8", word)
}

// refusedAsName parses form with word in place of %s, once per form and
// word.
func refusedAsName(form, word string) bool {
	key := form + "\x00" + strings.ToUpper(word)
	if v, ok := reservedCache.Load(key); ok {
		return v.(bool)
	}
	_, err := parseAfterShip(strings.Replace(form, "%s", word, 1))
	reservedCache.Store(key, err != nil)
	return err != nil
}

var reservedCache sync.Map

// placeholder returns an identifier of length n, numbered i, that is not a
// keyword.
func placeholder(n, i int) string {
	s := "Z" + strconv.Itoa(i)
	for len(s) < n {
		s += "_"
	}
	if len(s) > n {
		// Too short a keyword to replace with a numbered name: keep a
		// single letter (one-letter keywords do not occur).
		return strings.Repeat("Z", n)
	}
	return s
}

// ttlSpan is a TTL clause taken out of a statement: AfterShip v0.5.6 does
// not read every TTL form the server prints (a WHERE without DELETE, GROUP
// BY ... SET), so TTL clauses are blanked and read by readTTL.
type ttlSpan struct {
	off   int      // offset of the TTL keyword
	depth int      // parenthesis depth: 0 for a table TTL
	items []sqlTok // the tokens after TTL
}

// ttlStop are the words that end a table-level TTL clause.
var ttlStop = map[string]bool{"SETTINGS": true, "COMMENT": true, "PRIMARY": true, "ORDER": true,
	"PARTITION": true, "SAMPLE": true, "AS": true, "POPULATE": true, "EMPTY": true,
	"FIRST": true, "AFTER": true}

// ttlColumnStop are the words that end a column TTL.
var ttlColumnStop = map[string]bool{"COMMENT": true, "CODEC": true, "SETTINGS": true, "PRIMARY": true,
	"STATISTICS": true, "FIRST": true, "AFTER": true}

// extractTTLs blanks every TTL clause and keeps them in p.ttls.
func (p *prepared) extractTTLs(toks []sqlTok) {
	depth := 0
	alter := len(toks) > 0 && toks[0].is("ALTER")
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		switch t.kind {
		case '(':
			depth++
			continue
		case ')':
			depth--
			continue
		}
		if !t.is("TTL") || !ttlClauseAt(toks, i) {
			continue
		}
		// "REMOVE TTL" and "MODIFY COLUMN x REMOVE TTL" have no clause.
		if i > 0 && toks[i-1].is("REMOVE") {
			continue
		}
		// A column's TTL is one expression: a comma ends it, and the
		// column with it. A table's TTL is a list: a comma starts the next
		// rule (the server reads MODIFY TTL d, freeze + INTERVAL 1 DAY as
		// two rules), unless a command follows in an ALTER: an action's
		// keyword and another word (MODIFY TTL d, MODIFY TTL e).
		columnTTL := depth > 0 || alter && !(i > 0 && toks[i-1].is("MODIFY"))
		d := 0
		j := i + 1
	scan:
		for ; j < len(toks); j++ {
			switch toks[j].kind {
			case '(':
				d++
			case ')':
				if d == 0 {
					break scan
				}
				d--
			case ',':
				if d == 0 && columnTTL {
					break scan
				}
				if d == 0 && alter && j+2 < len(toks) && toks[j+1].kind == 'w' && alterActionWords[toks[j+1].upper()] && toks[j+2].kind == 'w' {
					break scan
				}
			case 'w':
				if d == 0 && columnTTL && toks[j].is("SETTINGS") && j+1 < len(toks) && toks[j+1].kind == '(' && isOperandEnd(toks[j-1]) {
					break scan // ADD COLUMN c T TTL … SETTINGS (…): the column's settings
				}
				// A word before ( is a function (empty(x), first(x)), not
				// a clause keyword; AS (SELECT ...) is the exception.
				// And a word that starts the expression, or follows an
				// operator, is a name (TTL settings + INTERVAL 1 DAY).
				if d == 0 && !(j+1 < len(toks) && toks[j+1].kind == '(' && !toks[j].is("AS")) && j > i+1 && isOperandEnd(toks[j-1]) {
					w := toks[j].upper()
					if w == "SETTINGS" && depth == 0 && !(j+2 < len(toks) && toks[j+2].kind == '=') {
						continue // SETTINGS name = value, or a column
					}
					if depth == 0 && ttlStop[w] {
						break scan
					}
					if depth > 0 && ttlColumnStop[w] {
						break scan
					}
				}
			}
		}
		if j == i+1 {
			continue
		}
		p.ttls = append(p.ttls, ttlSpan{off: t.off, depth: depth, items: toks[i+1 : j]})
		if i > 0 && toks[i-1].is("MODIFY") && !(i > 1 && toks[i-2].is("COLUMN")) {
			// ALTER ... MODIFY TTL needs its keyword and an expression:
			// the rules become a placeholder, 1.
			p.blank(toks[i+1].off, toks[j-1].end)
			p.b[toks[i+1].off] = '1'
		} else {
			p.blank(t.off, toks[j-1].end)
		}
		i = j - 1
	}
}

// lambdaParams rewrites "FUNCTION f AS x -> body", the server's form for
// one parameter, to "AS(x)-> body", which AfterShip reads; the length is
// kept when x has one space on each side.
func (p *prepared) lambdaParams(toks []sqlTok) {
	for i := 0; i+3 < len(toks); i++ {
		if !toks[i].is("FUNCTION") {
			continue
		}
		for j := i + 1; j+3 < len(toks); j++ {
			x := toks[j+1]
			if toks[j].is("AS") && x.isName() && toks[j+2].kind == '-' && toks[j+3].kind == '>' &&
				x.off == toks[j].end+1 && toks[j+2].off == x.end+1 {
				p.b[x.off-1] = '('
				copy(p.b[x.off:], x.text)
				p.b[x.end] = ')'
				p.note(ConstructLambda, x.off)
				return
			}
		}
	}
}

// tableQuery rewrites the query of CREATE TABLE ... AS WITH ... SELECT or
// AS (SELECT ...), which AfterShip cannot read there, as "SELECT 1" padded
// with spaces: the model does not know the columns of a table created from
// a query anyway (the conversion marks it uncertain). The query is still
// checked: one AfterShip rejects on its own is left for it to report.
func (p *prepared) tableQuery(toks []sqlTok) {
	kind := -1
	for i, t := range toks {
		if i > 5 || t.kind != 'w' {
			break
		}
		if t.is("TABLE") {
			kind = i
			break
		}
	}
	if kind < 0 {
		return
	}
	depth := 0
	for i := kind + 1; i+1 < len(toks); i++ {
		switch t := toks[i]; {
		case t.kind == '(':
			depth++
		case t.kind == ')':
			depth--
		case depth == 0 && t.is("AS"):
			next := toks[i+1]
			if !next.is("WITH") && next.kind != '(' {
				continue
			}
			from := next.off
			query := strings.TrimSpace(p.orig[from:])
			if next.kind == '(' {
				j := closingParen(toks, i+1)
				if j < 0 || j != len(toks)-1 {
					return
				}
				query = strings.TrimSpace(p.orig[next.end:toks[j].off])
			}
			if _, err := parseOne(query); err != nil {
				return
			}
			p.blank(from, len(p.b))
			copy(p.b[from:], "SELECT 1")
			p.note(ConstructTableQuery, from)
			return
		}
	}
}

// windowViewQuery returns the index of the token that starts the query of
// CREATE|ATTACH [OR REPLACE] WINDOW VIEW [IF NOT EXISTS] [db.]name … AS
// query, or 0 when toks are no such statement.
func windowViewQuery(toks []sqlTok) int {
	c := &cursor{toks: toks}
	if !c.accept("CREATE") && !c.accept("ATTACH") {
		return 0
	}
	c.accept("OR", "REPLACE")
	if !c.accept("WINDOW", "VIEW") {
		return 0
	}
	c.accept("IF", "NOT", "EXISTS")
	if _, ok := c.qualified(); !ok {
		return 0
	}
	depth := 0
	for i := c.i; i+1 < len(toks); i++ {
		switch t := toks[i]; {
		case t.kind == '(':
			depth++
		case t.kind == ')':
			depth--
		case depth == 0 && t.is("AS") && (toks[i+1].is("SELECT") || toks[i+1].is("WITH") || toks[i+1].kind == '('):
			return i + 1
		}
	}
	return 0
}

// explainKinds are the words after EXPLAIN that AfterShip reads.
var explainKinds = map[string]bool{"AST": true, "SYNTAX": true, "PLAN": true, "PIPELINE": true, "ESTIMATE": true}

// isCreateDictionary reports whether toks start CREATE [OR REPLACE]
// DICTIONARY.
func isCreateDictionary(toks []sqlTok) bool {
	for i, t := range toks {
		switch {
		case i > 4 || t.kind != 'w':
			return false
		case t.is("DICTIONARY"):
			return true
		case !t.is("CREATE") && !t.is("OR") && !t.is("REPLACE") && !t.is("ATTACH"):
			return false
		}
	}
	return false
}

// joinTypeWords joins, in b (src's rewritten text), the words of a
// multi-word type name starting at toks[i] with underscores, and reports
// whether there was one (CAST(x AS INT UNSIGNED) is read as INT_UNSIGNED,
// which the formatter spells again).
func joinTypeWords(b []byte, src string, toks []sqlTok, i int) bool {
	words := spacedWords(src, toks[i:])
	if len(words) < 2 {
		return false
	}
	n := multiWordType(words)
	if n < 2 {
		return false
	}
	for w := i; w < i+n-1; w++ {
		for k := toks[w].end; k < toks[w+1].off; k++ {
			b[k] = '_'
		}
	}
	return true
}

// spacedWords returns the texts of the words at the start of toks that are
// separated by spaces or tabs only, at most four.
func spacedWords(src string, toks []sqlTok) []string {
	var out []string
	for k, t := range toks {
		if t.kind != 'w' || len(out) == 4 || k > 0 && strings.Trim(src[toks[k-1].end:t.off], " \t") != "" {
			break
		}
		out = append(out, t.text)
	}
	return out
}

// blankType replaces the column type starting at seg[i] with "String"
// padded to the same length, when it has an argument list: AfterShip does
// not read every type (Dynamic(max_types=10), JSON settings, ...), and the
// type is normalised from the original text anyway.
func (p *prepared) blankType(seg []sqlTok, i int) {
	if i >= len(seg) || seg[i].kind != 'w' {
		return
	}
	j := i + multiWordType(spacedWords(p.orig, seg[i:]))
	if j >= len(seg) || seg[j].kind != '(' {
		return
	}
	if k := closingParen(seg, j); k >= 0 {
		from, to := seg[i].off, seg[k].end
		if to-from < len("String") || seg[i].is("Nested") {
			return
		}
		p.blank(from, to)
		copy(p.b[from:], "String")
		if k+1 < len(seg) && (seg[k+1].is("UNSIGNED") || seg[k+1].is("SIGNED")) {
			if _, ok := typeAlias(strings.ToUpper(seg[i].text) + " " + seg[k+1].upper()); ok {
				// INT(11) UNSIGNED (issue 11 F50).
				p.blank(seg[k+1].off, seg[k+1].end)
				p.note(ConstructTypeWords, seg[k+1].off)
			}
		}
	}
}

// alterTypes applies blankType to the types of ADD COLUMN and MODIFY
// COLUMN actions, and gives column names that are keywords a placeholder:
// after COLUMN [IF [NOT] EXISTS], AFTER, and RENAME COLUMN a TO.
func (p *prepared) alterTypes(toks []sqlTok) {
	for _, seg := range actionSegments(toks) {
		for i, t := range seg {
			if t.kind != 'w' || i == 0 || t.is("IF") && i+1 < len(seg) && (seg[i+1].is("EXISTS") || seg[i+1].is("NOT")) ||
				!isReservedInAlter(t.text) {
				continue
			}
			prev := seg[i-1]
			switch {
			case prev.is("EXISTS") && i >= 4 && seg[i-2].is("NOT"):
				prev = seg[i-4] // COLUMN IF NOT EXISTS name
			case prev.is("EXISTS") && i >= 3:
				prev = seg[i-3] // COLUMN IF EXISTS name
			}
			switch {
			case prev.is("COLUMN") || prev.is("AFTER") || prev.is("TO") && upperWords(seg, 2) == "RENAME COLUMN":
				p.placeholder(t, ConstructKeywordColumn)
			case (prev.is("INDEX") || prev.is("PROJECTION")) && i <= 5:
				// ADD|DROP|CLEAR|MATERIALIZE INDEX|PROJECTION [IF [NOT] EXISTS] name
				p.placeholder(t, ConstructKeywordColumn)
			}
		}
		if len(seg) < 4 {
			continue
		}
		head := upperWords(seg, 2)
		if head != "ADD COLUMN" && head != "MODIFY COLUMN" {
			continue
		}
		i := 2
		if seg[i].is("IF") {
			i += 2
			if seg[i-1].is("NOT") {
				i++
			}
		}
		if i >= len(seg) {
			continue
		}
		p.columnSettings(seg[i:])
		i++ // the name
		if i+1 < len(seg) && seg[i].kind == '.' {
			i += 2
		}
		if head == "ADD COLUMN" && p.typeless(seg, i) {
			continue
		}
		if i < len(seg) && seg[i].kind == 'w' && columnPropertyWords[seg[i].upper()] {
			continue
		}
		p.blankType(seg, i)
	}
}

// alterColumnAt reports whether toks[from:to] holds ADD|MODIFY COLUMN: the
// column definition of an ALTER.
func alterColumnAt(toks []sqlTok, from, to int) bool {
	for k := from; k+1 < to; k++ {
		if (toks[k].is("ADD") || toks[k].is("MODIFY")) && toks[k+1].is("COLUMN") {
			return true
		}
	}
	return false
}

// tableNameAt reports whether toks[i] is the name CREATE TABLE [IF NOT
// EXISTS] [db.]name gives (CREATE TABLE db.CODEC (...)), or CREATE
// DICTIONARY or VIEW.
func tableNameAt(toks []sqlTok, i int) bool {
	at := func(k int) bool {
		return k >= 0 && (toks[k].is("TABLE") || toks[k].is("DICTIONARY") || toks[k].is("VIEW") || toks[k].is("EXISTS"))
	}
	return at(i-1) || i >= 3 && toks[i-1].kind == '.' && at(i-3)
}

// blankCodecs blanks CODEC lists, which AfterShip cannot always read
// (ALP(AUTO)), to CODEC(NONE): the conversion reads them from the original
// text.
func (p *prepared) blankCodecs(toks []sqlTok) {
	for i := 0; i+1 < len(toks); i++ {
		if !toks[i].is("CODEC") || toks[i+1].kind != '(' || tableNameAt(toks, i) || i > 0 && toks[i-1].is("PROJECTION") {
			continue // not a CODEC list: a table or a projection called codec
		}
		if j := closingParen(toks, i+1); j >= 0 {
			from, to := toks[i+1].end, toks[j].off
			if to-from >= 4 {
				p.blank(from, to)
				copy(p.b[from:], "NONE")
			}
		}
	}
}

func upperWords(toks []sqlTok, n int) string {
	var ws []string
	for i := 0; i < len(toks) && i < n; i++ {
		ws = append(ws, strings.ToUpper(toks[i].text))
	}
	return strings.Join(ws, " ")
}

// openingParen returns the index of the parenthesis that toks[close] closes,
// or -1.
func openingParen(toks []sqlTok, close int) int {
	depth := 0
	for j := close; j >= 0; j-- {
		switch toks[j].kind {
		case ')':
			depth++
		case '(':
			depth--
			if depth == 0 {
				return j
			}
		}
	}
	return -1
}

// viewKindAt reports whether the VIEW at toks[i] says what a CREATE or
// ATTACH makes (CREATE OR REPLACE MATERIALIZED VIEW), rather than naming a
// table or a column.
func viewKindAt(toks []sqlTok, i int) bool {
	if i == 0 {
		return false
	}
	switch strings.ToUpper(toks[i-1].text) {
	case "CREATE", "ATTACH", "REPLACE", "MATERIALIZED", "LIVE", "WINDOW":
		return true
	}
	return false
}
