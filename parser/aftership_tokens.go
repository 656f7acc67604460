package parser

import (
	"reflect"
	"strconv"
	"strings"

	ch "github.com/AfterShip/clickhouse-sql-parser/parser"
)

// afterShipQuotes rewrites, without changing the length, the tokens
// AfterShip's lexer cannot read, wherever they are (a statement, or an
// expression the conversion reads on its own):
//
//   - a quoted name that holds a quote of its own kind, escaped or doubled,
//     which the server accepts and prints (`c\`q`): AfterShip ends the name
//     at that quote. Such a name is given the other kind of quotes, with a
//     doubled quote written as an escape, so that AfterShip reads it whole;
//     unescapeIdents then turns its escapes into the name. A name that
//     holds both kinds of quotes is left as it is.
//   - a binary number, 0b101: AfterShip stops after the 0. It becomes its
//     value in decimal (never longer) padded with spaces; the server prints
//     it in decimal too.
//   - with separators set, a number with _ separators (1_000.5), which the
//     gap layer rewrites (and reports) in a whole statement but which the
//     conversion also meets in expressions it reads on their own.
func afterShipQuotes(text string, separators bool) string {
	if !strings.ContainsAny(text, "`\"0_") {
		return text
	}
	var b []byte
	lx := NewLexer(text)
	for {
		tok, err := lx.Next()
		if err != nil || tok.Kind == TokenEOF {
			break
		}
		if tok.Kind == TokenNumber {
			if d, ok := separated(text[tok.Off:tok.End]); ok && separators {
				if b == nil {
					b = []byte(text)
				}
				copy(b[tok.Off:tok.End], d+strings.Repeat(" ", tok.End-tok.Off-len(d)))
				continue
			}
			if d, ok := binaryNumber(text[tok.Off:tok.End]); ok {
				if b == nil {
					b = []byte(text)
				}
				copy(b[tok.Off:tok.End], d+strings.Repeat(" ", tok.End-tok.Off-len(d)))
			}
			continue
		}
		if tok.Kind != TokenQuotedIdent || tok.End-tok.Off < 2 {
			continue
		}
		q := text[tok.Off]
		other := byte('"')
		if q == '"' {
			other = '`'
		}
		inner := text[tok.Off+1 : tok.End-1]
		if !strings.Contains(inner, string(q)) || strings.Contains(inner, string(other)) {
			continue
		}
		if b == nil {
			b = []byte(text)
		}
		b[tok.Off], b[tok.End-1] = other, other
		for i := tok.Off + 1; i < tok.End-1; i++ {
			switch {
			case b[i] == '\\':
				i++ // keep the escape and what it escapes
			case b[i] == q && i+1 < tok.End-1 && b[i+1] == q:
				b[i] = '\\'
				i++
			}
		}
	}
	if b == nil {
		return text
	}
	return string(b)
}

// separated returns a decimal number written with _ separators (1_000,
// 1_000.5, 1_0e3) without them.
func separated(s string) (string, bool) {
	if !strings.Contains(s, "_") || s[0] < '0' || s[0] > '9' || strings.HasPrefix(s, "0x") || strings.HasPrefix(s, "0b") {
		return "", false
	}
	d := strings.ReplaceAll(s, "_", "")
	if strings.Trim(d, "0123456789.eE+-") != "" {
		return "", false
	}
	return d, true
}

// restoreNumber sets a number's literal back to its text in original when
// afterShipQuotes rewrote it.
func restoreNumber(n *ch.NumberLiteral, original string) {
	from := int(n.NumPos)
	if from < 0 || from >= len(original) || original[from] < '0' || original[from] > '9' {
		return
	}
	raw := original[from:scanNumber(original, from)]
	if raw == n.Literal {
		return
	}
	if d, ok := separated(raw); ok && d == n.Literal {
		n.Literal = raw
	} else if d, ok := binaryNumber(raw); ok && d == n.Literal {
		n.Literal = raw
	} else if v, ok := hexFloat(raw); ok {
		n.Literal = formatFloat(v) // the gap layer's placeholder (blankHexFloats)
	}
}

// hexFloat returns the value of a hexadecimal float literal, 0x1.8p-1,
// when s is one.
func hexFloat(s string) (float64, bool) {
	l := strings.ToLower(s)
	if !strings.HasPrefix(l, "0x") || !strings.Contains(l, "p") {
		return 0, false
	}
	v, err := strconv.ParseFloat(l, 64)
	return v, err == nil
}

// blankHexFloats replaces in b each hexadecimal float literal of src (b's
// text), which AfterShip cannot read, by 0 and spaces; restoreNumber gives
// the number its value back. It reports whether it replaced one.
func blankHexFloats(b []byte, src string, toks []sqlTok) bool {
	done := false
	for _, t := range toks {
		if t.kind != 'n' {
			continue
		}
		end := scanNumber(src, t.off)
		if _, ok := hexFloat(src[t.off:end]); ok {
			b[t.off] = '0'
			for k := t.off + 1; k < end; k++ {
				b[k] = ' '
			}
			done = true
		}
	}
	return done
}

// binaryNumber returns the decimal value of a binary number literal 0b…,
// when it is one.
func binaryNumber(s string) (string, bool) {
	if len(s) <= 2 || !strings.HasPrefix(s, "0b") || strings.Trim(s[2:], "01") != "" {
		return "", false
	}
	v, err := strconv.ParseUint(s[2:], 2, 64)
	if err != nil {
		return "", false
	}
	return strconv.FormatUint(v, 10), true
}

// unescapeIdents replaces, everywhere in an AfterShip tree, the name of a
// quoted identifier by the name it stands for: AfterShip keeps a quoted
// name's escapes (\n, \`, \\) as written. And it gives back to each number
// afterShipQuotes rewrote (1_000, 0b101) its text in original, the text
// that was parsed (see restoreNumbers).
func unescapeIdents(root ch.Expr, original string) {
	walkAST(root, func(n any) {
		switch n := n.(type) {
		case *ch.Ident:
			if n.QuoteType != ch.Unquoted && strings.Contains(n.Name, `\`) {
				q := "`"
				if n.QuoteType == ch.DoubleQuote {
					q = `"`
				}
				if _, s, err := unquoteAt(q+n.Name+q, 0); err == nil {
					n.Name = s
				}
			}
		case *ch.NumberLiteral:
			restoreNumber(n, original)
		}
	})
}

// restoreNumbers gives back to each number of a tree its text in original,
// the statement as written, when the tree was parsed from a rewritten one
// of the same length: the server keeps that text in a few places
// (1_000::Int64 is CAST('1_000', 'Int64')).
func restoreNumbers(root ch.Expr, original string) {
	walkAST(root, func(n any) {
		if n, ok := n.(*ch.NumberLiteral); ok {
			restoreNumber(n, original)
		}
	})
}

// restoreNames gives back their names to the identifiers the gap layer
// replaced with placeholders (keywords AfterShip refuses as names: FROM
// window), so that a query prints them as written.
func restoreNames(root ch.Expr, names map[string]string) {
	if len(names) == 0 {
		return
	}
	walkAST(root, func(n any) {
		if id, ok := n.(*ch.Ident); ok {
			if orig, ok := names[id.Name]; ok {
				id.Name = orig
			}
		}
	})
}

// walkAST calls visit for every node of an AfterShip tree, by reflection,
// so that no node type is missed.
func walkAST(root ch.Expr, visit func(any)) {
	if root == nil {
		return
	}
	seen := map[uintptr]bool{}
	var walk func(v reflect.Value)
	walk = func(v reflect.Value) {
		switch v.Kind() {
		case reflect.Pointer:
			if v.IsNil() || seen[v.Pointer()] {
				return
			}
			seen[v.Pointer()] = true
			visit(v.Interface())
			walk(v.Elem())
		case reflect.Interface:
			if !v.IsNil() {
				walk(v.Elem())
			}
		case reflect.Struct:
			for i := range v.NumField() {
				if v.Type().Field(i).IsExported() {
					walk(v.Field(i))
				}
			}
		case reflect.Slice, reflect.Array:
			for i := range v.Len() {
				walk(v.Index(i))
			}
		}
	}
	walk(reflect.ValueOf(root))
}
