package parser

import (
	"strings"

	"github.com/chschema/chschema/schema"
)

// ConstructNullAfterDefault is a column definition's NULL or NOT NULL
// written after its DEFAULT, MATERIALIZED or ALIAS expression (ClickHouse
// test 02302): AfterShip reads the modifier only right after the type.
const ConstructNullAfterDefault Construct = "NULL or NOT NULL after a column's default expression"

// ConstructTypelessNull is a column definition with no type but a NULL or
// NOT NULL modifier (id NULL DEFAULT 1): the server infers the type from the
// expression, Nullable when NULL.
const ConstructTypelessNull Construct = "NULL or NOT NULL on a column without a type"

// ConstructJoinStrictness is OUTER after a join's strictness and kind (ANY
// LEFT OUTER JOIN), which AfterShip rejects.
const ConstructJoinStrictness Construct = "ANY|ALL LEFT|RIGHT|FULL OUTER JOIN"

// ConstructAlterTemporary is ALTER TEMPORARY TABLE (ClickHouse test
// 02918), an ALTER of a temporary table of the session.
const ConstructAlterTemporary Construct = "ALTER TEMPORARY TABLE"

// ConstructColumnPrimaryKey is a column definition's own PRIMARY KEY
// (a String PRIMARY KEY, ClickHouse test 02811): the server collects the
// columns so marked, in order, into the table's PRIMARY KEY.
const ConstructColumnPrimaryKey Construct = "PRIMARY KEY in a column definition"

// nullModifier rewrites a column definition's NULL or NOT NULL that
// AfterShip cannot read where it stands (seg is the column's segment of the
// column list, seg[0] its name). It returns the segment without the
// modifier's tokens, for typeless, and whether the column has no type.
//
//   - After the default expression of a typed column (id Int32 DEFAULT 1
//     NULL): the modifier moves before DEFAULT, where it means the same.
//   - On a column without a type (id NULL DEFAULT 1, id DEFAULT 1 NOT NULL):
//     the modifier is blanked; the column is typeless, so its table is
//     uncertain (the server infers the type).
func (p *prepared) nullModifier(seg []sqlTok) []sqlTok {
	if len(seg) < 3 {
		return seg
	}
	// id [NOT] NULL DEFAULT|MATERIALIZED|ALIAS expr
	k := 1
	if seg[k].is("NOT") && k+1 < len(seg) && seg[k+1].is("NULL") {
		k++
	}
	if seg[k].is("NULL") && k+1 < len(seg) && isDefaultWord(seg[k+1]) {
		p.blank(seg[1].off, seg[k].end)
		p.note(ConstructTypelessNull, seg[1].off)
		return append([]sqlTok{seg[0]}, seg[k+1:]...)
	}
	depth := 0
	kw := -1 // the last DEFAULT, MATERIALIZED or ALIAS at depth 0
	for j := 1; j < len(seg); j++ {
		t := seg[j]
		switch t.kind {
		case '(', '[':
			depth++
			continue
		case ')', ']':
			depth--
			continue
		}
		if depth != 0 || t.kind != 'w' {
			continue
		}
		switch {
		case isDefaultWord(t):
			kw = j
		case columnPropertyWords[t.upper()] || columnTailKeywords[t.upper()]:
			kw = -1
		case t.is("NULL") && kw >= 0:
			m := j
			if seg[j-1].is("NOT") {
				m = j - 1
			}
			if m-1 <= kw || !isOperandEnd(seg[m-1]) || seg[m-1].is("IS") || seg[m-1].is("NULL") {
				continue
			}
			mod := "NULL"
			if m < j {
				mod = "NOT NULL"
			}
			if kw == 1 {
				// No type: the server infers it.
				p.blank(seg[m].off, seg[j].end)
				p.note(ConstructTypelessNull, seg[m].off)
				out := append([]sqlTok{}, seg[:m]...)
				return append(out, seg[j+1:]...)
			}
			from, to := seg[kw].off, seg[j].end
			moved := mod + " " + strings.TrimRight(p.orig[from:seg[m].off], " \t\r\n")
			if len(moved) > to-from {
				return seg
			}
			p.blank(from, to)
			copy(p.b[from:], moved)
			p.note(ConstructNullAfterDefault, seg[m].off)
			out := append([]sqlTok{}, seg[:m]...)
			return append(out, seg[j+1:]...)
		}
	}
	return seg
}

func isDefaultWord(t sqlTok) bool {
	return t.is("DEFAULT") || t.is("MATERIALIZED") || t.is("ALIAS")
}

// columnPrimaryKey blanks a column definition's PRIMARY KEY and records the
// column for the table's key (see ConstructColumnPrimaryKey).
func (p *prepared) columnPrimaryKey(seg []sqlTok) []sqlTok {
	depth := 0
	for j := 1; j+1 < len(seg); j++ {
		switch seg[j].kind {
		case '(', '[':
			depth++
		case ')', ']':
			depth--
		}
		if depth != 0 || !seg[j].is("PRIMARY") || !seg[j+1].is("KEY") {
			continue
		}
		p.blank(seg[j].off, seg[j+1].end)
		p.note(ConstructColumnPrimaryKey, seg[j].off)
		p.colPrimary = append(p.colPrimary, schema.QuoteIdent(identText(seg[0])))
		out := append([]sqlTok{}, seg[:j]...)
		return append(out, seg[j+2:]...)
	}
	return seg
}

// ConstructDescendingKey is ASC or DESC on a column of a MergeTree sorting
// key (ORDER BY (i, j DESC), allow_experimental_reverse_key; ClickHouse
// test 03257).
const ConstructDescendingKey Construct = "DESC in a sorting key"

// descendingKey blanks ASC and DESC in a CREATE's storage ORDER BY clause
// (AfterShip reads them only on a lone key expression) and records where:
// the model does not hold a key column's direction, so the conversion makes
// the table uncertain rather than compare its key without it.
func (p *prepared) descendingKey(toks []sqlTok) {
	depth := 0
	engine := false
	for i := 0; i+1 < len(toks); i++ {
		switch toks[i].kind {
		case '(':
			depth++
			continue
		case ')':
			depth--
			continue
		}
		if depth != 0 {
			continue
		}
		if toks[i].is("ENGINE") {
			engine = true
		}
		if toks[i].is("AS") && engine {
			return // the view's or CREATE … AS SELECT's query
		}
		if !engine || !toks[i].is("ORDER") || !toks[i+1].is("BY") {
			continue
		}
		d := 0
		for j := i + 2; j < len(toks); j++ {
			t := toks[j]
			switch t.kind {
			case '(':
				d++
			case ')':
				d--
			}
			if d < 0 || d == 0 && t.kind == 'w' && (storageWords[t.upper()] || t.is("AS") || t.is("COMMENT") || t.is("EMPTY") || t.is("POPULATE")) {
				return
			}
			if (t.is("DESC") || t.is("ASC") || t.is("DESCENDING") || t.is("ASCENDING")) && j > i+2 && isOperandEnd(toks[j-1]) {
				p.blank(t.off, t.end)
				p.note(ConstructDescendingKey, t.off)
				p.descKeys = append(p.descKeys, t.off)
			}
		}
		return
	}
}

// descendingKeyUnknown makes a table whose sorting key has ASC or DESC, or
// whose columns have STATISTICS(…), uncertain: it exists, but the model does
// not hold the key's directions nor column statistics.
func (c *converter) descendingKeyUnknown(name schema.QualifiedName) {
	for _, off := range c.colStats {
		c.unsupported(off, "column-level STATISTICS are not modelled", name)
		c.out.Unsupported[len(c.out.Unsupported)-1].Exists = true
		break
	}
	for _, off := range c.descKeys {
		c.unsupported(off, "a sorting key column's direction (ASC or DESC) is not modelled", name)
		c.out.Unsupported[len(c.out.Unsupported)-1].Exists = true
		return
	}
}

// ConstructColumnStatistics is a column definition's STATISTICS(…)
// (allow_statistics; ClickHouse test 03270), which AfterShip rejects.
const ConstructColumnStatistics Construct = "column-level STATISTICS"

// columnStatistics blanks a column definition's STATISTICS(…) and records
// where: the model does not hold column statistics, so the conversion
// makes the table uncertain rather than compare it without them.
func (p *prepared) columnStatistics(seg []sqlTok) {
	i, end, ok := columnClause(seg, "STATISTICS")
	if !ok {
		return
	}
	p.blank(seg[i].off, seg[end].end)
	p.colStats = append(p.colStats, seg[i].off)
	p.note(ConstructColumnStatistics, seg[i].off)
}

// ConstructCloneAs is CREATE TABLE t CLONE AS src (ClickHouse test 03231):
// CREATE TABLE t AS src, then ATTACH PARTITION ALL FROM src; the schema
// effect is the CREATE's.
const ConstructCloneAs Construct = "CREATE TABLE … CLONE AS"

// cloneAs blanks the CLONE of CREATE TABLE t CLONE AS src.
func (p *prepared) cloneAs(toks []sqlTok) {
	if len(toks) < 5 || !toks[0].is("CREATE") {
		return
	}
	for i := 2; i+1 < len(toks) && i < 12; i++ {
		if toks[i].kind == '(' || toks[i].is("SELECT") {
			return // a view's query: FROM clone AS t
		}
		if toks[i].is("CLONE") && toks[i+1].is("AS") && !tableNameAt(toks, i) {
			p.blank(toks[i].off, toks[i].end)
			p.note(ConstructCloneAs, toks[i].off)
			return
		}
	}
}
