package parser

// The REFRESH clause of a refreshable materialized view. AfterShip v0.5.6
// reads only REFRESH EVERY|AFTER n unit [OFFSET n unit], one unit each: the
// gap layer reads the whole clause here (several units, RANDOMIZE FOR,
// DEPENDS ON, SETTINGS, APPEND), blanks it for AfterShip, and the
// conversion puts it on the view in the form the server stores.

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/chschema/chschema/schema"
)

// refreshUnits maps the interval units a REFRESH clause accepts, with the
// server's abbreviations and plurals (ClickHouse's parseIntervalKind), to
// their number of seconds or, for months, -months.
var refreshUnits = map[string]int64{
	"SECOND": 1, "SQL_TSI_SECOND": 1, "SS": 1, "S": 1,
	"MINUTE": 60, "SQL_TSI_MINUTE": 60, "MI": 60, "N": 60,
	"HOUR": 3600, "SQL_TSI_HOUR": 3600, "HH": 3600, "H": 3600,
	"DAY": 86400, "SQL_TSI_DAY": 86400, "DD": 86400, "D": 86400,
	"WEEK": 604800, "SQL_TSI_WEEK": 604800, "WK": 604800, "WW": 604800,
	"MONTH": -1, "SQL_TSI_MONTH": -1, "MM": -1, "M": -1,
	"QUARTER": -3, "SQL_TSI_QUARTER": -3, "QQ": -3, "Q": -3,
	"YEAR": -12, "SQL_TSI_YEAR": -12, "YYYY": -12, "YY": -12,
}

// refreshUnit returns the unit a word names, plurals included.
func refreshUnit(word string) (string, int64, bool) {
	w := strings.ToUpper(word)
	if v, ok := refreshUnits[w]; ok {
		return w, v, true
	}
	if s, ok := strings.CutSuffix(w, "S"); ok {
		if v, ok := refreshUnits[s]; ok && len(s) > 2 {
			return s, v, true
		}
	}
	return "", 0, false
}

// canonicalInterval prints months and seconds as the server prints a
// refresh interval: years and months, then weeks, days, hours, minutes and
// seconds, the zero ones left out ("0 SECOND" when all are).
func canonicalInterval(months, seconds int64) string {
	var parts []string
	add := func(n int64, unit string) {
		if n != 0 {
			parts = append(parts, strconv.FormatInt(n, 10)+" "+unit)
		}
	}
	add(months/12, "YEAR")
	add(months%12, "MONTH")
	for _, u := range []struct {
		n    int64
		name string
	}{{604800, "WEEK"}, {86400, "DAY"}, {3600, "HOUR"}, {60, "MINUTE"}, {1, "SECOND"}} {
		add(seconds/u.n, u.name)
		seconds %= u.n
	}
	if len(parts) == 0 {
		return "0 SECOND"
	}
	return strings.Join(parts, " ")
}

// refreshError is a REFRESH clause that cannot be read, at an offset of
// the statement.
type refreshError struct {
	off int
	msg string
}

func (e *refreshError) Error() string { return e.msg }

// readInterval reads "n unit [n unit …]" at toks[i]; it returns the
// canonical interval and the index after it.
func readInterval(src string, toks []sqlTok, i int) (string, int, *refreshError) {
	var months, seconds int64
	seen := map[string]bool{}
	start := i
	for i+1 < len(toks) && toks[i].kind == 'n' && toks[i+1].kind == 'w' {
		unit, size, ok := refreshUnit(toks[i+1].text)
		if !ok {
			break
		}
		n, err := strconv.ParseInt(strings.ReplaceAll(toks[i].text, "_", ""), 0, 64)
		if err != nil || n < 0 {
			return "", i, &refreshError{toks[i].off, "a refresh interval must be a whole number, got " + toks[i].text}
		}
		if seen[unit] {
			return "", i, &refreshError{toks[i].off, "the interval has two " + unit + " parts"}
		}
		seen[unit] = true
		if size < 0 {
			months += n * -size
		} else {
			seconds += n * size
		}
		i += 2
	}
	if i == start {
		off := len(src)
		if i < len(toks) {
			off = toks[i].off
		}
		return "", i, &refreshError{off, "expected an interval (n SECOND|MINUTE|HOUR|DAY|WEEK|MONTH|QUARTER|YEAR)"}
	}
	return canonicalInterval(months, seconds), i, nil
}

// refreshEndWords end a REFRESH clause's SETTINGS values.
var refreshEndWords = map[string]bool{
	"APPEND": true, "TO": true, "ENGINE": true, "EMPTY": true, "DEFINER": true, "SQL": true, "COMMENT": true,
	"AS": true, "POPULATE": true, "PARTITION": true, "ORDER": true, "PRIMARY": true, "SAMPLE": true, "INNER": true,
}

// readRefresh reads a REFRESH clause, toks[i] being EVERY or AFTER (after
// the keyword REFRESH), and returns it with the index of the token after
// it. DEPENDS ON names are as written (Database empty when not given): the
// caller qualifies them.
func readRefresh(src string, toks []sqlTok, i int) (*schema.Refresh, int, *refreshError) {
	at := func(i int) int {
		if i < len(toks) {
			return toks[i].off
		}
		return len(src)
	}
	if i >= len(toks) || !(toks[i].is("EVERY") || toks[i].is("AFTER")) {
		return nil, i, &refreshError{at(i), "expected EVERY or AFTER after REFRESH"}
	}
	r := &schema.Refresh{Kind: toks[i].upper()}
	var err *refreshError
	if r.Interval, i, err = readInterval(src, toks, i+1); err != nil {
		return nil, i, err
	}
	c := &cursor{toks: toks, i: i}
	if c.accept("OFFSET") {
		if r.Offset, c.i, err = readInterval(src, toks, c.i); err != nil {
			return nil, c.i, err
		}
	}
	if c.accept("RANDOMIZE", "FOR") {
		if r.RandomizeFor, c.i, err = readInterval(src, toks, c.i); err != nil {
			return nil, c.i, err
		}
	}
	if c.accept("DEPENDS", "ON") {
		for {
			q, ok := c.qualified()
			if !ok {
				return nil, c.i, &refreshError{at(c.i), "expected a name in DEPENDS ON"}
			}
			r.DependsOn = append(r.DependsOn, schema.QualifiedName{Database: q.Database, Name: q.Name})
			if !c.acceptPunct(',') {
				break
			}
		}
	}
	if c.accept("SETTINGS") {
		for {
			name, _, ok := c.name()
			if !ok || !c.acceptPunct('=') {
				return nil, c.i, &refreshError{at(c.i), "expected name = value in the refresh SETTINGS"}
			}
			from := c.i
			for !c.done() {
				t := c.peek()
				if t.kind == ',' || (t.kind == '(' && c.i > from) || (t.kind == 'w' && refreshEndWords[t.upper()]) {
					break
				}
				c.i++
			}
			if c.i == from {
				return nil, c.i, &refreshError{at(c.i), "expected a value for refresh setting " + name}
			}
			v, ok := formatExprText(src[toks[from].off:toks[c.i-1].end], "")
			if !ok {
				return nil, from, &refreshError{toks[from].off, "refresh setting " + name + ": value not understood"}
			}
			r.Settings = append(r.Settings, schema.Setting{Name: name, Value: schema.Expr(v)})
			if !c.acceptPunct(',') {
				break
			}
		}
	}
	r.Append = c.accept("APPEND")
	return r, c.i, nil
}

// refreshSpan is a REFRESH clause the gap layer took out of a CREATE
// MATERIALIZED VIEW.
type refreshSpan struct {
	r   *schema.Refresh
	err *refreshError
}

// refresh reads and blanks the REFRESH clause of a CREATE MATERIALIZED
// VIEW, which AfterShip reads only in part.
func (p *prepared) refresh(toks []sqlTok) {
	c := &cursor{toks: toks}
	c.i = 1
	for c.accept("OR") || c.accept("REPLACE") {
	}
	if !c.accept("MATERIALIZED", "VIEW") {
		return
	}
	c.accept("IF", "NOT", "EXISTS")
	next, ok := afterObjectName(c)
	if !ok || next >= len(toks) || !toks[next].is("REFRESH") {
		return
	}
	r, end, err := readRefresh(p.orig, toks, next+1)
	p.refreshClause = &refreshSpan{r: r, err: err}
	if err != nil {
		return
	}
	p.blank(toks[next].off, toks[end-1].end)
	p.note(ConstructRefresh, toks[next].off)
}

// qualifyRefresh qualifies the DEPENDS ON names of r in db.
func qualifyRefresh(r *schema.Refresh, db string) *schema.Refresh {
	if r == nil {
		return nil
	}
	out := *r
	out.DependsOn = make([]schema.QualifiedName, len(r.DependsOn))
	for i, n := range r.DependsOn {
		if n.Database == "" {
			n.Database = db
		}
		out.DependsOn[i] = n
	}
	if len(out.DependsOn) == 0 {
		out.DependsOn = nil
	}
	return &out
}

// ParseRefresh implements schema.RefreshParser: it reads the REFRESH
// clause of a CREATE MATERIALIZED VIEW as the server prints it
// (create_table_query), or returns nil when the view has none.
func (CreateReader) ParseRefresh(query string) (*schema.Refresh, error) {
	toks := scanSQL(query)
	c := &cursor{toks: toks}
	if !c.accept("CREATE") || !c.accept("MATERIALIZED", "VIEW") {
		return nil, fmt.Errorf("parser: %s: not a CREATE MATERIALIZED VIEW", firstLine(query))
	}
	name := *c
	view, _ := name.qualified()
	next, ok := afterObjectName(c)
	if !ok {
		return nil, fmt.Errorf("parser: %s: expected a view name", firstLine(query))
	}
	if next >= len(toks) || !toks[next].is("REFRESH") {
		return nil, nil
	}
	r, _, err := readRefresh(query, toks, next+1)
	if err != nil {
		return nil, fmt.Errorf("parser: %s: %s", firstLine(query), err.msg)
	}
	return qualifyRefresh(r, view.Database), nil
}
