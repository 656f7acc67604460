package difftest

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// draft is a CREATE TABLE being generated.
type draft struct {
	db       *gdb
	name     string
	engine   string
	cols     []*gcol
	elements []string // INDEX, PROJECTION, CONSTRAINT elements
	indexes  []string
	projs    []string
	cons     []string
	key      map[string]bool
	// clauses after ENGINE (ORDER BY, PARTITION BY, ...).
	clauses  []string
	ttl      bool
	settings []string
	// noColumns says the engine brings its own columns (AS, TimeSeries).
	noColumns bool
	// suffix is written after the column list instead of the ENGINE
	// clause, for AS forms.
	engineSQL string
}

func (d *draft) taken(s string) bool {
	return slices.ContainsFunc(d.cols, func(c *gcol) bool { return strings.EqualFold(c.name, s) }) ||
		slices.ContainsFunc(d.indexes, func(x string) bool { return strings.EqualFold(x, s) }) ||
		slices.ContainsFunc(d.projs, func(x string) bool { return strings.EqualFold(x, s) }) ||
		slices.ContainsFunc(d.cons, func(x string) bool { return strings.EqualFold(x, s) })
}

// addCol adds a column of type t (a fresh name), with a default kind now and
// then.
func (g *Gen) addCol(d *draft, t gtype, plain bool) *gcol {
	c := &gcol{name: g.newName("c", d.taken), t: t}
	if !plain && g.chance(0.25) {
		c.kind = g.oneOf("DEFAULT", "DEFAULT", "MATERIALIZED", "ALIAS", "EPHEMERAL")
	}
	d.cols = append(d.cols, c)
	return c
}

// columnDef writes a column definition with its optional parts.
func (g *Gen) columnDef(c *gcol, cols []*gcol, mergeTree bool) string {
	var b strings.Builder
	b.WriteString(g.ident(c.name))
	typed := true
	if c.kind == "ALIAS" && g.chance(0.15) {
		typed = false
	}
	if typed {
		b.WriteString(" " + c.t.sql)
		if c.t.scalar && g.chance(0.05) {
			b.WriteString(g.oneOf(" NULL", " NOT NULL"))
		}
	}
	if c.kind != "" {
		others := slices.DeleteFunc(slices.Clone(cols), func(x *gcol) bool { return x == c })
		e, ok := g.defaultFor(c.t, others)
		switch {
		case c.kind == "EPHEMERAL" && (!ok || g.chance(0.4)):
			b.WriteString(" EPHEMERAL")
		case ok:
			b.WriteString(" " + c.kind + " " + e)
		default:
			c.kind = ""
		}
	}
	if g.chance(0.15) {
		b.WriteString(g.sp() + "COMMENT " + g.stringLiteral())
	}
	if mergeTree && c.kind != "ALIAS" && g.chance(0.2) {
		b.WriteString(" " + g.codecList(c.t))
	}
	if mergeTree && c.kind != "ALIAS" && c.kind != "EPHEMERAL" && g.chance(0.07) {
		if dt, ok := g.dateCol(cols); ok && dt != c {
			b.WriteString(" TTL " + g.ident(dt.name) + " + " + g.interval())
		}
	}
	if c.kind != "ALIAS" && c.kind != "EPHEMERAL" && g.chance(0.06) {
		b.WriteString(g.sp() + g.oneOf("SETTINGS", "settings") + " (" + g.columnSettings() + ")")
	}
	return b.String()
}

// columnSettingNames are the settings a column definition takes: ClickHouse
// 26.7 lists them in its refusal of any other ("supported settings:
// max_compress_block_size, min_compress_block_size").
var columnSettingNames = []string{"max_compress_block_size", "min_compress_block_size"}

// columnSettings writes one or two of them, values spelt several ways.
func (g *Gen) columnSettings() string {
	var parts []string
	for _, n := range columnSettingNames {
		if len(parts) == 0 || g.chance(0.5) {
			parts = append(parts, n+" = "+g.oneOf("1", "4096", "0x10000", "'8192'", "1_048_576", "65536"))
		}
	}
	if g.chance(0.5) {
		slices.Reverse(parts)
	}
	return strings.Join(parts, ", ")
}

// codecList is CODEC(...) with one to three codecs from the catalog.
func (g *Gen) codecList(t gtype) string {
	usable := g.cat.Usable(SurfaceCodec)
	if len(usable) == 0 {
		return ""
	}
	var parts []string
	for range g.between(1, 3) {
		name := pick(g, usable)
		// Half the time a codec made for the column's type: the
		// specialised codecs refuse most types.
		if fit := codecsFor(t); len(fit) > 0 && g.chance(0.5) {
			name = pick(g, fit)
		}
		if !slices.Contains(usable, name) {
			continue
		}
		parts = append(parts, g.codec(name, t))
	}
	if len(parts) == 0 {
		parts = append(parts, g.codec(pick(g, usable), t))
	}
	return "CODEC(" + strings.Join(parts, ", ") + ")"
}

// codecsFor are the specialised codecs a type takes.
func codecsFor(t gtype) []string {
	switch {
	case strings.HasPrefix(t.sql, "Array(Float32") || strings.HasPrefix(t.sql, "Array(BFloat16"):
		return []string{"Quantized", "Gorilla", "Delta"}
	case t.kind == vFloat:
		return []string{"Gorilla", "FPC", "ALP"}
	case t.kind == vInt || t.kind == vDate || t.kind == vDateTime || t.kind == vDecimal:
		return []string{"Delta", "DoubleDelta", "T64", "GCD"}
	}
	return nil
}

// codecGens write a codec with parameters; others are written bare.
var codecGens = map[string]func(g *Gen) string{
	"LZ4HC": func(g *Gen) string { return optParam(g, "LZ4HC", strconv.Itoa(g.between(0, 12))) },
	"ZSTD":  func(g *Gen) string { return optParam(g, "ZSTD", strconv.Itoa(g.between(-3, 22))) },
	"ZXC":   func(g *Gen) string { return optParam(g, "ZXC", strconv.Itoa(g.between(1, 7))) },
	"Delta": func(g *Gen) string { return optParam(g, "Delta", g.oneOf("1", "2", "4", "8")) },
	"DoubleDelta": func(g *Gen) string {
		return optParam(g, "DoubleDelta", g.oneOf("1", "2", "4", "8"))
	},
	"Gorilla": func(g *Gen) string { return optParam(g, "Gorilla", g.oneOf("1", "2", "4", "8")) },
	"T64":     func(g *Gen) string { return optParam(g, "T64", g.oneOf("'bit'", "'byte'")) },
	"FPC": func(g *Gen) string {
		return optParam(g, "FPC", g.oneOf("1", "12", "4, 4", "8, 8"))
	},
	"Quantized": func(g *Gen) string {
		return "Quantized(" + g.oneOf("'rabitq', 8", "'rabitq', 16, 4", "'product', 8, 8, 2") + ")"
	},
	"ALP": func(g *Gen) string { return optParam(g, "ALP", g.oneOf("AUTO", "STD", "RD")) },
}

func optParam(g *Gen, name, p string) string {
	if g.chance(0.4) {
		return name
	}
	return name + "(" + p + ")"
}

func (g *Gen) codec(name string, _ gtype) string {
	g.use(SurfaceCodec, name)
	if f, ok := codecGens[name]; ok {
		return f(g)
	}
	return name
}

func (g *Gen) dateCol(cols []*gcol) (*gcol, bool) {
	var ds []*gcol
	for _, c := range cols {
		if (c.t.kind == vDate || c.t.kind == vDateTime) && !strings.HasPrefix(c.t.sql, "Nullable") &&
			!strings.HasPrefix(c.t.sql, "LowCardinality") && c.kind != "EPHEMERAL" {
			ds = append(ds, c)
		}
	}
	if len(ds) == 0 {
		return nil, false
	}
	return pick(g, ds), true
}

// keyCols are the columns a key may read.
func keyCols(cols []*gcol) []*gcol {
	var out []*gcol
	for _, c := range cols {
		if c.t.keyable && c.kind != "EPHEMERAL" && c.kind != "ALIAS" && !strings.HasPrefix(c.t.sql, "Nullable") {
			out = append(out, c)
		}
	}
	return out
}

// createTableWith generates CREATE TABLE for one engine.
func (g *Gen) createTableWith(engine string) (Stmt, bool) {
	gen, ok := engineGens[engine]
	if !ok {
		gen = genericEngine
	}
	db := g.database()
	d := &draft{db: db, engine: engine, key: map[string]bool{}}
	d.name = g.newName("t", g.objectNameTaken(db))
	e := g.cat.engine(engine)
	// Columns: a few of any type, plus some the engines and indexes want.
	n := g.between(1, 6)
	for i := range n {
		t := g.anyType(0)
		if i == 0 {
			t = g.keyType()
		}
		g.addCol(d, t, i == 0)
	}
	if g.chance(0.5) {
		g.addCol(d, g.family(g.oneOf("Date", "DateTime", "DateTime64", "Date32"), 0), true)
	}
	if e.SkippingIndices && g.chance(0.2) {
		// A vector for vector_similarity indexes and Quantized.
		g.addCol(d, gtype{sql: "Array(Float32)", kind: vArray, elem: vFloat, family: "Array"}, true)
	}
	if !gen(g, d) {
		return Stmt{}, false
	}
	g.use(SurfaceEngine, engine)
	if e.SkippingIndices && g.chance(0.35) {
		for range g.between(1, 2) {
			g.indexElement(d)
		}
	}
	if e.Projections && g.chance(0.15) {
		g.projectionElement(d)
	}
	if g.chance(0.08) {
		g.constraintElement(d)
	}
	if e.Settings && isMergeTree(engine) && g.chance(0.35) {
		d.settings = g.mergeTreeSettings(g.between(1, 3))
	}
	var b strings.Builder
	b.WriteString(g.oneOf("CREATE TABLE ", "CREATE TABLE ", "CREATE TABLE IF NOT EXISTS ", "create table "))
	full := g.dbRef(db) + "." + g.ident(d.name)
	if db.session && g.chance(0.5) {
		full = g.ident(d.name)
	}
	b.WriteString(full)
	if !d.noColumns {
		defs := make([]string, 0, len(d.cols)+len(d.elements))
		for _, c := range d.cols {
			defs = append(defs, g.columnDef(c, d.cols, isMergeTree(engine)))
		}
		defs = append(defs, d.elements...)
		b.WriteString(" (" + g.sp())
		b.WriteString(strings.Join(defs, ","+g.sp()))
		b.WriteString(")")
	}
	b.WriteString(g.sp() + d.engineSQL)
	for _, c := range d.clauses {
		b.WriteString(g.sp() + c)
	}
	if len(d.settings) > 0 {
		b.WriteString(g.sp() + "SETTINGS " + strings.Join(d.settings, ", "))
	}
	if g.chance(0.2) {
		b.WriteString(g.sp() + "COMMENT " + g.stringLiteral())
		if g.chance(0.2) {
			// After the COMMENT, SETTINGS are the query's, not the table's.
			b.WriteString(g.sp() + "SETTINGS " + g.oneOf("allow_suspicious_codecs = 1", "max_execution_time = 20", "allow_experimental_codecs = 1"))
		}
	}
	o := &gobj{db: db, name: d.name, kind: kTable, engine: engine, cols: d.cols, key: d.key,
		indexes: d.indexes, projections: d.projs, constraints: d.cons, ttl: d.ttl, settings: d.settings,
		slow: slowEngine(engine)}
	return Stmt{SQL: b.String(), Construct: "create-table/" + engine, apply: func(s *state) {
		if s.find(o.db, o.name) == nil {
			s.objects = append(s.objects, o)
		}
	}}, true
}

// engineGens write the ENGINE clause and what the engine needs (columns,
// keys); they return false when the state cannot give the engine what it
// needs. An engine without a generator gets genericEngine.
var engineGens = map[string]func(g *Gen, d *draft) bool{
	"MergeTree":            mergeTreeEngine(nil),
	"ReplacingMergeTree":   mergeTreeEngine(replacingArgs),
	"SummingMergeTree":     mergeTreeEngine(summingArgs),
	"AggregatingMergeTree": mergeTreeEngine(nil),
	"CoalescingMergeTree":  mergeTreeEngine(summingArgs),
	"CollapsingMergeTree": mergeTreeEngine(func(g *Gen, d *draft) []string {
		return []string{g.ident(g.addCol(d, g.family("Int8", 0), true).name)}
	}),
	"VersionedCollapsingMergeTree": mergeTreeEngine(func(g *Gen, d *draft) []string {
		sign := g.addCol(d, g.family("Int8", 0), true)
		ver := g.addCol(d, g.family(g.oneOf("UInt8", "UInt32", "UInt64"), 0), true)
		return []string{g.ident(sign.name), g.ident(ver.name)}
	}),
	"GraphiteMergeTree": mergeTreeEngine(func(g *Gen, d *draft) []string { return []string{"'graphite_rollup'"} }),
	"Join": func(g *Gen, d *draft) bool {
		k := keyCols(d.cols)
		if len(k) == 0 {
			return false
		}
		strict := g.oneOf("ANY", "ALL", "SEMI", "ANTI")
		kind := g.oneOf("LEFT", "INNER", "RIGHT", "FULL")
		d.engineSQL = fmt.Sprintf("ENGINE = Join(%s, %s, %s)", strict, kind, g.ident(pick(g, k).name))
		return true
	},
	"Buffer": func(g *Gen, d *draft) bool {
		dest, ok := g.table(func(o *gobj) bool { return o.db == d.db && o.engine != "Buffer" })
		if !ok {
			return false
		}
		d.cols = cloneCols(dest.storedCols())
		if len(d.cols) == 0 {
			return false
		}
		d.engineSQL = fmt.Sprintf("ENGINE = Buffer(%s, %s, %d, 10, 100, 10000, 1000000, 10000000, 100000000)",
			g.dbArg(dest.db), g.ident(dest.name), g.between(1, 16))
		return true
	},
	"Merge": func(g *Gen, d *draft) bool {
		// Tables of the case only by exact names: a Merge table that
		// matches another Merge table (or itself) makes the server recurse
		// until its stack overflows, in every read of system tables.
		target := "'^nothing$'"
		if t, ok := g.table(func(o *gobj) bool { return !readsOthers[o.engine] }); ok && isPlain(t.name) {
			target = "'^" + t.name + "$'"
		}
		d.engineSQL = fmt.Sprintf("ENGINE = Merge(%s, %s)", g.oneOf(g.dbArg(d.db), "currentDatabase()", "REGEXP('^"+d.db.ref+"$')"), target)
		return true
	},
	"Dictionary": func(g *Gen, d *draft) bool {
		dicts := g.objectsOf(kDict)
		if len(dicts) == 0 {
			return false
		}
		x := pick(g, dicts)
		d.cols = cloneCols(x.cols)
		arg := g.ident(x.name)
		if x.db != d.db || g.chance(0.5) {
			arg = g.dbRef(x.db) + "." + g.ident(x.name)
		}
		if g.chance(0.3) {
			arg = "'" + strings.Trim(x.db.ref, "`") + "." + x.name + "'"
		}
		d.engineSQL = "ENGINE = Dictionary(" + arg + ")"
		return true
	},
	"GenerateRandom": func(g *Gen, d *draft) bool {
		d.engineSQL = "ENGINE = " + g.oneOf("GenerateRandom", "GenerateRandom()", "GenerateRandom(1)", "GenerateRandom(1, 5, 3)", "GenerateRandom(NULL, 10)")
		return true
	},
	"FuzzJSON": func(g *Gen, d *draft) bool {
		d.cols = []*gcol{{name: "json_str", t: g.family("String", 0)}}
		d.engineSQL = "ENGINE = FuzzJSON(" + g.oneOf(`'{"a": 1}'`, `'{"a": [1, 2], "b": {"c": "x"}}'`) + g.oneOf("", ", 42") + ")"
		return true
	},
	"FuzzQuery": func(g *Gen, d *draft) bool {
		d.cols = []*gcol{{name: "query", t: g.family("String", 0)}}
		d.engineSQL = "ENGINE = FuzzQuery(" + g.oneOf("'SELECT 1'", "'SELECT * FROM numbers(10)'") + g.oneOf("", ", 100", ", 100, 7") + ")"
		return true
	},
	"EmbeddedRocksDB": func(g *Gen, d *draft) bool {
		k := keyCols(d.cols)
		if len(k) == 0 {
			return false
		}
		d.key[k[0].name] = true
		d.engineSQL = "ENGINE = EmbeddedRocksDB" + g.oneOf("", "()", "(0)", "(3600)")
		d.clauses = append(d.clauses, "PRIMARY KEY "+g.ident(k[0].name))
		return true
	},
	"File": func(g *Gen, d *draft) bool {
		d.engineSQL = "ENGINE = File(" + g.oneOf("TSV", "CSV", "JSONEachRow", "Native", "TabSeparatedWithNames", "Parquet") + ")"
		return true
	},
	"TimeSeries": func(g *Gen, d *draft) bool {
		d.noColumns = true
		d.engineSQL = "ENGINE = TimeSeries"
		return true
	},
	"Alias": func(g *Gen, d *draft) bool {
		target, ok := g.table(func(o *gobj) bool { return o.engine != "Alias" })
		if !ok {
			return false
		}
		d.noColumns = true
		d.cols = cloneCols(target.cols)
		if target.db == d.db && g.chance(0.5) {
			d.engineSQL = "ENGINE = Alias(" + g.ident(target.name) + ")"
		} else {
			d.engineSQL = "ENGINE = Alias(" + g.dbArg(target.db) + ", " + g.ident(target.name) + ")"
		}
		return true
	},
	"Remote": func(g *Gen, d *draft) bool {
		target, ok := g.table(func(o *gobj) bool { return o.engine != "Remote" })
		if !ok {
			return false
		}
		d.cols = cloneCols(target.storedCols())
		if len(d.cols) == 0 {
			return false
		}
		d.engineSQL = fmt.Sprintf("ENGINE = Remote('127.0.0.1:%d', %s, %s)", g.cat.TCPPort, g.dbArg(target.db), g.ident(target.name))
		return true
	},
	"Set":  plainEngine("Set", "Set()"),
	"Null": plainEngine("Null", "Null()"),
	"Log":  plainEngine("Log"),
	"Memory": func(g *Gen, d *draft) bool {
		d.engineSQL = "ENGINE = " + g.oneOf("Memory", "Memory()", "Memory")
		if g.chance(0.2) {
			d.settings = []string{g.oneOf("min_rows_to_keep = 10, max_rows_to_keep = 100", "max_bytes_to_keep = 1000000", "compress = 1")}
		}
		return true
	},
	"StripeLog": plainEngine("StripeLog"),
	"TinyLog":   plainEngine("TinyLog"),
}

// genericEngine writes an engine bare, for engines the generator has no
// special knowledge of.
func genericEngine(g *Gen, d *draft) bool {
	d.engineSQL = "ENGINE = " + d.engine
	return true
}

func plainEngine(spellings ...string) func(g *Gen, d *draft) bool {
	return func(g *Gen, d *draft) bool {
		d.engineSQL = "ENGINE = " + pick(g, spellings)
		if g.chance(0.1) {
			d.engineSQL = "engine=" + pick(g, spellings)
		}
		return true
	}
}

// dbArg writes a database as an engine argument: an identifier, a string,
// or currentDatabase() for the session's.
func (g *Gen) dbArg(d *gdb) string {
	switch {
	case d.session && g.chance(0.3):
		return "currentDatabase()"
	case g.chance(0.3):
		return "'" + d.ref + "'"
	}
	return g.dbRef(d)
}

func cloneCols(cs []*gcol) []*gcol {
	out := make([]*gcol, len(cs))
	for i, c := range cs {
		cp := *c
		cp.kind = ""
		out[i] = &cp
	}
	return out
}

func replacingArgs(g *Gen, d *draft) []string {
	if g.chance(0.3) {
		return nil
	}
	ver := g.addCol(d, g.family(g.oneOf("UInt32", "UInt64", "DateTime", "Date"), 0), true)
	if g.chance(0.5) {
		del := g.addCol(d, g.family("UInt8", 0), true)
		return []string{g.ident(ver.name), g.ident(del.name)}
	}
	return []string{g.ident(ver.name)}
}

func summingArgs(g *Gen, d *draft) []string {
	var nums []string
	for _, c := range d.cols {
		if (c.t.kind == vInt || c.t.kind == vFloat) && c.kind == "" && !d.key[c.name] {
			nums = append(nums, g.ident(c.name))
		}
	}
	if len(nums) == 0 || g.chance(0.4) {
		return nil
	}
	if g.chance(0.5) {
		return []string{"(" + strings.Join(nums, ", ") + ")"}
	}
	return nums[:1]
}

// mergeTreeEngine writes a MergeTree-family engine with its arguments and
// clauses: ORDER BY, PARTITION BY, PRIMARY KEY, SAMPLE BY, TTL; now and then
// in the old syntax MergeTree(date, key, granularity).
func mergeTreeEngine(args func(g *Gen, d *draft) []string) func(g *Gen, d *draft) bool {
	return func(g *Gen, d *draft) bool {
		kc := keyCols(d.cols)
		if len(kc) == 0 {
			return false
		}
		var a []string
		if args != nil {
			a = args(g, d)
		}
		// The key: one to three columns, sometimes an expression.
		n := g.between(1, min(3, len(kc)))
		order := make([]string, 0, n)
		for _, c := range kc[:n] {
			d.key[c.name] = true
			e := g.ident(c.name)
			if c.t.kind == vDateTime && g.chance(0.3) {
				e = "toDate(" + e + ")"
			}
			order = append(order, e)
		}
		var sample string
		if g.chance(0.15) {
			if c := firstOfKind(kc, vInt); c != nil && !strings.HasPrefix(c.t.sql, "Int") {
				sample = g.ident(c.name)
				if !slices.Contains(order, sample) {
					order = append(order, sample)
				}
				d.key[c.name] = true
			} else if c := firstOfKind(kc, vString); c != nil {
				sample = "cityHash64(" + g.ident(c.name) + ")"
				order = append(order, sample)
				d.key[c.name] = true
			}
		}
		dateC, hasDate := g.dateCol(d.cols)
		if hasDate && g.chance(0.1) && args == nil && sample == "" {
			// MergeTree(date, (key), 8192): the server derives the keys.
			d.key[dateC.name] = true
			d.engineSQL = fmt.Sprintf("ENGINE = %s(%s, (%s), %s)", d.engine, g.ident(dateC.name), strings.Join(order, ", "), g.oneOf("8192", "1024"))
			return true
		}
		d.engineSQL = "ENGINE = " + d.engine + "(" + strings.Join(a, ", ") + ")"
		if len(a) == 0 && g.chance(0.4) {
			d.engineSQL = "ENGINE = " + d.engine
		}
		switch {
		case g.chance(0.1):
			d.clauses = append(d.clauses, "ORDER BY tuple()")
			sample = ""
			order = nil
		case len(order) == 1 && g.chance(0.5):
			d.clauses = append(d.clauses, "ORDER BY "+order[0])
		default:
			d.clauses = append(d.clauses, "ORDER BY ("+strings.Join(order, ", ")+")")
		}
		if g.chance(0.4) {
			d.clauses = append(d.clauses, "PARTITION BY "+g.partitionExpr(d))
		}
		if len(order) > 1 && g.chance(0.3) {
			d.clauses = append(d.clauses, "PRIMARY KEY ("+strings.Join(order[:len(order)-1], ", ")+")")
		} else if len(order) > 0 && g.chance(0.1) {
			d.clauses = append(d.clauses, "PRIMARY KEY "+order[0])
		}
		if sample != "" {
			d.clauses = append(d.clauses, "SAMPLE BY "+sample)
		}
		if hasDate && g.chance(0.25) {
			d.clauses = append(d.clauses, "TTL "+g.tableTTL(d.cols, dateC, order...))
			d.ttl = true
		}
		return true
	}
}

func firstOfKind(cs []*gcol, k valKind) *gcol {
	for _, c := range cs {
		if c.t.kind == k {
			return c
		}
	}
	return nil
}

func (g *Gen) partitionExpr(d *draft) string {
	if c, ok := g.dateCol(d.cols); ok && g.chance(0.6) {
		d.key[c.name] = true
		return g.oneOf("toYYYYMM(", "toMonday(", "toStartOfMonth(", "toYear(") + g.ident(c.name) + ")"
	}
	kc := keyCols(d.cols)
	if len(kc) > 0 && g.chance(0.6) {
		c := pick(g, kc)
		d.key[c.name] = true
		if c.t.kind == vInt && g.chance(0.5) {
			return "intDiv(" + g.ident(c.name) + ", 100)"
		}
		return g.ident(c.name)
	}
	return g.oneOf("tuple()", "()")
}

// tableTTL is a table TTL: one or more rules with their actions. key is
// the sorting key, which GROUP BY must be a prefix of.
func (g *Gen) tableTTL(cols []*gcol, dateC *gcol, key ...string) string {
	var rules []string
	for range g.between(1, 2) {
		base := g.ident(dateC.name)
		if dateC.t.kind == vDate && g.chance(0.3) {
			base = "toDateTime(" + base + ")"
		}
		r := base + " + " + g.interval()
		switch g.intn(8) {
		case 0:
			r += " DELETE"
		case 1:
			r += " DELETE WHERE " + g.expr(vBool, cols, 1)
		case 2:
			r += " RECOMPRESS " + g.codecList(gtype{kind: vOther})
		case 3:
			r += " WHERE " + g.expr(vBool, cols, 1)
		case 4:
			if len(key) > 0 {
				r += " GROUP BY " + key[0]
				if n := colsOf(cols, vInt); len(n) > 0 && g.chance(0.7) {
					c := g.ident(pick(g, n).name)
					r += " SET " + c + " = " + g.oneOf("max(", "min(", "sum(", "any(") + c + ")"
				}
			}
		case 5:
			r += g.oneOf(" TO DISK 'default'", " TO VOLUME 'default'")
		}
		rules = append(rules, r)
	}
	return strings.Join(rules, ", ")
}

// mergeTreeSettings are n settings from system.merge_tree_settings with sane
// values: the default, or a nearby value of the same type.
func (g *Gen) mergeTreeSettings(n int) []string {
	var out []string
	seen := map[string]bool{}
	for range n {
		s := pick(g, g.cat.Settings)
		if seen[s.Name] {
			continue
		}
		seen[s.Name] = true
		g.use(SurfaceSetting, s.Name)
		out = append(out, s.Name+" = "+g.settingValue(s))
	}
	return out
}

// settingValue is a value for s: its default, or a nearby value of its
// type, within its bounds.
func (g *Gen) settingValue(s MergeTreeSetting) string {
	def := s.Default
	switch s.Type {
	case "Bool":
		if g.chance(0.5) {
			return g.oneOf("0", "1", "true", "false")
		}
		return def
	case "UInt64", "UInt32", "NonZeroUInt64", "Int64", "Seconds", "Milliseconds", "UInt64Auto":
		v, err := strconv.ParseInt(def, 10, 64)
		if err != nil {
			return quoteString(def)
		}
		switch g.intn(4) {
		case 0:
			return def
		case 1:
			v = v*2 + 1
		case 2:
			v = v / 2
		default:
			v++
		}
		if s.Type == "NonZeroUInt64" && v == 0 {
			v = 1
		}
		if mx, err := strconv.ParseInt(s.Max, 10, 64); err == nil && v > mx {
			v = mx
		}
		if mn, err := strconv.ParseInt(s.Min, 10, 64); err == nil && v < mn {
			v = mn
		}
		return strconv.FormatInt(v, 10)
	case "Float":
		f, err := strconv.ParseFloat(def, 64)
		if err != nil {
			return def
		}
		switch g.intn(3) {
		case 0:
			return def
		case 1:
			return strconv.FormatFloat(f/2, 'g', -1, 64)
		default:
			return strconv.FormatFloat(f, 'e', -1, 64)
		}
	}
	return quoteString(def)
}

// indexElement adds an INDEX element to d.
func (g *Gen) indexElement(d *draft) {
	name := g.newName("i", d.taken)
	expr, typ, gran, ok := g.indexSpec(d.cols)
	if !ok {
		return
	}
	el := "INDEX " + g.ident(name) + " " + expr + " TYPE " + typ
	if gran != "" {
		el += " GRANULARITY " + gran
	}
	d.indexes = append(d.indexes, name)
	d.elements = append(d.elements, el)
}

// indexSpec is an index's expression, type and granularity over cols.
func (g *Gen) indexSpec(cols []*gcol) (expr, typ, gran string, ok bool) {
	types := g.cat.Usable(SurfaceIndex)
	if len(types) == 0 {
		return "", "", "", false
	}
	it := pick(g, types)
	hasVector := slices.ContainsFunc(cols, func(c *gcol) bool { return strings.HasPrefix(c.t.sql, "Array(Float32") })
	if hasVector && g.chance(0.3) {
		it = "vector_similarity"
	}
	if it == "vector_similarity" && !hasVector {
		it = pick(g, types)
	}
	var c *gcol
	var usable []*gcol
	for _, x := range cols {
		if x.kind != "EPHEMERAL" {
			usable = append(usable, x)
		}
	}
	if len(usable) == 0 {
		return "", "", "", false
	}
	c = pick(g, usable)
	switch it {
	case "text", "ngrambf_v1", "tokenbf_v1", "sparse_grams":
		if s := colsOf(usable, vString); len(s) > 0 {
			c = pick(g, s)
		}
	case "vector_similarity":
		for _, x := range usable {
			if strings.HasPrefix(x.t.sql, "Array(Float") || strings.HasPrefix(x.t.sql, "Array(BFloat16") {
				c = x
			}
		}
	}
	g.use(SurfaceIndex, it)
	expr = g.ident(c.name)
	switch g.intn(8) {
	case 0:
		expr = "(" + expr + ")"
	case 1:
		if c.t.kind == vString {
			expr = "lower(" + expr + ")"
		}
	case 2:
		if len(usable) > 1 {
			expr = "(" + expr + ", " + g.ident(pick(g, usable).name) + ")"
		}
	}
	switch it {
	case "minmax":
		typ = "minmax"
	case "set":
		typ = fmt.Sprintf("set(%d)", g.oneOf2(0, 100, 8192))
	case "bloom_filter":
		typ = g.oneOf("bloom_filter", "bloom_filter()", "bloom_filter(0.01)", "bloom_filter(0.025)")
	case "ngrambf_v1":
		typ = fmt.Sprintf("ngrambf_v1(%d, %d, %d, %d)", g.between(1, 5), g.oneOf2(256, 512, 1024), g.between(1, 4), g.between(0, 3))
	case "tokenbf_v1":
		typ = fmt.Sprintf("tokenbf_v1(%d, %d, %d)", g.oneOf2(256, 512, 10240), g.between(1, 4), g.between(0, 3))
	case "sparse_grams":
		typ = fmt.Sprintf("sparse_grams(%d, %d, %d, %d, %d)", 3, g.between(4, 10), g.oneOf2(256, 1024), g.between(1, 3), 0)
	case "text":
		tok := g.oneOf("splitByNonAlpha", "ngrams(3)", "splitByString([' ', ','])", "array", "sparseGrams(3, 5)", "ngrams")
		typ = "text(tokenizer = " + tok + ")"
		if g.chance(0.3) {
			typ = "text(tokenizer = " + tok + ", dictionary_block_size = 128)"
		}
	case "vector_similarity":
		typ = fmt.Sprintf("vector_similarity('hnsw', '%s', %d)", g.oneOf("L2Distance", "cosineDistance"), g.oneOf2(2, 3, 8))
	default:
		typ = it
	}
	if g.chance(0.8) {
		gran = strconv.Itoa(g.oneOf2(1, 2, 3, 4, 8192))
	}
	return expr, typ, gran, true
}

func (g *Gen) oneOf2(xs ...int) int { return pick(g, xs) }

func (g *Gen) projectionElement(d *draft) {
	q, ok := g.projectionQuery(d.cols)
	if !ok {
		return
	}
	name := g.newName("p", d.taken)
	d.projs = append(d.projs, name)
	d.elements = append(d.elements, "PROJECTION "+g.ident(name)+" ("+q+")")
}

// projectionQuery is a projection's SELECT: a reordering or an aggregation.
func (g *Gen) projectionQuery(cols []*gcol) (string, bool) {
	kc := keyCols(cols)
	if len(kc) == 0 {
		return "", false
	}
	k := pick(g, kc)
	if g.chance(0.5) {
		return g.oneOf("SELECT * ORDER BY ", "SELECT "+g.ident(k.name)+" ORDER BY ") + g.ident(k.name), true
	}
	agg := "count()"
	if n := colsOf(cols, vInt); len(n) > 0 && g.chance(0.5) {
		agg = g.oneOf("sum(", "max(", "uniq(") + g.ident(pick(g, n).name) + ")"
	}
	return "SELECT " + g.ident(k.name) + ", " + agg + " GROUP BY " + g.ident(k.name), true
}

func (g *Gen) constraintElement(d *draft) {
	name := g.newName("k", d.taken)
	d.cons = append(d.cons, name)
	d.elements = append(d.elements, "CONSTRAINT "+g.ident(name)+" "+g.oneOf("CHECK ", "ASSUME ")+g.expr(vBool, d.cols, 2))
}

func init() {
	// The outside-system engines, with made-up addresses: the server does
	// not connect when it creates them.
	engineGens["URL"] = fixedEngine("URL('http://127.0.0.1:1/data.csv', CSV)", "URL('http://127.0.0.1:1/x', 'JSONEachRow', 'gzip')")
	engineGens["S3"] = fixedEngine("S3('http://127.0.0.1:1/bucket/x.csv', 'CSV')", "S3('http://127.0.0.1:1/bucket/x.parquet', NOSIGN, 'Parquet')")
	engineGens["MySQL"] = fixedEngine("MySQL('127.0.0.1:1', 'db', 'tbl', 'user', 'password')")
	engineGens["PostgreSQL"] = fixedEngine("PostgreSQL('127.0.0.1:1', 'db', 'tbl', 'user', 'password')")
	engineGens["MongoDB"] = fixedEngine("MongoDB('127.0.0.1:1', 'db', 'coll', 'user', 'password')")
	engineGens["Redis"] = func(g *Gen, d *draft) bool {
		k := keyCols(d.cols)
		if len(k) == 0 {
			return false
		}
		d.engineSQL = "ENGINE = Redis('127.0.0.1:1', 0, 'password')"
		d.clauses = append(d.clauses, "PRIMARY KEY "+g.ident(k[0].name))
		return true
	}
	engineGens["SQLite"] = fixedEngine("SQLite('/nonexistent.db', 'tbl')")
	engineGens["HDFS"] = fixedEngine("HDFS('hdfs://127.0.0.1:1/x.csv', 'CSV')")
}

func fixedEngine(spellings ...string) func(g *Gen, d *draft) bool {
	return func(g *Gen, d *draft) bool {
		d.engineSQL = "ENGINE = " + pick(g, spellings)
		return true
	}
}
