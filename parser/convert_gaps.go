package parser

// This file is the one place where the conversion layer (convert*.go) works
// around gaps in AfterShip's parser (v0.5.6) inside CREATE and ALTER
// statements. Whole-statement gaps (EXCHANGE TABLES, DROP FUNCTION,
// RENAME ... IF EXISTS) come typed from Parse (gaps.go); the conversion
// needs more than Parse gives for CREATE and ALTER: the exact source text of
// every type, codec and TTL, at offsets that are the user's. So its strategy
// is a narrow, length-preserving rewrite of the statement before AfterShip
// sees it, with the rewritten parts read from the original text:
//
//   - INDEX, CONSTRAINT and PROJECTION elements are blanked and read by
//     readIndex/readConstraint/readProjection (no GRANULARITY, ASSUME,
//     named index arguments);
//   - column types with arguments become a same-length placeholder and are
//     normalised from the original (Dynamic(max_types=10), JSON settings,
//     Enum lists with implicit values, INT UNSIGNED);
//   - TTL clauses are blanked and read by readTTL (WHERE without DELETE,
//     RECOMPRESS, TO DISK);
//   - long CODEC lists become CODEC(NONE) and are read from the original;
//   - keyword column names become same-length placeholders;
//   - EPHEMERAL [expr] is blanked (or becomes DEFAULT) and remembered;
//   - the MOD operator becomes "%";
//   - a trailing COMMENT after a view's query is blanked and remembered;
//   - ORDER BY's NULLS FIRST/LAST is blanked and remembered by offset;
//   - "FUNCTION f AS x -> body" becomes "AS(x)-> body".
//
// ALTER actions are split at top-level commas and read one by one
// (convert_alter.go): COMMENT COLUMN, MODIFY COMMENT, MODIFY/REMOVE SAMPLE
// BY, ADD/DROP CONSTRAINT, FIRST/AFTER on MODIFY COLUMN, column properties
// without a type and trailing SETTINGS are read from tokens.

import (
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/chschema/chschema/schema"
)

// columnTailKeywords end a column definition's default expression.
var columnTailKeywords = map[string]bool{
	"COMMENT": true, "CODEC": true, "TTL": true, "PRIMARY": true, "SETTINGS": true, "STATISTICS": true,
	"FIRST": true, "AFTER": true,
}

// rewriteGaps returns src with the gap forms rewritten (same length) and
// the names of the EPHEMERAL columns it saw.
func rewriteGaps(src string, toks []sqlTok) (string, map[string]bool) {
	s, eph, _ := rewriteGapsNulls(src, toks)
	return s, eph
}

// rewriteGapsNulls is rewriteGaps that also blanks ORDER BY's NULLS
// FIRST/LAST, which AfterShip does not read, and returns them by offset.
func rewriteGapsNulls(src string, toks []sqlTok) (string, map[string]bool, map[int]string) {
	b := []byte(src)
	ephemeral := map[string]bool{}
	nulls := map[int]string{}
	segStart := 0 // index of the first token of the current comma segment
	depth := 0
	segAtDepth := map[int]int{}
	for i, t := range toks {
		switch t.kind {
		case '(':
			depth++
			segAtDepth[depth] = i + 1
		case ')':
			depth--
		case ',':
			segAtDepth[depth] = i + 1
		}
		segStart = segAtDepth[depth]
		if t.kind != 'w' {
			continue
		}
		// Multi-word type names become one word: INT UNSIGNED → INT_UNSIGNED.
		if i+1 < len(toks) && toks[i+1].kind == 'w' {
			two := t.upper() + " " + toks[i+1].upper()
			if _, ok := typeAliases[two]; ok || stringAliases[two] {
				gap := src[t.end:toks[i+1].off]
				if strings.Trim(gap, " \t") == "" {
					for k := t.end; k < toks[i+1].off; k++ {
						b[k] = '_'
					}
				}
			}
		}
		switch t.upper() {
		case "NULLS":
			if i+1 < len(toks) && toks[i+1].kind == 'w' && (toks[i+1].upper() == "FIRST" || toks[i+1].upper() == "LAST") {
				nulls[t.off] = "NULLS " + toks[i+1].upper()
				for k := t.off; k < toks[i+1].end; k++ {
					b[k] = ' '
				}
			}
		case "ENUM", "ENUM8", "ENUM16":
			// AfterShip reads only some Enum value lists; the type is
			// normalised from the original text, so give it a dummy list.
			if i+1 < len(toks) && toks[i+1].kind == '(' {
				if j := closingParen(toks, i+1); j >= 0 {
					from, to := toks[i+1].off, toks[j].end
					if to-from >= 7 {
						for k := from; k < to; k++ {
							b[k] = ' '
						}
						copy(b[from:], "('a'=1")
						b[to-1] = ')'
					}
				}
			}
		case "EPHEMERAL":
			name := ""
			// The column name is the first token of the segment, or the
			// token after ADD/MODIFY COLUMN [IF NOT EXISTS] in an ALTER.
			j := segStart
			for j < i && toks[j].kind == 'w' && isAlterWord(toks[j].upper()) {
				j++
			}
			if j < i {
				name = identText(toks[j])
			}
			ephemeral[name] = true
			repl := "         " // nine spaces: EPHEMERAL without an expression
			if i+1 < len(toks) {
				n := toks[i+1]
				if n.kind != ',' && n.kind != ')' && !(n.kind == 'w' && columnTailKeywords[n.upper()]) {
					repl = "DEFAULT  "
				}
			}
			copy(b[t.off:t.end], repl)
		case "MOD", "DIV":
			if i > 0 && i+1 < len(toks) && toks[i+1].kind != '(' && isOperandEnd(toks[i-1]) {
				copy(b[t.off:t.end], "%  ")
				if t.upper() == "DIV" {
					// Remembered by offset: the formatter prints this "%"
					// as intDiv(a, b).
					nulls[-t.off-1] = "DIV"
				}
			}
		}
	}
	return string(b), ephemeral, nulls
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
		case "SELECT", "WHERE", "AND", "OR", "NOT", "BY", "ON", "WHEN", "THEN", "ELSE", "CASE", "DEFAULT", "MATERIALIZED", "ALIAS":
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
	if n >= 1 && toks[n-1].kind == 'w' && toks[n-1].upper() == "FIRST" {
		return toks[:n-1], "", true
	}
	if n >= 2 && toks[n-2].kind == 'w' && toks[n-2].upper() == "AFTER" {
		return toks[:n-2], identText(toks[n-1]), false
	}
	return toks, "", false
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
			if depth == 0 && t.upper() == "SETTINGS" && i+2 < len(toks) && toks[i+2].kind == '=' {
				return i
			}
		}
	}
	return -1
}

// alterActionWords begin an ALTER action; a comma segment that begins with
// anything else continues the previous action (MODIFY SETTING a = 1, b = 2).
var alterActionWords = map[string]bool{
	"ADD": true, "DROP": true, "MODIFY": true, "RENAME": true, "CLEAR": true, "COMMENT": true,
	"UPDATE": true, "DELETE": true, "MATERIALIZE": true, "REMOVE": true, "RESET": true,
	"ATTACH": true, "DETACH": true, "FREEZE": true, "UNFREEZE": true, "REPLACE": true,
	"MOVE": true, "FETCH": true, "APPLY": true, "EXCHANGE": true, "UNLOCK": true,
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
			merged := append(append([]sqlTok{}, last...), sqlTok{kind: ','})
			out[len(out)-1] = append(merged, seg...)
			continue
		}
		out = append(out, seg)
	}
	return out
}

func upperWords(toks []sqlTok, n int) string {
	var ws []string
	for i := 0; i < len(toks) && i < n; i++ {
		ws = append(ws, strings.ToUpper(toks[i].text))
	}
	return strings.Join(ws, " ")
}

// tableElement is an INDEX, CONSTRAINT or PROJECTION element of a CREATE
// TABLE column list. They are blanked before AfterShip sees the statement
// (it requires GRANULARITY, knows no ASSUME and no named index arguments)
// and read by readElement instead.
type tableElement struct {
	kind string // INDEX, CONSTRAINT, PROJECTION
	toks []sqlTok
}

// prepareCreate rewrites a CREATE TABLE or MATERIALIZED VIEW statement for
// AfterShip, length-preserving: INDEX/CONSTRAINT/PROJECTION elements are
// blanked and returned; column names that are keywords are replaced with
// placeholders of the same length (returned in names); long CODEC lists are
// blanked to CODEC(NONE) (the codec is read from the original text); a
// trailing COMMENT 'x' after a view's query is blanked and returned.
func prepareCreate(src string, toks []sqlTok) (out string, elems []tableElement, names map[string]string, comment *sqlTok) {
	b := []byte(src)
	names = map[string]string{}
	blank := func(from, to int) {
		for i := from; i < to; i++ {
			if b[i] != '\n' {
				b[i] = ' '
			}
		}
	}
	// The column list: the first parenthesised group at depth 0, unless
	// the statement is CREATE TABLE x AS y.
	open := -1
	for i, t := range toks {
		if t.kind == '(' {
			open = i
			break
		}
		if t.kind == 'w' && (t.upper() == "AS" || t.upper() == "ENGINE") {
			break
		}
	}
	if open >= 0 {
		end := closingParen(toks, open)
		if end < 0 {
			end = len(toks)
		}
		inner := toks[open+1 : end]
		segs := splitTopLevel(inner)
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
			switch head {
			case "INDEX", "CONSTRAINT", "PROJECTION", "PRIMARY":
				elems = append(elems, tableElement{kind: head, toks: seg})
				from, to := seg[0].off, seg[len(seg)-1].end
				// Take a comma with it: the one before, else the one after.
				if si > 0 {
					from = toks[pos-1].off
				} else if si+1 < len(segs) {
					to = toks[pos+len(seg)].end
				}
				blank(from, to)
			default:
				if seg[0].kind == 'w' && isReservedWord(seg[0].text) {
					ph := placeholder(len(seg[0].text), len(names))
					names[ph] = seg[0].text
					copy(b[seg[0].off:seg[0].end], ph)
				}
				blankType(b, seg, 1)
			}
			pos += len(seg) + 1
		}
	}
	// CODEC lists AfterShip cannot read are blanked to CODEC(NONE).
	for i := 0; i+1 < len(toks); i++ {
		if toks[i].kind != 'w' || toks[i].upper() != "CODEC" || toks[i+1].kind != '(' {
			continue
		}
		if j := closingParen(toks, i+1); j >= 0 {
			from, to := toks[i+1].end, toks[j].off
			if to-from >= 4 {
				blank(from, to)
				copy(b[from:], "NONE")
			}
		}
	}
	// A trailing COMMENT 'x' after a view's query.
	if n := len(toks); n >= 2 && toks[n-1].kind == 's' && toks[n-2].kind == 'w' && toks[n-2].upper() == "COMMENT" {
		isView := false
		for i := 1; i < len(toks) && i < 5; i++ {
			if toks[i].kind == 'w' && toks[i].upper() == "VIEW" {
				isView = true
			}
		}
		if isView {
			c := toks[n-1]
			comment = &c
			blank(toks[n-2].off, toks[n-1].end)
		}
	}
	return string(b), elems, names, comment
}

// isReservedWord reports whether AfterShip refuses word as a bare
// identifier.
func isReservedWord(word string) bool {
	return refusedAsName("CREATE TABLE t (%s UInt8) ENGINE = Memory", word)
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

// extractTTLs blanks every TTL clause of src (same length) and returns them.
func extractTTLs(src string, toks []sqlTok) (string, []ttlSpan) {
	b := []byte(src)
	var spans []ttlSpan
	depth := 0
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
		if t.kind != 'w' || t.upper() != "TTL" {
			continue
		}
		// "REMOVE TTL" and "MODIFY COLUMN x REMOVE TTL" have no clause.
		if i > 0 && toks[i-1].kind == 'w' && toks[i-1].upper() == "REMOVE" {
			continue
		}
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
				if d == 0 && depth > 0 {
					break scan
				}
				if d == 0 && depth == 0 && j+1 < len(toks) && toks[j+1].kind == 'w' && alterActionWords[toks[j+1].upper()] {
					break scan
				}
			case 'w':
				if d == 0 {
					w := toks[j].upper()
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
		spans = append(spans, ttlSpan{off: t.off, depth: depth, items: toks[i+1 : j]})
		for k := t.off; k < toks[j-1].end; k++ {
			if b[k] != '\n' {
				b[k] = ' '
			}
		}
		i = j - 1
	}
	return string(b), spans
}

// readTTL formats a TTL clause as the server prints it: each rule's
// expression, then TO DISK/TO VOLUME/RECOMPRESS (DELETE is the default and
// is not printed), WHERE and GROUP BY.
func (c *converter) readTTL(items []sqlTok) (string, error) {
	var rules []string
	for _, seg := range splitTopLevel(items) {
		if len(seg) == 0 {
			continue
		}
		// Find the first top-level rule keyword.
		cut := len(seg)
		depth := 0
		for i, t := range seg {
			switch t.kind {
			case '(':
				depth++
			case ')':
				depth--
			case 'w':
				if depth == 0 && i > 0 {
					switch t.upper() {
					case "DELETE", "TO", "RECOMPRESS", "WHERE", "GROUP":
						if cut == len(seg) {
							cut = i
						}
					}
				}
			}
		}
		e, err := parseExprText(c.orig[seg[0].off:seg[cut-1].end])
		if err != nil {
			return "", &offsetError{Offset: seg[0].off, Err: fmt.Errorf("%w: TTL: %v", ErrSyntax, firstLine(err.Error()))}
		}
		rule := c.fmt.expr(e)
		rest := seg[cut:]
		for len(rest) > 0 {
			w := rest[0].upper()
			switch {
			case w == "DELETE":
				rest = rest[1:]
			case w == "TO" && len(rest) >= 3:
				rule += " TO " + strings.ToUpper(rest[1].text) + " " + schema.QuoteString(unquoteLiteral(rest[2].text))
				rest = rest[3:]
			case w == "RECOMPRESS" && len(rest) >= 2:
				end := len(rest)
				for k := 1; k < len(rest); k++ {
					if rest[k].kind == 'w' && (rest[k].upper() == "WHERE" || rest[k].upper() == "GROUP") {
						end = k
						break
					}
				}
				body := c.orig[rest[1].off:rest[end-1].end]
				body = strings.TrimSpace(body)
				if open := strings.IndexByte(body, '('); open >= 0 && strings.HasSuffix(body, ")") {
					body = body[open+1 : len(body)-1]
				}
				rule += " RECOMPRESS " + NormalizeCodec(body, "")
				rest = rest[end:]
			case w == "WHERE" || w == "GROUP":
				// WHERE cond [GROUP BY ...], as written: the expressions are
				// formatted, the rest kept.
				end := len(rest)
				if w == "WHERE" {
					for k := 1; k < len(rest); k++ {
						if rest[k].kind == 'w' && rest[k].upper() == "GROUP" {
							end = k
							break
						}
					}
					we, err := parseExprText(c.orig[rest[1].off:rest[end-1].end])
					if err != nil {
						return "", &offsetError{Offset: rest[1].off, Err: fmt.Errorf("%w: TTL WHERE: %v", ErrSyntax, firstLine(err.Error()))}
					}
					rule += " WHERE " + c.fmt.expr(we)
				} else {
					g, err := c.ttlGroupBy(rest[:end])
					if err != nil {
						return "", err
					}
					rule += " " + g
				}
				rest = rest[end:]
			default:
				return "", c.syntax(rest[0].off, "TTL: unexpected %q", rest[0].text)
			}
		}
		rules = append(rules, rule)
	}
	return strings.Join(rules, ", "), nil
}

// lambdaParams rewrites "FUNCTION f AS x -> body", the server's form for
// one parameter, to "AS(x)-> body", which AfterShip reads; the length is
// kept when x has one space on each side.
func lambdaParams(src string, toks []sqlTok) string {
	for i := 0; i+3 < len(toks); i++ {
		if toks[i].kind == 'w' && toks[i].upper() == "FUNCTION" {
			for j := i + 1; j+3 < len(toks); j++ {
				if toks[j].kind == 'w' && toks[j].upper() == "AS" && (toks[j+1].kind == 'w' || toks[j+1].kind == 'q') &&
					toks[j+2].kind == '-' && toks[j+3].kind == '>' {
					x := toks[j+1]
					if x.off == toks[j].end+1 && toks[j+2].off == x.end+1 {
						b := []byte(src)
						b[x.off-1] = '('
						copy(b[x.off:], x.text)
						// shift: "( x" is impossible without room; use the
						// spaces: "AS(x)->"
						b[x.end] = ')'
						return string(b)
					}
				}
			}
		}
	}
	return src
}

// blankType replaces the column type starting at seg[i] with "String"
// padded to the same length, when it has an argument list: AfterShip does
// not read every type (Dynamic(max_types=10), JSON settings, ...), and the
// type is normalised from the original text anyway.
func blankType(b []byte, seg []sqlTok, i int) {
	if i >= len(seg) || seg[i].kind != 'w' {
		return
	}
	j := i + 1
	for j < len(seg) && seg[j].kind == 'w' {
		two := strings.ToUpper(seg[j-1].text + " " + seg[j].text)
		if _, ok := typeAliases[two]; !ok && !stringAliases[two] {
			break
		}
		j++
	}
	if j >= len(seg) || seg[j].kind != '(' {
		return
	}
	depth := 0
	for k := j; k < len(seg); k++ {
		switch seg[k].kind {
		case '(':
			depth++
		case ')':
			depth--
		}
		if depth == 0 {
			from, to := seg[i].off, seg[k].end
			if to-from < len("String") || strings.EqualFold(seg[i].text, "Nested") {
				return
			}
			for x := from; x < to; x++ {
				if b[x] != '\n' {
					b[x] = ' '
				}
			}
			copy(b[from:], "String")
			return
		}
	}
}

// blankAlterTypes applies blankType to the types of ADD COLUMN and MODIFY
// COLUMN actions, and gives their column names that are keywords a
// same-length placeholder (recorded in names).
func blankAlterTypes(src string, toks []sqlTok, names map[string]string) string {
	b := []byte(src)
	for _, seg := range actionSegments(toks) {
		if len(seg) < 4 {
			continue
		}
		head := upperWords(seg, 2)
		if head != "ADD COLUMN" && head != "MODIFY COLUMN" {
			continue
		}
		i := 2
		if seg[i].kind == 'w' && seg[i].upper() == "IF" {
			i += 2
			if seg[i-1].upper() == "NOT" {
				i++
			}
		}
		if seg[i].kind == 'w' && isReservedInAlter(seg[i].text) {
			ph := placeholder(len(seg[i].text), len(names))
			names[ph] = seg[i].text
			copy(b[seg[i].off:seg[i].end], ph)
		}
		i++ // the name
		if i+1 < len(seg) && seg[i].kind == '.' {
			i += 2
		}
		if i < len(seg) && seg[i].kind == 'w' && columnPropertyWords[seg[i].upper()] {
			continue
		}
		blankType(b, seg, i)
	}
	return string(b)
}

// ttlGroupBy formats a TTL rule's "GROUP BY keys [SET name = expr, ...]".
func (c *converter) ttlGroupBy(toks []sqlTok) (string, error) {
	if len(toks) < 3 || toks[1].upper() != "BY" {
		return "", c.syntax(toks[0].off, "TTL: expected GROUP BY")
	}
	setAt := len(toks)
	for i, t := range toks {
		if t.kind == 'w' && t.upper() == "SET" {
			setAt = i
			break
		}
	}
	var keys []string
	for _, seg := range splitTopLevel(toks[2:setAt]) {
		if len(seg) == 0 {
			continue
		}
		e, err := parseExprText(c.orig[seg[0].off:seg[len(seg)-1].end])
		if err != nil {
			return "", &offsetError{Offset: seg[0].off, Err: fmt.Errorf("%w: TTL GROUP BY: %v", ErrSyntax, firstLine(err.Error()))}
		}
		keys = append(keys, c.fmt.expr(e))
	}
	out := "GROUP BY " + strings.Join(keys, ", ")
	if setAt < len(toks) {
		var sets []string
		for _, seg := range splitTopLevel(toks[setAt+1:]) {
			if len(seg) < 3 || seg[1].kind != '=' {
				return "", c.syntax(toks[setAt].off, "TTL: expected SET name = expr")
			}
			e, err := parseExprText(c.orig[seg[2].off:seg[len(seg)-1].end])
			if err != nil {
				return "", &offsetError{Offset: seg[2].off, Err: fmt.Errorf("%w: TTL SET: %v", ErrSyntax, firstLine(err.Error()))}
			}
			sets = append(sets, schema.QuoteIdent(identText(seg[0]))+" = "+c.fmt.expr(e))
		}
		out += " SET " + strings.Join(sets, ", ")
	}
	return out, nil
}
