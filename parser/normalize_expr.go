package parser

import (
	"fmt"
	"math"
	"math/big"
	"regexp"
	"slices"
	"strconv"
	"strings"

	ch "github.com/AfterShip/clickhouse-sql-parser/parser"

	"github.com/chschema/chschema/schema"
)

// exprFormatter prints AfterShip expressions the way the server's formatter
// prints the AST it builds from the same text (formatQuerySingleLine,
// system.columns.default_expression, create_table_query): operators inside
// operators in parentheses, AND/OR chains flat, INTERVAL as toIntervalX(n),
// ternaries and CASE as if/multiIf, BETWEEN expanded, literals re-printed.
//
// Database, when set, qualifies unqualified table names in FROM and JOIN,
// as the server does when it stores a view's query.
type exprFormatter struct {
	Database string
	// ctes are the names of the WITH subqueries in scope, which are not
	// tables and are not qualified.
	ctes map[string]bool
	// params is set when a query parameter was formatted: a parameterized
	// view has no columns in system.columns.
	params bool
	// src is the statement as written, whose offsets the tree's are (the
	// gap layer keeps lengths), for the few forms the server keeps as
	// written; empty for expressions read on their own.
	src string
	// asWritten is the statement before rewriteSynonyms, where the IS
	// operators it rewrote into comparisons stand as written
	// (nullSafeOperator); empty for expressions read on their own.
	asWritten string
	// marks are what the gap layer took out of the statement, by offset:
	// NULLS FIRST/LAST modifiers, and (at -offset-1) the DIV operators it
	// turned into "%".
	marks map[int]string
	// unsupported collects node types the formatter does not know; the
	// caller turns them into findings.
	unsupported []string
	// intervals are the INTERVALs AfterShip cannot read, by the
	// placeholder identifier that stands for each (see intervalSpans).
	intervals map[string]interval
	// names are the identifiers the gap layer replaced by placeholders
	// (keywords and names that start with a digit), by placeholder.
	names map[string]string
	// foldCurrentDatabase prints currentDatabase() as Database, quoted:
	// the server evaluates a dictionary source's arguments at CREATE, in
	// the statement's session.
	foldCurrentDatabase bool
	// columnExpr says a column's DEFAULT, MATERIALIZED or ALIAS of a
	// CREATE TABLE is being formatted: the server folds a constant
	// expression naming a dictionary or a Join table
	// (dictGet(concat(currentDatabase(), '.d'), …)) into its value there,
	// not in an ALTER nor in views (issue 11 F34).
	columnExpr bool
}

// FormatExpr formats e canonically.
func (f *exprFormatter) expr(e ch.Expr) string {
	var b strings.Builder
	f.write(&b, e)
	return b.String()
}

func (f *exprFormatter) exprs(es []ch.Expr) string {
	parts := make([]string, len(es))
	for i, e := range es {
		inner := e
		if c, ok := inner.(*ch.ColumnExpr); ok && c.Alias == nil {
			inner = c.Expr
		}
		if q, ok := inner.(*ch.SelectQuery); ok {
			// A subquery argument keeps its parentheses: exists((SELECT 1)).
			parts[i] = "(" + f.selectQuery(q) + ")"
			continue
		}
		parts[i] = f.expr(e)
	}
	return strings.Join(parts, ", ")
}

// negate writes -e. A minus before a number is part of it, as the server
// reads it: -0 is 0, -1.5 is -1.5.
func (f *exprFormatter) negate(b *strings.Builder, e ch.Expr) {
	if n, ok := e.(*ch.NumberLiteral); ok {
		if !strings.HasPrefix(n.Literal, "-") {
			b.WriteString(formatNumber(&ch.NumberLiteral{Literal: "-" + n.Literal}))
			return
		}
		// - -1 is -(-1): "--" would start a comment.
		b.WriteString("-(" + formatNumber(n) + ")")
		return
	}
	b.WriteByte('-')
	f.operand(b, e)
}

// isOperator reports whether the server prints e as an operator, which it
// parenthesises when it is the operand of another operator.
func (f *exprFormatter) isOperator(e ch.Expr) bool {
	switch e := e.(type) {
	case *ch.BinaryOperation:
		if e.Operation == "%" && f.isDiv(e) {
			return false // intDiv(a, b) is a function call
		}
		if u, ok := e.LeftExpr.(*ch.UnaryExpr); ok && e.Operation == "::" && string(u.Kind) == "-" {
			// -x::T is -CAST(x, 'T'), a negation (unless the whole is a
			// literal kept as written: -1::Int8).
			_, literal := f.castLiteral(e)
			return !literal
		}
		return e.Operation != "::" && e.Operation != "||"
	case *ch.UnaryExpr:
		// A minus before a number is a negative literal to the server
		// (- 1 >= x is -1 >= x), not an operator.
		if n, ok := e.Expr.(*ch.NumberLiteral); ok && string(e.Kind) == "-" && !strings.HasPrefix(n.Literal, "-") {
			return false
		}
		return true
	case *ch.NotExpr, *ch.NegateExpr, *ch.IsNullExpr, *ch.IsNotNullExpr, *ch.BetweenClause:
		return true
	case *ch.ObjectParams, *ch.IndexOperation:
		// x[1] and t.1 are the operators arrayElement and tupleElement.
		return true
	case *ch.ColumnExpr:
		if e.Alias == nil {
			return f.isOperator(e.Expr)
		}
	case *ch.ParamExprList:
		if inner, ok := singleParen(e); ok {
			return f.isOperator(inner)
		}
	}
	return false
}

// singleParen returns x of "(x)": a parenthesised expression, not a tuple.
func singleParen(p *ch.ParamExprList) (ch.Expr, bool) {
	if p.ColumnArgList != nil || p.Items == nil || len(p.Items.Items) != 1 {
		return nil, false
	}
	return p.Items.Items[0], true
}

// isLiteralCollection reports whether e, a tuple (x, y, ...) or, with
// array, an array [x, ...], is a collection of literals, which the server
// reads as one literal and prints by value: its elements are literals
// (parenthesised or not: ((1), 'a') is (1, 'a')), or collections of the
// same kind of literals (an array holds tuples of literals too; a tuple
// holds no array).
func isLiteralCollection(e ch.Expr, array bool) bool {
	var items []ch.Expr
	switch x := e.(type) {
	case *ch.ParamExprList:
		if x.ColumnArgList != nil || x.Items == nil || len(x.Items.Items) < 2 {
			return false
		}
		items = x.Items.Items
	case *ch.ArrayParamList:
		if !array || x.Items == nil {
			return false
		}
		items = x.Items.Items
	default:
		return false
	}
	for _, it := range items {
		it = unparen(it)
		if isLiteralValue(it) || isLiteralCollection(it, array) {
			continue
		}
		if _, ok := it.(*ch.ParamExprList); ok && array && isLiteralCollection(it, false) {
			continue
		}
		return false
	}
	return true
}

// isLiteralValue reports whether e is one literal: a number (signed), a
// string, NULL, true or false.
func isLiteralValue(e ch.Expr) bool {
	switch x := e.(type) {
	case *ch.NumberLiteral, *ch.StringLiteral, *ch.NullLiteral, *ch.BoolLiteral:
		return true
	case *ch.UnaryExpr:
		_, num := x.Expr.(*ch.NumberLiteral)
		return num && (string(x.Kind) == "-" || string(x.Kind) == "+")
	case *ch.NegateExpr:
		_, num := x.Expr.(*ch.NumberLiteral)
		return num
	case *ch.Ident:
		if x.QuoteType == ch.Unquoted {
			switch strings.ToUpper(x.Name) {
			case "NULL", "TRUE", "FALSE":
				return true
			}
		}
	}
	return false
}

// unparenAll is items with the parentheses around each taken away.
func unparenAll(items []ch.Expr) []ch.Expr {
	out := make([]ch.Expr, len(items))
	for i, it := range items {
		out[i] = unparen(it)
	}
	return out
}

// unparen strips redundant parentheses.
func unparen(e ch.Expr) ch.Expr {
	for {
		switch x := e.(type) {
		case *ch.ParamExprList:
			if inner, ok := singleParen(x); ok {
				e = inner
				continue
			}
		case *ch.ColumnExpr:
			if x.Alias == nil {
				e = x.Expr
				continue
			}
		}
		return e
	}
}

// operand writes e as an operand of an operator: parentheses the user
// wrote are kept (the server preserves them, collapsing doubled ones), and
// an operator that has none gets them.
func (f *exprFormatter) operand(b *strings.Builder, e ch.Expr) {
	for {
		if c, ok := e.(*ch.ColumnExpr); ok && c.Alias == nil {
			e = c.Expr
			continue
		}
		break
	}
	if p, ok := e.(*ch.ParamExprList); ok {
		if _, ok := singleParen(p); ok {
			f.write(b, p)
			return
		}
	}
	if f.isOperator(e) {
		b.WriteByte('(')
		f.write(b, e)
		b.WriteByte(')')
		return
	}
	f.write(b, e)
}

// chain collects the operands of a flat AND/OR chain written without
// parentheses.
func chain(e ch.Expr, op ch.TokenKind, out []ch.Expr) []ch.Expr {
	if b, ok := e.(*ch.BinaryOperation); ok && strings.EqualFold(string(b.Operation), string(op)) {
		out = chain(b.LeftExpr, op, out)
		return chain(b.RightExpr, op, out)
	}
	return append(out, e)
}

var binaryOps = map[string]string{
	"=": "=", "==": "=", "!=": "!=", "<>": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">=",
	"+": "+", "-": "-", "*": "*", "/": "/", "%": "%",
	"LIKE": "LIKE", "NOT LIKE": "NOT LIKE", "ILIKE": "ILIKE", "NOT ILIKE": "NOT ILIKE",
	"IN": "IN", "NOT IN": "NOT IN", "GLOBAL IN": "GLOBAL IN", "GLOBAL NOT IN": "GLOBAL NOT IN",
	"REGEXP": "REGEXP",
}

func (f *exprFormatter) write(b *strings.Builder, e ch.Expr) {
	switch e := e.(type) {
	case nil:
	case *ch.ColumnExpr:
		f.write(b, e.Expr)
		if e.Alias != nil {
			b.WriteString(" AS ")
			b.WriteString(f.ident(e.Alias))
		}
	case *ch.Ident:
		if e.QuoteType != ch.Unquoted && (strings.EqualFold(e.Name, "true") || strings.EqualFold(e.Name, "false")) {
			// The server prints the name bare: system.columns shows
			// FALSE, and the definition it reads back (create_table_query,
			// after a restart everything) has the literal false.
			f.unsupported = append(f.unsupported, "a name `"+e.Name+"`, which the server prints bare and reads back as a literal")
		}
		if iv, ok := f.intervals[e.Name]; ok && e.QuoteType == ch.Unquoted {
			f.writeInterval(b, iv)
			break
		}
		b.WriteString(f.identOrKeyword(e))
	case *ch.NestedIdentifier:
		b.WriteString(f.ident(e.Ident))
		if e.DotIdent != nil {
			b.WriteByte('.')
			b.WriteString(f.ident(e.DotIdent))
		}
	case *ch.Path:
		for i, p := range e.Fields {
			if i > 0 {
				b.WriteByte('.')
			}
			b.WriteString(f.ident(p))
		}
	case *ch.TableIdentifier:
		b.WriteString(f.tableName(e))
	case *ch.NumberLiteral:
		if m, ok := f.marks[int(e.NumPos)]; ok && strings.HasPrefix(m, "NUMBER ") {
			// A float the gap layer rewrote for AfterShip.
			b.WriteString(formatNumber(&ch.NumberLiteral{Literal: m[len("NUMBER "):]}))
			break
		}
		b.WriteString(formatNumber(e))
	case *ch.StringLiteral:
		b.WriteString(schema.QuoteString(unescape(e.Literal)))
	case *ch.BoolLiteral:
		b.WriteString(strings.ToLower(e.Literal))
	case *ch.NullLiteral:
		b.WriteString("NULL")
	case *ch.BinaryOperation:
		f.binary(b, e)
	case *ch.UnaryExpr:
		switch strings.ToUpper(string(e.Kind)) {
		case "-":
			f.negate(b, e.Expr)
		case "+":
			f.write(b, e.Expr)
		case "NOT":
			b.WriteString("NOT ")
			f.operand(b, e.Expr)
		default:
			b.WriteString(string(e.Kind))
			f.operand(b, e.Expr)
		}
	case *ch.NegateExpr:
		f.negate(b, e.Expr)
	case *ch.NotExpr:
		b.WriteString("NOT ")
		f.operand(b, e.Expr)
	case *ch.IsNullExpr:
		f.operand(b, e.Expr)
		b.WriteString(" IS NULL")
	case *ch.IsNotNullExpr:
		f.operand(b, e.Expr)
		b.WriteString(" IS NOT NULL")
	case *ch.BetweenClause:
		// The server expands x [NOT] BETWEEN a AND b into comparisons.
		lo, join, hi := " >= ", ") AND (", " <= "
		if e.Not {
			lo, join, hi = " < ", ") OR (", " > "
		}
		b.WriteByte('(')
		f.operand(b, e.Expr)
		b.WriteString(lo)
		f.operand(b, e.Between)
		b.WriteString(join)
		f.operand(b, e.Expr)
		b.WriteString(hi)
		f.operand(b, e.And)
		b.WriteByte(')')
	case *ch.TernaryOperation:
		b.WriteString("if(")
		b.WriteString(f.exprs(parenthesiseIn([]ch.Expr{e.Condition, e.TrueExpr, e.FalseExpr})))
		b.WriteByte(')')
	case *ch.CaseExpr:
		var args []ch.Expr
		if e.Expr != nil {
			op := e.Expr
			if pl, ok := op.(*ch.ParamExprList); ok && f.marks[int(pl.Pos())] == caseOperandMark {
				if inner, ok := singleParen(pl); ok {
					op = inner // the gap layer's parentheses
				}
			}
			args = append(args, op)
		}
		for _, w := range e.Whens {
			args = append(args, w.When, w.Then)
		}
		if e.Else != nil {
			args = append(args, e.Else)
		} else {
			args = append(args, &ch.NullLiteral{})
		}
		if e.Expr != nil {
			b.WriteString("caseWithExpression(")
		} else {
			b.WriteString("multiIf(")
		}
		b.WriteString(f.exprs(parenthesiseIn(args)))
		b.WriteByte(')')
	case *ch.IntervalExpr:
		unit, ok := intervalUnit(e.Unit.Name)
		if !ok {
			f.unsupported = append(f.unsupported, "INTERVAL unit "+e.Unit.Name)
		}
		b.WriteString("toInterval")
		b.WriteString(unit)
		b.WriteByte('(')
		f.write(b, e.Expr)
		b.WriteByte(')')
	case *ch.CastExpr:
		b.WriteString("CAST(")
		f.write(b, e.Expr)
		b.WriteString(", ")
		f.castType(b, e.AsType)
		b.WriteByte(')')
	case *ch.FunctionExpr:
		f.function(b, e)
	case *ch.WindowFunctionExpr:
		f.function(b, e.Function)
		b.WriteString(" OVER ")
		f.write(b, e.OverExpr)
	case *ch.WindowExpr:
		if e.WindowName != nil {
			b.WriteString(f.ident(e.WindowName))
			return
		}
		var parts []string
		if e.PartitionBy != nil {
			parts = append(parts, "PARTITION BY "+f.listExpr(e.PartitionBy.Expr))
		}
		if e.OrderBy != nil {
			parts = append(parts, "ORDER BY "+f.orderItems(e.OrderBy.Items))
		}
		if e.Frame != nil {
			parts = append(parts, f.frame(e.Frame))
		}
		b.WriteString("(" + strings.Join(parts, " ") + ")")
	case *ch.ParamExprList:
		if x, ok := singleParen(e); ok && f.marks[int(e.LeftParenPos)] == "TUPLE" {
			// (x,): a one-element tuple, which the gap layer wrote (x ).
			b.WriteString("tuple(")
			f.write(b, x)
			b.WriteByte(')')
			return
		}
		if _, ok := singleParen(e); ok {
			// Written parentheses are kept, doubled ones collapsed:
			// ((a)) -> (a).
			b.WriteByte('(')
			f.write(b, unparen(e))
			b.WriteByte(')')
			return
		}
		if e.ColumnArgList == nil && (e.Items == nil || len(e.Items.Items) == 0) {
			// (): the empty tuple, which the server prints tuple().
			b.WriteString("tuple()")
			return
		}
		b.WriteByte('(')
		if e.Items != nil {
			items := e.Items.Items
			if isLiteralCollection(e, false) {
				items = unparenAll(items)
			}
			b.WriteString(f.exprs(items))
		}
		b.WriteByte(')')
	case *ch.ColumnExprList:
		b.WriteString(f.exprs(e.Items))
	case *ch.ArrayParamList:
		b.WriteByte('[')
		if e.Items != nil {
			items := e.Items.Items
			if isLiteralCollection(e, true) {
				items = unparenAll(items)
			}
			b.WriteString(f.exprs(items))
		}
		b.WriteByte(']')
	case *ch.ObjectParams:
		f.operand(b, e.Object)
		f.write(b, e.Params)
	case *ch.IndexOperation:
		// Tuple element access: the server parenthesises the tuple unless
		// it is a name, a tuple literal or tuple(...): (f(x)).1, (x.1).2.
		obj := e.Object
		if c, ok := obj.(*ch.ColumnExpr); ok && c.Alias == nil {
			obj = c.Expr
		}
		bare := false
		switch o := obj.(type) {
		case *ch.Ident, *ch.Path, *ch.NestedIdentifier:
			bare = true
		case *ch.ParamExprList:
			bare = true
		case *ch.FunctionExpr:
			bare = strings.EqualFold(o.Name.Name, "tuple") && (o.Params == nil || o.Params.ColumnArgList == nil)
		}
		if bare {
			f.write(b, obj)
		} else {
			b.WriteByte('(')
			f.write(b, obj)
			b.WriteByte(')')
		}
		b.WriteString(string(e.Operation))
		f.write(b, e.Index)
	case *ch.MapLiteral:
		b.WriteString("map(")
		for i, kv := range e.KeyValues {
			if i > 0 {
				b.WriteString(", ")
			}
			k := kv.Key
			f.write(b, &k)
			b.WriteString(", ")
			f.write(b, kv.Value)
		}
		b.WriteByte(')')
	case *ch.ExtractExpr:
		f.extract(b, e)
	case *ch.SubQuery:
		b.WriteByte('(')
		b.WriteString(f.selectQuery(e.Select))
		b.WriteByte(')')
	case *ch.SelectQuery:
		b.WriteString(f.selectQuery(e))
	case *ch.AliasExpr:
		f.write(b, e.Expr)
		b.WriteString(" AS ")
		f.write(b, e.Alias)
	case *ch.ColumnTypeExpr:
		b.WriteString(f.ident(e.Name))
	case *ch.QueryParam:
		// {name:Type}, a parameterized view's parameter.
		f.params = true
		b.WriteString("{" + e.Name.Name + ":" + strings.TrimSpace(ch.Format(e.Type)) + "}")
	case *ch.PlaceHolder:
		b.WriteString(ch.Format(e))
	default:
		f.unsupported = append(f.unsupported, fmt.Sprintf("%T", e))
		b.WriteString(ch.Format(e))
	}
}

// written returns a literal as the user wrote it: a number's text (see
// restoreNumber), an array's source text when the formatter has the
// statement's, or else as formatted.
func (f *exprFormatter) written(l ch.Expr) string {
	if n, ok := l.(*ch.NumberLiteral); ok {
		return n.Literal // as written (see restoreNumber)
	}
	from, to := int(l.Pos()), int(l.End())
	if f.src == "" || from < 0 || to > len(f.src) || from >= to {
		return f.expr(l)
	}
	// An array literal, [1,2]: its text at its offsets, when that is one.
	raw := f.src[from:to]
	if _, ok := l.(*ch.ArrayParamList); ok && strings.HasPrefix(raw, "[") {
		if !strings.HasSuffix(raw, "]") && to < len(f.src) && f.src[to] == ']' {
			raw += "]" // AfterShip's End may stop before the bracket
		}
		if strings.HasSuffix(raw, "]") {
			return raw
		}
	}
	return f.expr(l)
}

// castLiteral returns the text before :: when the server keeps it as
// written: a number, optionally signed, or brackets and parentheses holding
// only (signed) numbers, strings and commas (ParserCastOperator). A lone
// string is not one: the server casts its value.
func (f *exprFormatter) castLiteral(e *ch.BinaryOperation) (string, bool) {
	from, to := int(e.LeftExpr.Pos()), int(e.RightExpr.Pos())
	if f.src == "" || from < 0 || to > len(f.src) || from >= to {
		return "", false
	}
	raw := strings.TrimSpace(f.src[from:to])
	raw, ok := strings.CutSuffix(raw, "::")
	if !ok {
		return "", false
	}
	raw = strings.TrimSpace(raw)
	toks := castLiteralToks(scanSQL(raw))
	if len(toks) == 0 {
		return "", false
	}
	switch toks[0].kind {
	case 'n':
		return raw, len(toks) == 1
	case '-':
		return raw, len(toks) == 2 && toks[1].kind == 'n'
	case '[', '(':
	default:
		return "", false
	}
	in := func(k byte, set string) bool { return strings.IndexByte(set, k) >= 0 }
	var stack []byte
	last := byte('[')
	for i, t := range toks {
		switch k := t.kind; {
		case k == '[' || k == '(':
			if !in(last, "[(,") {
				return "", false
			}
			stack = append(stack, k)
		case k == ']' || k == ')':
			open := byte('[')
			if k == ')' {
				open = '('
			}
			if in(last, ",-") || (k == ']' && last == '(') || (k == ')' && last == '[') || len(stack) == 0 || stack[len(stack)-1] != open {
				return "", false
			}
			stack = stack[:len(stack)-1]
		case k == ',':
			if in(last, "[(,-") {
				return "", false
			}
		case k == 'n':
			if !in(last, "[(,-") {
				return "", false
			}
		case k == 's' || k == '-':
			if !in(last, "[(,") {
				return "", false
			}
		default:
			return "", false
		}
		last = t.kind
		if len(stack) == 0 {
			return raw, i == len(toks)-1
		}
	}
	return "", false
}

// castLiteralToks joins the pieces scanSQL splits a number into: 1e-3 and
// .5 are one number each.
func castLiteralToks(toks []sqlTok) []sqlTok {
	var out []sqlTok
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		if t.kind == '.' && i+1 < len(toks) && toks[i+1].kind == 'n' && toks[i+1].off == t.end {
			t = sqlTok{off: t.off, end: toks[i+1].end, kind: 'n'}
			i++
		}
		if t.kind == 'n' && (strings.HasSuffix(t.text, "e") || strings.HasSuffix(t.text, "E")) && !strings.HasPrefix(strings.ToLower(t.text), "0x") &&
			i+2 < len(toks) && (toks[i+1].kind == '-' || toks[i+1].kind == '+') && toks[i+2].kind == 'n' && toks[i+1].off == t.end {
			t = sqlTok{off: t.off, end: toks[i+2].end, kind: 'n'}
			i += 2
		}
		out = append(out, t)
	}
	return out
}

// typeWordsRE matches words joined by _, which may be a multi-word type
// name the gap layer joined.
var typeWordsRE = regexp.MustCompile(`[A-Za-z][A-Za-z0-9]*(_+[A-Za-z][A-Za-z0-9]*)+`)

// intWidthRE matches a type name with one numeric argument.
var intWidthRE = regexp.MustCompile(`\b([A-Za-z][A-Za-z0-9]*)\(\s*\d+\s*\)`)

// dropIntWidths takes the MySQL display width off the integer types of a
// type as written, as the server's type parser does: INT(11), BIGINT(20),
// Int8(3) and the other Int and UInt families are the type alone (INT4(3),
// BIT(3) and FLOAT(3) keep theirs; measured on ClickHouse 26.7).
func dropIntWidths(s string) string {
	return intWidthRE.ReplaceAllStringFunc(s, func(m string) string {
		name := m[:strings.IndexByte(m, '(')]
		switch u := strings.ToUpper(name); {
		case u == "INT" || u == "INTEGER" || u == "TINYINT" || u == "SMALLINT" || u == "MEDIUMINT" || u == "BIGINT" || u == "INT1",
			intFamilyRE.MatchString(u):
			return name
		}
		return m
	})
}

// intFamilyRE matches the upper-cased Int and UInt family names.
var intFamilyRE = regexp.MustCompile(`^U?INT(8|16|32|64|128|256)$`)

// spaceTypeWords gives back their spaces to the multi-word type names in s,
// in upper case as the server's type parser spells them (national_char
// varying, which the gap layer made national_char_varying, is NATIONAL CHAR
// VARYING; a one-word name keeps its case).
func spaceTypeWords(s string) string {
	return typeWordsRE.ReplaceAllStringFunc(s, func(w string) string {
		spaced := strings.ToUpper(strings.Join(strings.FieldsFunc(w, func(r rune) bool { return r == '_' }), " "))
		if _, ok := catalogTypeNames[spaced]; ok {
			return spaced
		}
		return w
	})
}

func (f *exprFormatter) castType(b *strings.Builder, t ch.Expr) {
	switch t := t.(type) {
	case *ch.StringLiteral:
		f.write(b, t)
	default:
		// CAST(x AS T) keeps T as written, quoted (a multi-word name with
		// its spaces, which the gap layer turned into _), without the
		// display width of an integer type (INT(11) is INT).
		text := ch.Format(t)
		if strings.Contains(strings.ToUpper(text), "ENUM") {
			// The gap layer gave every Enum a dummy value list for
			// AfterShip: the type is read from the statement as written
			// (issue 11 F48: CAST('ALL' AS Enum8('A' = 0, …)) in a view).
			if src, ok := f.sourceType(t); ok {
				text = src
			}
		}
		b.WriteString(schema.QuoteString(dropIntWidths(spaceTypeWords(text))))
	}
}

// sourceType returns the text of type node t as written in the statement,
// spaced as the server formats a type: "'a' = 1, 'b' = 2".
func (f *exprFormatter) sourceType(t ch.Expr) (string, bool) {
	start := int(t.Pos())
	if e, ok := t.(*ch.EnumType); ok && e.Name != nil {
		start = int(e.Name.Pos())
	}
	if f.src == "" || start < 0 || start >= len(f.src) {
		return "", false
	}
	toks := scanSQL(f.src[start:])
	if len(toks) < 2 || toks[0].kind != 'w' {
		return "", false
	}
	end := 1
	if toks[1].kind == '(' {
		j := closingParen(toks, 1)
		if j < 0 {
			return "", false
		}
		end = j + 1
	}
	var b strings.Builder
	for i, tk := range toks[:end] {
		switch {
		case tk.kind == '=':
			b.WriteString(" = ")
			continue
		case tk.kind == ',':
			b.WriteString(", ")
			continue
		case i > 0 && tk.kind != '(' && tk.kind != ')' && toks[i-1].kind != '(' && toks[i-1].kind != ',' && toks[i-1].kind != '=' && toks[i-1].kind != '-':
			b.WriteByte(' ') // Nullable(String) never; multi-word names
		}
		b.WriteString(tk.text)
	}
	return b.String(), true
}

func (f *exprFormatter) binary(b *strings.Builder, e *ch.BinaryOperation) {
	op := strings.ToUpper(string(e.Operation))
	switch op {
	case "AND", "OR":
		for i, x := range chain(e, ch.TokenKind(op), nil) {
			if i > 0 {
				b.WriteString(" " + op + " ")
			}
			f.operand(b, x)
		}
		return
	case "->":
		switch l := unparen(e.LeftExpr).(type) {
		case *ch.ParamExprList:
			f.write(b, l)
		default:
			f.write(b, l)
		}
		b.WriteString(" -> ")
		f.operand(b, e.RightExpr)
		return
	case "::":
		if text, ok := f.castLiteral(e); ok {
			// A literal before :: is kept as its text, as written:
			// 1_000::Int64 is CAST('1_000', 'Int64'), (-1)::Int8 is
			// CAST('(-1)', 'Int8').
			b.WriteString("CAST(" + schema.QuoteString(text) + ", ")
			f.castType(b, e.RightExpr)
			b.WriteByte(')')
			return
		}
		if u, ok := e.LeftExpr.(*ch.UnaryExpr); ok && string(u.Kind) == "-" {
			// :: binds tighter than a minus: -x::T is -CAST(x, 'T').
			f.negate(b, &ch.BinaryOperation{LeftExpr: u.Expr, Operation: "::", RightExpr: e.RightExpr})
			return
		}
		b.WriteString("CAST(")
		switch l := unparen(e.LeftExpr).(type) {
		case *ch.NumberLiteral, *ch.ArrayParamList:
			b.WriteString(schema.QuoteString(f.written(l)))
		default:
			f.write(b, e.LeftExpr)
		}
		b.WriteString(", ")
		f.castType(b, e.RightExpr)
		b.WriteByte(')')
		return
	case "||":
		b.WriteString("concat(")
		b.WriteString(f.exprs(chain(e, "||", nil)))
		b.WriteByte(')')
		return
	case "DIV":
		b.WriteString("intDiv(")
		f.write(b, e.LeftExpr)
		b.WriteString(", ")
		f.write(b, e.RightExpr)
		b.WriteByte(')')
		return
	case "REGEXP":
		// The server prints a REGEXP b as match(a, b).
		b.WriteString("match(")
		f.write(b, e.LeftExpr)
		b.WriteString(", ")
		f.write(b, e.RightExpr)
		b.WriteByte(')')
		return
	case "MOD":
		op = "%"
	case "%":
		// a DIV b, which the gap layer turned into "%".
		if f.isDiv(e) {
			b.WriteString("intDiv(")
			f.write(b, e.LeftExpr)
			b.WriteString(", ")
			f.write(b, e.RightExpr)
			b.WriteByte(')')
			return
		}
	}
	if e.HasNot && !strings.HasPrefix(op, "NOT ") {
		op = "NOT " + op
	}
	if e.HasGlobal && !strings.HasPrefix(op, "GLOBAL ") {
		op = "GLOBAL " + op
	}
	sym, ok := binaryOps[op]
	if !ok {
		sym = op
	}
	if op == "=" || op == "!=" {
		if ns := nullSafeOperator(f.asWritten, int(e.LeftExpr.End()), int(e.RightExpr.Pos())); ns != "" {
			sym = ns
		}
	}
	f.operand(b, e.LeftExpr)
	b.WriteString(" " + sym + " ")
	if strings.HasSuffix(sym, "IN") {
		// The right side of IN keeps its parentheses: x IN (1, 2).
		f.inRHS(b, e.RightExpr)
		return
	}
	f.operand(b, e.RightExpr)
}

func (f *exprFormatter) inRHS(b *strings.Builder, e ch.Expr) {
	switch x := e.(type) {
	case *ch.ParamExprList:
		b.WriteByte('(')
		if x.Items != nil {
			b.WriteString(f.exprs(x.Items.Items))
		}
		b.WriteByte(')')
	case *ch.SubQuery:
		f.write(b, x)
	case *ch.Ident:
		// x IN t: a table, qualified and parenthesised.
		b.WriteString("(" + f.tableName(&ch.TableIdentifier{Table: x}) + ")")
	case *ch.Path:
		if len(x.Fields) == 2 {
			b.WriteString("(" + f.tableName(&ch.TableIdentifier{Database: x.Fields[0], Table: x.Fields[1]}) + ")")
			return
		}
		f.operand(b, e)
	default:
		f.operand(b, e)
	}
}

func (f *exprFormatter) function(b *strings.Builder, e *ch.FunctionExpr) {
	if f.foldCurrentDatabase && strings.EqualFold(e.Name.Name, "currentDatabase") && f.Database != "" &&
		(e.Params == nil || e.Params.Items == nil || len(e.Params.Items.Items) == 0) {
		b.WriteString(schema.QuoteString(f.Database))
		return
	}
	name := e.Name.Name
	if n, ok := f.names[name]; ok && e.Name.QuoteType == ch.Unquoted {
		name = n // 01856_f(…): a placeholder for AfterShip
	}
	var args []ch.Expr
	distinct := false
	if e.Params != nil && e.Params.Items != nil {
		args = e.Params.Items.Items
		distinct = e.Params.Items.HasDistinct
	}
	if distinct && strings.EqualFold(name, "count") {
		name, distinct = "countDistinct", false
	}
	// substring(s FROM a [FOR b]) is substring(s, a[, b]); position(x IN s)
	// is position(s, x).
	if len(args) == 1 {
		if bo, ok := unparen(args[0]).(*ch.BinaryOperation); ok {
			op := strings.ToUpper(string(bo.Operation))
			switch {
			case strings.EqualFold(name, "substring") && (op == "FROM" || op == "FOR"):
				var parts []ch.Expr
				var walk func(x ch.Expr)
				walk = func(x ch.Expr) {
					if b2, ok := x.(*ch.BinaryOperation); ok {
						if o := strings.ToUpper(string(b2.Operation)); o == "FROM" || o == "FOR" {
							walk(b2.LeftExpr)
							parts = append(parts, b2.RightExpr)
							return
						}
					}
					parts = append(parts, x)
				}
				walk(bo)
				b.WriteString("substring(" + f.exprs(parts) + ")")
				return
			case strings.EqualFold(name, "position") && op == "IN" && !bo.HasNot && !bo.HasGlobal:
				b.WriteString("position(" + f.expr(bo.RightExpr) + ", " + f.expr(bo.LeftExpr) + ")")
				return
			}
		}
	}
	// trim(BOTH|LEADING|TRAILING x FROM s) is trimBoth/trimLeft/trimRight(s, x).
	if strings.EqualFold(name, "trim") && len(args) == 1 {
		if bo, ok := unparen(args[0]).(*ch.BinaryOperation); ok && strings.EqualFold(string(bo.Operation), "FROM") {
			if u, ok := bo.LeftExpr.(*ch.UnaryExpr); ok {
				fn := map[string]string{"BOTH": "trimBoth", "LEADING": "trimLeft", "TRAILING": "trimRight"}[strings.ToUpper(string(u.Kind))]
				if fn != "" {
					b.WriteString(fn + "(" + f.expr(bo.RightExpr) + ", " + f.expr(u.Expr) + ")")
					return
				}
			}
		}
	}
	if canon, ok := caseInsensitiveFunctions[strings.ToLower(name)]; ok && e.Name.QuoteType == ch.Unquoted {
		name = canon
	} else if canon, ok := caseInsensitiveAliases[strings.ToLower(name)]; ok && e.Name.QuoteType == ch.Unquoted {
		name = canon
	}
	if strings.EqualFold(name, "exists") && e.Name.QuoteType == ch.Unquoted {
		name = "exists"
	}
	// dateAdd(unit, n, d) and dateAdd(d, INTERVAL n unit) are parsed into
	// plus(d, toIntervalUnit(n)); dateSub into minus.
	if op, ok := dateArith[strings.ToLower(e.Name.Name)]; ok && e.Name.QuoteType == ch.Unquoted && !distinct && (e.Params == nil || e.Params.ColumnArgList == nil) {
		switch len(args) {
		case 3:
			if u, ok := unparen(args[0]).(*ch.Ident); ok && u.QuoteType == ch.Unquoted {
				if unit, ok := intervalUnit(u.Name); ok {
					b.WriteString(op + "(" + f.expr(args[2]) + ", toInterval" + unit + "(" + f.expr(args[1]) + "))")
					return
				}
			}
		case 2:
			b.WriteString(op + "(" + f.exprs(args) + ")")
			return
		}
	}
	b.WriteString(identName(name, e.Name.QuoteType))
	b.WriteByte('(')
	if distinct {
		b.WriteString("DISTINCT ")
	}
	if !strings.EqualFold(name, "tuple") {
		args = parenthesiseIn(args)
	}
	if dict, ok := f.dictionaryArg(name, args); ok {
		b.WriteString(dict)
		if len(args) > 1 {
			b.WriteString(", " + f.exprs(args[1:]))
		}
	} else {
		b.WriteString(f.exprs(args))
	}
	b.WriteByte(')')
	if e.Params != nil && e.Params.ColumnArgList != nil {
		b.WriteByte('(')
		if e.Params.ColumnArgList.Distinct {
			b.WriteString("DISTINCT ")
		}
		b.WriteString(f.exprs(e.Params.ColumnArgList.Items))
		b.WriteByte(')')
	}
}

// parenthesiseIn returns args with each IN operation (IN, NOT IN, GLOBAL
// IN) in parentheses: the server prints if((x IN (1)), 1, 2), but
// tuple(x IN (1)).
func parenthesiseIn(args []ch.Expr) []ch.Expr {
	var out []ch.Expr
	for i, a := range args {
		inner := a
		if c, ok := inner.(*ch.ColumnExpr); ok && c.Alias == nil {
			inner = c.Expr
		}
		if bo, ok := inner.(*ch.BinaryOperation); ok && strings.HasSuffix(strings.ToUpper(string(bo.Operation)), "IN") {
			if out == nil {
				out = slices.Clone(args)
			}
			out[i] = &ch.ParamExprList{Items: &ch.ColumnExprList{Items: []ch.Expr{inner}}}
		}
	}
	if out == nil {
		return args
	}
	return out
}

// dictionaryArg prints the dictionary argument of a dictGet-family
// function qualified with the current database, as the server stores it:
// dictGet('d', …) is dictGet('db.d', …), and dictGet(d, …) is
// dictGet(db.d, …).
func (f *exprFormatter) dictionaryArg(name string, args []ch.Expr) (string, bool) {
	if f.columnExpr && len(args) > 0 && (strings.HasPrefix(name, "dictGet") || strings.HasPrefix(name, "joinGet") || name == "dictHas" || name == "dictIsIn") {
		first := args[0]
		if ce, ok := first.(*ch.ColumnExpr); ok && ce.Alias == nil {
			first = ce.Expr
		}
		switch first.(type) {
		case *ch.FunctionExpr, *ch.BinaryOperation:
			if v, ok := f.constString(first); ok {
				return schema.QuoteString(v), true
			}
		}
	}
	if !strings.HasPrefix(name, "joinGet") {
		return f.dictionaryName(name, args)
	}
	return "", false
}

// constString evaluates a constant string expression of literals,
// currentDatabase(), concat and ||.
func (f *exprFormatter) constString(e ch.Expr) (string, bool) {
	switch e := e.(type) {
	case *ch.ColumnExpr:
		if e.Alias == nil {
			return f.constString(e.Expr)
		}
	case *ch.StringLiteral:
		return unescape(e.Literal), true
	case *ch.ParamExprList:
		if x, ok := singleParen(e); ok {
			return f.constString(x)
		}
	case *ch.BinaryOperation:
		if string(e.Operation) == "||" {
			l, ok1 := f.constString(e.LeftExpr)
			r, ok2 := f.constString(e.RightExpr)
			return l + r, ok1 && ok2
		}
	case *ch.FunctionExpr:
		var args []ch.Expr
		if e.Params != nil && e.Params.Items != nil {
			args = e.Params.Items.Items
		}
		switch {
		case strings.EqualFold(e.Name.Name, "currentDatabase") && len(args) == 0 && f.Database != "":
			return f.Database, true
		case strings.EqualFold(e.Name.Name, "concat"):
			out := ""
			for _, a := range args {
				s, ok := f.constString(a)
				if !ok {
					return "", false
				}
				out += s
			}
			return out, true
		}
	}
	return "", false
}

// dictionaryName qualifies a dictGet's dictionary with the database.
func (f *exprFormatter) dictionaryName(name string, args []ch.Expr) (string, bool) {
	if f.Database == "" || len(args) == 0 || !(strings.HasPrefix(name, "dictGet") || name == "dictHas" || name == "dictIsIn") {
		return "", false
	}
	first := args[0]
	if ce, ok := first.(*ch.ColumnExpr); ok {
		first = ce.Expr
	}
	switch a := first.(type) {
	case *ch.StringLiteral:
		if d := unescape(a.Literal); !strings.Contains(d, ".") {
			return schema.QuoteString(f.Database + "." + d), true
		}
	case *ch.Ident:
		return schema.QuoteIdent(f.Database) + "." + f.ident(a), true
	}
	return "", false
}

// caseInsensitiveAliases are aliases the server resolves although
// system.functions does not flag them case-insensitive (checked against the
// server: rand32 and fullHostName, flagged alike, are kept as written).
var caseInsensitiveAliases = map[string]string{
	"date_diff": "dateDiff", "timestamp_diff": "dateDiff", "timestampdiff": "dateDiff",
}

// dateArith are the date arithmetic functions the server's parser turns
// into plus/minus.
var dateArith = map[string]string{
	"dateadd": "plus", "date_add": "plus", "timestampadd": "plus", "timestamp_add": "plus",
	"datesub": "minus", "date_sub": "minus", "timestampsub": "minus", "timestamp_sub": "minus",
}

// intervalUnit returns the toInterval suffix of an interval unit keyword,
// in any case.
func intervalUnit(w string) (string, bool) {
	u, ok := intervalUnits[strings.ToUpper(w)]
	return u, ok
}

// intervalUnits are the interval unit keywords the server accepts, with
// the toInterval suffix of each (ClickHouse 26.7 lists them in its syntax
// error; TestIntervalUnits checks this table against that list).
var intervalUnits = map[string]string{}

func init() {
	for unit, kws := range map[string][]string{
		"Nanosecond":  {"NANOSECOND", "NANOSECONDS", "SQL_TSI_NANOSECOND", "NS"},
		"Microsecond": {"MICROSECOND", "MICROSECONDS", "SQL_TSI_MICROSECOND"},
		"Millisecond": {"MILLISECOND", "MILLISECONDS", "SQL_TSI_MILLISECOND", "MS"},
		"Second":      {"SECOND", "SECONDS", "SQL_TSI_SECOND", "SS", "S"},
		"Minute":      {"MINUTE", "MINUTES", "SQL_TSI_MINUTE", "MI", "N"},
		"Hour":        {"HOUR", "HOURS", "SQL_TSI_HOUR", "HH", "H"},
		"Day":         {"DAY", "DAYS", "SQL_TSI_DAY", "DD", "D"},
		"Week":        {"WEEK", "WEEKS", "SQL_TSI_WEEK", "WK", "WW"},
		"Month":       {"MONTH", "MONTHS", "SQL_TSI_MONTH", "MM", "M"},
		"Quarter":     {"QUARTER", "QUARTERS", "SQL_TSI_QUARTER", "QQ", "Q"},
		"Year":        {"YEAR", "YEARS", "SQL_TSI_YEAR", "YYYY", "YY"},
	} {
		for _, k := range kws {
			intervalUnits[k] = unit
		}
	}
}

var extractFuncs = map[string]string{
	"YEAR": "toYear", "QUARTER": "toQuarter", "MONTH": "toMonth", "WEEK": "toISOWeek",
	"DAY": "toDayOfMonth", "HOUR": "toHour", "MINUTE": "toMinute", "SECOND": "toSecond",
}

func (f *exprFormatter) extract(b *strings.Builder, e *ch.ExtractExpr) {
	if len(e.Parameters) == 1 {
		if p, ok := e.Parameters[0].(*ch.IntervalFrom); ok {
			if fn, ok := extractFuncs[strings.ToUpper(p.Interval.Name)]; ok {
				b.WriteString(fn + "(")
				f.write(b, p.FromExpr)
				b.WriteByte(')')
				return
			}
		}
	}
	for _, p := range e.Parameters {
		if _, ok := p.(*ch.IntervalFrom); ok {
			f.unsupported = append(f.unsupported, "EXTRACT form")
			b.WriteString(ch.Format(e))
			return
		}
	}
	// extract(haystack, pattern): the regular-expression function.
	b.WriteString("extract(" + f.exprs(e.Parameters) + ")")
}

// listExpr prints a key or list expression without the outer parentheses
// of a tuple.
func (f *exprFormatter) listExpr(e ch.Expr) string {
	switch x := e.(type) {
	case *ch.ColumnExprList:
		return f.exprs(x.Items)
	}
	return f.expr(e)
}

func (f *exprFormatter) orderItems(items []ch.Expr) string {
	parts := make([]string, len(items))
	for i, it := range items {
		if o, ok := it.(*ch.OrderExpr); ok {
			s := f.expr(o.Expr)
			if o.Alias != nil {
				s += " AS " + f.ident(o.Alias)
			}
			dir := "ASC"
			if o.Direction == ch.OrderDirectionDesc {
				dir = "DESC"
			}
			s += " " + dir
			if n := f.takeNulls(int(o.Expr.Pos()), items, i); n != "" {
				s += " " + n
			}
			if fl := o.Fill; fl != nil {
				s += " WITH FILL"
				if fl.From != nil {
					s += " FROM " + f.expr(fl.From)
				}
				if fl.To != nil {
					s += " TO " + f.expr(fl.To)
				}
				if fl.Step != nil {
					s += " STEP " + f.expr(fl.Step)
				}
				if fl.Staleness != nil {
					f.unsupported = append(f.unsupported, "WITH FILL STALENESS")
					s += " STALENESS " + f.expr(fl.Staleness)
				}
			}
			parts[i] = s
			continue
		}
		parts[i] = f.expr(it)
	}
	return strings.Join(parts, ", ")
}

// isDiv reports whether the "%" of e stands for a DIV the gap layer
// rewrote (remembered at -offset-1 in marks).
func (f *exprFormatter) isDiv(e *ch.BinaryOperation) bool {
	from, to := int(e.LeftExpr.End()), int(e.RightExpr.Pos())
	if f.src != "" && to <= len(f.src) {
		// The operator is right before the right operand: a left operand's
		// End can stop short (CASE … END % 7 after … DIV 2).
		k := to
		for k > 0 && strings.IndexByte(" \t\r\n(", f.src[k-1]) >= 0 {
			k--
		}
		from = max(from, k-len("DIV"))
	}
	for k, v := range f.marks {
		if v == "DIV" && -k-1 >= from && -k-1 < to {
			return true
		}
	}
	return false
}

// takeNulls returns the NULLS FIRST/LAST that followed order item i (at
// offset pos), which the gap layer blanked out, and forgets it.
func (f *exprFormatter) takeNulls(pos int, items []ch.Expr, i int) string {
	if len(f.marks) == 0 {
		return ""
	}
	limit := -1
	if i+1 < len(items) {
		next := items[i+1]
		if o, ok := next.(*ch.OrderExpr); ok {
			next = o.Expr
		}
		limit = int(next.Pos())
	}
	best := -1
	for off, v := range f.marks {
		if strings.HasPrefix(v, "NULLS ") && off > pos && (limit < 0 || off < limit) && (best < 0 || off < best) {
			best = off
		}
	}
	if best < 0 {
		return ""
	}
	// The mark is this item's only when nothing but its direction or
	// collation lies between them: a window's ORDER BY c is followed by
	// the query's own ORDER BY c NULLS FIRST.
	if end := int(items[i].End()); f.src != "" && end <= best && best <= len(f.src) {
		if end < best && (f.src[end] == '`' || f.src[end] == '"') {
			end++ // a quoted name's End is its closing quote
		}
		for k, t := range scanSQL(f.src[end:best]) {
			switch {
			case t.kind == 'w' && !(t.is("ASC") || t.is("DESC") || t.is("ASCENDING") || t.is("DESCENDING") || t.is("COLLATE")),
				t.kind == ',' || t.kind == '(' || t.kind == 'n',
				t.kind == ')' && k > 0: // AfterShip's End may stop before the item's last ')' or quote
				return ""
			}
		}
	}
	n := f.marks[best]
	delete(f.marks, best)
	return n
}

func (f *exprFormatter) tableName(t *ch.TableIdentifier) string {
	if t.Database != nil {
		return f.ident(t.Database) + "." + f.ident(t.Table)
	}
	if f.Database != "" && !f.ctes[t.Table.Name] {
		return schema.QuoteIdent(f.Database) + "." + f.ident(t.Table)
	}
	return f.ident(t.Table)
}

// selectQuery prints a SELECT the way system.tables.as_select does.
func (f *exprFormatter) selectQuery(q *ch.SelectQuery) string {
	if q == nil {
		return ""
	}
	if q.InnerQuery != nil {
		s := "(" + f.selectQuery(q.InnerQuery) + ")"
		return s + f.setOps(q)
	}
	var parts []string
	if q.With != nil {
		var ctes []string
		for _, c := range q.With.CTEs {
			switch a := c.Alias.(type) {
			case *ch.SelectQuery:
				// name AS (SELECT ...): a table expression.
				ctes = append(ctes, f.expr(c.Expr)+" AS ("+f.selectQuery(a)+")")
				if id, ok := c.Expr.(*ch.Ident); ok {
					if f.ctes == nil {
						f.ctes = map[string]bool{}
					}
					f.ctes[id.Name] = true
				}
			case nil:
				ctes = append(ctes, f.expr(c.Expr))
			default:
				ctes = append(ctes, f.expr(c.Expr)+" AS "+f.expr(c.Alias))
			}
		}
		parts = append(parts, "WITH "+strings.Join(ctes, ", "))
	}
	sel := "SELECT "
	if q.HasDistinct && q.DistinctOn == nil {
		sel += "DISTINCT "
	}
	items := make([]string, len(q.SelectItems))
	for i, it := range q.SelectItems {
		s := f.expr(it.Expr)
		if it.Alias != nil {
			s += " AS " + f.ident(it.Alias)
		}
		for _, m := range it.Modifiers {
			s += " " + f.modifier(m)
		}
		items[i] = s
	}
	parts = append(parts, sel+strings.Join(items, ", "))
	if q.From != nil {
		parts = append(parts, "FROM "+f.fromExpr(q.From.Expr))
	}
	if q.Prewhere != nil {
		parts = append(parts, "PREWHERE "+f.expr(q.Prewhere.Expr))
	}
	if q.Where != nil {
		parts = append(parts, "WHERE "+f.expr(q.Where.Expr))
	}
	if q.GroupBy != nil {
		g := "GROUP BY "
		if strings.EqualFold(q.GroupBy.AggregateType, "ALL") {
			g += "ALL"
		} else if strings.EqualFold(q.GroupBy.AggregateType, "GROUPING SETS") {
			g += "GROUPING SETS " + f.groupingSets(q.GroupBy.Expr)
		} else if q.GroupBy.AggregateType != "" {
			g += q.GroupBy.AggregateType + "(" + f.listExpr(q.GroupBy.Expr) + ")"
		} else {
			g += f.listExpr(q.GroupBy.Expr)
		}
		if q.GroupBy.WithRollup {
			g += " WITH ROLLUP"
		}
		if q.GroupBy.WithCube {
			g += " WITH CUBE"
		}
		if q.GroupBy.WithTotals || q.WithTotal {
			g += " WITH TOTALS"
		}
		parts = append(parts, g)
	}
	qualify := q.Having != nil && f.marks[int(q.Having.Pos())] == "QUALIFY" // the gap layer's HAVING for a QUALIFY
	if q.Having != nil && !qualify {
		parts = append(parts, "HAVING "+f.expr(q.Having.Expr))
	}
	if q.Window != nil {
		var ws []string
		for _, w := range q.Window.Windows {
			ws = append(ws, f.ident(w.Name)+" AS "+f.expr(w.Expr))
		}
		parts = append(parts, "WINDOW "+strings.Join(ws, ", "))
	}
	if qualify {
		parts = append(parts, "QUALIFY "+f.expr(q.Having.Expr))
	}
	if q.OrderBy != nil {
		parts = append(parts, "ORDER BY "+f.orderItems(q.OrderBy.Items))
	}
	if q.DistinctOn != nil {
		// DISTINCT ON (a) is stored as LIMIT 1 BY a.
		var cols []string
		for _, n := range q.DistinctOn.Idents {
			cols = append(cols, f.nestedNameQuoted(n))
		}
		parts = append(parts, "LIMIT 1 BY "+strings.Join(cols, ", "))
	}
	if q.LimitBy != nil && q.LimitBy.Limit != nil {
		s := "LIMIT "
		if q.LimitBy.Limit.Offset != nil {
			s += f.expr(q.LimitBy.Limit.Offset) + ", "
		}
		s += f.expr(q.LimitBy.Limit.Limit) + " BY " + f.listExpr(q.LimitBy.ByExpr)
		parts = append(parts, s)
	}
	if q.Limit != nil {
		s := "LIMIT "
		if q.Limit.Offset != nil {
			s += f.expr(q.Limit.Offset) + ", "
		}
		parts = append(parts, s+f.expr(q.Limit.Limit))
	}
	if q.Settings != nil {
		parts = append(parts, "SETTINGS "+f.settings(q.Settings.Items).String())
	}
	return strings.Join(parts, " ") + f.setOps(q)
}

func (f *exprFormatter) setOps(q *ch.SelectQuery) string {
	switch {
	case q.UnionAll != nil:
		return " UNION ALL " + f.selectQuery(q.UnionAll)
	case q.UnionDistinct != nil:
		return " UNION DISTINCT " + f.selectQuery(q.UnionDistinct)
	case q.Except != nil:
		return " EXCEPT " + f.selectQuery(q.Except)
	case q.Intersect != nil:
		return " INTERSECT " + f.selectQuery(q.Intersect)
	}
	return ""
}

func (f *exprFormatter) fromExpr(e ch.Expr) string {
	switch x := e.(type) {
	case *ch.JoinTableExpr:
		s := f.fromExpr(x.Table)
		if x.HasFinal {
			s += " FINAL"
		}
		if x.SampleRatio != nil {
			s += " SAMPLE " + sampleRatio(x.SampleRatio.Ratio)
			if x.SampleRatio.Offset != nil {
				s += " OFFSET " + sampleRatio(x.SampleRatio.Offset)
			}
		}
		return s
	case *ch.TableExpr:
		s := f.fromExpr(x.Expr)
		if x.Alias != nil {
			s += " AS " + f.expr(x.Alias.Alias)
		}
		if x.HasFinal {
			s += " FINAL"
		}
		return s
	case *ch.AliasExpr:
		return f.fromExpr(x.Expr) + " AS " + f.expr(x.Alias)
	case *ch.TableIdentifier:
		return f.tableName(x)
	case *ch.Ident:
		return f.tableName(&ch.TableIdentifier{Table: x})
	case *ch.SubQuery:
		return "(" + f.selectQuery(x.Select) + ")"
	case *ch.TableFunctionExpr:
		return f.expr(x.Name) + "(" + f.tableArgs(x.Args) + ")"
	case *ch.JoinExpr:
		return f.fromExpr(x.Left) + f.joinRest(x)
	}
	return f.expr(e)
}

// groupingSets prints GROUPING SETS' list: ((a), (a, b), ()).
func (f *exprFormatter) groupingSets(e ch.Expr) string {
	p, ok := e.(*ch.ParamExprList)
	if !ok || p.Items == nil {
		return f.expr(e)
	}
	sets := make([]string, len(p.Items.Items))
	for i, it := range p.Items.Items {
		inner := it
		if c, ok := inner.(*ch.ColumnExpr); ok && c.Alias == nil {
			inner = c.Expr
		}
		if q, ok := inner.(*ch.ParamExprList); ok && q.ColumnArgList == nil {
			var xs []ch.Expr
			if q.Items != nil {
				xs = q.Items.Items
			}
			sets[i] = "(" + f.exprs(xs) + ")"
			continue
		}
		sets[i] = f.expr(inner)
	}
	return "(" + strings.Join(sets, ", ") + ")"
}

// modifier prints a column transformer: EXCEPT (a, b), REPLACE (x AS y),
// APPLY f.
func (f *exprFormatter) modifier(m *ch.FunctionExpr) string {
	name := strings.ToUpper(m.Name.Name)
	var args []ch.Expr
	if m.Params != nil && m.Params.Items != nil {
		args = m.Params.Items.Items
	}
	if (name == "APPLY" || name == "EXCEPT") && len(args) == 1 {
		return name + " " + f.expr(args[0])
	}
	return name + " (" + f.exprs(args) + ")"
}

// frame prints a window frame as the server does: always with BETWEEN.
func (f *exprFormatter) frame(fr *ch.WindowFrameClause) string {
	bound := func(e ch.Expr) string {
		switch b := e.(type) {
		case *ch.WindowFrameCurrentRow:
			return "CURRENT ROW"
		case *ch.WindowFrameUnbounded:
			return "UNBOUNDED " + strings.ToUpper(b.Direction)
		case *ch.WindowFrameNumber:
			return f.expr(b.Number) + " " + strings.ToUpper(b.Direction)
		case *ch.WindowFrameExtendExpr:
			return f.expr(b.Expr) + " " + strings.ToUpper(b.Direction)
		case *ch.WindowFrameParam:
			return f.expr(b.Param) + " " + strings.ToUpper(b.Direction)
		}
		f.unsupported = append(f.unsupported, "window frame bound")
		return ch.Format(e)
	}
	typ := strings.ToUpper(fr.Type)
	if b, ok := fr.Extend.(*ch.BetweenClause); ok {
		return typ + " BETWEEN " + bound(b.Between) + " AND " + bound(b.And)
	}
	return typ + " BETWEEN " + bound(fr.Extend) + " AND CURRENT ROW"
}

// joinTail prints "KIND JOIN table ON ..." for the right side of a join,
// which AfterShip nests as JoinExpr{Left: table, Modifiers, Constraints,
// Right: next join}.
func (f *exprFormatter) joinTail(j *ch.JoinExpr) string {
	// The server prints [GLOBAL] [ALL|ANY|ASOF|SEMI|ANTI] KIND JOIN, with
	// INNER when no kind is written and FULL as FULL OUTER.
	var locality, strictness, kind string
	for _, m := range j.Modifiers {
		if strings.EqualFold(m, "ARRAY") {
			// [LEFT] ARRAY JOIN: as written.
			var ws []string
			for _, w := range j.Modifiers {
				if !strings.EqualFold(w, "JOIN") {
					ws = append(ws, strings.ToUpper(w))
				}
			}
			return " " + strings.Join(ws, " ") + " JOIN " + f.fromExpr(j.Left) + f.joinRest(j)
		}
	}
	for _, m := range j.Modifiers {
		switch m = strings.ToUpper(m); m {
		case "GLOBAL", "LOCAL":
			locality = m
		case "ALL", "ANY", "ASOF", "SEMI", "ANTI":
			strictness = m
		case "INNER", "LEFT", "RIGHT", "FULL", "CROSS", "PASTE":
			kind = m
		}
	}
	if len(j.Modifiers) == 0 && j.Constraints == nil {
		// a, b: a comma join.
		return ", " + f.fromExpr(j.Left) + f.joinRest(j)
	}
	switch kind {
	case "":
		kind = "INNER"
	case "FULL":
		kind = "FULL OUTER"
	}
	var words []string
	for _, w := range []string{locality, strictness, kind} {
		if w != "" {
			words = append(words, w)
		}
	}
	kind = strings.Join(words, " ")
	s := " " + kind + " JOIN " + f.fromExpr(j.Left)
	switch c := j.Constraints.(type) {
	case *ch.OnClause:
		if c.On != nil {
			s += " ON " + f.exprs(c.On.Items)
		}
	case *ch.UsingClause:
		if c.Using != nil {
			s += " USING (" + f.exprs(c.Using.Items) + ")"
		}
	case *ch.JoinConstraintClause:
		if c.On != nil {
			s += " ON " + f.exprs(c.On.Items)
		}
		if c.Using != nil {
			s += " USING (" + f.exprs(c.Using.Items) + ")"
		}
	}
	return s + f.joinRest(j)
}

// joinRest prints the joins after j's table.
func (f *exprFormatter) joinRest(j *ch.JoinExpr) string {
	switch r := j.Right.(type) {
	case *ch.JoinExpr:
		return f.joinTail(r)
	case nil:
		return ""
	default:
		return ", " + f.fromExpr(r)
	}
}

func (f *exprFormatter) tableArgs(a *ch.TableArgListExpr) string {
	if a == nil {
		return ""
	}
	return f.exprs(a.Args)
}

func (f *exprFormatter) settings(items []*ch.SettingExpr) schema.Settings {
	out := make(schema.Settings, 0, len(items))
	for _, it := range items {
		out = append(out, schema.Setting{Name: it.Name.Name, Value: schema.Expr(f.expr(it.Expr))})
	}
	return out
}

// sampleRatio prints a SAMPLE ratio as the server stores it: a fraction,
// decimals as digits over a power of ten (0.25 → 25 / 100).
func sampleRatio(r *ch.RatioExpr) string {
	if r == nil || r.Numerator == nil {
		return ""
	}
	num := r.Numerator.Literal
	if r.Denominator != nil {
		return num + " / " + r.Denominator.Literal
	}
	whole, frac, ok := strings.Cut(num, ".")
	if !ok {
		return num
	}
	digits := strings.TrimLeft(whole+frac, "0")
	if digits == "" {
		digits = "0"
	}
	return digits + " / 1" + strings.Repeat("0", len(frac))
}

// formatNumber prints a number literal as the server does: integers in
// decimal, floats in shortest form with a trailing '.' when integral.
func formatNumber(n *ch.NumberLiteral) string {
	lit := strings.ReplaceAll(n.Literal, "_", "") // 1_000 as written
	neg := strings.HasPrefix(lit, "-")
	body := strings.TrimPrefix(strings.TrimPrefix(lit, "-"), "+")
	sign := ""
	if neg {
		sign = "-"
	}
	lower := strings.ToLower(body)
	if strings.HasPrefix(lower, "0x") || strings.HasPrefix(lower, "0b") {
		if v, ok := new(big.Int).SetString(lower, 0); ok {
			return sign + v.String()
		}
		return lit
	}
	if !strings.ContainsAny(lower, ".e") || lower == "inf" || lower == "nan" {
		if lower == "inf" || lower == "nan" {
			return sign + lower
		}
		if _, err := strconv.ParseUint(body, 10, 64); err == nil {
			if strings.Trim(body, "0") == "" {
				return "0" // -0 is 0
			}
			return sign + strings.TrimLeft(body, "0")
		}
	}
	v, err := strconv.ParseFloat(body, 64)
	if err != nil {
		return lit
	}
	return sign + formatFloat(v)
}

// formatFloat prints a float as the server does (double-conversion's
// shortest form): fixed notation for decimal exponents from -6 to 20, with
// a trailing '.' when integral, otherwise exponent notation without '+' or
// leading zeros ("1e21", "1e-7", "1.5e300").
func formatFloat(v float64) string {
	if v == 0 {
		if math.Signbit(v) {
			return "-0."
		}
		return "0."
	}
	exp := math.Floor(math.Log10(math.Abs(v)))
	if exp >= -6 && exp < 21 {
		s := strconv.FormatFloat(v, 'f', -1, 64)
		if !strings.Contains(s, ".") {
			s += "."
		}
		return s
	}
	s := strconv.FormatFloat(v, 'e', -1, 64)
	mant, e, _ := strings.Cut(s, "e")
	neg := strings.HasPrefix(e, "-")
	e = strings.TrimLeft(strings.TrimLeft(e, "+-"), "0")
	if neg {
		e = "-" + e
	}
	return mant + "e" + e
}

// unescape turns the raw text of a quoted string literal into its value.
func unescape(raw string) string {
	_, s, err := unquoteAt("'"+raw+"'", 0)
	if err != nil {
		return raw
	}
	return s
}

// ident prints an identifier the way the server does: backquoted only when
// it is not a plain word.
func ident(i *ch.Ident) string {
	if i == nil {
		return ""
	}
	return schema.QuoteIdent(identValue(i))
}

// ident prints an identifier as ident does, with the name a gap-layer
// placeholder stands for.
func (f *exprFormatter) ident(i *ch.Ident) string {
	if i == nil {
		return ""
	}
	if n, ok := f.names[i.Name]; ok && i.QuoteType == ch.Unquoted {
		return schema.QuoteIdent(n)
	}
	return ident(i)
}

// identValue is the name an identifier stands for (unescapeIdents has
// resolved a quoted name's escapes).
func identValue(i *ch.Ident) string { return i.Name }

func identName(name string, _ int) string { return schema.QuoteIdent(name) }

// nestedNameQuoted prints a NestedIdentifier as the server does.
func (f *exprFormatter) nestedNameQuoted(n *ch.NestedIdentifier) string {
	if n.DotIdent != nil {
		return f.ident(n.Ident) + "." + f.ident(n.DotIdent)
	}
	return f.ident(n.Ident)
}

// identOrKeyword prints an unquoted NULL, true or false as the literal. A
// quoted `TRUE` or `FALSE` too: the server prints the name bare, and reads
// it back as the literal (a column named FALSE in a view's query or engine
// arguments is printed false); the object is uncertain (see write).
func (f *exprFormatter) identOrKeyword(i *ch.Ident) string {
	if i.Name == "*" && i.QuoteType != ch.BackTicks && i.QuoteType != ch.DoubleQuote {
		return "*"
	}
	if strings.EqualFold(i.Name, "true") || strings.EqualFold(i.Name, "false") {
		return strings.ToLower(i.Name)
	}
	if i.QuoteType == ch.Unquoted {
		switch strings.ToUpper(i.Name) {
		case "NULL":
			return "NULL"
		case "TRUE":
			return "true"
		case "FALSE":
			return "false"
		case "*":
			return "*"
		}
	}
	return f.ident(i)
}

// interval is an INTERVAL that AfterShip cannot read (a unit abbreviation
// such as D or SQL_TSI_DAY, or the string form INTERVAL '7 days'), which
// the gap layer replaces by a same-length placeholder identifier.
type interval struct {
	// operand is the expression of INTERVAL expr unit, as written, and
	// unit the toInterval suffix of its unit.
	operand, unit string
	// pairs are the numbers and unit suffixes of INTERVAL 'n unit ...'.
	pairs [][2]string
}

// writeInterval prints iv as the server does: toIntervalUnit(n), or a
// tuple of them for a string with several units.
func (f *exprFormatter) writeInterval(b *strings.Builder, iv interval) {
	if iv.pairs == nil {
		e, err := f.parse(iv.operand)
		if err != nil {
			f.unsupported = append(f.unsupported, "INTERVAL "+iv.operand+": "+firstLine(err.Error()))
			return
		}
		b.WriteString("toInterval" + iv.unit + "(")
		f.write(b, e)
		b.WriteByte(')')
		return
	}
	parts := make([]string, len(iv.pairs))
	for i, p := range iv.pairs {
		n := strings.TrimPrefix(p[0], "+")
		if strings.Trim(n, "0123456789_") == "" {
			n = strings.ReplaceAll(n, "_", "")
		}
		e, err := parseExprText(n)
		if err != nil {
			f.unsupported = append(f.unsupported, "INTERVAL number "+p[0])
			return
		}
		parts[i] = "toInterval" + p[1] + "(" + f.expr(e) + ")"
	}
	if len(parts) == 1 {
		b.WriteString(parts[0])
		return
	}
	b.WriteString("(" + strings.Join(parts, ", ") + ")")
}

// parse parses a lone expression, first replacing the INTERVALs AfterShip
// cannot read by placeholders that f prints.
func (f *exprFormatter) parse(s string) (ch.Expr, error) {
	toks := scanSQL(s)
	spans := intervalSpans(s, toks)
	if len(spans) == 0 {
		return parseExprText(s)
	}
	b := []byte(s)
	for _, sp := range spans {
		copy(b[sp.from:sp.to], f.addInterval(sp.to-sp.from, sp.iv))
	}
	return parseExprText(string(b))
}

// addInterval records iv and returns the placeholder of length n that
// stands for it.
func (f *exprFormatter) addInterval(n int, iv interval) string {
	if f.intervals == nil {
		f.intervals = map[string]interval{}
	}
	return addInterval(f.intervals, n, iv)
}

// addInterval records iv in reg and returns the placeholder identifier of
// length n that stands for it.
func addInterval(reg map[string]interval, n int, iv interval) string {
	name := "_chsiv" + strconv.Itoa(len(reg))
	name += strings.Repeat("_", max(0, n-len(name)))
	reg[name] = iv
	return name
}

// intervalSpan is an INTERVAL AfterShip cannot read at [from, to).
type intervalSpan struct {
	from, to int
	iv       interval
}

// afterShipUnits are the interval units AfterShip v0.5.6 reads.
var afterShipUnits = map[string]bool{"MILLISECOND": true, "SECOND": true, "MINUTE": true, "HOUR": true,
	"DAY": true, "WEEK": true, "MONTH": true, "QUARTER": true, "YEAR": true}

// intervalSpans finds, in s (toks are its tokens), the INTERVALs AfterShip
// cannot read: INTERVAL 'n unit [n unit ...]', and INTERVAL expr unit with
// a unit AfterShip does not know. Each span is at least twelve bytes long
// (INTERVAL 1 D), room for a placeholder.
func intervalSpans(s string, toks []sqlTok) []intervalSpan {
	var out []intervalSpan
	for i := 0; i+1 < len(toks); i++ {
		if !toks[i].is("INTERVAL") || i > 0 && (objectNameAt(toks, i) || tableNameAt(toks, i)) || toks[i+1].is("AS") {
			continue // a name: CREATE VIEW interval AS …
		}
		if n := toks[i+1]; n.kind == 's' && (i+2 >= len(toks) || !isIntervalUnit(toks[i+2])) {
			if pairs, ok := intervalString(unquoteLiteral(n.text)); ok {
				out = append(out, intervalSpan{toks[i].off, n.end, interval{pairs: pairs}})
				i++
			}
			continue
		}
		if j := intervalUnitAt(toks, i+1); j > i+1 {
			if t := toks[j]; !afterShipUnits[t.upper()] {
				unit, _ := intervalUnit(t.text)
				out = append(out, intervalSpan{toks[i].off, t.end, interval{operand: s[toks[i+1].off:toks[j-1].end], unit: unit}})
			}
			i = j
		}
	}
	return out
}

// intervalUnitAt returns the index of the unit keyword that ends the
// INTERVAL operand starting at toks[from], or -1: the first unit keyword
// at the operand's bracket depth, before a comma or a closing bracket.
func intervalUnitAt(toks []sqlTok, from int) int {
	depth := 0
	for j := from; j < len(toks); j++ {
		switch t := toks[j]; t.kind {
		case '(', '[':
			depth++
		case ')', ']':
			if depth == 0 {
				return -1
			}
			depth--
		case ',':
			if depth == 0 {
				return -1
			}
		default:
			if depth == 0 && j > from && isIntervalUnit(t) && endsOperand(toks, j+1) {
				return j
			}
		}
	}
	return -1
}

// endsOperand reports whether toks[i] cannot continue an expression: the
// end, punctuation other than an opening parenthesis or a dot, or a
// keyword that follows an expression. A unit keyword before it ends an
// INTERVAL (in INTERVAL x + m DAY the column m is no unit).
func endsOperand(toks []sqlTok, i int) bool {
	if i >= len(toks) {
		return true
	}
	switch t := toks[i]; t.kind {
	case 'w':
		switch t.upper() {
		case "AS", "AND", "OR", "FROM", "WHERE", "THEN", "ELSE", "END", "WHEN", "ASC", "DESC", "DELETE", "TO",
			"RECOMPRESS", "GROUP", "SETTINGS", "COMMENT", "CODEC", "TTL", "NOT", "IN", "IS", "LIKE", "ILIKE", "BETWEEN",
			"ORDER", "LIMIT", "HAVING", "UNION", "GRANULARITY", "TYPE", "DEFAULT", "MATERIALIZED", "ALIAS", "FORMAT":
			return true
		}
		return false
	case 'n', 's', 'q', '(', '.':
		return false
	}
	return true
}

func isIntervalUnit(t sqlTok) bool {
	_, ok := intervalUnits[t.upper()]
	return t.kind == 'w' && ok
}

// intervalString reads the text of INTERVAL 'n unit [n unit ...]'.
func intervalString(s string) ([][2]string, bool) {
	f := strings.Fields(s)
	if len(f) == 0 || len(f)%2 != 0 {
		return nil, false
	}
	var out [][2]string
	for i := 0; i < len(f); i += 2 {
		n := strings.TrimLeft(f[i], "+-")
		unit, ok := intervalUnit(f[i+1])
		if n == "" || !isDigit(n[0]) || !ok {
			return nil, false
		}
		out = append(out, [2]string{f[i], unit})
	}
	return out, true
}
