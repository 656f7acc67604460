package parser

import (
	"maps"
	"slices"

	"github.com/chschema/chschema/schema"
)

// A statement's own SETTINGS are a SET for that statement alone (issue 11,
// F41 and F42). ClickHouse 26.7 applies, before it runs a CREATE or an
// ALTER (InterpreterSetQuery::applySettingsFromQuery):
//
//   - the query's SETTINGS: an ALTER's trailing SETTINGS, and a CREATE
//     TABLE's second SETTINGS clause (or one after its COMMENT): the first
//     is the table's, "SETTINGS index_granularity = 1 SETTINGS
//     flatten_nested = 0";
//   - the SETTINGS of the query of a CREATE … AS SELECT or of a view:
//     data_type_default_nullable there makes a view's declared columns
//     Nullable, and aggregate_functions_null_for_empty changes the types
//     the server infers for it;
//   - in a CREATE TABLE's only SETTINGS clause, the settings that are not
//     the engine's own: "ENGINE = Memory SETTINGS flatten_nested = 0"
//     keeps Nested columns whole.
//
// The session settings the model follows (flatten_nested,
// data_type_default_nullable, …) are followed here too; the objects of a
// statement that gives itself one the model does not follow are
// uncertain, as after a SET (markUnmodelled). Settings inside a subquery
// change what the server infers for it alone: when they change DDL at
// all, the statement's objects are uncertain.

// ConstructQueryClause is a CREATE TABLE's query SETTINGS, which
// AfterShip would read as the table's.
const ConstructQueryClause Construct = "query SETTINGS of a CREATE TABLE"

// settingsClause is one "SETTINGS name = value, …" of a statement.
type settingsClause struct {
	// at is the index of the SETTINGS keyword; end the index after its
	// last value.
	at, end int
	// depth is the parentheses around it; inQuery says it is in the
	// query of a view or of CREATE … AS SELECT.
	depth   int
	inQuery bool
	// afterComment says a top-level COMMENT 'x' comes before it.
	afterComment bool
	settings     []rawSetting
}

// settingsClauses finds the SETTINGS name = value clauses of a statement
// (text, scanned into toks). A SETTINGS followed by a parenthesis (a
// dictionary's or a column's) is not one.
func settingsClauses(text string, toks []sqlTok) []settingsClause {
	var out []settingsClause
	depth, inQuery, comment := 0, false, false
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		switch t.kind {
		case '(', '[', '{':
			depth++
			continue
		case ')', ']', '}':
			depth--
			continue
		case 'w':
		default:
			continue
		}
		if depth == 0 && t.is("AS") && i+1 < len(toks) && (toks[i+1].is("SELECT") || toks[i+1].is("WITH") || toks[i+1].kind == '(') {
			inQuery = true
		}
		if depth == 0 && !inQuery && t.is("COMMENT") && i+1 < len(toks) && toks[i+1].kind == 's' {
			comment = true
		}
		if !t.is("SETTINGS") || i+2 >= len(toks) || !toks[i+1].isName() || toks[i+2].kind != '=' {
			continue
		}
		cl := settingsClause{at: i, depth: depth, inQuery: inQuery, afterComment: comment}
		j := i + 1
		for j+2 < len(toks) && toks[j].isName() && toks[j+1].kind == '=' {
			v := valueEnd(toks, j+2)
			if v < 0 {
				break
			}
			cl.settings = append(cl.settings, rawSetting{name: identText(toks[j]), value: text[toks[j+2].off:toks[v].end], off: toks[j].off})
			j = v + 1
			if j >= len(toks) || toks[j].kind != ',' {
				break
			}
			j++
		}
		cl.end = j
		out = append(out, cl)
		i = j - 1
	}
	return out
}

// valueEnd returns the index of the last token of the setting value that
// starts at toks[i]: one token, a signed number, or a bracketed group; -1
// when there is none.
func valueEnd(toks []sqlTok, i int) int {
	if i < len(toks) && (toks[i].kind == '-' || toks[i].kind == '+') {
		i++
	}
	if i >= len(toks) {
		return -1
	}
	switch toks[i].kind {
	case '(', '[', '{':
		depth := 0
		for j := i; j < len(toks); j++ {
			switch toks[j].kind {
			case '(', '[', '{':
				depth++
			case ')', ']', '}':
				depth--
			}
			if depth == 0 {
				return j
			}
		}
		return -1
	case ')', ']', '}', ',', ';':
		return -1
	}
	return i
}

// tableQuerySettings returns the SETTINGS clauses of a CREATE TABLE that
// are the query's, not the table's: every clause after the first at the
// top level before an AS SELECT, and one after the table's COMMENT.
// AfterShip keeps only the last clause, as if it were the table's.
func tableQuerySettings(clauses []settingsClause) []settingsClause {
	var out []settingsClause
	n := 0
	for _, cl := range clauses {
		if cl.depth != 0 || cl.inQuery {
			continue
		}
		if n > 0 || cl.afterComment {
			out = append(out, cl)
		}
		n++
	}
	return out
}

// queryClauses blanks the query SETTINGS of a CREATE TABLE (see
// tableQuerySettings), which AfterShip would read as the table's.
func (p *prepared) queryClauses(toks []sqlTok) {
	if !createsTable(toks) {
		return
	}
	for _, cl := range tableQuerySettings(settingsClauses(p.orig, toks)) {
		p.blank(toks[cl.at].off, toks[cl.end-1].end)
		p.note(ConstructQueryClause, toks[cl.at].off)
	}
}

// createsTable reports whether toks are a CREATE|ATTACH [OR REPLACE]
// TABLE (not TEMPORARY: a temporary table is the session's).
func createsTable(toks []sqlTok) bool {
	for i := 1; i < len(toks) && i < 4; i++ {
		switch {
		case toks[i].is("TABLE"):
			return true
		case !toks[i].is("OR") && !toks[i].is("REPLACE"):
			return false
		}
	}
	return false
}

// ddlSetting reports whether a setting changes what a CREATE or ALTER
// means (unmodelledSettings, followed or not).
func ddlSetting(name string) bool {
	_, ok := unmodelledSettings[name]
	return ok
}

// statementSettings puts the settings the statement gives itself (see
// above) into c.sess for its conversion, and into c.out.settings for the
// replayer. c.toks must be the statement's tokens.
func (c *converter) statementSettings() {
	var kind string // TABLE, VIEW or ALTER
	switch {
	case (c.word(0) == "CREATE" || c.word(0) == "ATTACH") && createsTable(c.toks):
		kind = "TABLE"
	case c.word(0) == "CREATE" || c.word(0) == "ATTACH":
		for i := 1; i < len(c.toks) && i < 6 && kind == ""; i++ {
			if c.toks[i].is("VIEW") {
				kind = "VIEW"
			}
		}
	case c.word(0) == "ALTER" && c.word(1) == "TABLE":
		kind = "ALTER"
	default:
		return
	}
	clauses := settingsClauses(c.sql, c.toks)
	if len(clauses) == 0 {
		return
	}
	own := map[string]bool{} // the engine's own settings, for the table's clause
	if kind == "TABLE" {
		own = c.engineOwnSettings()
	}
	add := map[string]setValue{}
	for _, cl := range clauses {
		for _, s := range cl.settings {
			if !ddlSetting(s.name) {
				continue
			}
			switch {
			case kind == "ALTER" && (cl.depth != 0 || alterModifiesQuery(c.toks)):
				continue // MODIFY QUERY's SELECT: the view's columns stay
			case kind == "TABLE" && !cl.inQuery && (cl.depth != 0 || own[s.name]):
				continue // the engine's own setting
			case kind != "ALTER" && (cl.depth != 0 || kind == "VIEW" && !cl.inQuery):
				// In a subquery, which the server infers alone under it, or
				// in a view's storage, which refuses it: uncertain.
				add[s.name] = setValue{value: s.value, inStatement: true, opaque: true}
				continue
			}
			add[s.name] = setValue{value: s.value, inStatement: true}
		}
	}
	if len(add) == 0 {
		return
	}
	sess := maps.Clone(c.sess)
	if sess == nil {
		sess = sessionSettings{}
	}
	maps.Copy(sess, add)
	c.sess = sess
	c.out.settings = sess
}

// alterModifiesQuery reports whether an ALTER has a MODIFY QUERY command,
// whose SELECT's SETTINGS are the view's.
func alterModifiesQuery(toks []sqlTok) bool {
	for i := 0; i+1 < len(toks); i++ {
		if toks[i].is("MODIFY") && toks[i+1].is("QUERY") {
			return true
		}
	}
	return false
}

// engineOwnSettings returns the settings that the engine of a CREATE
// TABLE (ENGINE = Name at the top level) keeps as its own: those of
// engineSettings, or every MergeTree setting for a MergeTree engine.
func (c *converter) engineOwnSettings() map[string]bool {
	depth := 0
	for i, t := range c.toks {
		switch t.kind {
		case '(':
			depth++
		case ')':
			depth--
		}
		if depth != 0 || !t.is("ENGINE") {
			continue
		}
		j := i + 1
		if j < len(c.toks) && c.toks[j].kind == '=' {
			j++
		}
		if j >= len(c.toks) || !c.toks[j].isName() {
			return nil
		}
		name := identText(c.toks[j])
		if len(name) >= len("MergeTree") && name[len(name)-len("MergeTree"):] == "MergeTree" {
			return mergeTreeSettings
		}
		return engineSettings[name]
	}
	return nil
}

// ConstructColumnSettings is a column definition's SETTINGS (name = value,
// …), which AfterShip rejects.
const ConstructColumnSettings Construct = "column-level SETTINGS"

// columnSettings blanks the SETTINGS (…) of a column definition (seg),
// MergeTree's per-column settings (max_compress_block_size, …), and keeps
// its offset: the model does not hold them, so the conversion makes the
// table uncertain rather than compare it without them (issue 11 F45).
func (p *prepared) columnSettings(seg []sqlTok) {
	i, end, ok := columnClause(seg, "SETTINGS")
	if !ok {
		return
	}
	p.blank(seg[i].off, seg[end].end)
	p.colSettings = append(p.colSettings, seg[i].off)
	if p.colSettingValues == nil {
		p.colSettingValues = map[int]columnSettingsDef{}
	}
	p.colSettingValues[seg[i].off] = readColumnSettings(p.orig, identText(seg[0]), seg[i+2:end])
	p.note(ConstructColumnSettings, seg[i].off)
}

// columnClause finds a column definition's word(…) clause at its top
// level (SETTINGS (…), STATISTICS(…)): the index of the word and of its
// closing parenthesis.
func columnClause(seg []sqlTok, word string) (at, end int, ok bool) {
	depth := 0
	for i := 1; i+1 < len(seg); i++ {
		switch seg[i].kind {
		case '(':
			depth++
		case ')':
			depth--
		}
		if depth != 0 || !seg[i].is(word) || seg[i+1].kind != '(' {
			continue
		}
		if end := closingParen(seg, i+1); end >= 0 {
			return i, end, true
		}
		return 0, 0, false
	}
	return 0, 0, false
}

// columnSettingsDef is a column definition's SETTINGS (…) read from its
// tokens; ok is false when a value could not be read.
type columnSettingsDef struct {
	column   string
	settings schema.Settings
	ok       bool
}

// readColumnSettings reads "name = value, …" (toks, inside the brackets)
// with values as the server prints them ('5' stays a string, 0x10 is 16).
func readColumnSettings(src, column string, toks []sqlTok) columnSettingsDef {
	d := columnSettingsDef{column: column}
	for _, seg := range splitTopLevel(toks) {
		if len(seg) < 3 || !seg[0].isName() || seg[1].kind != '=' {
			return d
		}
		v, ok := formatExprText(src[seg[2].off:seg[len(seg)-1].end], "")
		if !ok {
			return d
		}
		d.settings = append(d.settings, schema.Setting{Name: identText(seg[0]), Value: schema.Expr(v)})
	}
	d.ok = len(d.settings) > 0
	return d
}

// columnSettingsInto puts the SETTINGS (…) of a CREATE TABLE's column
// definitions on t's columns, as the server stores them; what cannot be
// read or placed stays uncertain (columnSettingsUnknown).
func (c *converter) columnSettingsInto(t *schema.Table) {
	var rest []int
	for _, off := range c.colSettings {
		d := c.colSettingValues[off]
		col, found := t.Column(d.column)
		if !d.ok || !found {
			rest = append(rest, off)
			continue
		}
		col.Settings = d.settings
	}
	c.colSettings = rest
}

// takeColumnSettings takes the readable SETTINGS (…) of a column
// definition within seg (an ALTER command) out of c.colSettings, and
// returns them.
func (c *converter) takeColumnSettings(seg []sqlTok) (columnSettingsDef, bool) {
	if len(seg) == 0 {
		return columnSettingsDef{}, false
	}
	from, to := seg[0].off, seg[len(seg)-1].end
	for i, off := range c.colSettings {
		if d := c.colSettingValues[off]; off >= from && off < to && d.ok {
			c.colSettings = slices.Delete(c.colSettings, i, i+1)
			return d, true
		}
	}
	return columnSettingsDef{}, false
}

// columnSettingsUnknown makes a table (or view) whose column definitions
// have SETTINGS (…) uncertain: it exists, but the model does not hold
// those settings.
func (c *converter) columnSettingsUnknown(name schema.QualifiedName) {
	for _, off := range c.colSettings {
		c.unsupported(off, "column-level SETTINGS are not modelled", name)
		c.out.Unsupported[len(c.out.Unsupported)-1].Exists = true
	}
}
