package plan

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/chschema/chschema/schema"
)

// This file is the one place where the planner writes SQL. Whole-object
// CREATE statements come from the model's canonical rendering
// (schema.RenderTable and friends), so that a created object reads back
// exactly as the desired schema describes it.

// RecreateSuffix is appended to a table's name for the new table of a
// rebuild (--allow-recreate).
const RecreateSuffix = "__chschema_new"

// generator turns one comparison's changes into statements, sorted into
// the phases of a migration.
type generator struct {
	from, to *schema.Schema
	opts     Options
	errs     Errors

	createDBs, functions             []Statement
	dropViews, dropDicts, dropTables []Statement
	renames, dicts, tables           []Statement
	views                            []viewStatements
	dropDBs, dropFunctions           []Statement
}

type viewStatements struct {
	v     *schema.View
	stmts []Statement
}

// ordered returns the statements in an order the server can run: new
// databases and functions; drops of views, dictionaries, then tables (a
// view may read a table); dictionaries (their sources load lazily, and a
// dictionary that reads a renamed table must be replaced before the server
// allows the rename); renames; tables, then views, in dependency order;
// database and function drops last.
func (g *generator) ordered(renames []Statement) []Statement {
	var out []Statement
	out = append(out, g.createDBs...)
	out = append(out, g.functions...)
	out = append(out, g.dropViews...)
	out = append(out, g.dropDicts...)
	out = append(out, g.dropTables...)
	out = append(out, g.dicts...)
	out = append(out, renames...)
	out = append(out, g.renames...)
	out = append(out, g.tables...)
	for _, v := range orderViews(g.views) {
		out = append(out, v.stmts...)
	}
	out = append(out, g.dropDBs...)
	out = append(out, g.dropFunctions...)
	return out
}

// orderViews puts each view after the views of the list its query names.
func orderViews(vs []viewStatements) []viewStatements {
	done := make([]bool, len(vs))
	var out []viewStatements
	var visit func(i, depth int)
	visit = func(i, depth int) {
		if done[i] || depth > len(vs) {
			return
		}
		for j := range vs {
			if j != i && !done[j] && mentions(string(vs[i].v.Query), vs[j].v.ObjectName()) {
				visit(j, depth+1)
			}
		}
		if !done[i] {
			done[i] = true
			out = append(out, vs[i])
		}
	}
	for i := range vs {
		visit(i, 0)
	}
	return out
}

func mentions(query string, n schema.QualifiedName) bool {
	for _, needle := range []string{n.String(), schema.BackQuote(n.Database) + "." + schema.BackQuote(n.Name)} {
		for i := 0; ; {
			k := strings.Index(query[i:], needle)
			if k < 0 {
				break
			}
			end := i + k + len(needle)
			if end == len(query) || !isIdentChar(query[end]) {
				return true
			}
			i = end
		}
	}
	return false
}

func isIdentChar(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// qname writes db.name with both parts backquoted.
func qname(n schema.QualifiedName) string {
	return schema.BackQuote(n.Database) + "." + schema.BackQuote(n.Name)
}

func (g *generator) changes(cs []schema.Change) {
	for _, c := range cs {
		switch c := c.(type) {
		case *schema.AddDatabase:
			g.createDBs = append(g.createDBs, Statement{SQL: createDatabaseSQL(c.D)})
			for _, x := range c.D.Dictionaries {
				g.dicts = append(g.dicts, Statement{SQL: schema.RenderDictionary(x)})
			}
			for _, t := range c.D.Tables {
				g.tables = append(g.tables, Statement{SQL: schema.RenderTable(t)})
			}
			for _, v := range c.D.Views {
				g.addView(v)
			}
		case *schema.DropDatabase:
			g.dropDBs = append(g.dropDBs, Statement{SQL: "DROP DATABASE " + schema.BackQuote(c.Name),
				Comment: "DESTRUCTIVE: drops the database and everything in it", Destructive: true})
		case *schema.ModifyDatabaseComment:
			g.createDBs = append(g.createDBs, Statement{SQL: "ALTER DATABASE " + schema.BackQuote(c.Name) + " MODIFY COMMENT " + schema.QuoteString(string(c.Comment))})
		case *schema.AddTable:
			g.tables = append(g.tables, Statement{SQL: schema.RenderTable(c.T)})
		case *schema.AddView:
			g.addView(c.V)
		case *schema.AddDictionary:
			g.dicts = append(g.dicts, Statement{SQL: schema.RenderDictionary(c.D)})
		case *schema.DropObject:
			g.drop(c.Name, c.Kind)
		case *schema.RenameObject:
			kind := schema.KindTable
			if o, ok := g.from.Object(c.From); ok {
				kind = o.Kind()
			}
			g.renames = append(g.renames, renameObjectSQL(kind, c.From, c.To))
		case *schema.ModifyTable:
			g.modify(c)
		case *schema.ModifyDictionary:
			g.dicts = append(g.dicts, Statement{SQL: orReplace(schema.RenderDictionary(c.To), "CREATE DICTIONARY"),
				Comment: "A dictionary has no ALTER: it is replaced."})
		case *schema.AddFunction:
			g.functions = append(g.functions, Statement{SQL: "CREATE FUNCTION " + schema.BackQuote(c.F.Name) + " AS " + string(c.F.Body)})
		case *schema.ModifyFunction:
			g.functions = append(g.functions, Statement{SQL: "CREATE OR REPLACE FUNCTION " + schema.BackQuote(c.To.Name) + " AS " + string(c.To.Body)})
		case *schema.DropFunction:
			g.dropFunctions = append(g.dropFunctions, Statement{SQL: "DROP FUNCTION " + schema.BackQuote(c.Name),
				Comment: "DESTRUCTIVE: drops the function", Destructive: true})
		default:
			g.errs = append(g.errs, fmt.Errorf("plan: no SQL for a change of type %T", c))
		}
	}
}

func createDatabaseSQL(d *schema.Database) string {
	s := "CREATE DATABASE " + schema.BackQuote(d.Name)
	if d.Engine.Name != "" {
		s += " ENGINE = " + d.Engine.String()
	}
	if d.Comment != "" {
		s += " COMMENT " + schema.QuoteString(string(d.Comment))
	}
	return s
}

// orReplace turns "CREATE X ..." into "CREATE OR REPLACE X ...".
func orReplace(create, prefix string) string {
	rest, _ := strings.CutPrefix(create, prefix)
	return strings.Replace(prefix, "CREATE", "CREATE OR REPLACE", 1) + rest
}

func (g *generator) addView(v *schema.View) {
	st := Statement{SQL: schema.RenderView(v)}
	if v.Materialized {
		st.Comment = "The materialized view sees only rows inserted from now on (no POPULATE)."
	}
	g.views = append(g.views, viewStatements{v: v, stmts: []Statement{st}})
}

func (g *generator) drop(n schema.QualifiedName, kind schema.ObjectKind) {
	switch kind {
	case schema.KindView, schema.KindMaterializedView:
		g.dropViews = append(g.dropViews, Statement{SQL: "DROP VIEW " + qname(n), Comment: "DESTRUCTIVE: drops the " + strings.ToLower(kind.String()), Destructive: true})
	case schema.KindDictionary:
		g.dropDicts = append(g.dropDicts, Statement{SQL: "DROP DICTIONARY " + qname(n), Comment: "DESTRUCTIVE: drops the dictionary", Destructive: true})
	default:
		g.dropTables = append(g.dropTables, Statement{SQL: "DROP TABLE " + qname(n), Comment: "DESTRUCTIVE: drops the table and its rows", Destructive: true})
	}
}

func renameObjectSQL(kind schema.ObjectKind, from, to schema.QualifiedName) Statement {
	word := "TABLE"
	if kind == schema.KindDictionary {
		word = "DICTIONARY"
	}
	return Statement{SQL: "RENAME " + word + " " + qname(from) + " TO " + qname(to)}
}

func alterSQL(n schema.QualifiedName, actions []string) Statement {
	return Statement{SQL: "ALTER TABLE " + qname(n) + "\n    " + strings.Join(actions, ",\n    ")}
}

func renameColumnActions(cs []schema.Change) []string {
	var out []string
	for _, c := range cs {
		r := c.(*schema.RenameColumn)
		out = append(out, "RENAME COLUMN "+schema.BackQuote(r.From)+" TO "+schema.BackQuote(r.To))
	}
	return out
}

func (g *generator) modify(mt *schema.ModifyTable) {
	of, okF := g.from.Object(mt.Name)
	ot, okT := g.to.Object(mt.Name)
	if !okF || !okT {
		g.errs = append(g.errs, fmt.Errorf("plan: %s: changed object missing from one side", mt.Name))
		return
	}
	switch f := of.(type) {
	case *schema.Table:
		g.alterTable(mt, f, ot.(*schema.Table))
	case *schema.View:
		g.alterView(mt, f, ot.(*schema.View))
	default:
		g.errs = append(g.errs, fmt.Errorf("plan: %s: no ALTER for a %s", mt.Name, of.Kind()))
	}
}

func (g *generator) alterView(mt *schema.ModifyTable, f, t *schema.View) {
	if !t.Materialized {
		g.views = append(g.views, viewStatements{v: t, stmts: []Statement{{
			SQL: orReplace(schema.RenderView(t), "CREATE VIEW"), Comment: "A view is replaced with its new definition."}}})
		return
	}
	var recreate []string
	var actions []string
	for _, c := range mt.Changes {
		switch c := c.(type) {
		case *schema.ModifyQuery:
			actions = append(actions, "MODIFY QUERY "+string(c.Query))
		case *schema.ModifyComment:
			actions = append(actions, "MODIFY COMMENT "+schema.QuoteString(string(c.Comment)))
		case *schema.ModifyRefresh:
			if c.From == nil || c.To == nil || c.From.Append != c.To.Append {
				// The server cannot add or remove a refresh, or APPEND.
				recreate = append(recreate, "its REFRESH clause is added, removed, or changes APPEND")
			} else {
				actions = append(actions, "MODIFY REFRESH "+c.To.String())
			}
		case *schema.ModifyViewTarget:
			recreate = append(recreate, "its TO table changes")
		case *schema.ModifyViewStorage:
			recreate = append(recreate, "the storage of its inner table changes")
		default:
			recreate = append(recreate, fmt.Sprintf("%s", changeWord(c)))
		}
	}
	if len(recreate) > 0 {
		innerLoss := f.To == nil
		if innerLoss && !g.opts.AllowRecreate {
			g.errs = append(g.errs, &RecreateError{Name: mt.Name, Reasons: recreate})
			return
		}
		drop := Statement{SQL: "DROP VIEW " + qname(mt.Name),
			Comment: "The materialized view is recreated: " + strings.Join(recreate, "; ") + ".\nRows inserted into its source between the DROP and the CREATE are not transformed."}
		if innerLoss {
			drop.Comment += "\nDESTRUCTIVE: the rows of its inner table are lost"
			drop.Destructive = true
		}
		g.dropViews = append(g.dropViews, drop)
		g.addView(t)
		return
	}
	g.views = append(g.views, viewStatements{v: t, stmts: []Statement{alterSQL(mt.Name, actions)}})
}

func changeWord(c schema.Change) string {
	return strings.TrimPrefix(fmt.Sprintf("%T", c), "*schema.")
}

func (g *generator) alterTable(mt *schema.ModifyTable, f, t *schema.Table) {
	if reasons := inPlaceProblems(mt, f, t); len(reasons) > 0 {
		if !g.opts.AllowRecreate {
			g.errs = append(g.errs, &RecreateError{Name: mt.Name, Reasons: reasons})
			return
		}
		g.tables = append(g.tables, recreateSQL(mt.Name, f, t, reasons)...)
		return
	}
	var (
		dropsElem, dropsCol, addsCol, modsCol, addsElem, storage []string
		destructive                                              []string
		ttl                                                      string
		settings                                                 []string
		// nestedWhole: a Nested column the server keeps whole is added,
		// which it does only under flatten_nested = 0.
		nestedWhole bool
	)
	for _, c := range mt.Changes {
		switch c := c.(type) {
		case *schema.DropIndex:
			dropsElem = append(dropsElem, "DROP INDEX "+schema.BackQuote(c.Name))
		case *schema.DropProjection:
			dropsElem = append(dropsElem, "DROP PROJECTION "+schema.BackQuote(c.Name))
		case *schema.DropConstraint:
			dropsElem = append(dropsElem, "DROP CONSTRAINT "+schema.BackQuote(c.Name))
		case *schema.DropColumn:
			dropsCol = append(dropsCol, "DROP COLUMN "+schema.BackQuote(c.Name))
			destructive = append(destructive, "drops column "+schema.BackQuote(c.Name)+" and its data")
		case *schema.AddColumn:
			addsCol = append(addsCol, "ADD COLUMN "+schema.RenderColumn(c.C)+position(c.After, c.First))
			nestedWhole = nestedWhole || strings.HasPrefix(string(c.C.Type), "Nested(")
		case *schema.ModifyColumn:
			acts, d := modifyColumn(c)
			modsCol = append(modsCol, acts...)
			destructive = append(destructive, d...)
		case *schema.AddIndex:
			addsElem = append(addsElem, "ADD INDEX "+schema.BackQuote(c.I.Name)+" "+string(c.I.Expr)+" TYPE "+string(c.I.Type)+" GRANULARITY "+strconv.FormatUint(c.I.Granularity, 10))
		case *schema.AddProjection:
			addsElem = append(addsElem, "ADD PROJECTION "+schema.BackQuote(c.P.Name)+" ("+string(c.P.Query)+")")
		case *schema.AddConstraint:
			addsElem = append(addsElem, "ADD CONSTRAINT "+schema.BackQuote(c.C.Name)+" "+string(c.C.Kind)+" "+string(c.C.Expr))
		case *schema.ModifyOrderBy:
			storage = append(storage, "MODIFY ORDER BY "+keyClause(string(c.OrderBy)))
		case *schema.ModifySampleBy:
			if c.SampleBy == "" {
				storage = append(storage, "REMOVE SAMPLE BY")
			} else {
				storage = append(storage, "MODIFY SAMPLE BY "+string(c.SampleBy))
			}
		case *schema.ModifyTTL:
			if c.TTL == "" {
				storage = append(storage, "REMOVE TTL")
			} else {
				ttl = "MODIFY TTL " + string(c.TTL)
			}
		case *schema.ModifySettings:
			settings = append(settings, "MODIFY SETTING "+c.Settings.String())
		case *schema.ResetSettings:
			settings = append(settings, "RESET SETTING "+strings.Join(c.Names, ", "))
		case *schema.ModifyComment:
			storage = append(storage, "MODIFY COMMENT "+schema.QuoteString(string(c.Comment)))
		default:
			g.errs = append(g.errs, fmt.Errorf("plan: %s: no ALTER for %s", mt.Name, changeWord(c)))
			return
		}
	}
	actions := append(append(append(append(append(dropsElem, dropsCol...), addsCol...), modsCol...), addsElem...), storage...)
	// MODIFY TTL, MODIFY SETTING and RESET SETTING take lists that run to
	// the end of the statement: the server's grammar allows only one of
	// them, last. TTL ends the main ALTER; settings, which change only
	// metadata, get ALTERs of their own.
	if ttl != "" {
		actions = append(actions, ttl)
	}
	if len(actions) > 0 {
		st := alterSQL(mt.Name, actions)
		if nestedWhole {
			st.SQL += "\nSETTINGS flatten_nested = 0"
		}
		if len(destructive) > 0 {
			st.Comment = "DESTRUCTIVE: " + strings.Join(destructive, "; ")
			st.Destructive = true
		}
		g.tables = append(g.tables, st)
	}
	for _, a := range settings {
		st := alterSQL(mt.Name, []string{a})
		if len(actions) > 0 {
			st.Comment = "A SETTING list must end its ALTER, so it has its own (a metadata change, no mutation)."
		}
		g.tables = append(g.tables, st)
	}
}

func position(after string, first bool) string {
	switch {
	case first:
		return " FIRST"
	case after != "":
		return " AFTER " + schema.BackQuote(after)
	}
	return ""
}

// modifyColumn writes the actions of one column change: a MODIFY COLUMN
// with the column's type and the parts it gains or changes (the server
// keeps the parts it is not given), REMOVE for the parts it loses, COMMENT
// COLUMN for its comment.
func modifyColumn(c *schema.ModifyColumn) (actions, destructive []string) {
	name := schema.BackQuote(c.To.Name)
	k := c.Kind
	var parts []string
	def := func(d *schema.ColumnDefault) (schema.DefaultKind, schema.Expr) {
		if d == nil {
			return schema.NoDefault, ""
		}
		return d.Kind, d.Expr
	}
	toKind, toExpr := def(c.To.Default)
	fromKind, _ := def(c.From.Default)
	needModify := k.Is(schema.ChangeType) || k.Is(schema.ChangePosition)
	if k.Is(schema.ChangeDefault) && toKind != schema.NoDefault {
		parts = append(parts, string(toKind)+optional(string(toExpr)))
		needModify = true
	}
	if k.Is(schema.ChangeCodec) && c.To.Codec != "" {
		parts = append(parts, string(c.To.Codec))
		needModify = true
	}
	if k.Is(schema.ChangeTTL) && c.To.TTL != "" {
		parts = append(parts, "TTL "+string(c.To.TTL))
		needModify = true
	}
	if k.Is(schema.ChangeSettings) && len(c.To.Settings) > 0 {
		// MODIFY COLUMN c T SETTINGS (…) replaces the column's settings
		// and keeps the rest; MODIFY SETTING would have to end the ALTER.
		parts = append(parts, "SETTINGS ("+c.To.Settings.String()+")")
		needModify = true
	}
	if needModify {
		s := "MODIFY COLUMN " + name + " " + string(c.To.Type)
		if len(parts) > 0 {
			s += " " + strings.Join(parts, " ")
		}
		if k.Is(schema.ChangePosition) {
			s += position(c.After, c.First)
		}
		actions = append(actions, s)
	}
	if k.Is(schema.ChangeDefault) && toKind == schema.NoDefault {
		word := "DEFAULT"
		if fromKind == schema.Materialized || fromKind == schema.Alias {
			word = string(fromKind)
		}
		actions = append(actions, "MODIFY COLUMN "+name+" REMOVE "+word)
	}
	if k.Is(schema.ChangeCodec) && c.To.Codec == "" {
		actions = append(actions, "MODIFY COLUMN "+name+" REMOVE CODEC")
	}
	if k.Is(schema.ChangeTTL) && c.To.TTL == "" {
		actions = append(actions, "MODIFY COLUMN "+name+" REMOVE TTL")
	}
	if k.Is(schema.ChangeComment) {
		actions = append(actions, "COMMENT COLUMN "+name+" "+schema.QuoteString(string(c.To.Comment)))
	}
	if k.Is(schema.ChangeSettings) && len(c.To.Settings) == 0 {
		actions = append(actions, "MODIFY COLUMN "+name+" REMOVE SETTINGS")
	}
	if k.Is(schema.ChangeType) && !Widens(c.From.Type, c.To.Type) {
		destructive = append(destructive, fmt.Sprintf("column %s changes type from %s to %s, which may lose or reject values", name, c.From.Type, c.To.Type))
	}
	return actions, destructive
}

func optional(s string) string {
	if s == "" {
		return ""
	}
	return " " + s
}

// keyClause writes a key as a clause: one element bare, several in
// parentheses, none as tuple().
func keyClause(key string) string {
	switch n := len(schema.SplitKey(key)); {
	case n == 0:
		return "tuple()"
	case n == 1:
		return key
	}
	return "(" + key + ")"
}

// widenings are the integer and float types each type converts to without
// loss.
var widenings = map[string][]string{
	"UInt8":   {"UInt16", "UInt32", "UInt64", "UInt128", "UInt256", "Int16", "Int32", "Int64", "Int128", "Int256", "Float32", "Float64"},
	"UInt16":  {"UInt32", "UInt64", "UInt128", "UInt256", "Int32", "Int64", "Int128", "Int256", "Float32", "Float64"},
	"UInt32":  {"UInt64", "UInt128", "UInt256", "Int64", "Int128", "Int256", "Float64"},
	"UInt64":  {"UInt128", "UInt256", "Int128", "Int256"},
	"Int8":    {"Int16", "Int32", "Int64", "Int128", "Int256", "Float32", "Float64"},
	"Int16":   {"Int32", "Int64", "Int128", "Int256", "Float32", "Float64"},
	"Int32":   {"Int64", "Int128", "Int256", "Float64"},
	"Int64":   {"Int128", "Int256"},
	"Float32": {"Float64"},
	"Date":    {"Date32", "DateTime", "DateTime64"},
}

// Widens reports whether every value of type from converts to type to
// without loss: wider numbers, T to Nullable(T), T to LowCardinality(T), and
// the reverse of LowCardinality. Any other type change is destructive.
func Widens(from, to schema.Type) bool {
	f, t := string(from), string(to)
	if f == t {
		return true
	}
	if inner, ok := unwrap(t, "Nullable"); ok && Widens(from, schema.Type(inner)) {
		return true
	}
	if inner, ok := unwrap(t, "LowCardinality"); ok && Widens(from, schema.Type(inner)) {
		return true
	}
	if inner, ok := unwrap(f, "LowCardinality"); ok && Widens(schema.Type(inner), to) {
		return true
	}
	fi, fOK := unwrap(f, "Nullable")
	ti, tOK := unwrap(t, "Nullable")
	if fOK && tOK {
		return Widens(schema.Type(fi), schema.Type(ti))
	}
	for _, w := range widenings[f] {
		if t == w || strings.HasPrefix(t, w+"(") && w == "DateTime64" {
			return true
		}
	}
	return false
}

func unwrap(t, wrapper string) (string, bool) {
	if s, ok := strings.CutPrefix(t, wrapper+"("); ok && strings.HasSuffix(s, ")") {
		return s[:len(s)-1], true
	}
	return "", false
}

// inPlaceProblems lists why a table change cannot be made with ALTER.
func inPlaceProblems(mt *schema.ModifyTable, f, t *schema.Table) []string {
	var out []string
	added := map[string]bool{}
	withDefault := map[string]bool{}
	for _, c := range mt.Changes {
		if a, ok := c.(*schema.AddColumn); ok {
			added[a.C.Name] = true
			withDefault[a.C.Name] = a.C.Default != nil
		}
	}
	keys := []string{string(f.OrderBy), string(f.PartitionBy), string(f.PrimaryKey), string(f.SampleBy)}
	inKey := func(col string) bool {
		for _, k := range keys {
			if namesColumn(k, col) {
				return true
			}
		}
		return false
	}
	for _, c := range mt.Changes {
		switch c := c.(type) {
		case *schema.ModifyEngine:
			out = append(out, fmt.Sprintf("the engine changes from %s to %s", c.From, c.To))
		case *schema.ModifyPartitionBy:
			out = append(out, fmt.Sprintf("PARTITION BY changes from %s to %s", orNone(string(c.From)), orNone(string(c.To))))
		case *schema.ModifyPrimaryKey:
			r := fmt.Sprintf("the primary key changes from %s to %s", c.From, c.To)
			if f.PrimaryKey == "" || !t.PrimaryKeyExplicit {
				r += " (to extend ORDER BY in place, keep the primary key by writing PRIMARY KEY explicitly)"
			}
			out = append(out, r)
		case *schema.ModifyOrderBy:
			if !appendsNewColumns(string(f.OrderBy), string(c.OrderBy), added) {
				out = append(out, fmt.Sprintf("ORDER BY changes from (%s) to (%s), beyond appending columns added in the same migration", f.OrderBy, c.OrderBy))
			}
			for _, k := range schema.SplitKey(string(c.OrderBy)) {
				if withDefault[strings.Trim(k, "`")] {
					out = append(out, fmt.Sprintf("new sorting key column %s has a default expression, which ClickHouse forbids in an appended key", k))
				}
			}
		case *schema.DropColumn:
			if inKey(c.Name) {
				out = append(out, fmt.Sprintf("key column %s is dropped", schema.BackQuote(c.Name)))
			}
		case *schema.ModifyColumn:
			if c.Kind.Is(schema.ChangeType) && inKey(c.To.Name) {
				out = append(out, fmt.Sprintf("key column %s changes type from %s to %s", schema.BackQuote(c.To.Name), c.From.Type, c.To.Type))
			}
		}
	}
	return out
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// appendsNewColumns reports whether key to is key from with only new
// columns appended, the one ORDER BY change ClickHouse makes in place.
func appendsNewColumns(from, to string, added map[string]bool) bool {
	fk, tk := schema.SplitKey(from), schema.SplitKey(to)
	if len(tk) <= len(fk) {
		return false
	}
	for i, k := range fk {
		if k != tk[i] {
			return false
		}
	}
	for _, k := range tk[len(fk):] {
		if !added[strings.Trim(k, "`")] {
			return false
		}
	}
	return true
}

// namesColumn reports whether the expression expr mentions the identifier
// col.
func namesColumn(expr, col string) bool {
	for _, w := range strings.FieldsFunc(expr, func(r rune) bool { return r > 127 || !isIdentChar(byte(r)) }) {
		if w == col {
			return true
		}
	}
	return strings.Contains(expr, schema.BackQuote(col))
}

// recreateSQL rebuilds a table: a new table with the desired definition,
// the rows copied, the two exchanged, the old one dropped.
func recreateSQL(n schema.QualifiedName, f, t *schema.Table, reasons []string) []Statement {
	tmp := schema.QualifiedName{Database: n.Database, Name: n.Name + RecreateSuffix}
	nt := *t
	nt.Name = tmp.Name
	var cols []string
	for _, c := range t.Columns {
		if c.Default != nil && (c.Default.Kind == schema.Materialized || c.Default.Kind == schema.Alias) {
			continue
		}
		if fc, ok := f.Column(c.Name); ok && (fc.Default == nil || fc.Default.Kind != schema.Ephemeral) {
			cols = append(cols, schema.BackQuote(c.Name))
		}
	}
	var lost []string
	for _, c := range f.Columns {
		if _, ok := t.Column(c.Name); !ok {
			lost = append(lost, schema.BackQuote(c.Name))
		}
	}
	head := "RECREATE " + qname(n) + ": " + strings.Join(reasons, "; ") + ".\n" +
		"ClickHouse cannot change this in place (--allow-recreate): a new table is created, the rows are copied\n" +
		"(INSERT SELECT), the two tables are exchanged, and the old one is dropped. Stop writers first:\n" +
		"rows inserted during the copy are lost. Materialized views reading from or writing TO the table follow its name."
	out := []Statement{
		{SQL: schema.RenderTable(&nt), Comment: head},
		{SQL: "INSERT INTO " + qname(tmp) + " (" + strings.Join(cols, ", ") + ") SELECT " + strings.Join(cols, ", ") + " FROM " + qname(n),
			Comment: "RECREATE: copy the rows."},
		{SQL: "EXCHANGE TABLES " + qname(n) + " AND " + qname(tmp), Comment: "RECREATE: the new table takes the name."},
	}
	drop := Statement{SQL: "DROP TABLE " + qname(tmp), Destructive: true,
		Comment: "RECREATE: drop the old table.\nDESTRUCTIVE: drops the old table"}
	if len(lost) > 0 {
		drop.Comment += " and the data of the columns the new one lacks: " + strings.Join(lost, ", ")
	}
	return append(out, drop)
}
