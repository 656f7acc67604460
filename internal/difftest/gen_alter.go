package difftest

import (
	"fmt"
	"slices"
	"strings"
)

// alterCmd is one ALTER TABLE command and its effect on the state.
type alterCmd struct {
	sql   string
	apply func(o *gobj)
	name  string
}

// alterCmds generate one command for a table; each returns false when the
// table gives it nothing to work on.
var alterCmds = map[string]func(g *Gen, o *gobj) (alterCmd, bool){
	"add-column": func(g *Gen, o *gobj) (alterCmd, bool) {
		d := &draft{cols: slices.Clone(o.cols), indexes: o.indexes, projs: o.projections, cons: o.constraints}
		c := g.addCol(d, g.anyType(0), false)
		def := g.columnDef(c, d.cols, isMergeTree(o.engine))
		pos := ""
		var after string
		switch {
		case g.chance(0.15):
			pos = " FIRST"
		case len(o.cols) > 0 && g.chance(0.25):
			after = pick(g, o.cols).name
			pos = " AFTER " + g.ident(after)
		}
		return alterCmd{sql: "ADD COLUMN " + g.oneOf("", "IF NOT EXISTS ") + def + pos, apply: func(o *gobj) {
			if o.col(c.name) != nil {
				return
			}
			switch {
			case pos == " FIRST":
				o.cols = append([]*gcol{c}, o.cols...)
			case after != "":
				i := slices.IndexFunc(o.cols, func(x *gcol) bool { return x.name == after })
				o.cols = slices.Insert(o.cols, i+1, c)
			default:
				o.cols = append(o.cols, c)
			}
		}}, true
	},
	"drop-column": func(g *Gen, o *gobj) (alterCmd, bool) {
		c, ok := g.nonKeyCol(o)
		if !ok || len(o.cols) < 2 {
			return alterCmd{}, false
		}
		return alterCmd{sql: "DROP COLUMN " + g.oneOf("", "IF EXISTS ") + g.ident(c.name), apply: func(o *gobj) {
			o.cols = slices.DeleteFunc(o.cols, func(x *gcol) bool { return x.name == c.name })
		}}, true
	},
	"modify-column": func(g *Gen, o *gobj) (alterCmd, bool) {
		c, ok := g.nonKeyCol(o)
		if !ok {
			return alterCmd{}, false
		}
		n := g.ident(c.name)
		others := slices.DeleteFunc(slices.Clone(o.cols), func(x *gcol) bool { return x == c })
		switch g.intn(10) {
		case 0, 1: // a new type, maybe with a default
			t := g.anyType(0)
			if g.chance(0.5) {
				t = g.scalarType(0)
			}
			sql := "MODIFY COLUMN " + n + " " + t.sql
			kind := c.kind
			if e, ok := g.defaultFor(t, others); ok && g.chance(0.3) {
				kind = "DEFAULT"
				sql += " DEFAULT " + e
			}
			return alterCmd{sql: sql, apply: func(o *gobj) {
				if x := o.col(c.name); x != nil {
					x.t, x.kind = t, kind
				}
			}}, true
		case 2:
			e, ok := g.defaultFor(c.t, others)
			if !ok {
				return alterCmd{}, false
			}
			kind := g.oneOf("DEFAULT", "MATERIALIZED")
			return alterCmd{sql: "MODIFY COLUMN " + n + " " + kind + " " + e, apply: func(o *gobj) {
				if x := o.col(c.name); x != nil {
					x.kind = kind
				}
			}}, true
		case 3:
			return alterCmd{sql: "MODIFY COLUMN " + n + " COMMENT " + g.stringLiteral()}, true
		case 4:
			if !isMergeTree(o.engine) {
				return alterCmd{}, false
			}
			return alterCmd{sql: "MODIFY COLUMN " + n + " " + g.codecList(c.t)}, true
		case 5:
			part := g.oneOf("DEFAULT", "MATERIALIZED", "ALIAS", "CODEC", "COMMENT", "TTL", "SETTINGS")
			return alterCmd{sql: "MODIFY COLUMN " + n + " REMOVE " + part, apply: func(o *gobj) {
				if x := o.col(c.name); x != nil && strings.Contains("DEFAULT MATERIALIZED ALIAS", part) && x.kind == part {
					x.kind = ""
				}
			}}, true
		case 6:
			if len(o.cols) < 2 {
				return alterCmd{}, false
			}
			other := pick(g, others)
			first := g.chance(0.3)
			sql := "MODIFY COLUMN " + n + " " + c.t.sql + " AFTER " + g.ident(other.name)
			if first {
				sql = "MODIFY COLUMN " + n + " " + c.t.sql + " FIRST"
			}
			return alterCmd{sql: sql, apply: func(o *gobj) {
				x := o.col(c.name)
				if x == nil {
					return
				}
				o.cols = slices.DeleteFunc(o.cols, func(y *gcol) bool { return y == x })
				if first {
					o.cols = append([]*gcol{x}, o.cols...)
					return
				}
				i := slices.IndexFunc(o.cols, func(y *gcol) bool { return y.name == other.name })
				o.cols = slices.Insert(o.cols, i+1, x)
			}}, true
		case 7:
			dc, ok := g.dateCol(o.cols)
			if !ok || dc == c || !isMergeTree(o.engine) {
				return alterCmd{}, false
			}
			return alterCmd{sql: "MODIFY COLUMN " + n + " TTL " + g.ident(dc.name) + " + " + g.interval()}, true
		default: // the same type, with everything written again
			return alterCmd{sql: "MODIFY COLUMN " + g.columnDef(&gcol{name: c.name, t: c.t}, others, isMergeTree(o.engine))}, true
		}
	},
	"rename-column": func(g *Gen, o *gobj) (alterCmd, bool) {
		c, ok := g.nonKeyCol(o)
		if !ok {
			return alterCmd{}, false
		}
		d := &draft{cols: o.cols, indexes: o.indexes, projs: o.projections, cons: o.constraints}
		to := g.newName("r", d.taken)
		return alterCmd{sql: "RENAME COLUMN " + g.oneOf("", "IF EXISTS ") + g.ident(c.name) + " TO " + g.ident(to), apply: func(o *gobj) {
			if x := o.col(c.name); x != nil {
				x.name = to
			}
		}}, true
	},
	"column-settings": func(g *Gen, o *gobj) (alterCmd, bool) {
		var cs []*gcol
		for _, c := range o.cols {
			if c.kind != "ALIAS" && c.kind != "EPHEMERAL" && !o.key[c.name] {
				cs = append(cs, c)
			}
		}
		if len(cs) == 0 {
			return alterCmd{}, false
		}
		c := pick(g, cs)
		head := "MODIFY COLUMN " + g.ident(c.name) + " "
		switch g.intn(4) {
		case 0:
			return alterCmd{sql: head + "MODIFY SETTING " + g.columnSettings()}, true
		case 1:
			return alterCmd{sql: head + "RESET SETTING " + pick(g, columnSettingNames)}, true
		case 2:
			return alterCmd{sql: head + "REMOVE SETTINGS"}, true
		}
		return alterCmd{sql: head + c.t.sql + " SETTINGS (" + g.columnSettings() + ")"}, true
	},
	"comment-column": func(g *Gen, o *gobj) (alterCmd, bool) {
		if len(o.cols) == 0 {
			return alterCmd{}, false
		}
		return alterCmd{sql: "COMMENT COLUMN " + g.oneOf("", "IF EXISTS ") + g.ident(pick(g, o.cols).name) + " " + g.stringLiteral()}, true
	},
	"clear-column": func(g *Gen, o *gobj) (alterCmd, bool) {
		c, ok := g.nonKeyCol(o)
		if !ok {
			return alterCmd{}, false
		}
		return alterCmd{sql: "CLEAR COLUMN " + g.ident(c.name) + g.oneOf("", " IN PARTITION tuple()")}, true
	},
	"add-index": func(g *Gen, o *gobj) (alterCmd, bool) {
		expr, typ, gran, ok := g.indexSpec(o.cols)
		if !ok {
			return alterCmd{}, false
		}
		d := &draft{cols: o.cols, indexes: o.indexes, projs: o.projections, cons: o.constraints}
		name := g.newName("i", d.taken)
		sql := "ADD INDEX " + g.oneOf("", "IF NOT EXISTS ") + g.ident(name) + " " + expr + " TYPE " + typ
		if gran != "" {
			sql += " GRANULARITY " + gran
		}
		if len(o.indexes) > 0 && g.chance(0.2) {
			sql += g.oneOf(" FIRST", " AFTER "+g.ident(pick(g, o.indexes)))
		}
		return alterCmd{sql: sql, apply: func(o *gobj) { o.indexes = append(o.indexes, name) }}, true
	},
	"drop-index": func(g *Gen, o *gobj) (alterCmd, bool) {
		if len(o.indexes) == 0 {
			return alterCmd{}, false
		}
		i := pick(g, o.indexes)
		return alterCmd{sql: "DROP INDEX " + g.oneOf("", "IF EXISTS ") + g.ident(i), apply: func(o *gobj) {
			o.indexes = slices.DeleteFunc(o.indexes, func(x string) bool { return x == i })
		}}, true
	},
	"materialize-index": func(g *Gen, o *gobj) (alterCmd, bool) {
		if len(o.indexes) == 0 {
			return alterCmd{}, false
		}
		return alterCmd{sql: g.oneOf("MATERIALIZE INDEX ", "CLEAR INDEX ") + g.ident(pick(g, o.indexes))}, true
	},
	"add-projection": func(g *Gen, o *gobj) (alterCmd, bool) {
		q, ok := g.projectionQuery(o.cols)
		if !ok {
			return alterCmd{}, false
		}
		d := &draft{cols: o.cols, indexes: o.indexes, projs: o.projections, cons: o.constraints}
		name := g.newName("p", d.taken)
		return alterCmd{sql: "ADD PROJECTION " + g.oneOf("", "IF NOT EXISTS ") + g.ident(name) + " (" + q + ")", apply: func(o *gobj) {
			o.projections = append(o.projections, name)
		}}, true
	},
	"drop-projection": func(g *Gen, o *gobj) (alterCmd, bool) {
		if len(o.projections) == 0 {
			return alterCmd{}, false
		}
		p := pick(g, o.projections)
		if g.chance(0.3) {
			return alterCmd{sql: g.oneOf("MATERIALIZE PROJECTION ", "CLEAR PROJECTION ") + g.ident(p)}, true
		}
		return alterCmd{sql: "DROP PROJECTION " + g.oneOf("", "IF EXISTS ") + g.ident(p), apply: func(o *gobj) {
			o.projections = slices.DeleteFunc(o.projections, func(x string) bool { return x == p })
		}}, true
	},
	"add-constraint": func(g *Gen, o *gobj) (alterCmd, bool) {
		d := &draft{cols: o.cols, indexes: o.indexes, projs: o.projections, cons: o.constraints}
		name := g.newName("k", d.taken)
		return alterCmd{sql: "ADD CONSTRAINT " + g.oneOf("", "IF NOT EXISTS ") + g.ident(name) + g.oneOf(" CHECK ", " ASSUME ") + g.expr(vBool, o.cols, 2),
			apply: func(o *gobj) { o.constraints = append(o.constraints, name) }}, true
	},
	"drop-constraint": func(g *Gen, o *gobj) (alterCmd, bool) {
		if len(o.constraints) == 0 {
			return alterCmd{}, false
		}
		k := pick(g, o.constraints)
		return alterCmd{sql: "DROP CONSTRAINT " + g.oneOf("", "IF EXISTS ") + g.ident(k), apply: func(o *gobj) {
			o.constraints = slices.DeleteFunc(o.constraints, func(x string) bool { return x == k })
		}}, true
	},
	"modify-ttl": func(g *Gen, o *gobj) (alterCmd, bool) {
		dc, ok := g.dateCol(o.cols)
		if !ok {
			return alterCmd{}, false
		}
		return alterCmd{sql: "MODIFY TTL " + g.tableTTL(o.cols, dc), apply: func(o *gobj) { o.ttl = true }}, true
	},
	"remove-ttl": func(g *Gen, o *gobj) (alterCmd, bool) {
		if !o.ttl {
			return alterCmd{}, false
		}
		if g.chance(0.3) {
			return alterCmd{sql: "MATERIALIZE TTL"}, true
		}
		return alterCmd{sql: "REMOVE TTL", apply: func(o *gobj) { o.ttl = false }}, true
	},
	"modify-setting": func(g *Gen, o *gobj) (alterCmd, bool) {
		if !isMergeTree(o.engine) {
			return alterCmd{}, false
		}
		set := g.mergeTreeSettings(g.between(1, 2))
		return alterCmd{sql: "MODIFY SETTING " + strings.Join(set, ", ")}, true
	},
	"reset-setting": func(g *Gen, o *gobj) (alterCmd, bool) {
		if !isMergeTree(o.engine) {
			return alterCmd{}, false
		}
		s := pick(g, g.cat.Settings)
		g.use(SurfaceSetting, s.Name)
		return alterCmd{sql: "RESET SETTING " + s.Name}, true
	},
	"modify-comment": func(g *Gen, o *gobj) (alterCmd, bool) {
		return alterCmd{sql: "MODIFY COMMENT " + g.stringLiteral()}, true
	},
	"modify-order-by": func(g *Gen, o *gobj) (alterCmd, bool) {
		if !isMergeTree(o.engine) {
			return alterCmd{}, false
		}
		d := &draft{cols: slices.Clone(o.cols), indexes: o.indexes, projs: o.projections, cons: o.constraints}
		c := g.addCol(d, g.keyType(), true)
		var keys []string
		for _, x := range o.cols {
			if o.key[x.name] {
				keys = append(keys, g.ident(x.name))
			}
		}
		keys = append(keys, g.ident(c.name))
		return alterCmd{sql: "ADD COLUMN " + g.ident(c.name) + " " + c.t.sql + ", MODIFY ORDER BY (" + strings.Join(keys, ", ") + ")",
			apply: func(o *gobj) {
				o.cols = append(o.cols, c)
				o.key[c.name] = true
			}}, true
	},
	"modify-sample-by": func(g *Gen, o *gobj) (alterCmd, bool) {
		if !isMergeTree(o.engine) {
			return alterCmd{}, false
		}
		return alterCmd{sql: g.oneOf("REMOVE SAMPLE BY", "MODIFY SAMPLE BY "+g.ident(pick(g, o.cols).name))}, true
	},
	"update-delete": func(g *Gen, o *gobj) (alterCmd, bool) {
		c, ok := g.nonKeyCol(o)
		if !ok || c.kind != "" {
			return alterCmd{}, false
		}
		if g.chance(0.5) {
			return alterCmd{sql: "DELETE WHERE " + g.expr(vBool, o.cols, 1)}, true
		}
		return alterCmd{sql: "UPDATE " + g.ident(c.name) + " = " + g.ident(c.name) + " WHERE " + g.expr(vBool, o.cols, 1)}, true
	},
	"partition": func(g *Gen, o *gobj) (alterCmd, bool) {
		return alterCmd{sql: g.oneOf("DROP PARTITION tuple()", "DETACH PARTITION tuple()", "DROP PARTITION ID 'all'",
			"DETACH PARTITION ID 'all'", "ATTACH PARTITION ID 'all'", "FREEZE", "DROP DETACHED PARTITION ID 'all' SETTINGS allow_drop_detached = 1",
			"ATTACH PARTITION ALL", "APPLY DELETED MASK")}, true
	},
}

// alterNames is alterCmds' keys in a fixed order, for determinism.
var alterNames = func() []string {
	var out []string
	for k := range alterCmds {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}()

func (g *Gen) nonKeyCol(o *gobj) (*gcol, bool) {
	var cs []*gcol
	for _, c := range o.cols {
		if !o.key[c.name] {
			cs = append(cs, c)
		}
	}
	if len(cs) == 0 {
		return nil, false
	}
	return pick(g, cs), true
}

// genAlter is ALTER TABLE with one command, now and then two or three.
func genAlter(g *Gen) (Stmt, bool) {
	// Most engines refuse most ALTERs: alter MergeTree tables mostly.
	o, ok := g.table(func(o *gobj) bool { return isMergeTree(o.engine) })
	if !ok || g.chance(0.15) {
		if o, ok = g.table(nil); !ok {
			return Stmt{}, false
		}
	}
	var cmds []alterCmd
	for range g.between(1, 3) {
		if len(cmds) > 0 && g.chance(0.6) {
			break
		}
		name := pick(g, alterNames)
		c, ok := alterCmds[name](g, o)
		if !ok {
			continue
		}
		c.name = name
		cmds = append(cmds, c)
	}
	if len(cmds) == 0 {
		return Stmt{}, false
	}
	parts := make([]string, len(cmds))
	names := make([]string, len(cmds))
	for i, c := range cmds {
		parts[i] = c.sql
		names[i] = c.name
	}
	construct := "alter/" + strings.Join(names, "+")
	if len(cmds) > 1 {
		construct = "alter/multi"
	}
	sep := "," + g.sp()
	sql := g.oneOf("ALTER TABLE ", "ALTER TABLE ", "alter table ") + g.ref(o) + g.sp() + strings.Join(parts, sep)
	return Stmt{SQL: sql, Construct: construct, apply: func(s *state) {
		for _, c := range cmds {
			if c.apply != nil {
				c.apply(o)
			}
		}
	}}, true
}

// genModifyQuery changes a materialized view's or a view's query.
func genModifyQuery(g *Gen) (Stmt, bool) {
	vs := g.objectsOf(kMV, kView)
	if len(vs) == 0 {
		return Stmt{}, false
	}
	v := pick(g, vs)
	src := g.source()
	return Stmt{SQL: "ALTER TABLE " + g.ref(v) + " MODIFY QUERY " + g.selectQuery(src)}, true
}

// Renames, exchanges and drops.

func genRename(g *Gen) (Stmt, bool) {
	objs := g.objectsOf(kTable, kView, kMV, kDict)
	if len(objs) == 0 {
		return Stmt{}, false
	}
	o := pick(g, objs)
	to := g.database()
	if o.kind == kDict {
		to = o.db
	}
	name := g.newName("t", g.objectNameTaken(to))
	kw := "TABLE"
	if o.kind == kDict {
		kw = "DICTIONARY"
	}
	if g.chance(0.2) && o.kind != kDict {
		kw = ""
	}
	target := g.dbRef(to) + "." + g.ident(name)
	if to.session && to == o.db && g.chance(0.5) {
		target = g.ident(name)
	}
	sql := "RENAME " + kw + " " + g.ref(o) + " TO " + target
	sql = strings.ReplaceAll(sql, "RENAME  ", "RENAME ")
	return Stmt{SQL: sql, apply: func(s *state) {
		o.db, o.name = to, name
	}}, true
}

func genExchange(g *Gen) (Stmt, bool) {
	ts := g.objectsOf(kTable)
	if len(ts) < 2 {
		return Stmt{}, false
	}
	a, b := pick(g, ts), pick(g, ts)
	if a == b {
		return Stmt{}, false
	}
	return Stmt{SQL: "EXCHANGE TABLES " + g.ref(a) + " AND " + g.ref(b), apply: func(s *state) {
		a.db, b.db = b.db, a.db
		a.name, b.name = b.name, a.name
	}}, true
}

func genDrop(g *Gen) (Stmt, bool) {
	objs := g.objectsOf(kTable, kView, kMV, kDict)
	if len(objs) == 0 {
		return Stmt{}, false
	}
	o := pick(g, objs)
	kw := map[objKind]string{kTable: "TABLE", kView: "VIEW", kMV: "VIEW", kDict: "DICTIONARY"}[o.kind]
	if o.kind != kDict && g.chance(0.2) {
		kw = "TABLE"
	}
	sql := "DROP " + kw + g.oneOf(" ", " IF EXISTS ") + g.ref(o) + g.oneOf("", "", " SYNC", " NO DELAY")
	if o.kind == kTable && g.chance(0.15) {
		// The rarer forms (issue 11 lists them as defects on another branch).
		sql = g.oneOf("DROP TABLE IF EMPTY ", "DROP TABLE IF EXISTS IF EMPTY ") + g.ref(o) + g.oneOf("", " SYNC")
		if g.chance(0.5) {
			sql = "DROP TABLE " + g.ref(o) + " SYNC SETTINGS max_table_size_to_drop = 0"
		}
	}
	detach := false
	if g.chance(0.15) {
		sql = "DETACH " + kw + " " + g.ref(o) + g.oneOf("", " PERMANENTLY", " SYNC")
		detach = true
	}
	return Stmt{SQL: sql, Construct: strings.Fields(sql)[0] + "/" + strings.ToLower(kw), apply: func(s *state) {
		s.remove(o)
		_ = detach
	}}, true
}

func genDropDatabase(g *Gen) (Stmt, bool) {
	if len(g.st.dbs) < 2 {
		return Stmt{}, false
	}
	d := pick(g, g.st.dbs[1:])
	return Stmt{SQL: "DROP DATABASE " + g.oneOf("", "IF EXISTS ") + g.dbRef(d) + g.oneOf("", " SYNC"), apply: func(s *state) {
		s.dbs = slices.DeleteFunc(s.dbs, func(x *gdb) bool { return x == d })
		s.objects = slices.DeleteFunc(s.objects, func(o *gobj) bool { return o.db == d })
	}}, true
}

// genRenameDatabase renames a database the case made: its objects move
// with it, and what they name stays as written.
func genRenameDatabase(g *Gen) (Stmt, bool) {
	var ds []*gdb
	for _, d := range g.st.dbs[1:] {
		if d.engine == "Atomic" {
			ds = append(ds, d)
		}
	}
	if len(ds) == 0 {
		return Stmt{}, false
	}
	d := pick(g, ds)
	name := fmt.Sprintf("%s_d%d", DBVar, g.fresh)
	g.fresh++
	return Stmt{SQL: "RENAME DATABASE " + g.dbRef(d) + " TO " + name, apply: func(*state) { d.ref = name }}, true
}

// genDetachDatabase detaches a database the case made, with its objects.
func genDetachDatabase(g *Gen) (Stmt, bool) {
	if len(g.st.dbs) < 2 {
		return Stmt{}, false
	}
	d := pick(g, g.st.dbs[1:])
	return Stmt{SQL: "DETACH DATABASE " + g.oneOf("", "IF EXISTS ") + g.dbRef(d), apply: func(s *state) {
		var objs []*gobj
		for _, o := range s.objects {
			if o.db == d {
				objs = append(objs, o)
			}
		}
		s.dbs = slices.DeleteFunc(s.dbs, func(x *gdb) bool { return x == d })
		s.objects = slices.DeleteFunc(s.objects, func(o *gobj) bool { return o.db == d })
		s.detached = append(s.detached, detachedDB{d, objs})
	}}, true
}

// genAttachDatabase brings back a detached database with its objects.
func genAttachDatabase(g *Gen) (Stmt, bool) {
	if len(g.st.detached) == 0 {
		return Stmt{}, false
	}
	x := pick(g, g.st.detached)
	return Stmt{SQL: "ATTACH DATABASE " + g.oneOf("", "IF NOT EXISTS ") + g.dbRef(x.db), apply: func(s *state) {
		s.detached = slices.DeleteFunc(s.detached, func(y detachedDB) bool { return y.db == x.db })
		s.dbs = append(s.dbs, x.db)
		s.objects = append(s.objects, x.objects...)
	}}, true
}

func genDropFunction(g *Gen) (Stmt, bool) {
	if len(g.st.functions) == 0 {
		return Stmt{}, false
	}
	f := pick(g, g.st.functions)
	return Stmt{SQL: "DROP FUNCTION " + g.oneOf("", "IF EXISTS ") + f, apply: func(s *state) {
		s.functions = slices.DeleteFunc(s.functions, func(x string) bool { return x == f })
	}}, true
}

// genCreateTableAs copies a table's structure: CREATE TABLE x AS y, with
// or without another engine.
func genCreateTableAs(g *Gen) (Stmt, bool) {
	src, ok := g.table(func(o *gobj) bool { return len(o.cols) > 0 })
	if !ok {
		return Stmt{}, false
	}
	db := g.database()
	name := g.newName("t", g.objectNameTaken(db))
	sql := "CREATE TABLE " + g.viewName(db, name) + " AS " + g.ref(src)
	engine := src.engine
	var orderBy string
	switch {
	case g.chance(0.4):
		engine = g.oneOf("Memory", "Log", "MergeTree")
		sql += " ENGINE = " + engine
		if engine == "MergeTree" {
			sql += " ORDER BY tuple()"
		}
	case isMergeTree(src.engine) && g.chance(0.5):
		// Storage clauses without ENGINE: each replaces the source's.
		if cols := src.storedCols(); len(cols) > 0 && g.chance(0.5) {
			orderBy = pick(g, cols).name
			sql += " ORDER BY " + g.ident(orderBy)
		} else if g.chance(0.3) {
			sql += " ORDER BY tuple()"
		}
		if g.chance(0.5) {
			sql += " SETTINGS " + g.oneOf("index_granularity = 1024", "merge_with_ttl_timeout = 3600", "index_granularity = 4096, min_bytes_for_wide_part = 0")
		}
		if g.chance(0.3) {
			sql += " COMMENT 'as'"
		}
	}
	o := &gobj{db: db, name: name, kind: kTable, engine: engine, cols: cloneCols(src.cols), key: map[string]bool{}}
	for k := range src.key {
		o.key[k] = true
	}
	if orderBy != "" {
		o.key[orderBy] = true
	}
	return Stmt{SQL: sql, apply: addObject(o)}, true
}

// genCreateTableAsSelect is CREATE TABLE ... AS SELECT, whose column types
// the server infers.
func genCreateTableAsSelect(g *Gen) (Stmt, bool) {
	db := g.database()
	name := g.newName("t", g.objectNameTaken(db))
	src := g.source()
	if src != nil && src.slow {
		// Reading it may never end (a Merge table matching the new one,
		// GenerateRandom, a URL).
		src = nil
	}
	sql := "CREATE TABLE " + g.viewName(db, name) + g.oneOf(" ENGINE = Memory", " ENGINE = MergeTree ORDER BY tuple()", " ENGINE = Log") +
		" AS " + g.selectQuery(src)
	return Stmt{SQL: sql, apply: addObject(&gobj{db: db, name: name, kind: kTable, engine: "Memory", key: map[string]bool{}})}, true
}

// readsOthers are the engines whose tables read other tables.
var readsOthers = map[string]bool{"Merge": true, "Remote": true, "Buffer": true, "Distributed": true, "Alias": true}

// genRecreate writes CREATE ... IF NOT EXISTS over an existing name with a
// different body (the server keeps the old object), or CREATE OR REPLACE.
func genRecreate(g *Gen) (Stmt, bool) {
	o, ok := g.table(nil)
	if !ok {
		return Stmt{}, false
	}
	c := &gcol{name: "z", t: g.family("UInt8", 0)}
	if g.chance(0.5) {
		return Stmt{SQL: "CREATE TABLE IF NOT EXISTS " + g.ref(o) + " (z UInt8) ENGINE = Memory"}, true
	}
	return Stmt{SQL: g.oneOf("CREATE OR REPLACE TABLE ", "REPLACE TABLE ") + g.ref(o) + " (z UInt8) ENGINE = Memory", apply: func(s *state) {
		o.cols, o.engine, o.key, o.indexes, o.projections, o.constraints, o.ttl = []*gcol{c}, "Memory", map[string]bool{}, nil, nil, nil, false
	}}, true
}

// Data and other statements without a schema effect.

func genData(g *Gen) (Stmt, bool) {
	o, ok := g.table(nil)
	if !ok {
		return Stmt{SQL: g.oneOf("SELECT 1", "SELECT 'a;b'", "SET max_threads = 2", "SHOW TABLES", "SYSTEM FLUSH LOGS")}, true
	}
	cols := o.storedCols()
	if o.slow {
		// Reading or writing it may never end.
		return Stmt{SQL: g.oneOf("DESCRIBE TABLE ", "SHOW CREATE TABLE ", "EXISTS TABLE ") + g.ref(o)}, true
	}
	switch g.intn(9) {
	case 0:
		return Stmt{SQL: "INSERT INTO " + g.ref(o) + " SELECT * FROM generateRandom() LIMIT " + g.oneOf("1", "10")}, true
	case 1:
		if len(cols) == 0 {
			break
		}
		c := pick(g, cols)
		return Stmt{SQL: "INSERT INTO " + g.ref(o) + " (" + g.ident(c.name) + ") VALUES (" + g.literal(c.t) + ")"}, true
	case 2:
		if len(cols) == 0 {
			break
		}
		c := pick(g, cols)
		return Stmt{SQL: "INSERT INTO " + g.ref(o) + " (" + g.ident(c.name) + ") WITH " + g.literal(c.t) + " AS y SELECT y"}, true
	case 3:
		return Stmt{SQL: "OPTIMIZE TABLE " + g.ref(o) + g.oneOf("", " FINAL", " FINAL DEDUPLICATE")}, true
	case 4:
		return Stmt{SQL: "TRUNCATE TABLE " + g.oneOf("", "IF EXISTS ") + g.ref(o)}, true
	case 5:
		if len(cols) == 0 {
			break
		}
		return Stmt{SQL: "DELETE FROM " + g.ref(o) + " WHERE " + g.expr(vBool, cols, 1)}, true
	case 6:
		return Stmt{SQL: "SELECT count() FROM " + g.ref(o)}, true
	case 7:
		return Stmt{SQL: g.oneOf("DESCRIBE TABLE ", "SHOW CREATE TABLE ", "CHECK TABLE ", "EXISTS TABLE ") + g.ref(o)}, true
	}
	return Stmt{SQL: "SELECT 1"}, true
}
