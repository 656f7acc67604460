package parser

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/chschema/chschema/schema"
)

// NormalizeType returns a column type in the canonical form system.columns
// prints: SQL aliases resolved (INT → Int32, VARCHAR(255) → String, ...),
// Decimal spelled out with precision and scale, Enum values numbered, and
// arguments separated by ", ".
func NormalizeType(src string) (schema.Type, error) {
	p := &typeParser{toks: nil}
	toks, err := lexType(src)
	if err != nil {
		return "", err
	}
	p.toks = toks
	t, err := p.parseType()
	if err != nil {
		return "", err
	}
	if !p.eof() {
		return "", fmt.Errorf("type %q: unexpected %q", src, p.peek().text)
	}
	return schema.Type(t), nil
}

// typeAlias returns the family an upper-cased type name stands for when the
// server matches it case-insensitively or as an alias (catalogTypeNames).
func typeAlias(upper string) (string, bool) {
	f, ok := catalogTypeNames[upper]
	return f, ok
}

// isStringAlias reports whether an upper-cased type name is an alias of
// String (VARCHAR, TEXT, CHARACTER LARGE OBJECT, ...), whose arguments
// (lengths) the server drops.
func isStringAlias(upper string) bool {
	return upper != "STRING" && catalogTypeNames[upper] == "String"
}

// multiWordType returns how many of words (a run of words written with only
// spaces between them) form one type name: the longest run the catalog
// knows (INT UNSIGNED, NATIONAL CHARACTER LARGE OBJECT), or 1.
func multiWordType(words []string) int {
	for n := min(len(words), 4); n > 1; n-- {
		if _, ok := catalogTypeNames[strings.ToUpper(strings.Join(words[:n], " "))]; ok {
			return n
		}
	}
	return 1
}

// intDisplayWidth lists the integer aliases whose MySQL display width,
// INT(11), the server ignores.
var intDisplayWidth = map[string]bool{"Int32": true, "Int64": true, "Int8": true, "Int16": true,
	"UInt32": true, "UInt64": true, "UInt8": true, "UInt16": true}

type typeTok struct {
	kind byte // 'i' ident, 'q' quoted ident, 's' string, 'n' number, or the punctuation byte
	text string
}

func lexType(s string) ([]typeTok, error) {
	var toks []typeTok
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '(' || c == ')' || c == ',' || c == '=' || c == '[' || c == ']':
			toks = append(toks, typeTok{c, string(c)})
			i++
		case c == '\'' || c == '`' || c == '"':
			j, text, err := unquoteAt(s, i)
			if err != nil {
				return nil, err
			}
			kind := byte('s')
			if c != '\'' {
				kind = 'q'
			}
			toks = append(toks, typeTok{kind, text})
			i = j
		case c == '-' || c == '+' || (c >= '0' && c <= '9') || c == '.':
			j := i + 1
			for j < len(s) && (isIdentByte(s[j]) || s[j] == '.' || ((s[j] == '-' || s[j] == '+') && (s[j-1] == 'e' || s[j-1] == 'E'))) {
				j++
			}
			toks = append(toks, typeTok{'n', s[i:j]})
			i = j
		case isIdentByte(c):
			j := i
			for j < len(s) && (isIdentByte(s[j]) || s[j] == '.') {
				j++
			}
			toks = append(toks, typeTok{'i', s[i:j]})
			i = j
		default:
			return nil, fmt.Errorf("type %q: unexpected %q", s, c)
		}
	}
	return toks, nil
}

func isIdentByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= 0x80
}

// unquoteAt reads a quoted string or identifier starting at s[i] and
// returns the index after it and its unescaped text, with the server's
// escape rules (derived from ClickHouse 26.7; TestServerEscapes checks every
// ASCII character after a backslash against the server): the C escapes,
// \e, \0 (one NUL, never octal), \xHH, \N (nothing), a backslash before \, ',
// ", `, / or = drops, and before anything else the backslash stays.
func unquoteAt(s string, i int) (int, string, error) {
	q := s[i]
	var b strings.Builder
	for j := i + 1; j < len(s); j++ {
		c := s[j]
		switch {
		case c == '\\' && j+1 < len(s):
			j++
			switch e := s[j]; e {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case 'r':
				b.WriteByte('\r')
			case '0':
				b.WriteByte(0)
			case 'b':
				b.WriteByte('\b')
			case 'f':
				b.WriteByte('\f')
			case 'a':
				b.WriteByte('\a')
			case 'v':
				b.WriteByte('\v')
			case 'e':
				b.WriteByte(0x1b)
			case 'N':
				// \N (the NULL of text formats) stands for nothing.
			case 'x':
				// \xHH is the byte HH. The server reads any two characters
				// there, a non-hex one as 0xFF, and keeps the low byte of
				// 16*hi+lo ('\xZZ' is 0xEF); fewer than two is its syntax
				// error.
				if j+2 >= len(s) || s[j+1] == q || s[j+2] == q {
					return 0, "", fmt.Errorf("incomplete \\x escape in %q", s)
				}
				b.WriteByte(byte(unhexServer(s[j+1])*16 + unhexServer(s[j+2])))
				j += 2
			case '\\', '\'', '"', '`', '/', '=':
				b.WriteByte(e)
			default:
				b.WriteByte('\\')
				b.WriteByte(e)
			}
		case c == q && j+1 < len(s) && s[j+1] == q:
			b.WriteByte(q)
			j++
		case c == q:
			return j + 1, b.String(), nil
		default:
			b.WriteByte(c)
		}
	}
	return 0, "", fmt.Errorf("unterminated %c in %q", q, s)
}

// unhexServer is a hex digit's value as the server's unhex table gives it:
// 0xFF for a character that is no hex digit.
func unhexServer(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c|0x20 >= 'a' && c|0x20 <= 'f':
		return int(c|0x20-'a') + 10
	}
	return 0xFF
}

type typeParser struct {
	toks []typeTok
	i    int
}

func (p *typeParser) eof() bool { return p.i >= len(p.toks) }
func (p *typeParser) peek() typeTok {
	if p.eof() {
		return typeTok{}
	}
	return p.toks[p.i]
}
func (p *typeParser) next() typeTok { t := p.peek(); p.i++; return t }

func (p *typeParser) expect(k byte) error {
	if t := p.next(); t.kind != k {
		return fmt.Errorf("type: expected %q, found %q", k, t.text)
	}
	return nil
}

// parseType reads one type: a (possibly multi-word) family name and an
// optional argument list.
func (p *typeParser) parseType() (string, error) {
	t := p.next()
	if t.kind != 'i' && t.kind != 'q' {
		return "", fmt.Errorf("type: expected a type name, found %q", t.text)
	}
	name := t.text
	// Multi-word SQL aliases: DOUBLE PRECISION, INT UNSIGNED, CHARACTER VARYING...
	for p.peek().kind == 'i' {
		cand := strings.ToUpper(name + " " + p.peek().text)
		if _, ok := typeAlias(cand); ok || isAliasPrefix(cand) {
			name += " " + p.next().text
			continue
		}
		break
	}
	upper := strings.ToUpper(name)
	hasArgs := p.peek().kind == '('
	if isStringAlias(upper) {
		if hasArgs {
			if err := p.skipParens(); err != nil {
				return "", err
			}
		}
		return "String", nil
	}
	family := name
	if a, ok := typeAlias(upper); ok {
		family = a
	}
	if family == "DateTime32" {
		family = "DateTime" // the server prints DateTime32 as DateTime
	}
	if !hasArgs {
		switch family {
		case "Decimal":
			return "Decimal(10, 0)", nil
		case "DateTime64":
			return "DateTime64(3)", nil
		}
		return family, nil
	}
	if intDisplayWidth[family] && strings.ToUpper(name) != family || family == "Float32" || family == "Float64" {
		// INT(11), FLOAT(3), Float64(10): the server ignores the
		// display width and the precision.
		if err := p.skipParens(); err != nil {
			return "", err
		}
		if w := p.peek(); w.kind == 'i' && (strings.EqualFold(w.text, "UNSIGNED") || strings.EqualFold(w.text, "SIGNED")) {
			// INT(11) UNSIGNED is INT UNSIGNED (issue 11 F50).
			if a, ok := typeAlias(upper + " " + strings.ToUpper(w.text)); ok {
				p.next()
				return a, nil
			}
		}
		return family, nil
	}
	p.next() // (
	switch family {
	case "Enum", "Enum8", "Enum16":
		return p.parseEnum(family)
	case "Tuple", "Nested":
		return p.parseTypeList(family, true)
	case "Nullable", "LowCardinality", "Array", "Map", "Variant":
		return p.parseTypeList(family, false)
	case "AggregateFunction", "SimpleAggregateFunction":
		version := ""
		if p.peek().kind == 'n' {
			// AggregateFunction(1, sumMap, ...): a state version.
			version = p.next().text
			if err := p.expect(','); err != nil {
				return "", err
			}
		}
		fn, err := p.parseAggFunc()
		if err != nil {
			return "", err
		}
		parts := []string{fn}
		if version != "" {
			parts = []string{version, fn}
		}
		if family == "AggregateFunction" && version == "" {
			// The -Map family has a versioned state, printed first; the
			// -MappedArrays names are aliases.
			name, rest, _ := strings.Cut(fn, "(")
			if canon, ok := mapAggAliases[name]; ok {
				name = canon
			}
			if rest != "" {
				name += "(" + rest
			}
			if mapAggFunction(name) {
				parts = []string{"1", name}
			}
		}
		for p.peek().kind == ',' {
			p.next()
			t, err := p.parseType()
			if err != nil {
				return "", err
			}
			parts = append(parts, t)
		}
		if err := p.expect(')'); err != nil {
			return "", err
		}
		if version == "" && len(parts) == 3 && parts[0] == "1" && strings.HasPrefix(parts[2], "Map(") {
			// Over a Map (sumMap(Map(K, V))) the state has no version to
			// print (ClickHouse 26.7); over arrays or a tuple it has.
			parts = parts[1:]
		}
		return family + "(" + strings.Join(parts, ", ") + ")", nil
	}
	// Families with literal arguments: Decimal(P, S), DateTime('tz'),
	// DateTime64(3, 'tz'), FixedString(N), JSON(...), ...
	args, ok := p.rawArgs()
	if !ok {
		return "", fmt.Errorf("type %s: unbalanced parentheses", name)
	}
	lits := splitArgs(args)
	switch family {
	case "DateTime":
		// DateTime(6[, 'tz']) is DateTime64(6[, 'tz']).
		if len(lits) > 0 && lits[0] != "" && lits[0][0] >= '0' && lits[0][0] <= '9' {
			family = "DateTime64"
		}
	case "Decimal":
		if len(lits) == 1 {
			lits = append(lits, "0")
		}
	case "Decimal32", "Decimal64", "Decimal128", "Decimal256":
		prec := map[string]string{"Decimal32": "9", "Decimal64": "18", "Decimal128": "38", "Decimal256": "76"}[family]
		return "Decimal(" + prec + ", " + strings.Join(lits, ", ") + ")", nil
	case "Dynamic":
		if len(lits) == 1 && lits[0] == "max_types=32" {
			return "Dynamic", nil // the default, which the server drops
		}
	case "JSON":
		if a := jsonArgs(args); len(a) > 0 {
			return "JSON(" + strings.Join(a, ", ") + ")", nil
		}
		// JSON() is JSON.
		return "JSON", nil
	case "Object":
		return family + "(" + strings.Join(lits, ", ") + ")", nil
	}
	return family + "(" + strings.Join(lits, ", ") + ")", nil
}

func isAliasPrefix(s string) bool {
	for k := range catalogTypeNames {
		if strings.HasPrefix(k, s+" ") {
			return true
		}
	}
	return false
}

func (p *typeParser) skipParens() error {
	if p.peek().kind != '(' {
		return nil
	}
	depth := 0
	for !p.eof() {
		switch p.next().kind {
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return nil
			}
		}
	}
	return fmt.Errorf("type: unbalanced parentheses")
}

// splitArgs renders literal argument tokens: strings single-quoted, the
// rest as written, arguments joined by ", " and '=' without spaces (JSON
// settings).
func splitArgs(toks []typeTok) []string {
	var out []string
	var cur strings.Builder
	depth := 0
	prevWord := false
	for _, t := range toks {
		switch t.kind {
		case ',':
			if depth == 0 {
				out = append(out, cur.String())
				cur.Reset()
				prevWord = false
				continue
			}
			cur.WriteString(", ")
			prevWord = false
			continue
		case '(', '[':
			depth++
		case ')', ']':
			depth--
		}
		word := t.kind == 'i' || t.kind == 'n' || t.kind == 's' || t.kind == 'q'
		if word && prevWord {
			cur.WriteByte(' ')
		}
		switch t.kind {
		case 's':
			cur.WriteString(schema.QuoteString(t.text))
		case 'q':
			cur.WriteString(schema.QuoteIdent(t.text))
		default:
			cur.WriteString(t.text)
		}
		prevWord = word
	}
	if cur.Len() > 0 || len(out) > 0 {
		out = append(out, cur.String())
	}
	return out
}

func (p *typeParser) parseEnum(family string) (string, error) {
	type elem struct {
		name string
		v    int64
	}
	var elems []elem
	next := int64(1)
	fitsInt8 := true // every value in [-128, 127]
	for {
		t := p.next()
		if t.kind != 's' {
			return "", fmt.Errorf("type %s: expected a string, found %q", family, t.text)
		}
		v := next
		if p.peek().kind == '=' {
			p.next()
			n := p.next()
			if n.kind != 'n' {
				return "", fmt.Errorf("type %s: expected a number, found %q", family, n.text)
			}
			x, err := strconv.ParseInt(n.text, 10, 64)
			if err != nil {
				return "", fmt.Errorf("type %s: %w", family, err)
			}
			v = x
		}
		next = v + 1
		if v < -128 || v > 127 {
			fitsInt8 = false
		}
		elems = append(elems, elem{t.text, v})
		switch p.next().kind {
		case ',':
			continue
		case ')':
		default:
			return "", fmt.Errorf("type %s: expected ',' or ')'", family)
		}
		break
	}
	if family == "Enum" {
		family = "Enum8"
		if !fitsInt8 {
			family = "Enum16"
		}
	}
	// The server keeps the values sorted by number.
	slices.SortStableFunc(elems, func(a, b elem) int { return cmp.Compare(a.v, b.v) })
	parts := make([]string, len(elems))
	for i, e := range elems {
		parts[i] = schema.QuoteString(e.name) + " = " + strconv.FormatInt(e.v, 10)
	}
	return family + "(" + strings.Join(parts, ", ") + ")", nil
}

// parseTypeList reads "T, T..." or, when named is set, "[name] T, ..." up
// to the closing parenthesis.
func (p *typeParser) parseTypeList(family string, named bool) (string, error) {
	var parts []string
	for {
		prefix := ""
		if named && (p.peek().kind == 'i' || p.peek().kind == 'q') && p.i+1 < len(p.toks) &&
			(p.toks[p.i+1].kind == 'i' || p.toks[p.i+1].kind == 'q') {
			// "name Type": two words are a name and a type, even when they
			// would make one multi-word type (the server reads
			// Tuple(TINYINT UNSIGNED) as an element TINYINT of type
			// UNSIGNED, UInt64).
			prefix = schema.QuoteIdent(p.next().text) + " "
		}
		t, err := p.parseType()
		if err != nil {
			return "", err
		}
		parts = append(parts, prefix+t)
		switch p.next().kind {
		case ',':
			continue
		case ')':
		default:
			return "", fmt.Errorf("type %s: expected ',' or ')'", family)
		}
		break
	}
	if family == "Variant" {
		// The server keeps a Variant's types sorted by name, once each
		// (INT UNSIGNED and UInt32 are one).
		slices.Sort(parts)
		parts = slices.Compact(parts)
	}
	return family + "(" + strings.Join(parts, ", ") + ")", nil
}

// parseAggFunc reads an aggregate function name with optional parameters,
// e.g. quantiles(0.5, 0.9).
func (p *typeParser) parseAggFunc() (string, error) {
	t := p.next()
	if t.kind != 'i' && t.kind != 'q' {
		return "", fmt.Errorf("AggregateFunction: expected a function name, found %q", t.text)
	}
	if p.peek().kind != '(' {
		return t.text, nil
	}
	p.next()
	args, _ := p.rawArgs()
	return t.text + "(" + strings.Join(splitArgs(args), ", ") + ")", nil
}

// rawArgs reads the tokens up to the ')' that closes the '(' just read;
// ok is false when the input ends first.
func (p *typeParser) rawArgs() (args []typeTok, ok bool) {
	for depth := 1; !p.eof(); {
		t := p.next()
		switch t.kind {
		case '(':
			depth++
		case ')':
			if depth--; depth == 0 {
				return args, true
			}
		}
		args = append(args, t)
	}
	return args, false
}

var mapAggAliases = map[string]string{"sumMappedArrays": "sumMap", "minMappedArrays": "minMap", "maxMappedArrays": "maxMap"}

func mapAggFunction(name string) bool {
	base, _, _ := strings.Cut(name, "(")
	for _, p := range []string{"sumMap", "minMap", "maxMap"} {
		if strings.HasPrefix(base, p) {
			return true
		}
	}
	return false
}

// jsonArgs orders and spells JSON type arguments as the server prints them:
// settings (name=value), then typed paths (path Type), then SKIP path and
// SKIP REGEXP 'pattern'; dotted paths are backquoted.
func jsonArgs(toks []typeTok) []string {
	type keyed struct{ key, text string }
	var settings []string
	var paths, skips, skipRes []keyed
	for _, arg := range splitTokArgs(toks) {
		if len(arg) == 0 {
			continue
		}
		switch {
		case len(arg) >= 3 && arg[1].kind == '=':
			// A setting given twice: the last one counts.
			settings = slices.DeleteFunc(settings, func(s string) bool { return strings.HasPrefix(s, arg[0].text+"=") })
			settings = append(settings, arg[0].text+"="+joinToks(arg[2:]))
		case arg[0].kind == 'i' && strings.EqualFold(arg[0].text, "SKIP"):
			if len(arg) >= 3 && strings.EqualFold(arg[1].text, "REGEXP") {
				skipRes = append(skipRes, keyed{arg[2].text, "SKIP REGEXP " + schema.QuoteString(arg[2].text)})
			} else if len(arg) >= 2 {
				path, raw, _ := jsonPathRaw(arg[1:])
				if !slices.ContainsFunc(skips, func(k keyed) bool { return k.key == raw }) {
					skips = append(skips, keyed{raw, "SKIP " + path})
				}
			}
		default:
			path, raw, rest := jsonPathRaw(arg)
			t := &typeParser{toks: rest}
			typ, err := t.parseType()
			if err != nil {
				typ = joinToks(rest)
			}
			paths = append(paths, keyed{raw, path + " " + typ})
		}
	}
	// The server prints the settings in its own order (max_dynamic_types
	// before max_dynamic_paths, whatever was written), then the typed
	// paths, the SKIP paths (each once) and the SKIP REGEXP patterns, each
	// sorted.
	slices.SortStableFunc(settings, func(a, b string) int { return jsonSettingOrder(a) - jsonSettingOrder(b) })
	// The defaults, which the server drops.
	settings = slices.DeleteFunc(settings, func(s string) bool { return s == "max_dynamic_types=32" || s == "max_dynamic_paths=1024" })
	out := settings
	for _, group := range [][]keyed{paths, skips, skipRes} {
		slices.SortStableFunc(group, func(a, b keyed) int { return strings.Compare(a.key, b.key) })
		for _, k := range group {
			out = append(out, k.text)
		}
	}
	return out
}

// jsonSettingOrder is where the server prints a JSON type setting
// (name=value).
func jsonSettingOrder(setting string) int {
	switch name, _, _ := strings.Cut(setting, "="); name {
	case "max_dynamic_types":
		return 0
	case "max_dynamic_paths":
		return 1
	}
	return 2
}

// jsonPathRaw reads a JSON path at the start of arg: its printed form, the
// path itself, and the tokens after it.
func jsonPathRaw(arg []typeTok) (printed, raw string, rest []typeTok) {
	printed, rest = jsonPathToks(arg)
	for _, t := range arg[:len(arg)-len(rest)] {
		raw += t.text
	}
	return printed, raw, rest
}

func jsonPathToks(arg []typeTok) (string, []typeTok) {
	path := arg[0].text
	i := 1
	for ; i < len(arg); i++ {
		t := arg[i]
		joined := strings.HasSuffix(arg[i-1].text, ".") && (t.kind == 'i' || t.kind == 'q')
		if !joined && !((t.kind == 'n' || t.kind == 'i') && strings.HasPrefix(t.text, ".")) {
			break
		}
		path += t.text
	}
	// The server quotes a path by its text, not as it was written.
	return jsonPath(path), arg[i:]
}

// jsonPath prints a JSON path as the server does: backquoted when it has a
// dot or is not a plain name.
func jsonPath(path string) string {
	if strings.Contains(path, ".") {
		return schema.BackQuote(path)
	}
	return schema.QuoteIdent(path)
}

func joinToks(toks []typeTok) string {
	var parts []string
	for _, t := range toks {
		if t.kind == 's' {
			parts = append(parts, schema.QuoteString(t.text))
		} else {
			parts = append(parts, t.text)
		}
	}
	return strings.Join(parts, " ")
}

// splitTokArgs cuts argument tokens at top-level commas.
func splitTokArgs(toks []typeTok) [][]typeTok {
	var out [][]typeTok
	depth, start := 0, 0
	for i, t := range toks {
		switch t.kind {
		case '(':
			depth++
		case ')':
			depth--
		case ',':
			if depth == 0 {
				out = append(out, toks[start:i])
				start = i + 1
			}
		}
	}
	return append(out, toks[start:])
}
