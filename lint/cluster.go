package lint

import (
	"fmt"
	"regexp"
	"strings"

	ch "github.com/AfterShip/clickhouse-sql-parser/parser"

	"github.com/chschema/chschema/migrations"
	"github.com/chschema/chschema/parser"
	"github.com/chschema/chschema/schema"
)

// The cluster rules, all of severity Warning.
const (
	// RuleNonReplicatedOnCluster: a MergeTree-family engine that is not
	// Replicated, in a migration that runs ON CLUSTER.
	RuleNonReplicatedOnCluster Rule = "non-replicated-on-cluster"
	// RuleOnClusterReplicatedDB: ON CLUSTER on an object of a Replicated
	// database, which replicates its own DDL and refuses the clause.
	RuleOnClusterReplicatedDB Rule = "on-cluster-in-replicated-database"
	// RuleHardcodedCluster: a literal cluster name where other statements
	// take it from a template variable.
	RuleHardcodedCluster Rule = "hardcoded-cluster"
	// RuleDropWithoutSync: DROP of a Replicated table without SYNC before a
	// table on the same keeper path is created again.
	RuleDropWithoutSync Rule = "replicated-drop-without-sync"
	// RuleCreateAsSelect: CREATE TABLE … AS SELECT (or a materialized view's
	// POPULATE), refused by Replicated databases and ClickHouse Cloud.
	RuleCreateAsSelect Rule = "create-as-select"
	// RuleDistributedOrder: a column added to a Distributed table before its
	// local table has it, or dropped from the local table while the
	// Distributed table still has it.
	RuleDistributedOrder Rule = "distributed-alter-order"
)

// Infos counts the findings of severity Info.
func (r *Report) Infos() int {
	n := 0
	for _, f := range r.Findings {
		if f.Severity == Info {
			n++
		}
	}
	return n
}

// clusterStmt is one parsed statement of a section, for the cluster rules.
type clusterStmt struct {
	sec *migrations.Section
	// filePos maps an offset of the rendered section to the file.
	filePos func(int) migrations.Pos
	st      parser.Statement // offsets into the rendered section
	res     *parser.Result
	conv    *parser.Conversion
	// cluster is the offset in st.Text of the ON CLUSTER clause's name, -1
	// without one.
	cluster int
}

// site is a place in a file, for the messages that name another finding's
// cause.
type site struct {
	file string
	pos  migrations.Pos
	// variable, when set, is the ${…CLUSTER…} variable found there.
	variable string
}

func (s site) String() string { return fmt.Sprintf("%s:%d:%d", s.file, s.pos.Line, s.pos.Col) }

// pendingDrop is a Replicated table dropped without SYNC, whose keeper path
// stays taken for a while.
type pendingDrop struct {
	at    site
	table schema.QualifiedName
	path  string
}

// clusterLint runs the cluster rules over the sections in the order migrate
// applies them, with a model of the schema replayed along.
type clusterLint struct {
	l *linter
	r *parser.Replayer
	// full is false when no section mentions a cluster, a Replicated or a
	// Distributed engine: only create-as-select can fire, and nothing is
	// replayed.
	full bool
	// varSites are cluster names that come from template variables (or
	// ${…CLUSTER…} variables); literalSites are cluster names written out.
	varSites     []site
	literalSites []literalCluster
	drops        map[string]pendingDrop
}

type literalCluster struct {
	at   site
	name string
}

// clusterVarRE finds a template variable whose name says it holds a cluster
// (ON_CLUSTER, CLUSTER_NAME, …).
var clusterVarRE = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)

// clusterRules runs the cluster rules over d.
func (l *linter) clusterRules(d *migrations.Dir) {
	c := &clusterLint{l: l, drops: map[string]pendingDrop{}}
	c.full = mentionsCluster(d)
	if c.full {
		c.r, _ = parser.NewReplayer(parser.StartingSchema("default"), "default")
	}
	if d.Init != nil {
		stmts := c.statements(d.Init)
		c.migration(stmts, nil, d.Init, nil)
	}
	for _, sv := range d.Services {
		for _, m := range sv.Migrations {
			if m.Up == nil {
				continue
			}
			c.migration(c.statements(m.Up), c.statements(m.Down), m.Up, m.Down)
		}
	}
	c.hardcodedClusters()
}

// mentionsCluster reports whether any section's text mentions a cluster, a
// Replicated or a Distributed engine: otherwise only create-as-select
// applies.
func mentionsCluster(d *migrations.Dir) bool {
	var secs []*migrations.Section
	if d.Init != nil {
		secs = append(secs, d.Init)
	}
	for _, m := range d.Migrations() {
		secs = append(secs, m.Up, m.Down)
	}
	for _, s := range secs {
		if s == nil {
			continue
		}
		t := strings.ToLower(s.Text)
		if strings.Contains(t, "cluster") || strings.Contains(t, "replicated") || strings.Contains(t, "distributed") {
			return true
		}
	}
	return false
}

// remember keeps a statement that parsed, as the main pass saw it, for the
// cluster rules.
func (l *linter) remember(sec *migrations.Section, st parser.Statement, res *parser.Result, pos func(int) migrations.Pos) {
	if res == nil {
		return
	}
	if l.parsed == nil {
		l.parsed = map[*migrations.Section][]*clusterStmt{}
	}
	l.parsed[sec] = append(l.parsed[sec], &clusterStmt{sec: sec, filePos: pos, st: st, res: res, cluster: -1})
}

// statements returns the statements of a section that parsed (those that
// did not have their syntax errors reported by the main pass), and records
// where a ${…CLUSTER…} variable is used.
func (c *clusterLint) statements(sec *migrations.Section) []*clusterStmt {
	if sec == nil {
		return nil
	}
	var out []*clusterStmt
	for _, s := range c.l.parsed[sec] {
		if !c.full && !maybeCreateAsSelect(s.st.Text) {
			continue
		}
		if c.full {
			s.cluster = clusterNameOffset(s.st.Text)
		}
		out = append(out, s)
	}
	if c.full {
		for _, m := range clusterVarRE.FindAllStringSubmatchIndex(sec.Text, -1) {
			if strings.Contains(strings.ToUpper(sec.Text[m[2]:m[3]]), "CLUSTER") && (m[0] == 0 || sec.Text[m[0]-1] != '$') {
				c.varSites = append(c.varSites, site{sec.File, sec.Start.Advance(sec.Text[:m[0]]), sec.Text[m[2]:m[3]]})
			}
		}
	}
	return out
}

// maybeCreateAsSelect is a cheap test that a statement may be a CREATE …
// AS SELECT or POPULATE, before parsing it.
func maybeCreateAsSelect(text string) bool {
	u := strings.ToUpper(text)
	return strings.HasPrefix(u, "CREATE") && (strings.Contains(u, "SELECT") || strings.Contains(u, "POPULATE"))
}

// pos is the file position of byte off of the statement.
func (s *clusterStmt) pos(off int) migrations.Pos { return s.filePos(s.st.Pos.Offset + off) }

func (s *clusterStmt) site(off int) site { return site{file: s.sec.File, pos: s.pos(off)} }

// fromVariable reports whether byte off of the statement was substituted
// for a template variable.
func (s *clusterStmt) fromVariable(off int) bool {
	p := s.pos(off)
	raw := p.Offset - s.sec.Start.Offset
	return raw >= 0 && raw < len(s.sec.Text) && strings.HasPrefix(s.sec.Text[raw:], "${")
}

func (c *clusterLint) warn(at site, rule Rule, format string, args ...any) {
	c.l.add(at.file, at.pos, rule, Warning, format, args...)
}

// migration runs the rules over one migration: its up section (replayed on
// the model) and its down section (checked against the model after the
// up).
func (c *clusterLint) migration(up, down []*clusterStmt, upSec, downSec *migrations.Section) {
	var onCluster *site
	for _, s := range append(append([]*clusterStmt(nil), up...), down...) {
		if s.cluster >= 0 && onCluster == nil {
			at := s.site(s.cluster)
			onCluster = &at
		}
	}
	for _, sec := range []*migrations.Section{upSec, downSec} {
		if sec == nil || onCluster != nil || !c.full {
			continue
		}
		if m := clusterVarRE.FindAllStringSubmatchIndex(sec.Text, -1); m != nil {
			for _, v := range m {
				if strings.Contains(strings.ToUpper(sec.Text[v[2]:v[3]]), "CLUSTER") {
					at := site{sec.File, sec.Start.Advance(sec.Text[:v[0]]), sec.Text[v[2]:v[3]]}
					onCluster = &at
					break
				}
			}
		}
	}
	db := "default"
	for _, s := range up {
		c.statement(s, &db, onCluster, true)
	}
	db = "default"
	for _, s := range down {
		c.statement(s, &db, onCluster, false)
	}
}

// statement runs the rules on one statement; replay says it is an up
// statement, replayed on the model afterwards.
func (c *clusterLint) statement(s *clusterStmt, db *string, onCluster *site, replay bool) {
	c.createAsSelect(s)
	if !c.full {
		return
	}
	convDB := *db
	conv, err := parser.Convert(s.st.Text, convDB)
	if err != nil {
		return
	}
	s.conv = conv
	if conv.Use != "" {
		*db = conv.Use
	}
	c.nonReplicated(s, onCluster)
	c.clusterSite(s)
	c.onClusterInReplicatedDB(s, *db)
	if !replay {
		return
	}
	c.distributedOrder(s)
	c.dropRecord(s)
	p := s.pos(0)
	c.r.UseDatabase(convDB)
	c.r.ReplayConversion(schema.Position{File: s.sec.File, Line: p.Line, Col: p.Col}, s.st.Text, conv)
	c.recreateCheck(s)
}

// createAsSelect: CREATE TABLE … AS SELECT, and CREATE MATERIALIZED VIEW …
// POPULATE.
func (c *clusterLint) createAsSelect(s *clusterStmt) {
	switch a := s.res.AST.(type) {
	case *ch.CreateTable:
		if a.SubQuery != nil {
			c.warn(s.site(int(a.SubQuery.Pos())), RuleCreateAsSelect,
				"CREATE TABLE … AS SELECT: Replicated databases and ClickHouse Cloud refuse it (\"CREATE AS SELECT is not supported with Replicated databases\"); create the table, then INSERT INTO … SELECT")
		}
	case *ch.CreateMaterializedView:
		if a.Populate {
			off := keywordOffset(s.st.Text, "POPULATE")
			c.warn(s.site(max(off, 0)), RuleCreateAsSelect,
				"CREATE MATERIALIZED VIEW … POPULATE: Replicated databases and ClickHouse Cloud refuse it (\"CREATE with POPULATE is not supported with Replicated databases\"); create the view, then INSERT INTO its target … SELECT")
		}
	}
}

// nonReplicated: a MergeTree-family engine that is not Replicated, in a
// migration that runs ON CLUSTER.
func (c *clusterLint) nonReplicated(s *clusterStmt, onCluster *site) {
	if onCluster == nil {
		return
	}
	var engine *ch.EngineExpr
	switch a := s.res.AST.(type) {
	case *ch.CreateTable:
		engine = a.Engine
	case *ch.CreateMaterializedView:
		engine = a.Engine
	}
	if engine == nil {
		return
	}
	name, off := engineName(s.st.Text, int(engine.Pos()))
	if off < 0 || !strings.HasSuffix(name, "MergeTree") || strings.HasPrefix(name, "Replicated") || strings.HasPrefix(name, "Shared") || s.fromVariable(off) {
		return
	}
	runs := fmt.Sprintf("runs ON CLUSTER (%s)", onCluster)
	if onCluster.variable != "" {
		runs = fmt.Sprintf("runs ON CLUSTER where ${%s} (%s) holds a cluster", onCluster.variable, onCluster)
	}
	c.warn(s.site(off), RuleNonReplicatedOnCluster,
		"ENGINE = %s in a migration that %s: each node keeps its own rows, which are not replicated to the other replicas of its shard; use Replicated%s", name, runs, name)
}

// clusterSite records where a cluster name is written out and where it
// comes from a variable; the Distributed engine's cluster argument counts
// as well.
func (c *clusterLint) clusterSite(s *clusterStmt) {
	offs := []int{}
	if s.cluster >= 0 {
		offs = append(offs, s.cluster)
	}
	if a, ok := s.res.AST.(*ch.CreateTable); ok && a.Engine != nil {
		if name, off := engineName(s.st.Text, int(a.Engine.Pos())); name == "Distributed" {
			if arg := nextSignificant(s.st.Text, off+len(name), '('); arg >= 0 {
				offs = append(offs, arg)
			}
		}
	}
	for _, off := range offs {
		name := tokenText(s.st.Text, off)
		inner := off
		if q := s.st.Text[off]; q == '`' || q == '\'' || q == '"' {
			inner++ // ON CLUSTER `${CLUSTER}`, as plan --cluster writes it
		}
		switch {
		case s.fromVariable(off) || s.fromVariable(inner):
			c.varSites = append(c.varSites, s.site(off))
		case strings.Contains(name, "{"):
			// A macro, such as '{cluster}': each server's own setting.
		default:
			c.literalSites = append(c.literalSites, literalCluster{s.site(off), name})
		}
	}
}

// hardcodedClusters reports the literal cluster names, when some cluster
// name comes from a variable.
func (c *clusterLint) hardcodedClusters() {
	if len(c.varSites) == 0 {
		return
	}
	first := c.varSites[0]
	for _, v := range c.varSites[1:] {
		if v.file < first.file || v.file == first.file && v.pos.Offset < first.pos.Offset {
			first = v
		}
	}
	for _, lit := range c.literalSites {
		c.warn(lit.at, RuleHardcodedCluster,
			"cluster name %s is written out, but elsewhere the cluster comes from a template variable (%s): use the variable here too, so that every environment gets its own cluster", lit.name, first)
	}
}

// onClusterInReplicatedDB: ON CLUSTER on an object whose database is
// Replicated (as created by the migrations).
func (c *clusterLint) onClusterInReplicatedDB(s *clusterStmt, db string) {
	if s.cluster < 0 {
		return
	}
	var targets []schema.QualifiedName
	for _, ch := range s.conv.Changes {
		targets = append(targets, changeTargets(ch)...)
	}
	if t, ok := parser.MutatedTable(s.st); ok {
		targets = append(targets, schema.QualifiedName{Database: cmpOr(t.Database, db), Name: t.Name})
	}
	for _, t := range targets {
		d, ok := c.r.Schema().Database(t.Database)
		if !ok || d.Engine.Name != "Replicated" {
			continue
		}
		c.warn(s.site(s.cluster), RuleOnClusterReplicatedDB,
			"ON CLUSTER on %s, in Replicated database %s: a Replicated database replicates its own DDL and refuses ON CLUSTER (\"ON CLUSTER is not allowed for Replicated database\") unless ignore_on_cluster_for_replicated_database = 1; drop the clause",
			qualified(t), schema.QuoteIdent(t.Database))
		return
	}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// changeTargets are the objects a change touches; database-level changes
// (CREATE DATABASE … ON CLUSTER is how a Replicated database reaches every
// node) have none.
func changeTargets(c schema.Change) []schema.QualifiedName {
	switch x := c.(type) {
	case *schema.AddTable:
		return []schema.QualifiedName{x.Name}
	case *schema.AddView:
		return []schema.QualifiedName{x.Name}
	case *schema.AddDictionary:
		return []schema.QualifiedName{x.Name}
	case *schema.DropObject:
		return []schema.QualifiedName{x.Name}
	case *schema.RenameObject:
		return []schema.QualifiedName{x.From, x.To}
	case *schema.ExchangeObjects:
		return []schema.QualifiedName{x.A, x.B}
	case *schema.DetachObject:
		return []schema.QualifiedName{x.Name}
	case *schema.AttachObject:
		return []schema.QualifiedName{x.Name}
	case *schema.ModifyTable:
		return []schema.QualifiedName{x.Name}
	}
	return nil
}

func qualified(q schema.QualifiedName) string {
	return schema.QuoteIdent(q.Database) + "." + schema.QuoteIdent(q.Name)
}

// keeperPath is a Replicated table's keeper path with the {database} and
// {table} macros expanded, or "" when the path is the default one or
// contains {uuid} (a new table gets a new path).
func keeperPath(t *schema.Table) string {
	if !strings.HasPrefix(t.Engine.Name, "Replicated") || len(t.Engine.Params) == 0 {
		return ""
	}
	p := string(t.Engine.Params[0])
	if strings.Contains(p, "{uuid}") {
		return ""
	}
	return strings.NewReplacer("{database}", t.Database.Name, "{table}", t.Name).Replace(p)
}

// dropRecord notes a DROP without SYNC of a Replicated table.
func (c *clusterLint) dropRecord(s *clusterStmt) {
	for _, ch := range s.conv.Changes {
		d, ok := ch.(*schema.DropObject)
		if !ok || d.Sync {
			continue
		}
		o, ok := c.r.Schema().Object(d.Name)
		if !ok {
			continue
		}
		t, ok := o.(*schema.Table)
		if !ok {
			continue
		}
		if p := keeperPath(t); p != "" {
			c.drops[p] = pendingDrop{at: s.site(0), table: d.Name, path: p}
		}
	}
}

// recreateCheck, after a statement was replayed: a table it created on the
// keeper path of a table dropped without SYNC.
func (c *clusterLint) recreateCheck(s *clusterStmt) {
	for _, ch := range s.conv.Changes {
		a, ok := ch.(*schema.AddTable)
		if !ok {
			continue
		}
		o, ok := c.r.Schema().Object(a.Name)
		if !ok {
			continue
		}
		t, ok := o.(*schema.Table)
		if !ok {
			continue
		}
		p := keeperPath(t)
		d, ok := c.drops[p]
		if p == "" || !ok {
			continue
		}
		delete(c.drops, p)
		c.warn(d.at, RuleDropWithoutSync,
			"DROP of Replicated table %s without SYNC, and %s is created on its keeper path %s at %s: the dropped table keeps the path until it is removed (database_atomic_delay_before_drop_table_sec, 480 s by default), so the CREATE fails (REPLICA_ALREADY_EXISTS, or a columns mismatch with the dropped table's metadata); write DROP TABLE … SYNC",
			qualified(d.table), qualified(a.Name), d.path, s.site(0))
	}
}

// distributedOrder: ADD COLUMN on a Distributed table whose local table
// lacks the column, and DROP COLUMN on a local table whose Distributed table
// still has it.
func (c *clusterLint) distributedOrder(s *clusterStmt) {
	sc := c.r.Schema()
	for _, ch := range s.conv.Changes {
		mt, ok := ch.(*schema.ModifyTable)
		if !ok {
			continue
		}
		o, ok := sc.Object(mt.Name)
		if !ok {
			continue
		}
		t, ok := o.(*schema.Table)
		if !ok {
			continue
		}
		if local, ok := distributedLocal(sc, t); ok {
			for _, cc := range mt.Changes {
				if ac, ok := cc.(*schema.AddColumn); ok {
					if _, has := local.Column(ac.C.Name); !has {
						c.warn(s.site(0), RuleDistributedOrder,
							"column %s is added to Distributed table %s before its local table %s has it: queries and inserts through %s fail on the shards until then; add it to %s first",
							schema.QuoteIdent(ac.C.Name), qualified(mt.Name), qualified(qn(local)), qualified(mt.Name), qualified(qn(local)))
					}
				}
			}
			continue
		}
		for _, cc := range mt.Changes {
			dc, ok := cc.(*schema.DropColumn)
			if !ok {
				continue
			}
			for _, d := range sc.Databases {
				for _, dt := range d.Tables {
					if local, ok := distributedLocal(sc, dt); ok && local == t {
						if _, has := dt.Column(dc.Name); has {
							c.warn(s.site(0), RuleDistributedOrder,
								"column %s is dropped from %s while Distributed table %s still has it: queries through %s fail on the shards; drop it from %s first",
								schema.QuoteIdent(dc.Name), qualified(mt.Name), qualified(qn(dt)), qualified(qn(dt)), qualified(qn(dt)))
						}
					}
				}
			}
		}
	}
}

func qn(t *schema.Table) schema.QualifiedName {
	return schema.QualifiedName{Database: t.Database.Name, Name: t.Name}
}

// distributedLocal returns the local table a Distributed table reads, when
// the model has it.
func distributedLocal(sc *schema.Schema, t *schema.Table) (*schema.Table, bool) {
	if t.Engine.Name != "Distributed" || len(t.Engine.Params) < 3 {
		return nil, false
	}
	db, name := unquoteParam(string(t.Engine.Params[1])), unquoteParam(string(t.Engine.Params[2]))
	if strings.Contains(db, "(") {
		db = t.Database.Name
	}
	o, ok := sc.Object(schema.QualifiedName{Database: db, Name: name})
	if !ok {
		return nil, false
	}
	local, ok := o.(*schema.Table)
	return local, ok
}

func unquoteParam(p string) string {
	if len(p) >= 2 && (p[0] == '\'' || p[0] == '`') && p[len(p)-1] == p[0] {
		return strings.NewReplacer(`\'`, `'`, "\\`", "`", `\\`, `\`).Replace(p[1 : len(p)-1])
	}
	return p
}

// significant returns the statement's tokens without space and comments.
func significant(text string) []parser.Token {
	lx := parser.NewLexer(text)
	var out []parser.Token
	for {
		t, err := lx.Next()
		if err != nil || t.Kind == parser.TokenEOF {
			return out
		}
		if t.Kind == parser.TokenSpace || t.Kind == parser.TokenLineComment || t.Kind == parser.TokenBlockComment {
			continue
		}
		out = append(out, t)
	}
}

// clusterNameOffset returns the offset of the cluster name of the
// statement's ON CLUSTER clause (outside parentheses), or -1.
func clusterNameOffset(text string) int {
	toks := significant(text)
	depth := 0
	for i, t := range toks {
		w := text[t.Off:t.End]
		switch {
		case w == "(":
			depth++
		case w == ")":
			depth--
		case depth == 0 && t.Kind == parser.TokenIdent && strings.EqualFold(w, "ON") && i+2 < len(toks) &&
			toks[i+1].Kind == parser.TokenIdent && strings.EqualFold(text[toks[i+1].Off:toks[i+1].End], "CLUSTER"):
			return toks[i+2].Off
		}
	}
	return -1
}

// keywordOffset returns the offset of the first keyword word outside
// parentheses, or -1.
func keywordOffset(text, word string) int {
	depth := 0
	for _, t := range significant(text) {
		w := text[t.Off:t.End]
		switch {
		case w == "(":
			depth++
		case w == ")":
			depth--
		case depth == 0 && t.Kind == parser.TokenIdent && strings.EqualFold(w, word):
			return t.Off
		}
	}
	return -1
}

// engineName reads the engine name after ENGINE [=] at off: the name and its
// offset, or -1.
func engineName(text string, off int) (string, int) {
	if off < 0 || off > len(text) {
		return "", -1
	}
	toks := significant(text[off:])
	i := 0
	if i < len(toks) && strings.EqualFold(text[off+toks[i].Off:off+toks[i].End], "ENGINE") {
		i++
	}
	if i < len(toks) && text[off+toks[i].Off:off+toks[i].End] == "=" {
		i++
	}
	if i >= len(toks) || (toks[i].Kind != parser.TokenIdent && toks[i].Kind != parser.TokenQuotedIdent) {
		return "", -1
	}
	return strings.Trim(text[off+toks[i].Off:off+toks[i].End], "`\""), off + toks[i].Off
}

// nextSignificant returns the offset of the token after the punctuation
// open that follows off, or -1.
func nextSignificant(text string, off int, open byte) int {
	toks := significant(text[off:])
	if len(toks) < 2 || text[off+toks[0].Off] != open {
		return -1
	}
	return off + toks[1].Off
}

// tokenText returns the token at off, unquoted.
func tokenText(text string, off int) string {
	toks := significant(text[off:])
	if len(toks) == 0 {
		return ""
	}
	t := text[off+toks[0].Off : off+toks[0].End]
	if len(t) >= 2 && (t[0] == '\'' || t[0] == '`' || t[0] == '"') && t[len(t)-1] == t[0] {
		return t[1 : len(t)-1]
	}
	return t
}
