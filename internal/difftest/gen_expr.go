package difftest

import (
	"fmt"
	"strings"
)

// strPiece is a piece of a string literal's value and the ways SQL may spell
// it.
type strPiece struct {
	value     string
	spellings []string
}

var strPieces = []strPiece{
	{"abc", []string{"abc"}},
	{"x y", []string{"x y"}},
	{"'", []string{`\'`, `''`}},
	{"\n", []string{`\n`, "\n"}},
	{"\t", []string{`\t`, "\t"}},
	{`\`, []string{`\\`}},
	{"A", []string{`\x41`, "A"}},
	{"\x00", []string{`\0`}},
	{"\r", []string{`\r`}},
	{"\b", []string{`\b`}},
	{"\f", []string{`\f`}},
	{";", []string{";"}},
	{"--", []string{"--"}},
	{"/*", []string{"/*"}},
	{"%_", []string{"%_"}},
	{"é€", []string{"é€"}},
	{`"`, []string{`"`, `\"`}},
	{"`", []string{"`", "\\`"}},
	{"$", []string{"$"}},
	{"?", []string{"?"}},
	{"{}", []string{"{}"}},
	// The server keeps the backslash of an escape it does not know.
	{`\w`, []string{`\w`}},
	{`\-`, []string{`\-`}},
	{`\d+`, []string{`\d+`}},
}

// stringLiteral is a quoted string with escapes of every kind.
func (g *Gen) stringLiteral() string {
	var b strings.Builder
	b.WriteByte('\'')
	for range g.intn(4) {
		p := pick(g, strPieces)
		b.WriteString(pick(g, p.spellings))
	}
	if g.chance(0.3) {
		b.WriteString(pick(g, strPieces[:2]).value)
	}
	b.WriteByte('\'')
	return b.String()
}

// quoteString quotes s the way the server prints it.
func quoteString(s string) string {
	var b strings.Builder
	b.WriteByte('\'')
	for _, r := range s {
		switch r {
		case '\'':
			b.WriteString(`\'`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\t':
			b.WriteString(`\t`)
		case 0:
			b.WriteString(`\0`)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('\'')
	return b.String()
}

// quoteStringVariant quotes s in one of the spellings the server accepts.
func quoteStringVariant(g *Gen, s string) string {
	if g.chance(0.6) {
		return quoteString(s)
	}
	var b strings.Builder
	b.WriteByte('\'')
	for _, r := range s {
		switch r {
		case '\'':
			b.WriteString("''")
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString("\n")
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('\'')
	return b.String()
}

// intLiteral is an integer in one of its spellings.
func (g *Gen) intLiteral() string {
	return g.oneOf("0", "1", "2", "7", "42", "-1", "-128", "255", "1000", "0x1F", "0xff", "0b101", "1_000", "1_000_000",
		"65535", "18446744073709551615", "-9223372036854775808", "007", "+5")
}

func (g *Gen) floatLiteral() string {
	return g.oneOf("0.5", "1.5", "-2.25", ".5", "1e3", "1E-3", "-1.5e+2", "inf", "-inf", "nan", "3.14159265358979", "1.", "0x1p4", "1_000.5")
}

// literal is a literal that fits t.
func (g *Gen) literal(t gtype) string {
	if strings.HasPrefix(t.sql, "Nullable") && g.chance(0.3) {
		return "NULL"
	}
	switch t.kind {
	case vInt:
		return g.oneOf("0", "1", "7", "42", "100", "0x1F", "0b101", "1_000")
	case vFloat, vDecimal:
		return g.oneOf("0", "1.5", "-2.25", "1e3", "0.001", "3")
	case vString:
		return g.stringLiteral()
	case vDate:
		return g.oneOf("'2024-01-01'", "'1970-01-02'", "today()", "toDate('2024-02-29')")
	case vDateTime:
		return g.oneOf("'2024-01-01 00:00:00'", "now()", "toDateTime('2024-01-01 12:34:56')", "0")
	case vBool:
		return g.oneOf("true", "false", "1", "0", "TRUE")
	case vUUID:
		return g.oneOf("'00000000-0000-0000-0000-000000000000'", "generateUUIDv4()", "toUUID('61f0c404-5cb3-11e7-907b-a6006ad3dba0')")
	case vIP:
		return g.oneOf("'127.0.0.1'", "'::1'", "toIPv4('10.0.0.1')")
	case vEnum:
		if len(t.enum) > 0 {
			return quoteString(pick(g, t.enum))
		}
	case vArray:
		return g.oneOf("[]", "[1, 2, 3]", "array(1)", "['a', 'b']", "emptyArrayUInt8()", "range(3)")
	case vMap:
		return g.oneOf("map()", "map('a', 1)", "{'a': 1, 'b': 2}")
	case vTuple:
		return g.oneOf("(1, 'a')", "tuple(1, 'a')", "(1, 2)")
	}
	return g.oneOf("NULL", "'x'", "1", "[]", "'{}'")
}

// colsOf keeps the columns of one value kind.
func colsOf(cols []*gcol, k valKind) []*gcol {
	var out []*gcol
	for _, c := range cols {
		if c.t.kind == k && c.kind != "EPHEMERAL" {
			out = append(out, c)
		}
	}
	return out
}

// colRef refers to a column of kind k when there is one.
func (g *Gen) colRef(cols []*gcol, k valKind) (string, bool) {
	cs := colsOf(cols, k)
	if len(cs) == 0 {
		return "", false
	}
	return g.ident(pick(g, cs).name), true
}

// expr is an expression of kind k over cols, nested at most depth deep.
func (g *Gen) expr(k valKind, cols []*gcol, depth int) string {
	if depth <= 0 || g.chance(0.25) {
		if c, ok := g.colRef(cols, k); ok && g.chance(0.6) {
			return c
		}
		return g.literal(gtype{kind: k, enum: nil})
	}
	sub := func(k valKind) string { return g.expr(k, cols, depth-1) }
	switch k {
	case vInt:
		switch g.intn(24) {
		case 0:
			return sub(vInt) + " + " + sub(vInt)
		case 1:
			return sub(vInt) + " * " + sub(vInt) + " - " + sub(vInt)
		case 2:
			return "(" + sub(vInt) + " + " + sub(vInt) + ") * " + sub(vInt)
		case 3:
			return "intDiv(" + sub(vInt) + ", " + g.oneOf("2", "3", "7") + ")"
		case 4:
			return sub(vInt) + g.oneOf(" % ", " MOD ", " DIV ") + g.oneOf("2", "7")
		case 5:
			return "length(" + sub(vString) + ")"
		case 6:
			return "toUInt32(" + sub(vInt) + ")"
		case 7:
			return "if(" + sub(vBool) + ", " + sub(vInt) + ", " + sub(vInt) + ")"
		case 8:
			return "CAST(" + sub(vInt) + " AS " + g.oneOf("UInt32", "Int64", "UInt8") + ")"
		case 9:
			return "CAST(" + sub(vInt) + ", '" + g.oneOf("UInt32", "Int64") + "')"
		case 10:
			return sub(vInt) + "::" + g.oneOf("UInt32", "Int64", "UInt16")
		case 11:
			return "cityHash64(" + sub(vString) + ")"
		case 12:
			return "toYYYYMM(" + sub(vDate) + ")"
		case 13:
			return "arrayCount(x -> x > 1, " + sub(vArray) + ")"
		case 14:
			return "multiIf(" + sub(vBool) + ", 1, " + sub(vBool) + ", 2, 3)"
		case 15:
			return "-" + sub(vInt)
		case 16:
			return "abs(" + sub(vInt) + ")"
		case 17:
			return "CASE WHEN " + sub(vBool) + " THEN " + sub(vInt) + " ELSE " + sub(vInt) + " END"
		case 18:
			return "CASE " + sub(vInt) + " WHEN 1 THEN 10 WHEN 2 THEN 20 ELSE 0 END"
		case 19:
			return "bitAnd(" + sub(vInt) + ", 255)"
		case 20:
			return "toUnixTimestamp(" + sub(vDateTime) + ")"
		case 21:
			return "(" + sub(vBool) + ") ? 1 : 0"
		case 22:
			return "greatest(" + sub(vInt) + ", " + sub(vInt) + ")"
		default:
			return "(" + sub(vInt) + ")"
		}
	case vFloat, vDecimal:
		switch g.intn(7) {
		case 0:
			return sub(vInt) + " / " + g.oneOf("2", "3.5")
		case 1:
			return "sqrt(" + sub(vInt) + ")"
		case 2:
			return "toFloat64(" + sub(vInt) + ")"
		case 3:
			return "round(" + sub(vFloat) + ", 2)"
		case 4:
			return "exp(1)"
		case 5:
			return g.floatLiteral()
		default:
			return sub(vInt) + " * 0.5"
		}
	case vString:
		switch g.intn(22) {
		case 0:
			return "concat(" + sub(vString) + ", " + sub(vString) + ")"
		case 1:
			return sub(vString) + " || " + sub(vString)
		case 2:
			return "lower(" + sub(vString) + ")"
		case 3:
			return "toString(" + sub(vInt) + ")"
		case 4:
			return "substring(" + sub(vString) + ", 1, 3)"
		case 5:
			return "replaceRegexpAll(" + sub(vString) + ", " + g.oneOf(`'[\w\-]+'`, `'\\d+'`, `'\\s'`, `'^\s+|\s+$'`, `'(a|b)\\1'`, `'[^a-z]'`) + ", '')"
		case 6:
			return "format('{}-{}', " + sub(vString) + ", " + sub(vInt) + ")"
		case 7:
			return "if(" + sub(vBool) + ", " + sub(vString) + ", " + sub(vString) + ")"
		case 8:
			return "JSONExtractString(" + sub(vString) + ", 'k')"
		case 9:
			return "trim(BOTH ' ' FROM " + sub(vString) + ")"
		case 10:
			return "extract(" + sub(vString) + ", '\\\\d+')"
		case 11:
			return "hex(" + sub(vInt) + ")"
		case 12:
			return "leftPad(" + sub(vString) + ", 5, '*')"
		case 13:
			return "splitByChar(',', " + sub(vString) + ")[1]"
		case 14:
			return "arrayStringConcat(" + sub(vArray) + ", ',')"
		case 15:
			return "upper(" + sub(vString) + ")"
		case 16:
			return "toString(" + sub(vDate) + ")"
		case 17:
			return "reverse(" + sub(vString) + ")"
		case 18:
			return "formatDateTime(" + sub(vDateTime) + ", '%Y-%m-%d')"
		case 19:
			return "CAST(" + sub(vInt) + " AS String)"
		case 20:
			return "coalesce(" + sub(vString) + ", '')"
		default:
			return "substringIndex(" + sub(vString) + ", '.', 1)"
		}
	case vDate:
		switch g.intn(8) {
		case 0:
			return "today()"
		case 1:
			return "toDate(" + sub(vDateTime) + ")"
		case 2:
			return sub(vDate) + " + " + g.oneOf("1", "INTERVAL 1 DAY", "INTERVAL 2 WEEK", "toIntervalMonth(1)")
		case 3:
			return "toStartOfMonth(" + sub(vDate) + ")"
		case 4:
			return "addDays(" + sub(vDate) + ", 3)"
		case 5:
			return "yesterday()"
		case 6:
			return "toDate('2024-01-01')"
		default:
			return "toMonday(" + sub(vDate) + ")"
		}
	case vDateTime:
		switch g.intn(7) {
		case 0:
			return "now()"
		case 1:
			return "toDateTime(" + sub(vDate) + ")"
		case 2:
			return sub(vDateTime) + " + " + g.interval()
		case 3:
			return sub(vDateTime) + " - " + g.interval()
		case 4:
			return "toStartOfHour(" + sub(vDateTime) + ")"
		case 5:
			return "parseDateTimeBestEffort(" + g.oneOf("'2024-01-01'", "'2024-01-01T10:00:00Z'") + ")"
		default:
			return "fromUnixTimestamp(" + sub(vInt) + ")"
		}
	case vBool:
		switch g.intn(18) {
		case 0:
			return sub(vInt) + g.oneOf(" > ", " < ", " >= ", " <= ", " = ", " == ", " != ", " <> ") + sub(vInt)
		case 1:
			return "NOT " + sub(vBool)
		case 2:
			return sub(vBool) + " AND " + sub(vBool)
		case 3:
			return sub(vBool) + " OR " + sub(vBool) + " AND " + sub(vBool)
		case 4:
			return sub(vInt) + g.oneOf(" IN ", " NOT IN ") + "(" + g.intLiteral() + ", " + g.intLiteral() + ")"
		case 5:
			return sub(vInt) + " BETWEEN 1 AND 10"
		case 6:
			return sub(vString) + g.oneOf(" LIKE ", " NOT LIKE ", " ILIKE ") + g.oneOf("'%a%'", `'a\_b%'`, `'%\\%'`, "'x'")
		case 7:
			return sub(vString) + g.oneOf(" IS NULL", " IS NOT NULL")
		case 8:
			return "match(" + sub(vString) + ", " + g.oneOf(`'^\d+$'`, `'[\w\-]'`, `'a|b'`, `'\\.'`) + ")"
		case 9:
			return "has(" + sub(vArray) + ", 1)"
		case 10:
			return g.oneOf("true", "false", "1", "0")
		case 11:
			return "empty(" + sub(vString) + ")"
		case 12:
			return "startsWith(" + sub(vString) + ", 'a')"
		case 13:
			return "(" + sub(vInt) + ", " + sub(vString) + ") = (1, 'a')"
		case 14:
			return "(" + sub(vBool) + " OR " + sub(vBool) + ") AND " + sub(vBool)
		case 15:
			return "isNull(" + sub(vInt) + ")"
		case 16:
			return sub(vDate) + " > '2020-01-01'"
		default:
			return "not(" + sub(vBool) + ")"
		}
	case vArray:
		switch g.intn(7) {
		case 0:
			return "[" + sub(vInt) + ", " + sub(vInt) + "]"
		case 1:
			return "arrayMap(x -> x * 2, " + sub(vArray) + ")"
		case 2:
			return "arrayFilter((x) -> x > 1, " + sub(vArray) + ")"
		case 3:
			return "range(" + g.oneOf("3", "5") + ")"
		case 4:
			return "arrayConcat(" + sub(vArray) + ", [1])"
		case 5:
			return "arrayMap((x, y) -> x + y, [1, 2], [3, 4])"
		default:
			return "array(" + sub(vInt) + ")"
		}
	case vMap:
		return g.oneOf("map('a', 1)", "mapFromArrays(['a', 'b'], [1, 2])", "map()", "{'k': 1}")
	case vTuple:
		return "tuple(" + sub(vInt) + ", " + sub(vString) + ")"
	}
	return g.literal(gtype{kind: k})
}

// interval is an interval in one of its spellings.
func (g *Gen) interval() string {
	unit := g.oneOf("SECOND", "MINUTE", "HOUR", "DAY", "WEEK", "MONTH", "QUARTER", "YEAR")
	n := g.between(1, 30)
	switch g.intn(5) {
	case 0:
		return fmt.Sprintf("INTERVAL %d %s", n, unit)
	case 1:
		return fmt.Sprintf("INTERVAL '%d %s'", n, strings.ToLower(unit)+"s")
	case 2:
		return fmt.Sprintf("toInterval%s%s(%d)", unit[:1], strings.ToLower(unit[1:]), n)
	case 3:
		return fmt.Sprintf("INTERVAL '%d' %s", n, unit)
	default:
		return fmt.Sprintf("INTERVAL %d %s", n, strings.ToLower(unit))
	}
}

// defaultFor is a default expression for a column of type t among cols, or
// false when the generator has none for the type.
func (g *Gen) defaultFor(t gtype, cols []*gcol) (string, bool) {
	switch t.kind {
	case vInt, vFloat, vDecimal, vString, vDate, vDateTime, vBool, vArray:
		e := g.expr(t.kind, cols, 2)
		if g.chance(0.1) {
			e = "CAST(" + e + " AS " + t.sql + ")"
		}
		return e, true
	case vUUID, vIP, vEnum, vMap, vTuple:
		return g.literal(t), true
	}
	if strings.HasPrefix(t.sql, "Nullable") {
		return "NULL", true
	}
	return "", false
}

// randomCall calls a function the catalog lists, with column arguments: the
// server refuses most, which is data; the accepted ones widen the
// expressions the model must read.
func (g *Gen) randomCall(cols []*gcol) string {
	f := pick(g, g.cat.Functions)
	args := make([]string, g.intn(3))
	for i := range args {
		if len(cols) > 0 && g.chance(0.7) {
			args[i] = g.ident(pick(g, cols).name)
		} else {
			args[i] = g.literal(gtype{kind: pick(g, []valKind{vInt, vString, vFloat})})
		}
	}
	return f + "(" + strings.Join(args, ", ") + ")"
}
