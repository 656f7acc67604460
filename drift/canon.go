package drift

import (
	"context"
	"fmt"
	"strings"

	"github.com/chschema/chschema/diff"
	"github.com/chschema/chschema/schema"
)

// probe is one field of the expected schema for the server to canonicalise.
type probe struct {
	// sql is a String expression the server evaluates.
	sql string
	// live is the live side's value the canonical form must equal, for a
	// field that is only settled when it does; empty for an evaluation,
	// which always replaces the expected value.
	live string
	// set stores the canonical value in the expected schema.
	set func(string)
	// eval says sql yields "type\x00value" of an evaluated argument.
	eval bool
}

// Canonicalize is the second line of defence against false drift, for the
// checks that have a server at hand (diff, and migrate's and baseline's
// refusal): in one query, the server canonicalises the fields of expected
// that differ from live, where its canonical form is exact, and expected
// takes the live value wherever the server says they are the same. The
// offline normalisation stays the first line: lint, schema, check and plan
// never ask a server.
//
//   - a column type: toTypeName(defaultValueOfTypeName(T)), the name the
//     server stores for T;
//   - a default, a column or table TTL, a key, an index expression or
//     type, a constraint, a projection's or a view's query, a function's
//     body: formatQuerySingleLineOrNull, the server's own formatter (that
//     two texts format alike means they are the same expression);
//   - a dictionary source argument written as a function call (PORT
//     tcpPort(), HOST hostName()): the server evaluates it, as it did when
//     it created the dictionary, and stores the literal.
//
// It returns how many fields the server settled. An error leaves expected
// as it was.
func Canonicalize(ctx context.Context, q schema.Querier, expected, live *schema.Schema) (int, error) {
	probes := collectProbes(expected, live)
	if len(probes) == 0 {
		return 0, nil
	}
	cols := make([]string, len(probes))
	for i, p := range probes {
		cols[i] = "ifNull(" + p.sql + ", '')"
	}
	rows, err := q.Query(ctx, "SELECT "+strings.Join(cols, ", "))
	if err != nil {
		return 0, fmt.Errorf("drift: server canonicalisation: %w", err)
	}
	defer rows.Close()
	if !rows.Next() {
		return 0, fmt.Errorf("drift: server canonicalisation: no row: %v", rows.Err())
	}
	out := make([]string, len(probes))
	dest := make([]any, len(probes))
	for i := range out {
		dest[i] = &out[i]
	}
	if err := rows.Scan(dest...); err != nil {
		return 0, fmt.Errorf("drift: server canonicalisation: %w", err)
	}
	settled := 0
	for i, p := range probes {
		v := out[i]
		switch {
		case v == "":
		case p.eval:
			typ, val, _ := strings.Cut(v, "\x00")
			p.set(literal(typ, val))
			settled++
		case diff.EqualExpr(schema.Expr(v), schema.Expr(p.live)):
			p.set(p.live)
			settled++
		}
	}
	return settled, nil
}

// literal prints an evaluated value of type typ as the server stores it in
// a dictionary's source: strings quoted, numbers as they are.
func literal(typ, val string) string {
	if strings.Contains(typ, "String") || strings.Contains(typ, "Enum") || strings.HasPrefix(typ, "IPv") || strings.HasPrefix(typ, "UUID") || strings.HasPrefix(typ, "Date") {
		return schema.QuoteString(val)
	}
	return val
}

// collectProbes walks the objects both schemas have, and neither marks
// uncertain, and gathers the fields that differ.
func collectProbes(expected, live *schema.Schema) []probe {
	var ps []probe
	expr := func(e, l string, set func(string)) {
		if e != "" && l != "" && !diff.EqualExpr(schema.Expr(e), schema.Expr(l)) {
			ps = append(ps, probe{sql: "substring(formatQuerySingleLineOrNull(" + schema.QuoteString("SELECT "+e) + "), 8)", live: l, set: set})
		}
	}
	query := func(e, l string, set func(string)) {
		if e != "" && l != "" && !diff.EqualExpr(schema.Expr(e), schema.Expr(l)) {
			ps = append(ps, probe{sql: "formatQuerySingleLineOrNull(" + schema.QuoteString(e) + ")", live: l, set: set})
		}
	}
	typ := func(e, l string, set func(string)) {
		if e != "" && l != "" && !diff.EqualExpr(schema.Expr(e), schema.Expr(l)) {
			ps = append(ps, probe{sql: "toTypeName(defaultValueOfTypeName(" + schema.QuoteString(e) + "))", live: l, set: set})
		}
	}
	columns := func(ec, lc []*schema.Column) {
		for _, c := range ec {
			var l *schema.Column
			for _, x := range lc {
				if x.Name == c.Name {
					l = x
				}
			}
			if l == nil {
				continue
			}
			typ(string(c.Type), string(l.Type), func(v string) { c.Type = schema.Type(v) })
			if c.Default != nil && l.Default != nil && c.Default.Kind == l.Default.Kind {
				expr(string(c.Default.Expr), string(l.Default.Expr), func(v string) { c.Default.Expr = schema.Expr(v) })
			}
			expr(string(c.TTL), string(l.TTL), func(v string) { c.TTL = schema.Expr(v) })
		}
	}
	storage := func(e, l *schema.Storage) {
		expr(string(e.PartitionBy), string(l.PartitionBy), func(v string) { e.PartitionBy = schema.PartitionBy(v) })
		expr(string(e.OrderBy), string(l.OrderBy), func(v string) { e.OrderBy = schema.OrderBy(v) })
		expr(string(e.PrimaryKey), string(l.PrimaryKey), func(v string) { e.PrimaryKey = schema.PrimaryKey(v) })
		expr(string(e.SampleBy), string(l.SampleBy), func(v string) { e.SampleBy = schema.SampleBy(v) })
		expr(string(e.TTL), string(l.TTL), func(v string) { e.TTL = schema.TTL(v) })
	}
	// evalEngine has the server evaluate the engine arguments it evaluated
	// when it created the table (File(upper('tsv')), Merge('',
	// lower('A')), URL(concat(…))), where the live table has a literal.
	evalEngine := func(e *schema.Engine, l schema.Engine) {
		if e.Name != l.Name || len(e.Params) != len(l.Params) {
			return
		}
		for i := range e.Params {
			p := &e.Params[i]
			if !e.EvaluatedArg(i) || !isEvaluatedCall(string(*p)) || isCall(string(l.Params[i])) || string(*p) == string(l.Params[i]) {
				continue
			}
			v := string(*p)
			ps = append(ps, probe{sql: "concat(toTypeName(" + v + "), '\\0', toString(" + v + "))", eval: true,
				set: func(v string) { *p = schema.Expr(v) }})
		}
	}
	for _, ed := range expected.Databases {
		ld, ok := live.Database(ed.Name)
		if !ok || ed.UncertainWhole() {
			continue
		}
		for _, et := range ed.Tables {
			lt, ok := ld.Table(et.Name)
			if !ok || len(et.Uncertain) > 0 || len(ed.UncertaintiesOf(et.Name)) > 0 {
				continue
			}
			columns(et.Columns, lt.Columns)
			storage(&et.Storage, &lt.Storage)
			evalEngine(&et.Storage.Engine, lt.Storage.Engine)
			for _, ei := range et.Indexes {
				if li, ok := lt.Index(ei.Name); ok {
					expr(string(ei.Expr), string(li.Expr), func(v string) { ei.Expr = schema.Expr(v) })
					expr(string(ei.Type), string(li.Type), func(v string) { ei.Type = schema.Expr(v) })
				}
			}
			for _, ek := range et.Constraints {
				if lk, ok := lt.Constraint(ek.Name); ok {
					expr(string(ek.Expr), string(lk.Expr), func(v string) { ek.Expr = schema.Expr(v) })
				}
			}
			for _, ep := range et.Projections {
				if lp, ok := lt.Projection(ep.Name); ok {
					query(string(ep.Query), string(lp.Query), func(v string) { ep.Query = schema.Expr(v) })
				}
			}
		}
		for _, ev := range ed.Views {
			lv, ok := ld.View(ev.Name)
			if !ok || len(ev.Uncertain) > 0 || len(ed.UncertaintiesOf(ev.Name)) > 0 {
				continue
			}
			query(string(ev.Query), string(lv.Query), func(v string) { ev.Query = schema.Expr(v) })
			if len(ev.Columns) > 0 && len(lv.Columns) > 0 {
				columns(ev.Columns, lv.Columns)
			}
			if ev.Storage != nil && lv.Storage != nil {
				storage(ev.Storage, lv.Storage)
			}
		}
		for _, ex := range ed.Dictionaries {
			if _, ok := ld.Dictionary(ex.Name); !ok || len(ex.Uncertain) > 0 {
				continue
			}
			for i := range ex.Source.Params {
				p := &ex.Source.Params[i]
				if isCall(string(p.Value)) {
					e := string(p.Value)
					ps = append(ps, probe{sql: "concat(toTypeName(" + e + "), '\\0', toString(" + e + "))", eval: true,
						set: func(v string) { p.Value = schema.Expr(v) }})
				}
			}
		}
	}
	for _, ef := range expected.Functions {
		if lf, ok := live.Function(ef.Name); ok {
			expr(string(ef.Body), string(lf.Body), func(v string) { ef.Body = schema.Expr(v) })
		}
	}
	return ps
}

// isCall reports whether a formatted dictionary argument is a function
// call, which the server evaluates, rather than a literal or a name.
func isCall(v string) bool {
	i := strings.IndexByte(v, '(')
	if i <= 0 || !strings.HasSuffix(v, ")") {
		return false
	}
	for _, c := range v[:i] {
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// MarkServerEvaluated marks uncertain the dictionaries of s whose source
// has an argument the server evaluates (a function call), for a comparison
// without a server to evaluate it (diff --offline-from). (Engine arguments
// the server evaluates are not marked: an uncertainty needs the statement's
// position, which the schema does not keep; see FINDINGS F49.)
func MarkServerEvaluated(s *schema.Schema) {
	for _, d := range s.Databases {
		for _, x := range d.Dictionaries {
			for _, p := range x.Source.Params {
				if isCall(string(p.Value)) {
					x.MarkUncertain(schema.Uncertainty{Reason: "SOURCE argument " + p.Key + " " + string(p.Value) + " is evaluated by the server, and no server is at hand"})
					break
				}
			}
		}
	}
}

// isEvaluatedCall reports whether an engine argument is a call the server
// evaluates to a value: not URL's headers(…) nor Merge's REGEXP(…), which
// stay as written.
func isEvaluatedCall(v string) bool {
	l := strings.ToLower(v)
	return isCall(v) && !strings.HasPrefix(l, "headers(") && !strings.HasPrefix(l, "regexp(")
}
