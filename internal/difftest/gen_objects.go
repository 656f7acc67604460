package difftest

import (
	"fmt"
	"strings"
)

// selectQuery is a SELECT over src (or over nothing when src is nil) in one
// of the forms views use: asterisks with EXCEPT/REPLACE/APPLY, COLUMNS(),
// expressions, aggregates, joins, subqueries, UNION ALL, WITH. It returns the
// query and the columns it yields when they are plain (for a TO target).
func (g *Gen) selectQuery(src *gobj) string {
	if src == nil {
		return g.oneOf("SELECT 1 AS x", "SELECT now() AS t, 'a' AS s", "SELECT number FROM numbers(10)",
			"SELECT dummy FROM system.one", "SELECT 1 AS a UNION ALL SELECT 2", "WITH 1 AS y SELECT y + 1 AS z",
			"SELECT number AS n, toString(number) AS s FROM system.numbers LIMIT 5")
	}
	from := g.ref(src)
	if endless[src.engine] {
		// GenerateRandom and the fuzzers never end: read a few rows.
		from = "(SELECT * FROM " + from + " LIMIT 10)"
	}
	cols := src.storedCols()
	if len(cols) == 0 {
		return "SELECT count() AS n FROM " + from
	}
	c := pick(g, cols)
	var items string
	switch g.intn(16) {
	case 0:
		items = "*"
	case 1:
		items = "* EXCEPT (" + g.ident(c.name) + ")"
		if len(cols) == 1 {
			items = "*"
		}
	case 2:
		items = "* EXCEPT " + g.ident(c.name)
		if len(cols) == 1 {
			items = "*"
		}
	case 3:
		items = "* REPLACE (" + g.ident(c.name) + " AS " + g.ident(c.name) + ")"
	case 4:
		items = "COLUMNS('" + g.oneOf("^c", ".", "c1|c2", `\\d`, "^[a-z]+$") + "')"
	case 5:
		items = "COLUMNS('.') APPLY toString"
	case 6:
		items = "* APPLY(toString)"
	case 7:
		items = "count() AS n"
	case 8:
		items = g.ident(c.name) + ", count() AS n"
		return "SELECT " + items + " FROM " + from + " GROUP BY " + g.ident(c.name) + g.oneOf("", " WITH TOTALS", " HAVING n > 1", " ORDER BY n DESC")
	case 9:
		k := g.expr(c.t.kind, cols, 2)
		items = k + " AS e1"
	case 10:
		items = g.ident(c.name) + ", row_number() OVER (PARTITION BY " + g.ident(c.name) + " ORDER BY " + g.ident(c.name) + ") AS rn"
	case 11:
		return "SELECT * FROM (SELECT * FROM " + from + ")" + g.oneOf("", " AS sub", " WHERE 1")
	case 12:
		return "SELECT * FROM " + from + " UNION ALL SELECT * FROM " + from
	case 13:
		return "WITH " + g.oneOf("1 AS one", "(SELECT 1) AS one", "x AS (SELECT * FROM "+from+")") + " SELECT * FROM " + from
	case 14:
		o := g.ident(c.name)
		return "SELECT a." + o + " FROM " + from + " AS a " + g.oneOf("INNER", "LEFT", "ANY LEFT", "CROSS", "FULL OUTER") + " JOIN " + from + " AS b " +
			g.oneOf("ON a."+o+" = b."+o, "USING ("+o+")")
	default:
		parts := make([]string, 0, 3)
		for _, x := range cols[:min(3, len(cols))] {
			parts = append(parts, g.ident(x.name))
		}
		items = strings.Join(parts, ", ")
	}
	q := "SELECT " + items + g.sp() + "FROM " + from
	if g.chance(0.3) {
		q += " WHERE " + g.expr(vBool, cols, 2)
	}
	if g.chance(0.15) {
		q += " ORDER BY " + g.ident(c.name) + g.oneOf("", " DESC", " ASC NULLS FIRST")
	}
	if g.chance(0.1) {
		q += " LIMIT " + g.oneOf("10", "1 BY "+g.ident(c.name), "5 OFFSET 2")
	}
	if g.chance(0.05) {
		q += " SETTINGS max_threads = 1"
	}
	return q
}

// endless are the engines whose tables never run out of rows.
var endless = map[string]bool{"GenerateRandom": true, "FuzzJSON": true, "FuzzQuery": true}

// source picks an object to select from: a table or view, or nothing.
func (g *Gen) source() *gobj {
	objs := g.objectsOf(kTable, kView, kMV)
	if len(objs) == 0 || g.chance(0.1) {
		return nil
	}
	return pick(g, objs)
}

func genCreateView(g *Gen) (Stmt, bool) {
	g.use(SurfaceEngine, "View")
	db := g.database()
	name := g.newName("v", g.objectNameTaken(db))
	src := g.source()
	q := g.selectQuery(src)
	head := g.oneOf("CREATE VIEW ", "CREATE VIEW IF NOT EXISTS ", "CREATE OR REPLACE VIEW ", "create view ")
	var b strings.Builder
	b.WriteString(head + g.viewName(db, name))
	if g.chance(0.05) {
		b.WriteString(g.oneOf(" SQL SECURITY INVOKER", " SQL SECURITY DEFINER", " DEFINER = CURRENT_USER SQL SECURITY DEFINER"))
	}
	b.WriteString(" AS" + g.sp() + q)
	if g.chance(0.2) {
		b.WriteString(" COMMENT " + g.stringLiteral())
	}
	o := &gobj{db: db, name: name, kind: kView}
	if src != nil {
		o.cols = cloneCols(src.storedCols())
		o.slow = src.slow
		src.readers++
	}
	return Stmt{SQL: b.String(), apply: addObject(o)}, true
}

// viewName writes a new object's name, qualified or not.
func (g *Gen) viewName(db *gdb, name string) string {
	if db.session && g.chance(0.5) {
		return g.ident(name)
	}
	return g.dbRef(db) + "." + g.ident(name)
}

func addObject(o *gobj) func(*state) {
	return func(s *state) {
		if old := s.find(o.db, o.name); old != nil {
			s.remove(old) // CREATE OR REPLACE
		}
		s.objects = append(s.objects, o)
	}
}

func genCreateMV(g *Gen) (Stmt, bool) {
	src, ok := g.table(func(o *gobj) bool { return len(o.storedCols()) > 0 })
	if !ok {
		return Stmt{}, false
	}
	g.use(SurfaceEngine, "MaterializedView")
	db := g.database()
	name := g.newName("mv", g.objectNameTaken(db))
	cols := src.storedCols()
	var b strings.Builder
	b.WriteString(g.oneOf("CREATE MATERIALIZED VIEW ", "CREATE MATERIALIZED VIEW IF NOT EXISTS ") + g.viewName(db, name))
	o := &gobj{db: db, name: name, kind: kMV}
	construct := "create-mv/inner"
	switch g.intn(4) {
	case 0, 1: // TO an existing table with the same columns
		target, ok := g.table(func(t *gobj) bool { return t != src && len(t.storedCols()) > 0 })
		if !ok {
			return Stmt{}, false
		}
		construct = "create-mv/to"
		b.WriteString(" TO " + g.qualifiedMaybe(target))
		tc := target.storedCols()
		items := make([]string, 0, len(tc))
		for i, c := range tc {
			if i < len(cols) && g.chance(0.7) {
				items = append(items, g.ident(cols[i].name)+" AS "+g.ident(c.name))
			} else {
				items = append(items, "defaultValueOfTypeName('"+strings.ReplaceAll(c.t.sql, "'", `\'`)+"') AS "+g.ident(c.name))
			}
		}
		b.WriteString(" AS SELECT " + strings.Join(items, ", ") + " FROM " + g.ref(src))
		o.cols = cloneCols(tc)
	case 2: // an inner table
		k := keyCols(cols)
		if len(k) == 0 {
			return Stmt{}, false
		}
		key := pick(g, k)
		b.WriteString(g.sp() + "ENGINE = " + g.oneOf("MergeTree", "MergeTree()", "ReplacingMergeTree", "SummingMergeTree") +
			" ORDER BY " + g.ident(key.name))
		if g.chance(0.2) {
			b.WriteString(" SETTINGS " + strings.Join(g.mergeTreeSettings(1), ", "))
		}
		if g.chance(0.1) && !src.slow {
			b.WriteString(" POPULATE")
		}
		b.WriteString(" AS SELECT * FROM " + g.ref(src))
		o.cols = cloneCols(cols)
	default: // an aggregating inner table
		k := keyCols(cols)
		if len(k) == 0 {
			return Stmt{}, false
		}
		key := pick(g, k)
		agg := "countState() AS n"
		if n := colsOf(cols, vInt); len(n) > 0 {
			agg = g.oneOf("sumState(", "uniqState(", "maxState(") + g.ident(pick(g, n).name) + ") AS n"
		}
		b.WriteString(" ENGINE = AggregatingMergeTree ORDER BY " + g.ident(key.name) +
			" AS SELECT " + g.ident(key.name) + ", " + agg + " FROM " + g.ref(src) + " GROUP BY " + g.ident(key.name))
		construct = "create-mv/aggregating"
	}
	if g.chance(0.15) {
		b.WriteString(" COMMENT " + g.stringLiteral())
	}
	src.readers++
	o.slow = src.slow
	return Stmt{SQL: b.String(), Construct: construct, apply: addObject(o)}, true
}

func (g *Gen) qualifiedMaybe(o *gobj) string {
	if o.db.session && g.chance(0.4) {
		return g.ident(o.name)
	}
	return g.qualified(o)
}

// genRefreshableMV makes a refreshable materialized view, into a table
// (TO) or an inner table, with the clause's every part: intervals of
// several units, spelt out, abbreviated or plural, OFFSET, RANDOMIZE FOR,
// DEPENDS ON, SETTINGS, APPEND, EMPTY. A refresh without APPEND replaces
// its target's rows with a copy of the target made when it starts (an
// ALTER of the target during one is lost), so those periods are long.
func genRefreshableMV(g *Gen) (Stmt, bool) {
	target, ok := g.table(func(t *gobj) bool { return len(t.storedCols()) > 0 })
	if !ok {
		return Stmt{}, false
	}
	g.use(SurfaceEngine, "MaterializedView")
	db := g.database()
	name := g.newName("rmv", g.objectNameTaken(db))
	tc := target.storedCols()
	items := make([]string, len(tc))
	for i, c := range tc {
		items[i] = "defaultValueOfTypeName('" + strings.ReplaceAll(c.t.sql, "'", `\'`) + "') AS " + g.ident(c.name)
	}
	appendMode := g.chance(0.4)
	clause := g.refreshClause(appendMode)
	o := &gobj{db: db, name: name, kind: kMV, cols: cloneCols(tc), refresh: "replace"}
	if appendMode {
		o.refresh = "append"
	}
	var into string
	construct := "create-refreshable-mv"
	if g.chance(0.3) {
		// An inner table: its engine and columns are the view's.
		into = g.oneOf(" ENGINE = Memory", " ENGINE = MergeTree ORDER BY tuple()", " ENGINE = Log")
		construct = "create-refreshable-mv/inner"
	} else {
		into = " TO " + g.qualifiedMaybe(target)
	}
	empty := ""
	if g.chance(0.5) {
		empty = " EMPTY"
	}
	sql := fmt.Sprintf("CREATE MATERIALIZED VIEW %s REFRESH %s%s%s AS SELECT %s",
		g.viewName(db, name), clause, into, empty, strings.Join(items, ", "))
	if g.chance(0.15) {
		sql += " COMMENT " + g.stringLiteral()
	}
	return Stmt{SQL: sql, Construct: construct, apply: addObject(o)}, true
}

// refreshUnitSpellings are the ways the server accepts each interval unit.
var refreshUnitSpellings = map[string][]string{
	"SECOND":  {"SECOND", "SECONDS", "second", "s", "SS", "SQL_TSI_SECOND"},
	"MINUTE":  {"MINUTE", "minutes", "mi", "n", "SQL_TSI_MINUTE"},
	"HOUR":    {"HOUR", "hours", "hh", "h"},
	"DAY":     {"DAY", "Days", "dd", "d"},
	"WEEK":    {"WEEK", "weeks", "wk", "ww"},
	"MONTH":   {"MONTH", "months", "mm", "m"},
	"QUARTER": {"QUARTER", "quarters", "qq", "q"},
	"YEAR":    {"YEAR", "years", "yy", "yyyy"},
}

// refreshInterval writes an interval of one to three units, at least an
// hour long unless short, with numbers that the server normalises (90
// MINUTE is 1 HOUR 30 MINUTE); zero says it may be 0 SECOND.
func (g *Gen) refreshInterval(short, zero bool) string {
	units := []string{"SECOND", "MINUTE", "HOUR", "DAY", "WEEK", "MONTH", "QUARTER", "YEAR"}
	var parts []string
	n := g.between(1, 3)
	first := g.between(2, len(units)-1) // HOUR or longer
	if short {
		first = 0
	}
	used := map[string]bool{}
	for range n {
		u := units[g.between(first, len(units)-1)]
		if used[u] {
			continue
		}
		used[u] = true
		num := g.between(1, 3)
		if g.chance(0.3) {
			num = g.oneOf2(0, 7, 12, 24, 25, 59, 60, 61, 90, 3600, 100000)
		}
		if num == 0 && !zero {
			num = 1
		}
		parts = append(parts, fmt.Sprintf("%d %s", num, pick(g, refreshUnitSpellings[u])))
	}
	return strings.Join(parts, " ")
}

// refreshClause writes a REFRESH clause without the keyword.
func (g *Gen) refreshClause(appendMode bool) string {
	var b strings.Builder
	if g.chance(0.5) {
		// OFFSET must be shorter than the period: a year and less than a
		// week.
		b.WriteString("EVERY " + g.oneOf("1 YEAR", "2 YEAR", "1 year", "12 MONTH", "4 QUARTER"))
		if g.chance(0.5) {
			b.WriteString(fmt.Sprintf(" OFFSET %d DAY %d hh", g.between(0, 6), g.between(0, 30)))
		}
	} else {
		b.WriteString("AFTER " + g.refreshInterval(appendMode && g.chance(0.3), false))
	}
	if g.chance(0.3) {
		b.WriteString(" RANDOMIZE FOR " + g.refreshInterval(true, true))
	}
	if g.chance(0.3) {
		var deps []string
		for _, o := range g.objectsOf(kTable, kMV) {
			if g.chance(0.3) {
				deps = append(deps, g.qualifiedMaybe(o))
			}
		}
		if len(deps) > 0 {
			b.WriteString(" DEPENDS ON " + strings.Join(deps, ", "))
		}
	}
	if g.chance(0.3) {
		var sets []string
		for _, s := range []string{"refresh_retries", "refresh_retry_initial_backoff_ms", "refresh_retry_max_backoff_ms"} {
			if g.chance(0.5) {
				sets = append(sets, s+" = "+g.oneOf("0", "1", "3", "'2'", "100"))
			}
		}
		if len(sets) > 0 {
			b.WriteString(" SETTINGS " + strings.Join(sets, ", "))
		}
	}
	if appendMode {
		b.WriteString(" APPEND")
	}
	return b.String()
}

// genModifyRefresh changes a refreshable view's schedule; the clause
// replaces the whole one, whose APPEND it keeps (the server refuses to
// add or remove it).
func genModifyRefresh(g *Gen) (Stmt, bool) {
	var vs []*gobj
	for _, o := range g.objectsOf(kMV) {
		if o.refresh != "" {
			vs = append(vs, o)
		}
	}
	if len(vs) == 0 {
		return Stmt{}, false
	}
	v := pick(g, vs)
	return Stmt{SQL: "ALTER TABLE " + g.ref(v) + " MODIFY REFRESH " + g.refreshClause(v.refresh == "append")}, true
}

// Dictionaries.

// layoutGens write a layout with parameters and say whether it needs a
// complex key or a range; a layout without a generator is written bare.
var layoutGens = map[string]func(g *Gen) string{
	"flat": func(g *Gen) string { return g.oneOf("FLAT()", "FLAT(INITIAL_ARRAY_SIZE 100 MAX_ARRAY_SIZE 100000)") },
	"hashed": func(g *Gen) string {
		return g.oneOf("HASHED()", "HASHED(SHARDS 2)", "HASHED(SHARDS 4 SHARD_LOAD_QUEUE_BACKLOG 100)")
	},
	"sparse_hashed": func(g *Gen) string { return g.oneOf("SPARSE_HASHED()", "SPARSE_HASHED(SHARDS 2)") },
	"cache":         func(g *Gen) string { return fmt.Sprintf("CACHE(SIZE_IN_CELLS %d)", g.oneOf2(10, 1000, 1000000)) },
	"complex_key_cache": func(g *Gen) string {
		return fmt.Sprintf("COMPLEX_KEY_CACHE(SIZE_IN_CELLS %d)", g.oneOf2(10, 1000))
	},
	"naive_bayes": func(g *Gen) string {
		return "NAIVE_BAYES(class_attribute 'v' n 2 mode " + g.oneOf("'byte'", "'codepoint'", "'token'") + ")"
	},
}

func genCreateDictionary(g *Gen) (Stmt, bool) {
	layout := pick(g, g.cat.Usable(SurfaceLayout))
	if g.chance(0.05) {
		layout = pick(g, g.cat.Names(SurfaceLayout))
	}
	source := pick(g, g.cat.Usable(SurfaceSource))
	if g.chance(0.1) {
		source = pick(g, g.cat.Names(SurfaceSource))
	}
	g.use(SurfaceLayout, layout)
	g.use(SurfaceSource, source)
	db := g.database()
	name := g.newName("d", g.objectNameTaken(db))
	complexKey := g.cat.layout(layout).Complex
	ranged := strings.Contains(layout, "range")
	var attrs []string
	var cols []*gcol
	var keys []string
	taken := func(s string) bool {
		for _, c := range cols {
			if strings.EqualFold(c.name, s) {
				return true
			}
		}
		return false
	}
	addAttr := func(t gtype, extra string) *gcol {
		c := &gcol{name: g.newName("a", taken), t: t}
		cols = append(cols, c)
		attrs = append(attrs, g.ident(c.name)+" "+t.sql+extra)
		return c
	}
	switch {
	case strings.HasPrefix(layout, "polygon"):
		keys = append(keys, g.ident(addAttr(gtype{sql: "Array(Array(Array(Array(Float64))))", kind: vArray}, "").name))
	case layout == "ip_trie":
		keys = append(keys, g.ident(addAttr(g.family("String", 0), "").name))
	case layout == "regexp_tree":
		keys = append(keys, g.ident(addAttr(g.family("String", 0), "").name))
	case complexKey:
		for range g.between(1, 2) {
			keys = append(keys, g.ident(addAttr(g.keyType(), "").name))
		}
	default:
		keys = append(keys, g.ident(addAttr(g.family("UInt64", 0), "").name))
	}
	var rangeClause string
	if ranged {
		t := g.family(g.oneOf("Date", "DateTime", "UInt64", "Date32"), 0)
		lo, hi := addAttr(t, ""), addAttr(t, "")
		rangeClause = " RANGE(MIN " + g.ident(lo.name) + " MAX " + g.ident(hi.name) + ")"
	}
	for range g.between(1, 3) {
		t := g.dictAttrType()
		if layout == "naive_bayes" {
			t = g.family("String", 0)
		}
		extra := ""
		if g.chance(0.4) {
			extra += " DEFAULT " + g.literal(t)
		}
		if g.chance(0.15) {
			extra += " EXPRESSION " + g.oneOf("'1'", "toString(1)", "'x'")
		}
		if t.kind == vInt && g.chance(0.1) {
			extra += " HIERARCHICAL"
		}
		if g.chance(0.1) {
			extra += " INJECTIVE"
		}
		addAttr(t, extra)
	}
	var lay string
	if f, ok := layoutGens[layout]; ok {
		lay = f(g)
	} else {
		lay = g.oneOf(strings.ToUpper(layout), strings.ToLower(layout)) + "()"
	}
	src := g.dictSource(source, cols)
	var b strings.Builder
	b.WriteString(g.oneOf("CREATE DICTIONARY ", "CREATE DICTIONARY IF NOT EXISTS ", "CREATE OR REPLACE DICTIONARY ") + g.viewName(db, name))
	b.WriteString(" (" + g.sp() + strings.Join(attrs, ","+g.sp()) + ")")
	b.WriteString(g.sp() + "PRIMARY KEY " + strings.Join(keys, ", "))
	b.WriteString(g.sp() + "SOURCE(" + src + ")")
	b.WriteString(g.sp() + "LAYOUT(" + lay + ")")
	b.WriteString(g.sp() + g.oneOf("LIFETIME(0)", "LIFETIME(300)", "LIFETIME(MIN 0 MAX 1000)", "LIFETIME(MIN 10 MAX 20)", "LIFETIME(MAX 100 MIN 1)"))
	b.WriteString(rangeClause)
	if g.chance(0.1) {
		b.WriteString(" SETTINGS(format_csv_allow_single_quotes = 0)")
	}
	if g.chance(0.2) {
		b.WriteString(" COMMENT " + g.stringLiteral())
	}
	o := &gobj{db: db, name: name, kind: kDict, cols: cols}
	return Stmt{SQL: b.String(), Construct: "create-dictionary/" + layout, apply: addObject(o)}, true
}

// dictAttrType is a type a dictionary attribute may have: numbers, String,
// dates and times, UUID, IP addresses, Decimal, maybe Nullable.
func (g *Gen) dictAttrType() gtype {
	for range 30 {
		t := g.scalarType(0)
		switch {
		case strings.HasPrefix(t.family, "Interval"), t.family == "FixedString", t.family == "Time", t.family == "Time64",
			strings.HasPrefix(t.family, "Enum"), t.family == "BFloat16":
			continue
		}
		if g.chance(0.1) {
			t.sql = "Nullable(" + t.sql + ")"
		}
		return t
	}
	return g.family("String", 0)
}

// dictSource writes SOURCE(...)'s inside for a source type: a local table
// for CLICKHOUSE, a file in user_files for FILE, made-up addresses for the
// outside systems (the server does not connect until the dictionary
// loads).
func (g *Gen) dictSource(source string, cols []*gcol) string {
	switch source {
	case "clickhouse":
		var parts []string
		if t, ok := g.table(nil); ok && g.chance(0.8) {
			parts = append(parts, "TABLE "+quoteString(t.name))
			if !t.db.session || g.chance(0.5) {
				parts = append(parts, "DB "+g.oneOf("'"+t.db.ref+"'", "'"+t.db.ref+"'"))
			}
		} else {
			parts = append(parts, "QUERY 'SELECT 1'")
		}
		if g.chance(0.3) {
			parts = append(parts, fmt.Sprintf("HOST 'localhost' PORT %d", g.cat.TCPPort))
		}
		if g.chance(0.3) {
			parts = append(parts, "USER 'default'", "PASSWORD ''")
		}
		if g.chance(0.1) {
			parts = append(parts, "WHERE 'id > 0'")
		}
		if g.chance(0.1) {
			parts = append(parts, "INVALIDATE_QUERY 'SELECT 1'")
		}
		return g.oneOf("CLICKHOUSE(", "ClickHouse(", "clickhouse(") + strings.Join(parts, g.oneOf(" ", " ", ", ")) + ")"
	case "null":
		return g.oneOf("NULL()", "NULL")
	case "file":
		return "FILE(path " + g.oneOf("'dict.tsv'", "'data/x.csv'") + " format " + g.oneOf("'TabSeparated'", "'CSV'") + ")"
	case "mysql":
		return "MYSQL(host '127.0.0.1' port 1 user 'u' password 'p' db 'd' table 't')"
	case "postgresql":
		return "POSTGRESQL(host '127.0.0.1' port 1 user 'u' password 'p' db 'd' table 't')"
	case "http":
		return "HTTP(url 'http://127.0.0.1:1/x' format 'TabSeparated')"
	case "redis":
		return "REDIS(host '127.0.0.1' port 1 storage_type 'simple' db_index 0)"
	case "mongodb":
		return "MONGODB(host '127.0.0.1' port 1 user '' password '' db 'd' collection 'c')"
	}
	return strings.ToUpper(source) + "()"
}

// SQL functions.

func genCreateFunction(g *Gen) (Stmt, bool) {
	name := FnVar + g.newName("f", func(s string) bool {
		for _, f := range g.st.functions {
			if strings.EqualFold(f, FnVar+s) {
				return true
			}
		}
		return false
	})
	if !isPlain(strings.TrimPrefix(name, FnVar)) {
		name = FnVar + fmt.Sprintf("f%d", g.fresh)
	}
	params := []string{"x", "y", "z"}[:g.between(0, 3)]
	cols := make([]*gcol, len(params))
	for i, p := range params {
		cols[i] = &gcol{name: p, t: gtype{kind: vInt}}
	}
	body := g.expr(pick(g, []valKind{vInt, vString, vBool, vDate}), cols, 3)
	head := g.oneOf("CREATE FUNCTION ", "CREATE OR REPLACE FUNCTION ", "CREATE FUNCTION IF NOT EXISTS ")
	paramList := "(" + strings.Join(params, ", ") + ")"
	if len(params) == 1 && g.chance(0.4) {
		paramList = params[0]
	}
	return Stmt{SQL: head + name + " AS " + paramList + " -> " + body, apply: func(s *state) {
		for _, f := range s.functions {
			if f == name {
				return
			}
		}
		s.functions = append(s.functions, name)
	}}, true
}

// Databases.

// dbEngineGens write a database engine's clause; others are written bare.
var dbEngineGens = map[string]func(g *Gen) string{
	"Filesystem": func(g *Gen) string { return g.oneOf("Filesystem", "Filesystem('')", "Filesystem('data')") },
	"Lazy":       func(g *Gen) string { return "Lazy(60)" },
}

func genCreateDatabase(g *Gen) (Stmt, bool) {
	if len(g.st.dbs) > 3 {
		return Stmt{}, false
	}
	eng := pick(g, g.cat.Usable(SurfaceDBEngine))
	g.use(SurfaceDBEngine, eng)
	name := fmt.Sprintf("%s_d%d", DBVar, g.fresh)
	g.fresh++
	clause := ""
	switch {
	case g.chance(0.2):
		eng = "Atomic"
	default:
		if f, ok := dbEngineGens[eng]; ok {
			clause = " ENGINE = " + f(g)
		} else {
			clause = " ENGINE = " + eng + g.oneOf("", "", "()")
		}
	}
	sql := g.oneOf("CREATE DATABASE ", "CREATE DATABASE IF NOT EXISTS ") + name + clause
	if g.chance(0.3) {
		sql += " COMMENT " + g.stringLiteral()
	}
	d := &gdb{ref: name, engine: eng}
	return Stmt{SQL: sql, Construct: "create-database/" + eng, apply: func(s *state) { s.dbs = append(s.dbs, d) }}, true
}

// genWindowView makes a window view, which the server creates only with
// the old query analyzer: the statement runs with
// allow_experimental_analyzer = 0, as a profile would set it.
func genWindowView(g *Gen) (Stmt, bool) {
	src, ok := g.table(func(o *gobj) bool {
		_, has := g.dateCol(o.storedCols())
		return has && !o.slow
	})
	if !ok {
		return Stmt{}, false
	}
	dc, _ := g.dateCol(src.storedCols())
	if dc.t.kind != vDateTime {
		return Stmt{}, false
	}
	g.use(SurfaceEngine, "WindowView")
	db := g.database()
	name := g.newName("wv", g.objectNameTaken(db))
	fn := g.oneOf("tumble", "hop")
	window := fmt.Sprintf("tumble(%s, INTERVAL '%d' SECOND)", g.ident(dc.name), g.between(1, 60))
	if fn == "hop" {
		window = fmt.Sprintf("hop(%s, INTERVAL '1' SECOND, INTERVAL '%d' SECOND)", g.ident(dc.name), g.between(2, 60))
	}
	sql := fmt.Sprintf("CREATE WINDOW VIEW %s ENGINE = Memory AS SELECT count() AS c, %sStart(w_id) AS w_start FROM %s GROUP BY %s AS w_id",
		g.viewName(db, name), fn, g.ref(src), window)
	return Stmt{SQL: sql, Settings: map[string]any{"allow_experimental_analyzer": 0},
		apply: addObject(&gobj{db: db, name: name, kind: kView})}, true
}
