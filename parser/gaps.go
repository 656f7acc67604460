package parser

// This file is the one place where chschema works around AfterShip
// clickhouse-sql-parser v0.5.6 rejecting valid ClickHouse. Parse calls
// recogniseGap only after AfterShip has rejected a statement. It tries, in
// order:
//
//  1. Whole-statement forms AfterShip has no node for, returned as a typed
//     Gap: EXCHANGE TABLES/DICTIONARIES, DROP FUNCTION, RENAME … IF EXISTS,
//     and access-control statements (CREATE/ALTER/DROP USER, ROLE, QUOTA,
//     ROW POLICY, SETTINGS PROFILE; GRANT; REVOKE; SET [DEFAULT] ROLE),
//     which are recognised by their leading keywords only.
//  2. Token-level rewrites of constructs inside a statement, after which
//     AfterShip parses the statement again: the MOD operator, EPHEMERAL
//     columns, named arguments in an index TYPE, an index without
//     GRANULARITY, reserved keywords used as column names (`order`), and
//     SETTINGS after an ALTER command other than ADD COLUMN.
//  3. ALTER TABLE with COMMENT COLUMN or MODIFY COMMENT commands: the
//     commands are split at top-level commas; those two become typed values
//     and every other command is parsed by AfterShip.
//
// Anything else that AfterShip rejects is a syntax error, reported at
// AfterShip's position (or, when the lint command has a server, checked by
// the server's parser: see ServerParser).

import (
	"slices"
	"sort"
	"strings"

	clickhouse "github.com/AfterShip/clickhouse-sql-parser/parser"
)

// Construct names a ClickHouse construct that AfterShip v0.5.6 rejects and
// chschema recognises.
type Construct string

// The recognised constructs.
const (
	ConstructExchange       Construct = "EXCHANGE TABLES"
	ConstructDropFunction   Construct = "DROP FUNCTION"
	ConstructRenameIfExists Construct = "RENAME … IF EXISTS"
	ConstructAccessControl  Construct = "access-control statement"
	ConstructMod            Construct = "MOD operator"
	ConstructEphemeral      Construct = "EPHEMERAL column"
	ConstructIndexArgs      Construct = "named arguments in an index TYPE"
	ConstructGranularity    Construct = "index without GRANULARITY"
	ConstructKeywordColumn  Construct = "keyword as a column name"
	ConstructAlterSettings  Construct = "SETTINGS after an ALTER command"
	ConstructCommentColumn  Construct = "ALTER … COMMENT COLUMN"
	ConstructModifyComment  Construct = "ALTER … MODIFY COMMENT"
	ConstructAlterCommands  Construct = "ALTER TABLE with commands AfterShip rejects"
)

// Workaround is a recognised construct at a file position.
type Workaround struct {
	Construct Construct
	Pos       Pos
}

// Gap is a statement, or an ALTER command, that AfterShip has no node for:
// one of *ExchangeTables, *DropFunction, *RenameTables, *AccessControl,
// *AlterTable, *CommentColumn and *ModifyComment.
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

// RenameTables is RENAME TABLE|DICTIONARY|DATABASE IF EXISTS a TO b, ….
type RenameTables struct {
	Kind     string // TABLE, DICTIONARY or DATABASE
	IfExists bool
	Pairs    []RenamePair
	Cluster  string
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

// Construct names the form: ConstructExchange.
func (*ExchangeTables) Construct() Construct { return ConstructExchange }

// Construct names the form: ConstructDropFunction.
func (*DropFunction) Construct() Construct { return ConstructDropFunction }

// Construct names the form: ConstructRenameIfExists.
func (*RenameTables) Construct() Construct { return ConstructRenameIfExists }

// Construct names the form: ConstructAccessControl.
func (*AccessControl) Construct() Construct { return ConstructAccessControl }

// Construct names the form: ConstructAlterCommands.
func (*AlterTable) Construct() Construct { return ConstructAlterCommands }

// Construct names the form: ConstructCommentColumn.
func (*CommentColumn) Construct() Construct { return ConstructCommentColumn }

// Construct names the form: ConstructModifyComment.
func (*ModifyComment) Construct() Construct { return ConstructModifyComment }

func (*ExchangeTables) gap() {}
func (*DropFunction) gap()   {}
func (*RenameTables) gap()   {}
func (*AccessControl) gap()  {}
func (*AlterTable) gap()     {}
func (*CommentColumn) gap()  {}
func (*ModifyComment) gap()  {}

// tok is a significant token with its depth in parentheses.
type tok struct {
	Token
	text  string
	depth int
}

func (t tok) is(kw string) bool { return t.Kind == TokenIdent && strings.EqualFold(t.text, kw) }
func (t tok) punct(p byte) bool { return t.Kind == TokenPunct && len(t.text) == 1 && t.text[0] == p }
func (t tok) isName() bool      { return t.Kind == TokenIdent || t.Kind == TokenQuotedIdent }

// sigTokens returns the significant tokens of text (no space, no comments).
func sigTokens(text string) []tok {
	lx := NewLexer(text)
	var out []tok
	depth := 0
	for {
		t, err := lx.Next()
		if err != nil || t.Kind == TokenEOF {
			return out
		}
		if t.Kind.IsTrivia() {
			continue
		}
		s := text[t.Off:t.End]
		if t.Kind == TokenPunct && s == ")" && depth > 0 {
			depth--
		}
		out = append(out, tok{Token: t, text: s, depth: depth})
		if t.Kind == TokenPunct && s == "(" {
			depth++
		}
	}
}

// cursor walks tokens for the whole-statement recognisers.
type cursor struct {
	toks []tok
	i    int
	stmt Statement
}

func (c *cursor) peek() tok {
	if c.i < len(c.toks) {
		return c.toks[c.i]
	}
	return tok{}
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
	if c.peek().punct(p) {
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
	return unquote(t.text), c.stmt.PosAt(t.Off), true
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
	if t.isName() || t.Kind == TokenString {
		c.i++
		return unquote(t.text), true
	}
	return "", false
}

// unquote strips `…`, "…" or '…' quoting.
func unquote(s string) string {
	if len(s) < 2 || !strings.ContainsRune("`\"'", rune(s[0])) {
		return s
	}
	q := s[0]
	body := s[1 : len(s)-1]
	var b strings.Builder
	for i := 0; i < len(body); i++ {
		c := body[i]
		switch {
		case c == '\\' && i+1 < len(body):
			i++
			switch body[i] {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case '0':
				b.WriteByte(0)
			default:
				b.WriteByte(body[i])
			}
		case c == q && i+1 < len(body) && body[i+1] == q:
			b.WriteByte(q)
			i++
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// recogniseGap handles a statement AfterShip rejected. It returns a result
// when the statement is a recognised form, an error when it is a recognised
// form with an error inside (an ALTER command), and nil, nil otherwise.
func recogniseGap(stmt Statement, text string) (*Result, error) {
	toks := sigTokens(text)
	if len(toks) == 0 {
		return nil, nil
	}
	for _, rec := range []func(*cursor) Gap{exchangeTables, dropFunction, renameIfExists, accessControl} {
		c := &cursor{toks: toks, stmt: stmt}
		if g := rec(c); g != nil && c.done() {
			return &Result{Stmt: stmt, Text: text, Gap: g,
				Workarounds: []Workaround{{Construct: g.Construct(), Pos: stmt.Pos}}}, nil
		}
	}
	edits, found, raw := rewrites(text, toks)
	var rewrittenErr error
	if len(edits) > 0 {
		rewritten := applyEdits(text, edits)
		ast, err := parseOne(rewritten)
		if err != nil {
			// The error in the rewritten text is past the recognised
			// constructs, so it is the one to report.
			pe := newParseError(Statement{Text: rewritten}, 0, err)
			pe.Pos, pe.Stmt = stmt.PosAt(unmapOffset(edits, pe.Pos.Offset)), stmt
			rewrittenErr = pe
		} else {
			r := &Result{Stmt: stmt, AST: ast, Text: rewritten, edits: edits}
			for _, w := range found {
				r.Workarounds = append(r.Workarounds, Workaround{Construct: w.construct, Pos: stmt.PosAt(w.off)})
			}
			for _, s := range raw {
				r.Settings = append(r.Settings, s.at(stmt))
			}
			return r, nil
		}
	}
	r, err := alterWithComments(stmt, text, toks)
	if r == nil && err == nil && rewrittenErr != nil {
		return nil, rewrittenErr
	}
	return r, err
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
	if g.Kind == "" || !c.accept("IF", "EXISTS") {
		return nil
	}
	g.IfExists = true
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

// edit replaces text[Off:End] with New.
type edit struct {
	Off, End int
	New      string
}

func applyEdits(text string, edits []edit) string {
	var b strings.Builder
	last := 0
	for _, e := range edits {
		b.WriteString(text[last:e.Off])
		b.WriteString(e.New)
		last = e.End
	}
	b.WriteString(text[last:])
	return b.String()
}

// unmapOffset turns an offset in the edited text into one in the original.
func unmapOffset(edits []edit, off int) int {
	delta := 0
	for _, e := range edits {
		start := e.Off + delta
		if off < start {
			break
		}
		if off < start+len(e.New) {
			return e.Off
		}
		delta += len(e.New) - (e.End - e.Off)
	}
	return off - delta
}

// reservedKeywords are AfterShip v0.5.6's reserved keywords (keyword.go),
// which it does not accept as bare column names; ClickHouse does.
var reservedKeywords = map[string]bool{}

func init() {
	for _, k := range strings.Fields(`ALTER AND AS BETWEEN BY CASE CREATE CROSS DESCRIBE DISTINCT DROP ELSE
		EXCEPT EXPLAIN FORMAT FROM GRANT GROUP HAVING ILIKE IN INNER INSERT INTERVAL INTO IS KILL LIKE
		LIMIT NOT OFFSET ON OPTIMIZE OR ORDER PREWHERE RENAME SELECT SETTINGS SHOW THEN TRUNCATE UNION
		USE USING WHEN WHERE WINDOW WITH`) {
		reservedKeywords[k] = true
	}
}

func isReserved(t tok) bool { return t.Kind == TokenIdent && reservedKeywords[strings.ToUpper(t.text)] }

// operandEnd reports whether t can end an operand (so a following MOD is
// an operator).
func operandEnd(t tok) bool {
	switch t.Kind {
	case TokenNumber, TokenString, TokenQuotedIdent:
		return true
	case TokenIdent:
		return !reservedKeywords[strings.ToUpper(t.text)] && !t.is("MOD")
	case TokenPunct:
		return t.text == ")" || t.text == "]"
	}
	return false
}

func operandStart(t tok) bool {
	switch t.Kind {
	case TokenNumber, TokenString, TokenQuotedIdent, TokenIdent:
		return true
	case TokenPunct:
		return t.text == "(" || t.text == "-" || t.text == "["
	}
	return false
}

// rewrites finds the constructs of step 2 and returns the edits that make
// them acceptable to AfterShip, sorted by offset.
func rewrites(text string, toks []tok) ([]edit, []rewrite, []rawSetting) {
	var edits []edit
	var works []rewrite
	add := func(c Construct, at int, e ...edit) {
		edits = append(edits, e...)
		works = append(works, rewrite{c, at})
	}
	quote := func(t tok) edit { return edit{t.Off, t.End, "`" + t.text + "`"} }
	isAlterTable := len(toks) > 1 && toks[0].is("ALTER") && toks[1].is("TABLE")
	columnList := -1 // index of the '(' of a CREATE TABLE's column list
	if len(toks) > 0 && toks[0].is("CREATE") {
		for i, t := range toks {
			if t.punct('(') {
				if slices.ContainsFunc(toks[:i], func(t tok) bool { return t.is("TABLE") }) {
					columnList = i
				}
				break
			}
		}
	}
	var settings []rawSetting
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		var prev, next tok
		if i > 0 {
			prev = toks[i-1]
		}
		if i+1 < len(toks) {
			next = toks[i+1]
		}
		switch {
		case t.is("MOD") && i > 0 && operandEnd(prev) && operandStart(next) && !next.punct('('):
			add(ConstructMod, t.Off, edit{t.Off, t.End, "%  "})
		case t.is("EPHEMERAL") && i > 0 && !prev.punct('(') && !prev.punct(','):
			if next.Kind == TokenEOF || next.punct(',') || next.punct(')') || next.is("COMMENT") || next.is("CODEC") || next.is("TTL") {
				add(ConstructEphemeral, t.Off, edit{t.Off, t.End, ""})
			} else {
				add(ConstructEphemeral, t.Off, edit{t.Off, t.End, "DEFAULT"})
			}
		case t.is("TYPE") && indexBefore(toks, i) && next.Kind == TokenIdent:
			j := i + 2
			if j < len(toks) && toks[j].punct('(') {
				depth := toks[j].depth + 1
				for j++; j < len(toks) && !(toks[j].punct(')') && toks[j].depth == depth-1); j++ {
					if toks[j].depth == depth && toks[j].Kind == TokenIdent && j+1 < len(toks) && toks[j+1].punct('=') &&
						(toks[j-1].punct('(') || toks[j-1].punct(',')) {
						add(ConstructIndexArgs, toks[j].Off, edit{toks[j].Off, toks[j+1].End, ""})
					}
				}
				j = min(j+1, len(toks))
			}
			if j >= len(toks) || !toks[j].is("GRANULARITY") {
				end := toks[j-1].End
				add(ConstructGranularity, t.Off, edit{end, end, " GRANULARITY 1"})
			}
		case isReserved(t) && columnList >= 0 && t.depth == 1 && i > columnList &&
			(prev.punct('(') && i-1 == columnList || prev.punct(',') && prev.depth == 1) && (next.isName()):
			add(ConstructKeywordColumn, t.Off, quote(t))
		case isReserved(t) && (prev.is("COLUMN") || prev.is("AFTER") ||
			i >= 2 && prev.is("EXISTS") && toks[i-2].is("IF") || i >= 3 && prev.is("EXISTS") && toks[i-2].is("NOT") ||
			prev.is("TO") && i >= 3 && toks[i-3].is("COLUMN")):
			add(ConstructKeywordColumn, t.Off, quote(t))
		case isAlterTable && t.is("SETTINGS") && t.depth == 0 && i > 0:
			settings = parseSettings(text, toks[i+1:])
			add(ConstructAlterSettings, t.Off, edit{t.Off, toks[len(toks)-1].End, ""})
			i = len(toks)
		}
	}
	sort.SliceStable(edits, func(a, b int) bool { return edits[a].Off < edits[b].Off })
	return edits, works, settings
}

// indexBefore reports whether toks[i] (a TYPE) belongs to an index: INDEX
// comes before it at the same depth since the last comma or parenthesis.
func indexBefore(toks []tok, i int) bool {
	d := toks[i].depth
	for j := i - 1; j >= 0; j-- {
		t := toks[j]
		if t.depth < d || t.depth == d && (t.punct(',') || t.punct('(')) {
			return false
		}
		if t.depth == d && t.is("INDEX") {
			return true
		}
	}
	return false
}

// rewrite is a construct found by rewrites, at an offset of its text.
type rewrite struct {
	construct Construct
	off       int
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
func parseSettings(text string, toks []tok) []rawSetting {
	var out []rawSetting
	for i := 0; i+2 < len(toks); {
		if !toks[i].isName() || !toks[i+1].punct('=') {
			return out
		}
		j := i + 2
		for j < len(toks) && !(toks[j].punct(',') && toks[j].depth == toks[i].depth) {
			j++
		}
		out = append(out, rawSetting{unquote(toks[i].text), text[toks[i+2].Off:toks[j-1].End], toks[i].Off})
		i = j + 1
	}
	return out
}

// alterWithComments handles step 3: an ALTER TABLE whose commands include
// COMMENT COLUMN or MODIFY COMMENT.
func alterWithComments(stmt Statement, text string, toks []tok) (*Result, error) {
	c := &cursor{toks: toks, stmt: stmt}
	if !c.accept("ALTER", "TABLE") {
		return nil, nil
	}
	g := &AlterTable{}
	var ok bool
	if g.Table, ok = c.qualified(); !ok {
		return nil, nil
	}
	if g.Cluster, ok = c.cluster(); !ok || c.done() {
		return nil, nil
	}
	// Commands run to the top-level SETTINGS, if any.
	end := len(toks)
	for j := c.i; j < len(toks); j++ {
		if toks[j].depth == 0 && toks[j].is("SETTINGS") {
			for _, s := range parseSettings(text, toks[j+1:]) {
				g.Settings = append(g.Settings, s.at(stmt))
			}
			end = j
			break
		}
	}
	header := text[:toks[c.i].Off]
	var works []Workaround
	found := false
	for start := c.i; start < end; {
		stop := start
		for stop < end && !(toks[stop].punct(',') && toks[stop].depth == 0) {
			stop++
		}
		cmd := toks[start:stop]
		if len(cmd) == 0 {
			return nil, nil
		}
		from, to := cmd[0].Off, cmd[len(cmd)-1].End
		ac := AlterCommand{Pos: stmt.PosAt(from), Text: stmt.Text[from:to]}
		cc := &cursor{toks: cmd, stmt: stmt}
		switch {
		case cc.accept("COMMENT", "COLUMN"):
			cg := &CommentColumn{IfExists: cc.accept("IF", "EXISTS")}
			if cg.Column, _, ok = cc.name(); !ok || cc.peek().Kind != TokenString || len(cmd)-cc.i != 1 {
				return nil, nil
			}
			cg.Comment = unquote(cc.peek().text)
			ac.Gap = cg
		case cc.accept("MODIFY", "COMMENT"):
			if cc.peek().Kind != TokenString || len(cmd)-cc.i != 1 {
				return nil, nil
			}
			ac.Gap = &ModifyComment{Comment: unquote(cc.peek().text)}
		default:
			sub := header + text[from:to]
			edits, subWorks, _ := rewrites(sub, sigTokens(sub))
			ast, err := parseOne(applyEdits(sub, edits))
			if err != nil {
				_, err = parseOne(sub) // report the error in the text as written
				if err == nil {
					return nil, nil
				}
				return nil, subError(stmt, header, from, sub, err)
			}
			at, isAlter := ast.(*clickhouse.AlterTable)
			if !isAlter || len(at.AlterExprs) != 1 {
				return nil, nil
			}
			ac.AST = at.AlterExprs[0]
			for _, w := range subWorks {
				works = append(works, Workaround{Construct: w.construct, Pos: stmt.PosAt(from + max(w.off-len(header), 0))})
			}
		}
		if ac.Gap != nil {
			found = true
			works = append(works, Workaround{Construct: ac.Gap.Construct(), Pos: ac.Pos})
		}
		g.Commands = append(g.Commands, ac)
		start = stop + 1
	}
	if !found {
		return nil, nil
	}
	return &Result{Stmt: stmt, Text: text, Gap: g, Workarounds: works, Settings: g.Settings}, nil
}

// subError maps an error in "header + command" back to the statement.
func subError(stmt Statement, header string, cmdOff int, sub string, err error) error {
	pe := newParseError(Statement{Text: sub}, 0, err)
	off := pe.Pos.Offset
	if off >= len(header) {
		off = cmdOff + off - len(header)
	} else {
		off = cmdOff
	}
	pe.Pos, pe.Stmt = stmt.PosAt(off), stmt
	return pe
}
