package parser

import (
	"fmt"
	"strings"

	ch "github.com/AfterShip/clickhouse-sql-parser/parser"
)

// Synonyms: statement forms the server accepts that mean the same as a
// form AfterShip reads, rewritten to it without changing the statement's
// length, before anything else reads the statement (lint's gap layer and
// the conversion alike). Each is a held-out corpus finding of issue 11:
//   - REPLACE TABLE|DICTIONARY (F11) is CREATE OR REPLACE of an object that
//     exists: "REPLACE" becomes "CREATE " and orReplace is set;
//   - ALTER TABLE … ALTER COLUMN x TYPE T (F20) is MODIFY COLUMN x T;
//   - CREATE TABLE t ENGINE = E AS other (F15) is CREATE TABLE t AS other
//     ENGINE = E: the two parts swap places;
//   - EMPTY before a CREATE's AS SELECT (F32) creates the object without
//     data, which the schema does not hold: it is blanked;
//   - COLLATE name after a column type (F21) is ignored by the server
//     (compatibility_ignore_collation_in_create_table): it is blanked;
//   - LAYOUT(HASHED), a layout without its parentheses (F28), is
//     LAYOUT(HASHED()): the name loses two letters for the parentheses and
//     layout keeps it;
//   - a dictionary attribute's DEFAULT literal AfterShip cannot read (-1,
//     1.5, [1, 2], F30) becomes 0 and is kept in dictDefaults;
//   - UUID 'u' and TO INNER UUID 'u' of a CREATE or ATTACH (F25) are
//     blanked; uuid keeps the object's.
type synonyms struct {
	orig, text string
	orReplace  bool
	layout     string
	// dictDefaults are the taken-out DEFAULT literals, by the offset of
	// their placeholder: [from, to) of the statement.
	dictDefaults map[int][2]int
	// uuid is the UUID 'u' clause of the object a CREATE or ATTACH makes.
	uuid  string
	found []Workaround // Pos.Offset only
	// inexact are the offsets of IS operators whose precedence the
	// rewrite does not keep (see isOperators).
	inexact []int
	// dropped are the forms blanked so that the statement reads, which
	// the model then lacks, by offset (see droppedForms): what they touch
	// is uncertain.
	dropped map[int]string
}

// Constructs of the synonyms.
const (
	ConstructReplace      Construct = "REPLACE TABLE or REPLACE DICTIONARY"
	ConstructAlterType    Construct = "ALTER COLUMN … TYPE"
	ConstructEngineBefore Construct = "ENGINE before AS table"
	ConstructEmpty        Construct = "EMPTY AS SELECT"
	ConstructCollate      Construct = "COLLATE after a column type"
	ConstructBareLayout   Construct = "LAYOUT without parentheses"
	ConstructDictDefault  Construct = "dictionary DEFAULT literal (negative, float, array)"
	ConstructUUID         Construct = "UUID clause"
)

// namedHere reports whether toks[i] is the name of the object a statement
// makes (CREATE VIEW db.EMPTY AS …), after its kind or its database.
func namedHere(toks []sqlTok, i int) bool {
	if i == 0 {
		return false
	}
	switch p := toks[i-1]; {
	case p.kind == '.', p.is("TABLE"), p.is("VIEW"), p.is("DICTIONARY"), p.is("EXISTS"):
		return true
	case p.is("FROM"), p.is("JOIN"), p.kind == ',':
		return true // FROM empty AS t: a table called empty
	}
	return false
}

// rewriteSynonyms rewrites text (comments blanked) as described above.
func rewriteSynonyms(text string) *synonyms {
	s := &synonyms{orig: text, text: text}
	toks := scanSQL(text)
	if len(toks) < 3 {
		return s
	}
	b := []byte(text)
	note := func(c Construct, off int) { s.found = append(s.found, Workaround{Construct: c, Pos: Pos{Offset: off}}) }
	s.inexact = isOperators(b, toks, note)
	joinWords(b, toks, note)
	s.dropped = droppedForms(b, toks, note)
	blank := func(from, to int) {
		for i := from; i < to; i++ {
			if b[i] != '\n' {
				b[i] = ' '
			}
		}
	}
	switch {
	case toks[0].is("REPLACE") && (toks[1].is("TABLE") || toks[1].is("DICTIONARY")):
		copy(b[toks[0].off:], "CREATE ")
		s.orReplace = true
		note(ConstructReplace, toks[0].off)
		s.create(toks, b, note, blank)
	case toks[0].is("ALTER") && toks[1].is("TABLE"):
		// "ALTER COLUMN [IF EXISTS] x TYPE" → "MODIFY COLUMN [IF EXISTS] x"
		// and spaces: the name moves one byte to the right, into TYPE's
		// place.
		depth := 0
		for i := 2; i+3 < len(toks); i++ {
			switch toks[i].kind {
			case '(':
				depth++
			case ')':
				depth--
			}
			if depth != 0 || !toks[i].is("ALTER") || !toks[i+1].is("COLUMN") {
				continue
			}
			j := i + 2
			if toks[j].is("IF") && j+1 < len(toks) && toks[j+1].is("EXISTS") {
				j += 2
			}
			if j+1 >= len(toks) || !toks[j].isName() || !toks[j+1].is("TYPE") {
				continue
			}
			from, to := toks[i].off, toks[j+1].end
			head := "MODIFY COLUMN " + text[toks[i+2].off:toks[j].end]
			blank(from, to)
			copy(b[from:], head)
			note(ConstructAlterType, toks[i].off)
		}
	case toks[0].is("CREATE") || toks[0].is("ATTACH"):
		s.create(toks, b, note, blank)
	}
	s.text = string(b)
	return s
}

func (s *synonyms) create(toks []sqlTok, b []byte, note func(Construct, int), blank func(int, int)) {
	depth := 0
	isDict := false
	for i := 1; i < len(toks) && i < 5; i++ {
		isDict = isDict || toks[i].is("DICTIONARY")
	}
	for i, t := range toks {
		switch t.kind {
		case '(':
			depth++
		case ')':
			depth--
		}
		switch {
		case depth == 0 && t.is("UUID") && i+1 < len(toks) && toks[i+1].kind == 's' && i > 1:
			from := t.off
			if toks[i-1].is("INNER") && i > 2 && toks[i-2].is("TO") {
				from = toks[i-2].off
			} else if s.uuid == "" {
				s.uuid = unquoteLiteral(toks[i+1].text)
			}
			blank(from, toks[i+1].end)
			note(ConstructUUID, from)
		case depth == 0 && t.is("EMPTY") && i+1 < len(toks) && toks[i+1].is("AS") && !namedHere(toks, i):
			blank(t.off, t.end)
			note(ConstructEmpty, t.off)
		case t.is("COLLATE") && depth == 1 && i+1 < len(toks) && toks[i+1].isName() && i > 0 && (toks[i-1].isName() || toks[i-1].kind == ')') &&
			!toks[i+1].is("TYPE") && collatesColumnType(toks, i): // not INDEX i collate TYPE …, a column called collate
			blank(t.off, toks[i+1].end)
			note(ConstructCollate, t.off)
		case isDict && depth == 0 && t.is("LAYOUT") && i+3 < len(toks) && toks[i+1].kind == '(' && toks[i+2].kind == 'w' && toks[i+3].kind == ')' && len(toks[i+2].text) > 2:
			n := toks[i+2]
			s.layout = n.text
			copy(b[n.off:], n.text[:len(n.text)-2]+"()")
			note(ConstructBareLayout, n.off)
		case isDict && depth == 1 && t.is("DEFAULT") && i+1 < len(toks):
			// The literal: a sign and a number, or a bracketed array.
			v := toks[i+1]
			end := -1
			switch {
			case v.kind == '-' || v.kind == '+':
				if i+2 < len(toks) && (toks[i+2].kind == 'n' || toks[i+2].is("inf") || toks[i+2].is("nan")) {
					end = toks[i+2].end
				}
			case v.kind == 'n' && strings.ContainsAny(strings.ToLower(v.text), ".e") && !strings.HasPrefix(strings.ToLower(v.text), "0x"):
				end = v.end
			case v.kind == '[':
				d := 0
				for j := i + 1; j < len(toks); j++ {
					switch toks[j].kind {
					case '[':
						d++
					case ']':
						d--
					}
					if d == 0 {
						end = toks[j].end
						break
					}
				}
			}
			if end > 0 {
				if s.dictDefaults == nil {
					s.dictDefaults = map[int][2]int{}
				}
				s.dictDefaults[v.off] = [2]int{v.off, end}
				blank(v.off, end)
				b[v.off] = '0'
				note(ConstructDictDefault, v.off)
			}
		}
	}
	// CREATE TABLE t ENGINE = E … AS [db.]other: the table form of AS, with
	// the storage first. Rotate "ENGINE … AS other" to "AS other ENGINE …".
	if len(toks) < 6 || !toks[1].is("TABLE") && !(toks[1].is("OR") && len(toks) > 3 && toks[3].is("TABLE")) {
		return
	}
	engine, as := -1, -1
	depth = 0
	for i, t := range toks {
		switch t.kind {
		case '(':
			depth++
		case ')':
			depth--
		}
		if depth != 0 {
			if engine < 0 {
				return // a column list: not this form
			}
			continue
		}
		if t.is("ENGINE") && engine < 0 {
			engine = i
		}
		if t.is("AS") && engine >= 0 && as < 0 {
			as = i
		}
	}
	if engine < 0 || as < 0 {
		return
	}
	// AS must be followed by a [db.]name and nothing else.
	rest := toks[as+1:]
	if !(len(rest) == 1 && rest[0].isName() || len(rest) == 3 && rest[0].isName() && rest[1].kind == '.' && rest[2].isName()) || rest[0].is("SELECT") || rest[0].is("WITH") {
		return
	}
	from, to := toks[engine].off, rest[len(rest)-1].end
	storage := strings.TrimRight(string(b[from:toks[as].off]), " \t\n")
	asPart := string(b[toks[as].off:to])
	rot := asPart + " " + storage
	rot += strings.Repeat(" ", to-from-len(rot))
	copy(b[from:to], rot)
	note(ConstructEngineBefore, toks[engine].off)
}

// parseGap tries the synonyms first: a statement rewritten by them goes
// through the gap layer as rewritten, with their workarounds.
func parseGap(stmt Statement, text string, nativeErr error) (*Result, error) {
	syn := rewriteSynonyms(text)
	if len(syn.found) == 0 {
		return parseGapForms(stmt, text, nativeErr)
	}
	var r *Result
	if ast, err := parseOne(syn.text); err == nil {
		r = &Result{Stmt: stmt, AST: ast, Text: syn.text}
	} else {
		var gapErr error
		if r, gapErr = parseGapForms(stmt, syn.text, nativeErr); gapErr != nil {
			return nil, gapErr
		}
	}
	for _, w := range syn.found {
		r.Workarounds = append(r.Workarounds, Workaround{Construct: w.Construct, Pos: stmt.PosAt(w.Pos.Offset)})
	}
	if syn.orReplace {
		switch st := r.AST.(type) {
		case *ch.CreateTable:
			st.OrReplace = true
		case *ch.CreateDictionary:
			st.OrReplace = true
		}
	}
	for _, span := range syn.dictDefaults {
		if _, ok := dictDefaultLiteral(syn.orig, span); !ok {
			return nil, &ParseError{Pos: stmt.PosAt(span[0]), Msg: "a dictionary attribute's DEFAULT must be a literal", Stmt: stmt}
		}
	}
	return r, nil
}

var errDictDefault = fmt.Errorf("%w: a dictionary attribute's DEFAULT must be a literal", ErrSyntax)

// dictDefaultLiteral reads a taken-out dictionary DEFAULT from the
// original text: it must be a literal, as the server requires.
func dictDefaultLiteral(orig string, span [2]int) (ch.Expr, bool) {
	e, err := parseExprText(orig[span[0]:span[1]])
	if err != nil {
		return nil, false
	}
	return e, isLiteral(e)
}

func isLiteral(e ch.Expr) bool {
	switch e := e.(type) {
	case *ch.NumberLiteral, *ch.StringLiteral, *ch.NullLiteral:
		return true
	case *ch.NegateExpr:
		return isLiteral(e.Expr)
	case *ch.UnaryExpr:
		return (e.Kind == "-" || e.Kind == "+") && isLiteral(e.Expr)
	case *ch.ArrayParamList:
		if e.Items == nil {
			return true
		}
		for _, it := range e.Items.Items {
			if !isLiteral(it) {
				return false
			}
		}
		return true
	case *ch.Ident:
		switch strings.ToLower(e.Name) {
		case "inf", "nan", "true", "false":
			return true
		}
	case *ch.ColumnExpr:
		return e.Alias == nil && isLiteral(e.Expr)
	}
	return false
}

// collatesColumnType reports whether the COLLATE at toks[i], in a column
// list, follows a column's type (c String COLLATE binary): its element is
// a column, and COLLATE comes after its name and type. A column, index,
// constraint or projection called collate is a name (INDEX collate v TYPE
// minmax, CONSTRAINT collate CHECK collate > 1).
func collatesColumnType(toks []sqlTok, i int) bool {
	depth, start := 0, -1
	for j := i - 1; j >= 0 && start < 0; j-- {
		switch toks[j].kind {
		case ')', ']':
			depth++
		case '(', '[':
			if depth == 0 {
				start = j + 1
			}
			depth--
		case ',':
			if depth == 0 {
				start = j + 1
			}
		}
	}
	if start < 0 || i-start < 2 {
		return false
	}
	switch strings.ToUpper(toks[start].text) {
	case "INDEX", "CONSTRAINT", "PROJECTION", "PRIMARY":
		return false
	}
	return true
}

// joinWords rewrites the join words AfterShip cannot read. NATURAL and
// PASTE before JOIN are blanked (see below). ANTI LEFT|RIGHT [OUTER] JOIN,
// which AfterShip refuses, becomes
// LEFT|RIGHT ANTI JOIN, which it reads (and prints back as ANTI LEFT, as
// the server stores it). The two words change places within the same span;
// OUTER, which the server drops, is blanked.
func joinWords(b []byte, toks []sqlTok, note func(Construct, int)) {
	for i := 0; i+2 < len(toks); i++ {
		if (toks[i].is("NATURAL") || toks[i].is("PASTE")) && toks[i+1].is("JOIN") && i > 0 && toks[i-1].kind != '.' {
			// AfterShip reads NATURAL (PASTE) as the table's alias, or
			// refuses it after one: blanked, so that the statement reads;
			// the view is uncertain (unmodelledQueryForms reads the
			// original text).
			for k := toks[i].off; k < toks[i].end; k++ {
				b[k] = ' '
			}
			note(ConstructJoinKind, toks[i].off)
			continue
		}
		a, side := toks[i], toks[i+1]
		if !a.is("ANTI") || !(side.is("LEFT") || side.is("RIGHT")) || !(toks[i+2].is("JOIN") || toks[i+2].is("OUTER")) {
			continue
		}
		if i > 0 && (toks[i-1].is("LEFT") || toks[i-1].is("RIGHT")) {
			continue // LEFT ANTI already
		}
		span := b[a.off:side.end]
		w := side.text + " " + a.text
		for k := range span {
			if span[k] != '\n' {
				span[k] = ' '
			}
		}
		copy(span, w)
		if o := toks[i+2]; o.is("OUTER") {
			// ANTI RIGHT OUTER JOIN: the server prints ANTI RIGHT JOIN.
			for k := o.off; k < o.end; k++ {
				b[k] = ' '
			}
		}
		note(ConstructAntiFirst, a.off)
	}
}

// droppedForms blanks the forms the server accepts but AfterShip cannot
// read and the model does not follow, so that lint does not reject valid
// SQL: LIMIT n WITH TIES, x AT TIME ZONE 'tz' (the server stores
// toTimeZone(x, 'tz')) and EXCEPT|INTERSECT DISTINCT. It returns them by
// offset: the conversion makes what they touch uncertain (TestExpressionOperators,
// knownUncertain).
func droppedForms(b []byte, toks []sqlTok, note func(Construct, int)) map[int]string {
	var out map[int]string
	drop := func(from, to int, form string) {
		for k := from; k < to; k++ {
			if b[k] != '\n' {
				b[k] = ' '
			}
		}
		if out == nil {
			out = map[int]string{}
		}
		out[from] = form
		note(ConstructDropped, from)
	}
	for i := 1; i+1 < len(toks); i++ {
		t := toks[i]
		switch {
		case t.is("WITH") && toks[i+1].is("TIES"):
			drop(t.off, toks[i+1].end, "LIMIT … WITH TIES")
		case t.is("AT") && i+3 < len(toks) && toks[i+1].is("TIME") && toks[i+2].is("ZONE") && toks[i+3].kind == 's':
			drop(t.off, toks[i+3].end, "AT TIME ZONE")
		case (t.is("EXCEPT") || t.is("INTERSECT")) && toks[i+1].is("DISTINCT") && i+2 < len(toks) && (toks[i+2].is("SELECT") || toks[i+2].kind == '('):
			drop(toks[i+1].off, toks[i+1].end, t.upper()+" DISTINCT")
		}
	}
	return out
}
