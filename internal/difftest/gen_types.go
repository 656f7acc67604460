package difftest

import (
	"fmt"
	"strings"
)

// valKind is what kind of value a type holds, so that expressions and
// literals fit the columns they are written for.
type valKind int

const (
	vOther valKind = iota
	vInt
	vFloat
	vDecimal
	vString
	vDate
	vDateTime
	vBool
	vUUID
	vIP
	vArray
	vMap
	vTuple
	vEnum
)

// gtype is a generated column type.
type gtype struct {
	sql  string
	kind valKind
	// elem is an array's element kind.
	elem valKind
	// keyable types can be in a sorting key without settings.
	keyable bool
	// inner says the type may be wrapped in Nullable or LowCardinality.
	scalar bool
	// enum holds an enum's values, for literals.
	enum []string
	// family is the outermost family as written (an alias, maybe).
	family string
}

// typeGens write a family with its parameters. A family the catalog lists
// without a generator here is written bare, so a new family is tried as soon
// as a server lists it.
var typeGens map[string]func(g *Gen, depth int) gtype

func init() {
	typeGens = map[string]func(g *Gen, depth int) gtype{
		"Decimal": func(g *Gen, _ int) gtype {
			p := g.between(1, 76)
			return gtype{sql: fmt.Sprintf("Decimal(%d, %d)", p, g.between(0, p)), kind: vDecimal, keyable: true, scalar: true}
		},
		"Decimal32":  decimalN(9),
		"Decimal64":  decimalN(18),
		"Decimal128": decimalN(38),
		"Decimal256": decimalN(76),
		"DateTime": func(g *Gen, _ int) gtype {
			if g.chance(0.5) {
				return gtype{sql: "DateTime", kind: vDateTime, keyable: true, scalar: true}
			}
			return gtype{sql: "DateTime(" + g.timeZone() + ")", kind: vDateTime, keyable: true, scalar: true}
		},
		"DateTime32": func(g *Gen, _ int) gtype {
			if g.chance(0.5) {
				return gtype{sql: "DateTime32", kind: vDateTime, keyable: true, scalar: true}
			}
			return gtype{sql: "DateTime32(" + g.timeZone() + ")", kind: vDateTime, keyable: true, scalar: true}
		},
		"DateTime64": func(g *Gen, _ int) gtype {
			p := g.between(0, 9)
			if g.chance(0.4) {
				return gtype{sql: fmt.Sprintf("DateTime64(%d)", p), kind: vDateTime, keyable: true, scalar: true}
			}
			return gtype{sql: fmt.Sprintf("DateTime64(%d, %s)", p, g.timeZone()), kind: vDateTime, keyable: true, scalar: true}
		},
		"Time64": func(g *Gen, _ int) gtype {
			return gtype{sql: fmt.Sprintf("Time64(%d)", g.between(0, 9)), kind: vOther, keyable: true, scalar: true}
		},
		"Enum8":  enumGen("Enum8", -128, 127),
		"Enum16": enumGen("Enum16", -32768, 32767),
		"Enum":   enumGen("Enum", -128, 127),
		"FixedString": func(g *Gen, _ int) gtype {
			return gtype{sql: fmt.Sprintf("FixedString(%d)", g.between(1, 64)), kind: vString, keyable: true, scalar: true}
		},
		"LowCardinality": func(g *Gen, depth int) gtype {
			in := g.scalarType(depth + 1)
			if g.chance(0.3) {
				in = gtype{sql: "Nullable(" + in.sql + ")", kind: in.kind, scalar: false}
			}
			return gtype{sql: "LowCardinality(" + in.sql + ")", kind: in.kind, keyable: in.keyable, enum: in.enum}
		},
		"Nullable": func(g *Gen, depth int) gtype {
			in := g.scalarType(depth + 1)
			return gtype{sql: "Nullable(" + in.sql + ")", kind: in.kind, enum: in.enum}
		},
		"Array": func(g *Gen, depth int) gtype {
			in := g.anyType(depth + 1)
			return gtype{sql: "Array(" + in.sql + ")", kind: vArray, elem: in.kind, keyable: in.keyable}
		},
		"Map": func(g *Gen, depth int) gtype {
			k := g.mapKey(depth + 1)
			v := g.anyType(depth + 1)
			return gtype{sql: "Map(" + k.sql + ", " + v.sql + ")", kind: vMap}
		},
		"Tuple": func(g *Gen, depth int) gtype {
			n := g.between(1, 4)
			named := g.chance(0.5)
			parts := make([]string, n)
			used := map[string]bool{}
			for i := range parts {
				t := g.anyType(depth + 1)
				parts[i] = t.sql
				if named {
					name := g.newName("e", func(s string) bool { return used[strings.ToLower(s)] })
					used[strings.ToLower(name)] = true
					parts[i] = g.ident(name) + " " + t.sql
				}
			}
			return gtype{sql: "Tuple(" + strings.Join(parts, ", ") + ")", kind: vTuple, keyable: true}
		},
		"Nested": func(g *Gen, depth int) gtype {
			if depth > 0 {
				return g.scalarType(depth)
			}
			n := g.between(1, 3)
			parts := make([]string, n)
			used := map[string]bool{}
			for i := range parts {
				name := g.newName("n", func(s string) bool { return used[strings.ToLower(s)] })
				used[strings.ToLower(name)] = true
				parts[i] = g.ident(name) + " " + g.scalarType(depth+1).sql
			}
			return gtype{sql: "Nested(" + strings.Join(parts, ", ") + ")", kind: vOther}
		},
		"JSON": func(g *Gen, depth int) gtype {
			var params []string
			for range g.intn(4) {
				switch g.intn(5) {
				case 0:
					params = append(params, fmt.Sprintf("max_dynamic_paths = %d", g.between(0, 1024)))
				case 1:
					params = append(params, fmt.Sprintf("max_dynamic_types = %d", g.between(0, 254)))
				case 2:
					params = append(params, g.jsonPath()+" "+g.scalarType(depth+1).sql)
				case 3:
					params = append(params, "SKIP "+g.jsonPath())
				default:
					params = append(params, "SKIP REGEXP "+g.stringLiteral())
				}
			}
			if len(params) == 0 && g.chance(0.5) {
				return gtype{sql: "JSON", kind: vOther}
			}
			return gtype{sql: "JSON(" + strings.Join(params, ", ") + ")", kind: vOther}
		},
		"Dynamic": func(g *Gen, _ int) gtype {
			if g.chance(0.5) {
				return gtype{sql: "Dynamic", kind: vOther}
			}
			return gtype{sql: fmt.Sprintf("Dynamic(max_types = %d)", g.between(0, 254)), kind: vOther}
		},
		"Variant": func(g *Gen, depth int) gtype {
			n := g.between(1, 4)
			seen := map[string]bool{}
			var parts []string
			for range n {
				t := g.anyType(depth + 1)
				if !seen[t.sql] {
					seen[t.sql] = true
					parts = append(parts, t.sql)
				}
			}
			return gtype{sql: "Variant(" + strings.Join(parts, ", ") + ")", kind: vOther}
		},
		"AggregateFunction": func(g *Gen, depth int) gtype {
			f, args := g.aggregateCall(depth)
			return gtype{sql: "AggregateFunction(" + strings.Join(append([]string{f}, args...), ", ") + ")", kind: vOther}
		},
		"SimpleAggregateFunction": func(g *Gen, depth int) gtype {
			f := g.oneOf("any", "anyLast", "min", "max", "sum", "sumWithOverflow", "groupBitAnd", "groupBitOr",
				"groupBitXor", "groupArrayArray", "groupUniqArrayArray", "sumMap", "minMap", "maxMap", "argMin", "argMax")
			if g.chance(0.3) {
				f = pick(g, g.cat.Aggregates)
			}
			g.use(SurfaceAggFunc, f)
			t := g.numericType()
			if strings.HasSuffix(f, "ArrayArray") {
				t = gtype{sql: "Array(" + t.sql + ")"}
			}
			return gtype{sql: "SimpleAggregateFunction(" + f + ", " + t.sql + ")", kind: vOther}
		},
		"QBit": func(g *Gen, _ int) gtype {
			return gtype{sql: fmt.Sprintf("QBit(%s, %d)", g.oneOf("Float32", "Float64", "BFloat16"), g.between(1, 64)), kind: vOther}
		},
	}
}

func decimalN(max int) func(g *Gen, _ int) gtype {
	return func(g *Gen, _ int) gtype {
		name := fmt.Sprintf("Decimal%d", map[int]int{9: 32, 18: 64, 38: 128, 76: 256}[max])
		return gtype{sql: fmt.Sprintf("%s(%d)", name, g.between(0, max)), kind: vDecimal, keyable: true, scalar: true}
	}
}

func enumGen(name string, lo, hi int) func(g *Gen, _ int) gtype {
	return func(g *Gen, _ int) gtype {
		n := g.between(1, 5)
		seenName, seenVal := map[string]bool{}, map[int]bool{}
		var parts, names []string
		auto := g.chance(0.2)
		for range n {
			s := g.enumName()
			if seenName[s] {
				continue
			}
			seenName[s] = true
			names = append(names, s)
			if auto {
				parts = append(parts, quoteString(s))
				continue
			}
			v := g.between(lo, hi)
			if g.chance(0.5) {
				v = len(parts) + 1
			}
			for seenVal[v] {
				v++
			}
			seenVal[v] = true
			parts = append(parts, fmt.Sprintf("%s = %d", quoteStringVariant(g, s), v))
		}
		return gtype{sql: name + "(" + strings.Join(parts, ", ") + ")", kind: vEnum, keyable: true, scalar: true, enum: names}
	}
}

// enumName is an enum element: words, with quotes, backslashes and other
// characters that need escaping now and then.
func (g *Gen) enumName() string {
	return g.oneOf("a", "b", "c", "active", "it's", `back\slash`, "new\nline", "tab\tbed", "ünï", "", " ", "x = 1", "a,b", "(", "NULL")
}

// timeZone is a quoted zone from system.time_zones.
func (g *Gen) timeZone() string {
	if len(g.cat.TimeZones) == 0 {
		return "'UTC'"
	}
	return quoteString(pick(g, g.cat.TimeZones))
}

// jsonPath is a path inside a JSON column, e.g. a.b.
func (g *Gen) jsonPath() string {
	parts := make([]string, g.between(1, 3))
	for i := range parts {
		parts[i] = g.oneOf("a", "b", "c", "key", "value", "x1")
	}
	if g.chance(0.1) {
		parts[0] = "`we ird`"
	}
	return strings.Join(parts, ".")
}

// aggregateCall is an aggregate function, sometimes with parameters and a
// combinator, and its argument types.
func (g *Gen) aggregateCall(depth int) (string, []string) {
	f := g.oneOf("uniq", "sum", "count", "avg", "min", "max", "any", "groupArray", "uniqExact", "quantiles(0.5, 0.9)",
		"quantile(0.5)", "argMax", "topK(10)", "groupUniqArray", "sumMap", "uniqCombined(12)")
	if g.chance(0.4) && len(g.cat.Aggregates) > 0 {
		f = pick(g, g.cat.Aggregates)
	}
	base, _, _ := strings.Cut(f, "(")
	g.use(SurfaceAggFunc, base)
	if g.chance(0.2) && len(g.cat.Combinators) > 0 {
		comb := pick(g, g.cat.Combinators)
		name, params, hasParams := strings.Cut(f, "(")
		f = name + comb
		if hasParams {
			f += "(" + params
		}
	}
	var args []string
	n := 1
	if strings.HasPrefix(f, "argM") || strings.Contains(f, "If") {
		n = 2
	}
	if strings.HasPrefix(f, "count") && g.chance(0.5) {
		n = 0
	}
	for range n {
		args = append(args, g.anyType(depth+1).sql)
	}
	if strings.Contains(f, "If") && len(args) == 2 {
		args[1] = "UInt8"
	}
	return f, args
}

// anyType is a type of any usable family (aliases included), nested up to a
// depth.
func (g *Gen) anyType(depth int) gtype {
	if depth > 2 {
		return g.scalarType(depth)
	}
	fams := g.cat.Usable(SurfaceType)
	if g.chance(0.15) {
		if al := g.cat.Names(SurfaceAlias); len(al) > 0 {
			return g.aliasType(pick(g, al), depth)
		}
	}
	if g.chance(0.5) {
		return g.scalarType(depth)
	}
	return g.family(pick(g, fams), depth)
}

// family writes a type of one family.
func (g *Gen) family(name string, depth int) gtype {
	g.use(SurfaceType, name)
	var t gtype
	if gen, ok := typeGens[name]; ok {
		t = gen(g, depth)
	} else {
		t = bareType(name)
	}
	t.family = name
	if g.cat.typeFamily(name).CaseInsensitive && g.chance(0.2) {
		t.sql = recase(g, name, t.sql)
	}
	return t
}

// bareType is a family without parameters, with the value kind its name
// says.
func bareType(name string) gtype {
	t := gtype{sql: name, scalar: true, keyable: true}
	switch {
	case strings.HasPrefix(name, "Int"), strings.HasPrefix(name, "UInt"):
		t.kind = vInt
		if strings.HasPrefix(name, "Interval") {
			t.kind, t.keyable = vOther, false
		}
	case strings.HasPrefix(name, "Float"), name == "BFloat16":
		t.kind = vFloat
	case name == "String":
		t.kind = vString
	case name == "Date", name == "Date32":
		t.kind = vDate
	case name == "Bool":
		t.kind = vBool
	case name == "UUID":
		t.kind = vUUID
	case name == "IPv4", name == "IPv6":
		t.kind = vIP
	case name == "Time":
		t.kind = vOther
	default:
		t.kind, t.scalar, t.keyable = vOther, false, false
	}
	return t
}

// recase writes a case-insensitive family's name in another case.
func recase(g *Gen, name, sql string) string {
	var alt string
	switch g.intn(3) {
	case 0:
		alt = strings.ToLower(name)
	case 1:
		alt = strings.ToUpper(name)
	default:
		return sql
	}
	return alt + strings.TrimPrefix(sql, name)
}

// aliasType writes an alias family (alias_to names its target), with the
// parameters its target takes.
func (g *Gen) aliasType(alias string, depth int) gtype {
	g.use(SurfaceAlias, alias)
	target := g.cat.typeFamily(alias).AliasTo
	t := g.family(target, depth)
	rest := strings.TrimPrefix(t.sql, target)
	if rest == t.sql {
		rest = ""
	}
	switch {
	case target == "String" && g.chance(0.4):
		rest = fmt.Sprintf("(%d)", g.between(1, 255))
	case strings.HasPrefix(target, "Int") || strings.HasPrefix(target, "UInt"):
		if !strings.Contains(alias, " ") && g.chance(0.2) {
			rest = fmt.Sprintf("(%d)", g.between(1, 20)) // INT(11), as MySQL dumps write it
		}
	}
	a := alias
	if g.chance(0.3) {
		a = strings.ToLower(alias)
	}
	t.sql = a + rest
	t.family = alias
	return t
}

// scalarType is a type that Nullable and LowCardinality accept.
func (g *Gen) scalarType(int) gtype {
	for range 20 {
		n := pick(g, g.cat.Usable(SurfaceType))
		if _, param := typeGens[n]; param {
			switch n {
			case "Decimal", "Decimal32", "Decimal64", "Decimal128", "Decimal256", "DateTime", "DateTime64", "DateTime32",
				"Enum8", "Enum16", "FixedString":
				return g.family(n, 0)
			}
			continue
		}
		if t := bareType(n); t.scalar {
			return g.family(n, 0)
		}
	}
	return g.family("String", 0)
}

// numericType is a plain number type.
func (g *Gen) numericType() gtype {
	return g.family(g.oneOf("UInt8", "UInt16", "UInt32", "UInt64", "Int8", "Int16", "Int32", "Int64", "Float32", "Float64"), 0)
}

// mapKey is a type Map accepts as a key.
func (g *Gen) mapKey(int) gtype {
	switch g.intn(6) {
	case 0:
		return gtype{sql: "LowCardinality(String)", kind: vString}
	case 1:
		return g.family("FixedString", 0)
	case 2:
		return g.family(g.oneOf("UInt8", "Int32", "UInt64", "Date", "UUID", "IPv4", "DateTime"), 0)
	case 3:
		return g.family("Enum8", 0)
	}
	return g.family("String", 0)
}

// keyType is a type fit for a sorting key.
func (g *Gen) keyType() gtype {
	for range 20 {
		t := g.scalarType(0)
		if t.keyable && t.kind != vFloat {
			return t
		}
	}
	return g.family("UInt64", 0)
}
