package parser

// The statement kinds of ClickHouse's parser (src/Parsers/ParserQuery.cpp
// and ParserQueryWithOutput.cpp) that AfterShip has no node for, or rejects
// in some of their forms. Those that change no schema the model follows
// (and RESTORE, whose effect the model cannot know) are read by their
// leading keywords, the rest is the server's to check (lint --dsn does). internal/stmtforms lists a form of each, which
// lint.TestStatementInventory runs on the server and through lint.

import "strings"

// Opaque is a statement read by its leading keywords (Kind, upper case:
// "KILL QUERY", "BACKUP", "SHOW", …); what follows is not checked offline.
// Only RESTORE among them changes the schema (the conversion makes what it
// names uncertain).
type Opaque struct {
	Kind string
}

// Construct names the form: ConstructOpaque, or ConstructExplain.
func (o *Opaque) Construct() Construct {
	if o.Kind == "EXPLAIN" {
		return ConstructExplain
	}
	return ConstructOpaque
}
func (*Opaque) gap() {}

// ParallelWith is statements joined by PARALLEL WITH, which the server runs
// at the same time; each part is parsed on its own.
type ParallelWith struct {
	Parts []*Result
}

// Construct names the form: ConstructParallelWith.
func (*ParallelWith) Construct() Construct { return ConstructParallelWith }
func (*ParallelWith) gap()                 {}

// opaqueStatements are the leading keywords of the statements read as
// Opaque, by the server's parser that reads them. EXECUTE AS, EXPLAIN and
// PARALLEL WITH wrap other statements, which are read on their own
// (executeAs, explain, parallelWith).
var opaqueStatements = [][]string{
	{"KILL", "QUERY"}, {"KILL", "MUTATION"}, {"KILL", "TRANSACTION"}, {"KILL", "PART_MOVE_TO_SHARD"}, // ParserKillQueryQuery
	{"BACKUP"}, {"RESTORE"}, // ParserBackupQuery
	{"MOVE", "USER"}, {"MOVE", "ROLE"}, {"MOVE", "QUOTA"}, {"MOVE", "ROW", "POLICY"}, {"MOVE", "POLICY"}, // ParserMoveAccessEntityQuery
	{"MOVE", "SETTINGS", "PROFILE"}, {"MOVE", "PROFILE"}, {"MOVE", "MASKING", "POLICY"},
	{"WATCH"},              // ParserWatchQuery
	{"SHOW"},               // ParserShow*Query
	{"DESCRIBE"}, {"DESC"}, // ParserDescribeTableQuery
	{"CHECK", "TABLE"}, {"CHECK", "ALL", "TABLES"}, {"CHECK", "GRANT"}, // ParserCheckQuery, ParserCheckGrantQuery
	{"BEGIN", "TRANSACTION"}, {"COMMIT"}, {"ROLLBACK"}, {"SET", "TRANSACTION", "SNAPSHOT"}, // ParserTransactionControl
	{"DELETE", "FROM"}, {"UPDATE"}, // ParserDeleteQuery, ParserUpdateQuery
	{"TRUNCATE"}, // ParserDropQuery (TRUNCATE [TABLE] name: the data only)
	{"FROM"},     // ParserSelectQuery: FROM t SELECT …
	{"EXPLAIN", "TABLE", "OVERRIDE"}, {"EXPLAIN", "CURRENT", "TRANSACTION"},
	// ParserCreateNamedCollectionQuery, ParserCreateResourceQuery,
	// ParserCreateWorkloadQuery and their ALTER and DROP.
	{"CREATE", "NAMED", "COLLECTION"}, {"ALTER", "NAMED", "COLLECTION"}, {"DROP", "NAMED", "COLLECTION"},
	{"CREATE", "RESOURCE"}, {"CREATE", "OR", "REPLACE", "RESOURCE"}, {"DROP", "RESOURCE"},
	{"CREATE", "WORKLOAD"}, {"CREATE", "OR", "REPLACE", "WORKLOAD"}, {"DROP", "WORKLOAD"},
	{"ATTACH", "MASKING", "POLICY"}, {"ALTER", "TEMPORARY", "TABLE"}, // a session's temporary table
	{"CHECK", "DATABASE"},
	{"CREATE", "HYPOTHETICAL", "INDEX"}, {"DROP", "HYPOTHETICAL", "INDEX"}, // the optimizer's, not kept in the table
	{"CREATE", "MASKING", "POLICY"}, {"CREATE", "OR", "REPLACE", "MASKING", "POLICY"}, {"ALTER", "MASKING", "POLICY"}, {"DROP", "MASKING", "POLICY"},
}

// wholeStatements are the kinds of opaqueStatements that are a statement
// by themselves.
var wholeStatements = map[string]bool{"BEGIN TRANSACTION": true, "COMMIT": true, "ROLLBACK": true,
	"CHECK ALL TABLES": true, "EXPLAIN CURRENT TRANSACTION": true}

// opaqueKind returns the leading keywords of toks that opaqueStatements
// lists, joined, or "".
func opaqueKind(toks []sqlTok) string {
	best := ""
	for _, words := range opaqueStatements {
		if len(words) > len(toks) {
			continue
		}
		ok := true
		for i, w := range words {
			if !toks[i].is(w) {
				ok = false
				break
			}
		}
		if ok && len(strings.Join(words, " ")) > len(best) {
			best = strings.Join(words, " ")
		}
	}
	return best
}

// opaqueStatement reads a statement of opaqueStatements, a query whose set
// operators or parentheses AfterShip rejects, or an INSERT … FROM INFILE.
func opaqueStatement(c *cursor) Gap {
	toks := c.toks
	if len(toks) == 0 {
		return nil
	}
	kind := opaqueKind(toks)
	switch {
	case kind == "TRUNCATE" && (len(toks) < 2 || toks[1].is("DATABASE") || toks[1].is("ALL")):
		return nil // they drop objects: read by truncate
	case kind != "" && len(strings.Fields(kind)) == len(toks) && !wholeStatements[kind]:
		return nil // a bare keyword is not a statement
	case kind != "":
	case toks[0].kind == '(' || (toks[0].is("SELECT") || toks[0].is("WITH")) && topLevelSetOperator(toks):
		// (SELECT …) UNION …, SELECT … INTERSECT|EXCEPT SELECT …
		kind = "SELECT"
	case toks[0].is("INSERT") && topLevelWords(toks, "FROM", "INFILE") > 0:
		kind = "INSERT FROM INFILE"
	default:
		return nil
	}
	c.i = len(c.toks)
	return &Opaque{Kind: kind}
}

// topLevelSetOperator reports whether a query has INTERSECT or EXCEPT
// followed by a query outside parentheses.
func topLevelSetOperator(toks []sqlTok) bool {
	depth := 0
	for i, t := range toks {
		switch t.kind {
		case '(':
			depth++
		case ')':
			depth--
		}
		if depth == 0 && (t.is("INTERSECT") || t.is("EXCEPT")) && queryAt(toks, i+1) {
			return true
		}
	}
	return false
}

// queryAt reports whether a query starts at toks[i]: [ALL|DISTINCT]
// SELECT, WITH or a parenthesised one (not * EXCEPT (a), a column list).
func queryAt(toks []sqlTok, i int) bool {
	if i < len(toks) && (toks[i].is("ALL") || toks[i].is("DISTINCT")) {
		i++
	}
	for i < len(toks) && toks[i].kind == '(' {
		i++
	}
	return i < len(toks) && (toks[i].is("SELECT") || toks[i].is("WITH"))
}

// topLevelWords returns the index of the words ws outside parentheses, or
// -1 (0 is never a match: a statement's first word is its verb).
func topLevelWords(toks []sqlTok, ws ...string) int {
	depth := 0
	for i, t := range toks {
		switch t.kind {
		case '(':
			depth++
		case ')':
			depth--
		}
		if depth != 0 || i == 0 || i+len(ws) > len(toks) {
			continue
		}
		match := true
		for j, w := range ws {
			if !toks[i+j].is(w) {
				match = false
				break
			}
		}
		if match {
			return i
		}
	}
	return -1
}

// blankOutside returns text with every byte outside [from, to) but line
// breaks made a space, so that offsets and lines stay the user's.
func blankOutside(text string, from, to int) string {
	b := []byte(text)
	for i := range b {
		if (i < from || i >= to) && b[i] != '\n' {
			b[i] = ' '
		}
	}
	return string(b)
}

// parallelWith reads statements joined by PARALLEL WITH, each parsed on its
// own, or returns nil, nil when the statement has no PARALLEL WITH.
func parallelWith(stmt Statement, text string, toks []sqlTok) (*Result, error) {
	var cuts [][2]int // the byte ranges of the parts
	from := 0
	rest := toks
	base := 0
	for {
		i := topLevelWords(rest, "PARALLEL", "WITH")
		if i < 0 {
			break
		}
		cuts = append(cuts, [2]int{from, rest[i].off})
		from = rest[i+1].end
		base += i + 2
		rest = toks[base:]
		if len(rest) == 0 {
			return nil, nil
		}
	}
	if len(cuts) == 0 {
		return nil, nil
	}
	cuts = append(cuts, [2]int{from, len(text)})
	g := &ParallelWith{}
	for _, cut := range cuts {
		r, err := Parse(Statement{Text: blankOutside(text, cut[0], cut[1]), Pos: stmt.Pos})
		if err != nil {
			return nil, err
		}
		g.Parts = append(g.Parts, r)
	}
	return &Result{Stmt: stmt, Text: text, Gap: g, Workarounds: []Workaround{{Construct: ConstructParallelWith, Pos: stmt.Pos}}}, nil
}

// executeAs reads EXECUTE AS user [statement]: the statement, run as the
// user, is parsed on its own (and converted on its own: it may change the
// schema). It returns nil, nil for another statement.
func executeAs(stmt Statement, text string, toks []sqlTok) (*Result, error) {
	if len(toks) < 3 || !toks[0].is("EXECUTE") || !toks[1].is("AS") || !toks[2].isName() {
		return nil, nil
	}
	res := &Result{Stmt: stmt, Text: text, Gap: &Opaque{Kind: "EXECUTE AS"}, Workarounds: []Workaround{{Construct: ConstructOpaque, Pos: stmt.Pos}}}
	if len(toks) == 3 {
		return res, nil
	}
	r, err := Parse(Statement{Text: blankOutside(text, toks[3].off, len(text)), Pos: stmt.Pos})
	if err != nil {
		return nil, err
	}
	res.Workarounds = append(res.Workarounds, r.Workarounds...)
	return res, nil
}

// explainSettings skips EXPLAIN's kind words and name = value settings,
// returning the index of the statement explained, or -1.
func explainStart(toks []sqlTok) int {
	if len(toks) < 2 || !toks[0].is("EXPLAIN") {
		return -1
	}
	i := 1
	switch {
	case toks[i].is("QUERY") && i+1 < len(toks) && toks[i+1].is("TREE"):
		i += 2
	case explainKinds[toks[i].upper()]:
		i++
	}
	// name = value, …
	for i+2 < len(toks) && toks[i].kind == 'w' && toks[i+1].kind == '=' {
		i += 3
		if i < len(toks) && toks[i].kind == ',' {
			i++
		}
	}
	if i >= len(toks) {
		return -1
	}
	return i
}

// explain reads EXPLAIN [kind] [settings] statement: the statement is
// parsed on its own.
func explain(stmt Statement, text string, toks []sqlTok) (*Result, error) {
	i := explainStart(toks)
	if i < 0 {
		return nil, nil
	}
	r, err := Parse(Statement{Text: blankOutside(text, toks[i].off, len(text)), Pos: stmt.Pos})
	if err != nil {
		return nil, err
	}
	return &Result{Stmt: stmt, Text: text, Gap: &Opaque{Kind: "EXPLAIN"}, Workarounds: append([]Workaround{{Construct: ConstructExplain, Pos: stmt.Pos}}, r.Workarounds...)}, nil
}

// outputClauses blanks a query's INTO OUTFILE 'f' [APPEND|TRUNCATE] [AND
// STDOUT] [COMPRESSION 'c' [LEVEL n]] and a SETTINGS after its FORMAT
// (ParserQueryWithOutput), which AfterShip rejects.
func (p *prepared) outputClauses(toks []sqlTok) {
	if len(toks) == 0 || !(toks[0].is("SELECT") || toks[0].is("WITH") || toks[0].kind == '(') {
		return
	}
	if i := topLevelWords(toks, "INTO", "OUTFILE"); i > 0 {
		end := len(toks)
		if j := topLevelWords(toks[i:], "FORMAT"); j > 0 {
			end = i + j
		} else if j := topLevelWords(toks[i:], "SETTINGS"); j > 0 {
			end = i + j
		}
		p.blank(toks[i].off, toks[end-1].end)
		p.note(ConstructOutput, toks[i].off)
	}
	if f := topLevelWords(toks, "FORMAT"); f > 0 {
		if s := topLevelWords(toks[f:], "SETTINGS"); s > 0 {
			p.blank(toks[f+s].off, toks[len(toks)-1].end)
			p.note(ConstructOutput, toks[f+s].off)
		}
	}
}

// restore reads what RESTORE brings back: TABLE|DICTIONARY|VIEW name [AS
// other], DATABASE name [AS other], ALL, each made uncertain (the backup's
// content is not known offline).
func (c *converter) restore() {
	u := Unsupported{Reason: "RESTORE is not modelled: what it restores is uncertain"}
	for i := 1; i < len(c.toks) && c.word(i) != "FROM"; i++ {
		switch c.word(i) {
		case "TABLE", "DICTIONARY", "VIEW":
			q, k, ok := c.nameAt(i + 1)
			if !ok {
				continue
			}
			if c.word(k) == "AS" {
				if q2, k2, ok := c.nameAt(k + 1); ok {
					q, k = q2, k2
				}
			}
			u.Objects = append(u.Objects, q)
			i = k - 1
		case "DATABASE":
			if i+1 >= len(c.toks) || !c.toks[i+1].isName() {
				continue
			}
			name, k := identText(c.toks[i+1]), i+2
			if c.word(k) == "AS" && k+1 < len(c.toks) && c.toks[k+1].isName() {
				name, k = identText(c.toks[k+1]), k+2
			}
			u.Databases = append(u.Databases, name)
			i = k - 1
		case "ALL":
			u.AllDatabases = true
		}
	}
	if len(u.Objects) == 0 && len(u.Databases) == 0 {
		u.AllDatabases = true // nothing named: anything may be back
	}
	c.out.Unsupported = append(c.out.Unsupported, u)
}

// parallelWith converts statements joined by PARALLEL WITH: the server runs
// them at the same time, in no order the model can follow, so what each
// part that changes the schema touches is uncertain. It reports false when
// the statement has no PARALLEL WITH.
func (c *converter) parallelWith() bool {
	i := topLevelWords(c.toks, "PARALLEL", "WITH")
	if i < 0 {
		return false
	}
	noEffect := true
	from := 0
	for from < len(c.toks) {
		end := len(c.toks)
		if j := topLevelWords(c.toks[from:], "PARALLEL", "WITH"); j > 0 {
			end = from + j
		}
		partSQL := blankOutside(c.sql, c.toks[from].off, c.toks[end-1].end)
		part, err := Convert(partSQL, c.db)
		if err != nil || !part.NoEffect || len(part.Unsupported) > 0 {
			noEffect = false
			sub := &converter{sql: partSQL, db: c.db}
			sub.toks = scanSQL(partSQL)
			objs := sub.guessObjects()
			u := Unsupported{Offset: c.toks[from].off, Reason: "a statement joined by PARALLEL WITH is not modelled", Objects: objs, Databases: sub.guessDatabases()}
			if len(objs) == 0 && len(u.Databases) == 0 {
				u.Databases = []string{c.db}
			}
			c.out.Unsupported = append(c.out.Unsupported, u)
		}
		from = end + 2
	}
	c.out.NoEffect = noEffect
	return true
}
