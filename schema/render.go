package schema

import (
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Render returns the schema as canonical SQL: one CREATE statement per
// object, each ending with ";\n", in an order the server can execute to
// rebuild it: databases, functions, dictionaries, tables, then views and
// materialized views after what they read from and write to. The
// statements are in the form the server prints in create_table_query.
//
// Objects marked uncertain are preceded by a comment saying why; a table
// the model knows no columns of (a CREATE that could not be read) is only
// that comment, since no CREATE can be written for it.
func Render(s *Schema) string {
	var b strings.Builder
	for _, st := range statements(s, true) {
		b.WriteString(st)
		if !strings.HasPrefix(st, "--") {
			b.WriteString(";")
		}
		b.WriteString("\n")
	}
	return b.String()
}

// Statements returns Render's statements, without terminators and without
// the comments.
func Statements(s *Schema) []string { return statements(s, false) }

func statements(s *Schema, comments bool) []string {
	var out []string
	add := func(o Object, create string, ok bool) {
		if comments {
			for _, u := range o.Uncertainties() {
				out = append(out, "-- uncertain: "+o.ObjectName().String()+": "+u.Pos.String()+": "+strings.ReplaceAll(u.Reason, "\n", " "))
			}
		}
		if ok {
			out = append(out, create)
		}
	}
	dbs := append([]*Database(nil), s.Databases...)
	sort.SliceStable(dbs, func(i, j int) bool { return dbs[i].Name < dbs[j].Name })
	for _, d := range dbs {
		out = append(out, RenderDatabase(d))
	}
	fns := append([]*Function(nil), s.Functions...)
	sort.SliceStable(fns, func(i, j int) bool { return fns[i].Name < fns[j].Name })
	for _, f := range fns {
		out = append(out, RenderFunction(f))
	}
	// Dictionaries come before tables: a table default or ENGINE =
	// Dictionary(d) may use one, while a dictionary's source is only read
	// when it loads.
	var views []*View
	for _, d := range dbs {
		xs := append([]*Dictionary(nil), d.Dictionaries...)
		sort.SliceStable(xs, func(i, j int) bool { return xs[i].Name < xs[j].Name })
		for _, x := range xs {
			add(x, RenderDictionary(x), len(x.Attributes) > 0)
		}
	}
	for _, d := range dbs {
		for _, t := range sortedTables(d.Tables) {
			add(t, RenderTable(t), len(t.Columns) > 0 && t.Engine.Name != "")
		}
		views = append(views, d.Views...)
	}
	for _, v := range orderViews(views) {
		add(v, RenderView(v), v.Query != "")
	}
	return out
}

// sortedTables orders tables by name.
func sortedTables(ts []*Table) []*Table {
	out := append([]*Table(nil), ts...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// orderViews orders views by name, each after the views its query names.
func orderViews(vs []*View) []*View {
	sorted := append([]*View(nil), vs...)
	sort.SliceStable(sorted, func(i, j int) bool {
		a, b := sorted[i].ObjectName(), sorted[j].ObjectName()
		if a.Database != b.Database {
			return a.Database < b.Database
		}
		return a.Name < b.Name
	})
	done := map[*View]bool{}
	var out []*View
	var visit func(v *View, depth int)
	visit = func(v *View, depth int) {
		if done[v] || depth > len(sorted) {
			return
		}
		for _, w := range sorted {
			if w != v && !done[w] && mentions(string(v.Query), w.ObjectName()) {
				visit(w, depth+1)
			}
		}
		if !done[v] {
			done[v] = true
			out = append(out, v)
		}
	}
	for _, v := range sorted {
		visit(v, 0)
	}
	return out
}

// mentions reports whether query names the object db.name.
func mentions(query string, n QualifiedName) bool {
	needle := n.String()
	i := 0
	for {
		k := strings.Index(query[i:], needle)
		if k < 0 {
			return false
		}
		end := i + k + len(needle)
		if end == len(query) || !isIdentChar(query[end]) {
			return true
		}
		i = end
	}
}

func isIdentChar(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// RenderDatabase returns CREATE DATABASE IF NOT EXISTS for d (IF NOT EXISTS
// so that the output also runs where the database, e.g. default, exists).
func RenderDatabase(d *Database) string {
	s := "CREATE DATABASE IF NOT EXISTS " + QuoteIdent(d.Name)
	if d.Engine.Name != "" {
		s += " ENGINE = " + d.Engine.String()
	}
	if d.Comment != "" {
		s += " COMMENT " + QuoteString(string(d.Comment))
	}
	return s
}

// RenderFunction returns CREATE FUNCTION for f.
func RenderFunction(f *Function) string {
	return "CREATE FUNCTION " + QuoteIdent(f.Name) + " AS " + string(f.Body)
}

// RenderColumn returns a column definition as create_table_query prints it.
func RenderColumn(c *Column) string {
	s := BackQuote(c.Name)
	if c.Type != "" {
		s += " " + string(c.Type) // empty: the server infers it
	}
	if c.Default != nil {
		s += " " + string(c.Default.Kind)
		if c.Default.Expr != "" {
			s += " " + string(c.Default.Expr)
		}
	}
	if c.Comment != "" {
		s += " COMMENT " + QuoteString(string(c.Comment))
	}
	if c.Codec != "" {
		s += " " + string(c.Codec)
	}
	if c.TTL != "" {
		s += " TTL " + string(c.TTL)
	}
	if len(c.Settings) > 0 {
		s += " SETTINGS (" + c.Settings.String() + ")"
	}
	return s
}

// RenderTable returns CREATE TABLE for t.
func RenderTable(t *Table) string {
	var elems []string
	for _, c := range t.Columns {
		elems = append(elems, RenderColumn(c))
	}
	for _, i := range t.Indexes {
		expr := string(i.Expr)
		if len(SplitKey(expr)) > 1 {
			expr = "(" + expr + ")"
		}
		elems = append(elems, "INDEX "+QuoteIdent(i.Name)+" "+expr+" TYPE "+string(i.Type)+" GRANULARITY "+strconv.FormatUint(i.Granularity, 10))
	}
	for _, c := range t.Constraints {
		elems = append(elems, "CONSTRAINT "+QuoteIdent(c.Name)+" "+string(c.Kind)+" "+string(c.Expr))
	}
	for _, p := range t.Projections {
		elems = append(elems, "PROJECTION "+QuoteIdent(p.Name)+" ("+string(p.Query)+")")
	}
	s := "CREATE TABLE " + t.ObjectName().String() + " (" + strings.Join(elems, ", ") + ")"
	s += renderStorage(t.Storage)
	if t.Comment != "" {
		s += " COMMENT " + QuoteString(string(t.Comment))
	}
	if slices.ContainsFunc(t.Columns, func(c *Column) bool { return strings.HasPrefix(string(c.Type), "Nested(") }) {
		// A Nested column the server keeps whole was made under
		// flatten_nested = 0; by default the server flattens it. The
		// query's SETTINGS come last, after the table's and its COMMENT.
		s += " SETTINGS flatten_nested = 0"
	}
	return s
}

// keyClause renders a key as create_table_query does: one element bare,
// several in parentheses, none as tuple().
func keyClause(key string) string {
	switch n := len(SplitKey(key)); {
	case n == 0:
		return "tuple()"
	case n == 1:
		return key
	}
	return "(" + key + ")"
}

func renderStorage(st Storage) string {
	if st.Engine.Name == "" {
		return ""
	}
	s := " ENGINE = " + st.Engine.String()
	if _, _, _, old := st.Engine.OldSyntax(); old {
		return s // the keys are the engine's arguments
	}
	if st.PartitionBy != "" {
		s += " PARTITION BY " + string(st.PartitionBy)
	}
	if st.PrimaryKeyExplicit {
		s += " PRIMARY KEY " + keyClause(string(st.PrimaryKey))
	}
	if st.Engine.IsMergeTree() {
		// The version column VersionedCollapsingMergeTree appends is not
		// written back.
		order, _ := st.writtenOrderBy()
		s += " ORDER BY " + keyClause(string(order))
	}
	if st.SampleBy != "" {
		s += " SAMPLE BY " + string(st.SampleBy)
	}
	if st.TTL != "" {
		s += " TTL " + string(st.TTL)
	}
	if len(st.Settings) > 0 {
		s += " SETTINGS " + st.Settings.String()
	}
	return s
}

// RenderView returns CREATE [MATERIALIZED] VIEW for v. The column list is
// left for the server to infer from the query (a view declared with a column
// list that renames the query's columns is therefore not rendered exactly),
// except for a materialized view with an inner table whose columns are
// known: they are the inner table's, which MODIFY QUERY may have left
// different from the query's.
func RenderView(v *View) string {
	var s string
	switch {
	case !v.Materialized:
		s = "CREATE VIEW " + v.ObjectName().String()
	case v.To != nil:
		s = "CREATE MATERIALIZED VIEW " + v.ObjectName().String() + renderRefresh(v.Refresh) + " TO " + v.To.String()
	default:
		s = "CREATE MATERIALIZED VIEW " + v.ObjectName().String() + renderRefresh(v.Refresh)
		if v.Storage != nil && len(v.Columns) > 0 {
			var cols []string
			for _, c := range v.Columns {
				cols = append(cols, RenderColumn(c))
			}
			s += " (" + strings.Join(cols, ", ") + ")"
		}
		if v.Storage != nil {
			s += renderStorage(*v.Storage)
		}
	}
	s += " AS " + string(v.Query)
	if v.Comment != "" {
		s += " COMMENT " + QuoteString(string(v.Comment))
	}
	return s
}

// renderRefresh returns " REFRESH clause" for a refreshable view, else "".
func renderRefresh(r *Refresh) string {
	if r == nil {
		return ""
	}
	return " REFRESH " + r.String()
}

// RenderDictionary returns CREATE DICTIONARY for x.
func RenderDictionary(x *Dictionary) string {
	var attrs []string
	for _, a := range x.Attributes {
		s := BackQuote(a.Name) + " " + string(a.Type)
		if a.Default != "" {
			s += " DEFAULT " + string(a.Default)
		}
		if a.Expression != "" {
			s += " EXPRESSION " + string(a.Expression)
		}
		if a.Hierarchical {
			s += " HIERARCHICAL"
		}
		if a.Injective {
			s += " INJECTIVE"
		}
		if a.IsObjectID {
			s += " IS_OBJECT_ID"
		}
		attrs = append(attrs, s)
	}
	s := "CREATE DICTIONARY " + x.ObjectName().String() + " (" + strings.Join(attrs, ", ") + ")"
	if len(x.PrimaryKey) > 0 {
		s += " PRIMARY KEY " + strings.Join(x.PrimaryKey, ", ")
	}
	s += " SOURCE(" + x.Source.Type + "(" + dictParams(x.Source.Params) + "))"
	if !strings.HasSuffix(x.Layout.Type, "DIRECT") || x.Lifetime.Min+x.Lifetime.Max > 0 {
		// A DIRECT layout has no lifetime: the server refuses one.
		s += " LIFETIME(MIN " + strconv.FormatUint(x.Lifetime.Min, 10) + " MAX " + strconv.FormatUint(x.Lifetime.Max, 10) + ")"
	}
	s += " LAYOUT(" + x.Layout.Type + "(" + dictParams(x.Layout.Params) + "))"
	if x.Range != nil {
		s += " RANGE(MIN " + QuoteIdent(x.Range.Min) + " MAX " + QuoteIdent(x.Range.Max) + ")"
	}
	if len(x.Settings) > 0 {
		s += " SETTINGS(" + x.Settings.String() + ")"
	}
	if x.Comment != "" {
		s += " COMMENT " + QuoteString(string(x.Comment))
	}
	return s
}

func dictParams(ps []DictParam) string {
	parts := make([]string, len(ps))
	for i, p := range ps {
		parts[i] = p.Key + " " + string(p.Value)
	}
	return strings.Join(parts, " ")
}

// QuoteString single-quotes s with backslash escapes, as the server's
// formatter does.
func QuoteString(s string) string {
	return "'" + stringEscaper.Replace(s) + "'"
}

// stringEscaper and identEscaper escape what the server's formatter escapes
// in a quoted string and in a backquoted identifier: the backslash, the
// quote, and the control characters \b, \f, \n, \r, \t and NUL; other
// bytes are written as they are. Built once: a Replacer builds its tables
// on first use, which cost more than the replacing in replay's hot path.
var (
	stringEscaper = strings.NewReplacer("\\", `\\`, "'", `\'`, "\n", `\n`, "\t", `\t`, "\r", `\r`, "\x00", `\0`, "\b", `\b`, "\f", `\f`)
	identEscaper  = strings.NewReplacer("\\", `\\`, "`", "\\`", "\n", `\n`, "\t", `\t`, "\r", `\r`, "\x00", `\0`, "\b", `\b`, "\f", `\f`)
)
