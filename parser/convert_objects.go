package parser

import (
	"strconv"
	"strings"

	ch "github.com/AfterShip/clickhouse-sql-parser/parser"

	"github.com/chschema/chschema/schema"
)

// viewSource is what the replayer needs to infer a view's columns: the
// SELECT, read against the schema as it is when the view is created.
type viewSource struct {
	change schema.Change
	query  *ch.SelectQuery
}

func (c *converter) createView(st *ch.CreateView) error {
	name := c.qualify(st.Name)
	if st.OnCluster != nil {
		c.out.OnCluster = clusterName(st.OnCluster.Expr)
	}
	v := &schema.View{Name: name.Name}
	if st.SubQuery != nil {
		v.Query = schema.Expr(c.fmt.selectQuery(st.SubQuery.Select))
	}
	if st.Comment != nil {
		v.Comment = schema.Comment(unescape(st.Comment.Literal))
	}
	if c.comment != nil {
		v.Comment = schema.Comment(unquoteLiteral(c.comment.text))
	}
	add := &schema.AddView{Name: name, V: v, IfNotExists: st.IfNotExists, OrReplace: st.OrReplace}
	if st.TableSchema != nil && len(st.TableSchema.Columns) > 0 {
		t := &schema.Table{}
		if err := c.tableElements(t, st.TableSchema.Columns, nil); err != nil {
			return err
		}
		v.Columns = t.Columns
	} else if st.SubQuery != nil && !c.fmt.params {
		c.views = append(c.views, viewSource{add, st.SubQuery.Select})
	}
	if c.fmt.params {
		// A parameterized view: the server lists no columns for it.
		v.Columns = nil
	}
	c.out.Changes = append(c.out.Changes, add)
	return nil
}

// createViewNoEngine converts a CREATE MATERIALIZED VIEW with neither
// ENGINE nor TO, which the gap layer gave AfterShip as a CREATE VIEW
// (viewNoEngine): its inner table's engine is the server's
// default_table_engine, so the view exists but is uncertain.
func (c *converter) createViewNoEngine(st *ch.CreateView) error {
	if err := c.checkNoEngineStorage(); err != nil {
		return err
	}
	if err := c.createView(st); err != nil {
		return err
	}
	add := c.out.Changes[len(c.out.Changes)-1].(*schema.AddView)
	add.V.Materialized = true
	c.setRefresh(add.V, add.Name, false)
	c.unsupported(int(st.Pos()), "CREATE MATERIALIZED VIEW without ENGINE or TO: the inner table's engine is the server's default_table_engine", add.Name)
	c.out.Unsupported[len(c.out.Unsupported)-1].Exists = true
	return nil
}

// setRefresh puts the REFRESH clause the gap layer read on v; one it could
// not read makes the view unreadable at its position. afterShip says
// AfterShip read a REFRESH the gap layer did not take out.
func (c *converter) setRefresh(v *schema.View, name schema.QualifiedName, afterShip bool) {
	switch rs := c.refresh; {
	case rs != nil && rs.err != nil:
		c.unreadable(rs.err.off, "cannot read the REFRESH clause: "+rs.err.msg, name)
	case rs != nil:
		v.Refresh = qualifyRefresh(rs.r, c.db)
	case afterShip:
		c.unsupported(0, "REFRESH clause not read", name)
	}
}

func (c *converter) createMaterializedView(st *ch.CreateMaterializedView, ephemeral map[string]bool) error {
	name := c.qualify(st.Name)
	if st.OnCluster != nil {
		c.out.OnCluster = clusterName(st.OnCluster.Expr)
	}
	v := &schema.View{Name: name.Name, Materialized: true}
	if st.SubQuery != nil {
		v.Query = schema.Expr(c.fmt.selectQuery(st.SubQuery.Select))
	}
	if st.Comment != nil {
		v.Comment = schema.Comment(unescape(st.Comment.Literal))
	}
	if c.comment != nil {
		v.Comment = schema.Comment(unquoteLiteral(c.comment.text))
	}
	c.setRefresh(v, name, st.Refresh != nil)
	orReplace := strings.EqualFold(c.word(1), "OR")
	add := &schema.AddView{Name: name, V: v, IfNotExists: st.IfNotExists, OrReplace: orReplace}
	schemaCols := st.TableSchema
	if st.Destination != nil {
		to := c.qualify(st.Destination.TableIdentifier)
		v.To = &to
		if st.Destination.TableSchema != nil {
			schemaCols = st.Destination.TableSchema
		}
	}
	if st.Engine != nil {
		s := c.storage(st.Engine)
		v.Storage = &s
	}
	if schemaCols != nil && len(schemaCols.Columns) > 0 {
		t := &schema.Table{}
		if err := c.tableElements(t, schemaCols.Columns, ephemeral); err != nil {
			return err
		}
		v.Columns = t.Columns
	} else if st.SubQuery != nil {
		c.views = append(c.views, viewSource{add, st.SubQuery.Select})
	}
	c.columnSettingsUnknown(name)
	c.descendingKeyUnknown(name)
	c.out.Changes = append(c.out.Changes, add)
	return nil
}

func (c *converter) createFunction(st *ch.CreateFunction) error {
	if st.OnCluster != nil {
		c.out.OnCluster = clusterName(st.OnCluster.Expr)
	}
	f := &schema.Function{Name: st.FunctionName.Name}
	if n, ok := c.names[f.Name]; ok {
		f.Name = n // 01856_f: a name that starts with a digit, a placeholder for AfterShip
	}
	var params []string
	if st.Params != nil && st.Params.Items != nil {
		for _, p := range st.Params.Items.Items {
			params = append(params, c.fmt.expr(p))
		}
	}
	f.Params = params
	var b strings.Builder
	if len(params) == 1 {
		b.WriteString(params[0] + " -> ")
	} else {
		b.WriteString("(" + strings.Join(params, ", ") + ") -> ")
	}
	c.fmt.operand(&b, st.Expr)
	f.Body = schema.Expr(b.String())
	c.out.Changes = append(c.out.Changes, &schema.AddFunction{F: f, IfNotExists: st.IfNotExists, OrReplace: st.OrReplace})
	return nil
}

func (c *converter) createDictionary(st *ch.CreateDictionary) error {
	name := c.qualify(st.Name)
	if st.OnCluster != nil {
		c.out.OnCluster = clusterName(st.OnCluster.Expr)
	}
	d := &schema.Dictionary{Name: name.Name}
	if st.Schema != nil {
		for _, a := range st.Schema.Attributes {
			attr := &schema.DictionaryAttribute{Name: a.Name.Name, Hierarchical: a.Hierarchical, Injective: a.Injective, IsObjectID: a.IsObjectId}
			if orig, ok := c.names[attr.Name]; ok {
				attr.Name = orig // a keyword the gap layer replaced
			}
			if a.Type != nil {
				t, err := NormalizeType(c.typeText(a.Type))
				if err != nil {
					return &offsetError{Offset: int(a.Type.Pos()), Err: err}
				}
				attr.Type = t
			}
			if a.Default != nil {
				attr.Default = schema.Expr(c.fmt.expr(a.Default))
				if span, ok := c.syn.dictDefaults[int(a.Default.Pos())]; ok {
					// -1, 1.5, [1, 2]: taken out for AfterShip.
					lit, ok := dictDefaultLiteral(c.syn.orig, span)
					if !ok {
						return &offsetError{Offset: span[0], Err: errDictDefault}
					}
					attr.Default = schema.Expr(c.fmt.expr(lit))
				}
			}
			if a.Expression != nil {
				attr.Expression = schema.Expr(c.fmt.expr(a.Expression))
			}
			d.Attributes = append(d.Attributes, attr)
		}
	}
	if e := st.Engine; e != nil {
		if e.PrimaryKey != nil && e.PrimaryKey.Keys != nil {
			// PRIMARY KEY (a, b) is the two keys a and b.
			for _, k := range keyElems(e.PrimaryKey.Keys.Items) {
				name := c.fmt.expr(k)
				if orig, ok := c.names[name]; ok {
					name = schema.QuoteIdent(orig) // a keyword the gap layer replaced
				} else if u := strings.ToUpper(name); u == "NULL" || u == "TRUE" || u == "FALSE" {
					// A key is a name: PRIMARY KEY NULL is the attribute
					// called NULL, not the literal.
					name = schema.QuoteIdent(strings.TrimSpace(c.orig[k.Pos():k.End()]))
				}
				d.PrimaryKey = append(d.PrimaryKey, name)
			}
		}
		if e.Source != nil {
			d.Source = schema.DictionarySource{Type: strings.ToUpper(e.Source.Source.Name), Params: c.dictArgs(e.Source.Args)}
		}
		if e.Layout != nil {
			d.Layout = schema.DictionaryLayout{Type: strings.ToUpper(e.Layout.Layout.Name), Params: c.dictArgs(e.Layout.Args)}
			if c.syn.layout != "" {
				d.Layout.Type = strings.ToUpper(c.syn.layout) // LAYOUT(HASHED)
			}
		}
		if l := e.Lifetime; l != nil {
			if l.Value != nil {
				d.Lifetime.Max, _ = strconv.ParseUint(l.Value.Literal, 10, 64)
			}
			if l.Min != nil {
				d.Lifetime.Min, _ = strconv.ParseUint(l.Min.Literal, 10, 64)
			}
			if l.Max != nil {
				d.Lifetime.Max, _ = strconv.ParseUint(l.Max.Literal, 10, 64)
			}
		}
		if r := e.Range; r != nil && r.Min != nil && r.Max != nil {
			d.Range = &schema.DictionaryRange{Min: r.Min.Name, Max: r.Max.Name}
		}
		if e.Settings != nil {
			d.Settings = c.fmt.settings(e.Settings.Items)
		}
	}
	if st.Comment != nil {
		d.Comment = schema.Comment(unescape(st.Comment.Literal))
	}
	// Layouts with a simple key store it as UInt64, whatever the declared
	// integer type; system.dictionaries reports UInt64. The others
	// (COMPLEX_KEY_*, IP_TRIE, POLYGON*, REGEXP_TREE) keep it as declared.
	if simpleKeyLayouts[d.Layout.Type] && len(d.PrimaryKey) == 1 {
		if a, ok := d.Attribute(d.PrimaryKey[0]); ok {
			a.Type = "UInt64"
		}
	}
	c.out.Changes = append(c.out.Changes, &schema.AddDictionary{Name: name, D: d, IfNotExists: st.IfNotExists, OrReplace: st.OrReplace})
	return nil
}

func (c *converter) dictArgs(args []*ch.DictionaryArgExpr) []schema.DictParam {
	var out []schema.DictParam
	for _, a := range args {
		p := schema.DictParam{Key: strings.ToUpper(a.Name.Name)}
		switch {
		case p.Key == "PASSWORD" && a.Value != nil:
			// The server never shows a source's password; neither does the
			// model.
			p.Value = "'[HIDDEN]'"
		case a.Value != nil:
			// The server evaluates a function call here when it creates
			// the dictionary: currentDatabase() is the session's; the
			// rest is left to the server (see drift.Canonicalize).
			c.fmt.foldCurrentDatabase = true
			p.Value = schema.Expr(c.fmt.expr(a.Value))
			c.fmt.foldCurrentDatabase = false
		default:
			var sub []string
			for _, s := range c.dictArgs(a.Args) {
				sub = append(sub, s.Key+" "+string(s.Value))
			}
			p.Value = schema.Expr("(" + strings.Join(sub, " ") + ")")
		}
		out = append(out, p)
	}
	return out
}
