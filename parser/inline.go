package parser

import (
	"strings"

	ch "github.com/AfterShip/clickhouse-sql-parser/parser"

	"github.com/chschema/chschema/schema"
)

// inlineFunctions rewrites the column defaults of conv's changes as the
// server stores them: a call to one of the schema's SQL functions
// (CREATE FUNCTION) is replaced by the function's body, its parameters by
// the call's arguments.
func (r *Replayer) inlineFunctions(conv *Conversion) {
	if len(r.schema.Functions) == 0 {
		return
	}
	fns := make(map[string]*schema.Function, len(r.schema.Functions))
	for _, f := range r.schema.Functions {
		fns[f.Name] = f
	}
	inline := func(c *schema.Column) {
		if c == nil || c.Default == nil || c.Default.Expr == "" {
			return
		}
		if s, ok := inlineCalls(string(c.Default.Expr), fns, r.database, formatExprText); ok {
			c.Default.Expr = schema.Expr(s)
		}
	}
	query := func(q *schema.Expr) {
		if s, ok := inlineCalls(string(*q), fns, r.database, formatQueryText); ok {
			*q = schema.Expr(s)
		}
	}
	for _, ch := range conv.Changes {
		switch ch := ch.(type) {
		case *schema.AddTable:
			for _, c := range ch.T.Columns {
				inline(c)
			}
			// The server inlines the functions of the whole CREATE: keys,
			// TTL, indexes and constraints too (issue 11 F56: PARTITION BY
			// f1(URL) is stored as PARTITION BY URL).
			st := &ch.T.Storage
			inlineKey(&st.PartitionBy, fns, r.database)
			inlineKey(&st.OrderBy, fns, r.database)
			inlineKey(&st.PrimaryKey, fns, r.database)
			inlineKey(&st.SampleBy, fns, r.database)
			inlineKey(&st.TTL, fns, r.database)
			for _, ix := range ch.T.Indexes {
				inlineKey(&ix.Expr, fns, r.database)
			}
			for _, k := range ch.T.Constraints {
				inlineKey(&k.Expr, fns, r.database)
			}
		case *schema.AddView:
			query(&ch.V.Query)
		case *schema.ModifyTable:
			for _, m := range ch.Changes {
				switch m := m.(type) {
				case *schema.AddColumn:
					inline(m.C)
				case *schema.ModifyColumn:
					inline(m.To)
				case *schema.ModifyQuery:
					query(&m.Query)
				}
			}
		}
	}
}

// formatExprText formats an expression's text.
func formatExprText(s, database string) (string, bool) {
	e, err := parseExprText(s)
	if err != nil {
		return "", false
	}
	f := exprFormatter{Database: database}
	return f.expr(e), true
}

// formatQueryText formats a SELECT's text, as a view's query.
func formatQueryText(s, database string) (string, bool) {
	st, err := parseAfterShip(s)
	if err != nil {
		return "", false
	}
	q, ok := st.(*ch.SelectQuery)
	if !ok {
		return "", false
	}
	f := exprFormatter{Database: database}
	return f.selectQuery(q), len(f.unsupported) == 0
}

// inlineCalls replaces the calls to fns in expr, a formatted expression or
// query, and formats the result with format. ok is false when expr calls
// none of them, or when a call does not match its function.
func inlineCalls(expr string, fns map[string]*schema.Function, database string, format func(s, database string) (string, bool)) (string, bool) {
	changed := false
	for range 1000 { // calls, with those the bodies bring; functions cannot recurse
		toks := scanSQL(expr)
		call, open := -1, -1
		for i := 0; i+1 < len(toks); i++ {
			// A quoted name too: the server quotes `01856_f`(…).
			if toks[i].isName() && toks[i+1].kind == '(' && (i == 0 || toks[i-1].kind != '.') && fns[identText(toks[i])] != nil {
				call, open = i, i+1
				break
			}
		}
		if call < 0 {
			break
		}
		end := closingParen(toks, open)
		if end < 0 {
			return "", false
		}
		f := fns[identText(toks[call])]
		var args []string
		if end > open+1 {
			for _, a := range splitTopLevel(toks[open+1 : end]) {
				if len(a) == 0 {
					return "", false
				}
				args = append(args, parenthesise(expr[a[0].off:a[len(a)-1].end], a))
			}
		}
		body, ok := substituteParams(string(f.Body), f.Params, args)
		if !ok {
			return "", false
		}
		// An operand of an operator keeps its bounds in parentheses; a
		// whole expression or a whole argument needs none.
		whole := (call == 0 || toks[call-1].kind == '(' || toks[call-1].kind == ',' || toks[call-1].kind == 'w' && clauseBefore[toks[call-1].upper()]) &&
			(end == len(toks)-1 || toks[end+1].kind == ')' || toks[end+1].kind == ',' || toks[end+1].kind == 'w' && clauseAfter[toks[end+1].upper()])
		if !whole {
			body = parenthesise(body, scanSQL(body))
		}
		expr = expr[:toks[call].off] + body + expr[toks[end].end:]
		changed = true
	}
	if !changed {
		return "", false
	}
	return format(expr, database)
}

// clauseBefore and clauseAfter are the words around a whole expression of
// a query.
var (
	clauseBefore = map[string]bool{"SELECT": true, "DISTINCT": true, "WHERE": true, "PREWHERE": true, "HAVING": true,
		"BY": true, "ON": true, "QUALIFY": true}
	clauseAfter = map[string]bool{"AS": true, "FROM": true, "WHERE": true, "PREWHERE": true, "GROUP": true, "ORDER": true,
		"HAVING": true, "LIMIT": true, "SETTINGS": true, "UNION": true, "WINDOW": true, "QUALIFY": true, "ASC": true,
		"DESC": true, "WITH": true}
)

// substituteParams returns the body of lambda, "x -> body" or
// "(x, y) -> body", with each parameter replaced by its argument.
func substituteParams(lambda string, params, args []string) (string, bool) {
	if len(params) != len(args) {
		return "", false
	}
	toks := scanSQL(lambda)
	arrow := -1
	depth := 0
	for i := 0; i+1 < len(toks); i++ {
		switch toks[i].kind {
		case '(':
			depth++
		case ')':
			depth--
		}
		if depth == 0 && toks[i].kind == '-' && toks[i+1].kind == '>' && toks[i+1].off == toks[i].end {
			arrow = i
			break
		}
	}
	if arrow < 0 || arrow+2 >= len(toks) {
		return "", false
	}
	body := toks[arrow+2:]
	if len(body) > 2 && body[0].kind == '(' && closingParen(body, 0) == len(body)-1 {
		body = body[1 : len(body)-1] // the model's body is "x -> (x = 1)"
	}
	var b strings.Builder
	last := body[0].off
	for i, t := range body {
		if !t.isName() || i+1 < len(body) && body[i+1].kind == '(' || i > 0 && body[i-1].kind == '.' {
			continue
		}
		for k, p := range params {
			if identText(t) == p {
				b.WriteString(lambda[last:t.off])
				b.WriteString(args[k])
				last = t.end
				break
			}
		}
	}
	b.WriteString(lambda[last:body[len(body)-1].end])
	return b.String(), true
}

// parenthesise wraps text (whose tokens are toks) in parentheses unless it
// is one operand already: a name, a literal, a call or a parenthesised
// group.
func parenthesise(text string, toks []sqlTok) string {
	switch {
	case len(toks) == 1:
		return text
	case toks[0].kind == '(' && closingParen(toks, 0) == len(toks)-1:
		return text
	case len(toks) > 2 && toks[0].kind == 'w' && toks[1].kind == '(' && closingParen(toks, 1) == len(toks)-1:
		return text
	}
	return "(" + text + ")"
}

// inlineKey inlines the SQL functions a key, TTL, index or constraint
// expression calls; a key may be a list (a, f(b)).
func inlineKey[T ~string](p *T, fns map[string]*schema.Function, database string) {
	if *p == "" {
		return
	}
	if s, ok := inlineCalls(string(*p), fns, database, formatListText); ok {
		*p = T(s)
	}
}

// formatListText formats an expression or a list of them, as a key prints.
func formatListText(s, database string) (string, bool) {
	if out, ok := formatExprText(s, database); ok {
		return out, true
	}
	out, ok := formatExprText("("+s+")", database)
	if !ok || !strings.HasPrefix(out, "(") || !strings.HasSuffix(out, ")") {
		return "", false
	}
	return out[1 : len(out)-1], true
}
