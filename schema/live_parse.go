package schema

// This file reads the few parts of a definition that the system tables hold
// only inside a statement the server has already formatted: engine_full
// (engine parameters, TTL, SETTINGS), create_table_query (column TTLs,
// constraints, dictionary definitions, materialized view targets on older
// servers) and system.functions.create_query. The input is always the
// server's own canonical rendering, never a user's file, so a small scanner
// that respects quotes and brackets is enough; anything it does not
// recognise is reported (the object is marked uncertain), never guessed.

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// scanTop calls f for every byte of s at bracket depth 0 outside quoted
// tokens (f sees the opening quote, not what it quotes); f returns false to
// stop. It returns the index f stopped at, or -1.
func scanTop(s string, from int, f func(i int) bool) int {
	depth := 0
	for i := from; i < len(s); i++ {
		switch c := s[i]; c {
		case '\'', '"', '`':
			if depth == 0 && !f(i) {
				return i
			}
			i = skipQuoted(s, i)
			continue
		case '(', '[', '{':
			if depth == 0 && !f(i) {
				return i
			}
			depth++
			continue
		case ')', ']', '}':
			depth--
			continue
		}
		if depth == 0 && !f(i) {
			return i
		}
	}
	return -1
}

// skipQuoted returns the index of the closing quote of the quoted token
// starting at s[i], honouring backslash escapes and doubled quotes.
func skipQuoted(s string, i int) int {
	q := s[i]
	for j := i + 1; j < len(s); j++ {
		switch s[j] {
		case '\\':
			j++
		case q:
			if j+1 < len(s) && s[j+1] == q {
				j++
				continue
			}
			return j
		}
	}
	return len(s) - 1
}

// closeParen returns the index of the bracket closing the one at s[open].
func closeParen(s string, open int) int {
	depth := 0
	for i := open; i < len(s); i++ {
		switch s[i] {
		case '\'', '"', '`':
			i = skipQuoted(s, i)
		case '(', '[', '{':
			depth++
		case ')', ']', '}':
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}

// splitTop splits s at top-level commas and trims the parts.
func splitTop(s string) []string {
	var parts []string
	start := 0
	scanTop(s, 0, func(i int) bool {
		if s[i] == ',' {
			parts = append(parts, strings.TrimSpace(s[start:i]))
			start = i + 1
		}
		return true
	})
	if rest := strings.TrimSpace(s[start:]); rest != "" || len(parts) > 0 {
		parts = append(parts, rest)
	}
	return parts
}

// keywordAt returns the index of the first top-level, word-bounded
// occurrence of kw (upper case, may contain one space) in s at or after
// from, or -1.
func keywordAt(s, kw string, from int) int {
	return scanTop(s, from, func(i int) bool {
		if !strings.HasPrefix(s[i:], kw) {
			return true
		}
		if i > 0 && isWordByte(s[i-1]) {
			return true
		}
		if j := i + len(kw); j < len(s) && isWordByte(s[j]) {
			return true
		}
		return false
	})
}

func isWordByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// firstKeyword returns the earliest top-level occurrence of any of kws at or
// after from, or len(s).
func firstKeyword(s string, from int, kws ...string) int {
	end := len(s)
	for _, kw := range kws {
		if i := keywordAt(s, kw, from); i >= 0 && i < end {
			end = i
		}
	}
	return end
}

// parseEngineFull reads the engine with its parameters, the TTL and the
// SETTINGS from system.tables.engine_full, e.g.
// "ReplacingMergeTree(v) ORDER BY id TTL ts + toIntervalDay(1) SETTINGS a = 1".
// The keys come from their own columns of system.tables.
func parseEngineFull(ef string) (Storage, error) {
	var st Storage
	ef = strings.TrimSpace(ef)
	if ef == "" {
		return st, nil
	}
	end := strings.IndexAny(ef, "( ")
	if end < 0 {
		st.Engine = Engine{Name: ef}
		return st, nil
	}
	st.Engine.Name = ef[:end]
	rest := ef[end:]
	if rest[0] == '(' {
		c := closeParen(rest, 0)
		if c < 0 {
			return st, fmt.Errorf("unbalanced brackets in engine %q", ef)
		}
		for _, p := range splitTop(rest[1:c]) {
			st.Engine.Params = append(st.Engine.Params, Expr(p))
		}
		rest = rest[c+1:]
	}
	set := settingsClauseAt(rest)
	if i := ttlClauseAt(rest[:set]); i >= 0 {
		st.TTL = TTL(strings.TrimSpace(rest[i+3 : set]))
	}
	if set < len(rest) {
		settings, err := parseSettings(rest[set+len("SETTINGS"):])
		if err != nil {
			return st, err
		}
		st.Settings = settings
	}
	return st, nil
}

// settingsClauseAt returns where the SETTINGS clause of an engine_full
// starts, or len(s): the top-level SETTINGS followed by "name =", not a
// column called SETTINGS in a key or a TTL.
func settingsClauseAt(s string) int {
	for from := 0; ; {
		i := keywordAt(s, "SETTINGS", from)
		if i < 0 {
			return len(s)
		}
		rest := strings.TrimLeft(s[i+len("SETTINGS"):], " ")
		name, after := readIdent(rest)
		after = strings.TrimLeft(after, " ")
		if name != "" && strings.HasPrefix(after, "=") && !strings.HasPrefix(after, "==") {
			return i
		}
		from = i + len("SETTINGS")
	}
}

// ttlClauseAt returns where the TTL clause of an engine_full starts, or
// -1: the top-level TTL that is not a column called TTL ending a key
// (ORDER BY TTL, PRIMARY KEY TTL).
func ttlClauseAt(s string) int {
	for from := 0; ; {
		i := keywordAt(s, "TTL", from)
		if i < 0 {
			return -1
		}
		before := strings.TrimRight(s[:i], " ")
		if !strings.HasSuffix(before, " BY") && !strings.HasSuffix(before, " KEY") {
			return i
		}
		from = i + len("TTL")
	}
}

// parseSettings reads "a = 1, b = 'x'".
func parseSettings(s string) (Settings, error) {
	var out Settings
	for _, p := range splitTop(s) {
		name, value, ok := strings.Cut(p, "=")
		if !ok {
			return nil, fmt.Errorf("setting %q has no value", p)
		}
		out = append(out, Setting{Name: strings.TrimSpace(name), Value: Expr(strings.TrimSpace(value))})
	}
	return out, nil
}

// elementsOf returns the top-level elements of the first bracketed list of a
// CREATE statement (columns, indexes, constraints, projections) and the text
// after it.
func elementsOf(create string) (elems []string, rest string, ok bool) {
	open := scanTop(create, 0, func(i int) bool { return create[i] != '(' })
	if open < 0 {
		return nil, "", false
	}
	c := closeParen(create, open)
	if c < 0 {
		return nil, "", false
	}
	return splitTop(create[open+1 : c]), create[c+1:], true
}

// readIdent reads a possibly backquoted identifier at the start of s and
// returns it and the rest.
func readIdent(s string) (name, rest string) {
	s = strings.TrimLeft(s, " ")
	if s == "" {
		return "", ""
	}
	if s[0] == '`' || s[0] == '"' {
		j := skipQuoted(s, 0)
		return unquoteIdent(s[:j+1]), s[j+1:]
	}
	j := 0
	for j < len(s) && isWordByte(s[j]) {
		j++
	}
	return s[:j], s[j:]
}

// unquoteIdent reads a quoted identifier as the server prints it: with the
// escapes of identEscaper.
func unquoteIdent(q string) string {
	if len(q) < 2 {
		return q
	}
	body := q[1 : len(q)-1]
	var b strings.Builder
	for i := 0; i < len(body); i++ {
		if body[i] == '\\' && i+1 < len(body) {
			i++
			if c, ok := controlEscapes[body[i]]; ok {
				b.WriteByte(c)
				continue
			}
		} else if body[i] == q[0] && i+1 < len(body) && body[i+1] == q[0] {
			i++
		}
		b.WriteByte(body[i])
	}
	return b.String()
}

// controlEscapes are the control characters the server's formatter writes
// as a backslash and a letter.
var controlEscapes = map[byte]byte{'n': '\n', 't': '\t', 'r': '\r', '0': 0, 'b': '\b', 'f': '\f'}

// columnTTLsFromCreate returns the TTL expression of every column of a
// CREATE TABLE that has one.
func columnTTLsFromCreate(create string) map[string]Expr {
	// Cheap test first: the column list ends before the last ") ENGINE = ",
	// and most tables have no column TTL in it.
	head := create
	if i := strings.LastIndex(create, ") ENGINE = "); i >= 0 {
		head = create[:i]
	}
	if !strings.Contains(head, " TTL ") {
		return nil
	}
	elems, _, ok := elementsOf(create)
	if !ok {
		return nil
	}
	var out map[string]Expr
	for _, e := range elems {
		if !strings.HasPrefix(e, "`") {
			continue
		}
		name, rest := readIdent(e)
		i := keywordAt(rest, "TTL", 0)
		if i < 0 {
			continue
		}
		end := firstKeyword(rest, i+3, "SETTINGS", "STATISTICS")
		if out == nil {
			out = map[string]Expr{}
		}
		out[name] = Expr(strings.TrimSpace(rest[i+3 : end]))
	}
	return out
}

// constraintsFromCreate returns the CONSTRAINT elements of a CREATE TABLE.
func constraintsFromCreate(create string) []*Constraint {
	if !strings.Contains(create, "CONSTRAINT ") {
		return nil
	}
	elems, _, ok := elementsOf(create)
	if !ok {
		return nil
	}
	var out []*Constraint
	for _, e := range elems {
		rest, ok := strings.CutPrefix(e, "CONSTRAINT ")
		if !ok {
			continue
		}
		name, rest := readIdent(rest)
		rest = strings.TrimSpace(rest)
		kind, expr, _ := strings.Cut(rest, " ")
		out = append(out, &Constraint{Name: name, Kind: ConstraintKind(kind), Expr: Expr(strings.TrimSpace(expr))})
	}
	return out
}

// mvTargetFromCreate reads the TO target of a materialized view from its
// create_table_query, for servers whose system.tables lacks target_table.
func mvTargetFromCreate(create, currentDB string) (db, name string) {
	open := scanTop(create, 0, func(i int) bool { return create[i] != '(' })
	head := create
	if open >= 0 {
		head = create[:open]
	}
	i := keywordAt(head, "TO", 0)
	if i < 0 {
		return "", ""
	}
	first, rest := readIdent(head[i+2:])
	if strings.HasPrefix(rest, ".") {
		second, _ := readIdent(rest[1:])
		return first, second
	}
	return currentDB, first
}

// dictionary clause keywords, in the order the server prints them.
var dictClauses = []string{"PRIMARY KEY", "SOURCE", "LIFETIME", "LAYOUT", "RANGE", "SETTINGS", "COMMENT"}

// parseDictionaryQuery fills x's attributes, key, source, layout, lifetime,
// range and settings from its create_table_query.
func parseDictionaryQuery(x *Dictionary, create string) error {
	elems, rest, ok := elementsOf(create)
	if !ok {
		return errors.New("no attribute list")
	}
	for _, e := range elems {
		a, err := parseDictAttribute(e)
		if err != nil {
			return err
		}
		x.Attributes = append(x.Attributes, a)
	}
	for _, kw := range dictClauses {
		i := keywordAt(rest, kw, 0)
		if i < 0 {
			continue
		}
		body := strings.TrimSpace(rest[i+len(kw) : firstKeyword(rest, i+len(kw), dictClauses...)])
		switch kw {
		case "PRIMARY KEY":
			for _, k := range splitTop(body) {
				name, _ := readIdent(k)
				x.PrimaryKey = append(x.PrimaryKey, name)
			}
		case "COMMENT":
			// Read from system.tables.comment.
		default:
			inner, err := unwrapParens(body)
			if err != nil {
				return fmt.Errorf("%s: %w", kw, err)
			}
			switch kw {
			case "SOURCE":
				x.Source.Type, x.Source.Params, err = parseDictCall(inner)
			case "LAYOUT":
				x.Layout.Type, x.Layout.Params, err = parseDictCall(inner)
			case "LIFETIME":
				x.Lifetime, err = parseLifetime(inner)
			case "RANGE":
				var ps []DictParam
				ps, err = parseDictParams(inner)
				x.Range = &DictionaryRange{}
				for _, p := range ps {
					switch p.Key {
					case "MIN":
						x.Range.Min = string(p.Value)
					case "MAX":
						x.Range.Max = string(p.Value)
					}
				}
			case "SETTINGS":
				x.Settings, err = parseSettings(inner)
			}
			if err != nil {
				return fmt.Errorf("%s: %w", kw, err)
			}
		}
	}
	return nil
}

func parseDictAttribute(e string) (*DictionaryAttribute, error) {
	name, rest := readIdent(e)
	if name == "" {
		return nil, fmt.Errorf("attribute %q has no name", e)
	}
	a := &DictionaryAttribute{Name: name}
	kws := []string{"DEFAULT", "EXPRESSION", "HIERARCHICAL", "INJECTIVE", "IS_OBJECT_ID"}
	end := firstKeyword(rest, 0, kws...)
	a.Type = Type(strings.TrimSpace(rest[:end]))
	for _, kw := range kws {
		i := keywordAt(rest, kw, 0)
		if i < 0 {
			continue
		}
		val := Expr(strings.TrimSpace(rest[i+len(kw) : firstKeyword(rest, i+len(kw), kws...)]))
		switch kw {
		case "DEFAULT":
			a.Default = val
		case "EXPRESSION":
			a.Expression = val
		case "HIERARCHICAL":
			a.Hierarchical = true
		case "INJECTIVE":
			a.Injective = true
		case "IS_OBJECT_ID":
			a.IsObjectID = true
		}
	}
	return a, nil
}

// unwrapParens returns what is inside "( ... )".
func unwrapParens(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" || s[0] != '(' || closeParen(s, 0) != len(s)-1 {
		return "", fmt.Errorf("expected a bracketed list, got %q", s)
	}
	return strings.TrimSpace(s[1 : len(s)-1]), nil
}

// parseDictCall reads "TYPE(KEY value KEY value)".
func parseDictCall(s string) (string, []DictParam, error) {
	name, rest := readIdent(s)
	if name == "" {
		return "", nil, fmt.Errorf("expected TYPE(...), got %q", s)
	}
	inner, err := unwrapParens(rest)
	if err != nil {
		return "", nil, err
	}
	ps, err := parseDictParams(inner)
	return strings.ToUpper(name), ps, err
}

// parseDictParams reads "KEY value KEY value", where a value is one token:
// a literal, a word or a bracketed group.
func parseDictParams(s string) ([]DictParam, error) {
	var out []DictParam
	toks := topTokens(s)
	if len(toks)%2 != 0 {
		return nil, fmt.Errorf("odd number of tokens in %q", s)
	}
	for i := 0; i < len(toks); i += 2 {
		out = append(out, DictParam{Key: strings.ToUpper(toks[i]), Value: Expr(toks[i+1])})
	}
	return out, nil
}

// topTokens splits s at top-level spaces, keeping a word glued to the
// bracketed group that follows it (f(x) is one token).
func topTokens(s string) []string {
	var toks []string
	start := -1
	scanTop(s, 0, func(i int) bool {
		switch {
		case s[i] == ' ' || s[i] == '\n' || s[i] == '\t':
			if start >= 0 {
				toks = append(toks, s[start:i])
				start = -1
			}
		case start < 0:
			start = i
		}
		return true
	})
	if start >= 0 {
		toks = append(toks, s[start:])
	}
	return toks
}

func parseLifetime(s string) (DictionaryLifetime, error) {
	toks := topTokens(s)
	if len(toks) == 1 {
		n, err := strconv.ParseUint(toks[0], 10, 64)
		return DictionaryLifetime{Max: n}, err
	}
	var lt DictionaryLifetime
	ps, err := parseDictParams(s)
	if err != nil {
		return lt, err
	}
	for _, p := range ps {
		n, err := strconv.ParseUint(string(p.Value), 10, 64)
		if err != nil {
			return lt, err
		}
		switch p.Key {
		case "MIN":
			lt.Min = n
		case "MAX":
			lt.Max = n
		}
	}
	return lt, nil
}

// parseFunctionQuery reads "CREATE FUNCTION f AS (a, b) -> body". The body
// is the whole lambda, as the model keeps it: "(a, b) -> body", or
// "a -> body" for a single parameter.
func parseFunctionQuery(create string) (params []string, body Expr, err error) {
	i := keywordAt(create, "AS", 0)
	if i < 0 {
		return nil, "", fmt.Errorf("no AS in %q", create)
	}
	rest := strings.TrimSpace(create[i+2:])
	arrow := scanTop(rest, 0, func(j int) bool { return !strings.HasPrefix(rest[j:], "->") })
	if arrow < 0 {
		return nil, "", fmt.Errorf("no -> in %q", create)
	}
	head := strings.TrimSpace(rest[:arrow])
	if inner, err := unwrapParens(head); err == nil {
		head = inner
	}
	for _, p := range splitTop(head) {
		name, _ := readIdent(p)
		params = append(params, name)
	}
	lambda := strings.TrimSpace(rest[arrow+2:])
	if len(params) == 1 {
		return params, Expr(head + " -> " + lambda), nil
	}
	return params, Expr("(" + head + ") -> " + lambda), nil
}
