package diff

import (
	"fmt"
	"strings"

	"github.com/chschema/chschema/schema"
)

// Entry is one fact of a diff in words, the unit that every renderer
// prints: an object added, dropped, renamed or left unverified, or one part
// of an object that differs. From is the text on the From side (the
// expected schema in drift detection) and To the text on the To side (the
// live schema); either is empty when that side has nothing.
type Entry struct {
	// Database is the object's database; empty for SQL functions.
	Database string `json:"database,omitempty"`
	// Object is the object's name; empty for a database-level entry.
	Object string `json:"object,omitempty"`
	// Kind is "database", "table", "view", "materialized view",
	// "dictionary" or "function".
	Kind string `json:"kind"`
	// Action is "added", "dropped", "renamed", "modified" or "unverified".
	Action string `json:"action"`
	// Change names the typed change, e.g. "ModifyColumn".
	Change string `json:"change,omitempty"`
	// Subject is the part that differs, e.g. "column `ts`" or "ttl"; empty
	// when the whole object is added, dropped or renamed.
	Subject string `json:"subject,omitempty"`
	From    string `json:"from,omitempty"`
	To      string `json:"to,omitempty"`
	// Detail adds what a ModifyColumn changes ("type, default") or why an
	// object is unverified.
	Detail string `json:"detail,omitempty"`
	// Pos is, for an unverified object, where the first statement that
	// made it uncertain is; for a difference, where the migration
	// statement that last created, changed, renamed or dropped the object
	// is, when the result knows (Result.Origins).
	Pos *schema.Position `json:"pos,omitempty"`
}

// Name returns the entry's object as db.name, the database alone, or the
// function name.
func (e Entry) Name() string {
	switch {
	case e.Database == "":
		return schema.QuoteIdent(e.Object)
	case e.Object == "":
		return schema.QuoteIdent(e.Database)
	}
	return schema.QualifiedName{Database: e.Database, Name: e.Object}.String()
}

// Entries turns a result into entries: changes first, in the result's
// order, then the unverified objects.
func Entries(r *Result) []Entry {
	var out []Entry
	for _, c := range r.Changes {
		for _, e := range entriesOf(r, c) {
			if pos, ok := r.Origins[schema.QualifiedName{Database: e.Database, Name: e.Object}]; ok && pos.File != "" && pos.Line > 0 {
				e.Pos = &pos
			}
			out = append(out, e)
		}
	}
	for _, u := range r.Unverified {
		reasons := make([]string, len(u.Reasons))
		for i, x := range u.Reasons {
			reasons[i] = x.Reason
			if x.Pos.Line > 0 {
				reasons[i] = x.Pos.String() + ": " + x.Reason
			}
		}
		e := Entry{
			Database: u.Name.Database, Object: u.Name.Name, Kind: kindName(u.Kind),
			Action: "unverified", Detail: strings.Join(reasons, "; "),
		}
		if u.Name.Name == "" {
			e.Kind = "database"
		}
		for _, x := range u.Reasons {
			if x.Pos.File != "" && x.Pos.Line > 0 {
				pos := x.Pos
				e.Pos = &pos
				break
			}
		}
		out = append(out, e)
	}
	return out
}

func entriesOf(r *Result, c schema.Change) []Entry {
	switch c := c.(type) {
	case *schema.AddDatabase:
		return []Entry{{Database: c.D.Name, Kind: "database", Action: "added", Change: "AddDatabase", To: databaseSQL(c.D)}}
	case *schema.DropDatabase:
		from := "database " + schema.QuoteIdent(c.Name)
		if d, ok := r.From.Database(c.Name); ok {
			from = databaseSQL(d)
		}
		return []Entry{{Database: c.Name, Kind: "database", Action: "dropped", Change: "DropDatabase", From: from}}
	case *schema.ModifyDatabaseComment:
		e := Entry{Database: c.Name, Kind: "database", Action: "modified", Change: "ModifyDatabaseComment", Subject: "comment", To: commentText(c.Comment)}
		if d, ok := r.From.Database(c.Name); ok {
			e.From = commentText(d.Comment)
		}
		return []Entry{e}
	case *schema.AddTable:
		return []Entry{objectEntry(c.Name, c.T, "added", "AddTable", "", objectSQL(c.T))}
	case *schema.AddView:
		return []Entry{objectEntry(c.Name, c.V, "added", "AddView", "", objectSQL(c.V))}
	case *schema.AddDictionary:
		return []Entry{objectEntry(c.Name, c.D, "added", "AddDictionary", "", objectSQL(c.D))}
	case *schema.DropObject:
		o, ok := r.From.Object(c.Name)
		if !ok {
			return []Entry{{Database: c.Name.Database, Object: c.Name.Name, Kind: kindName(c.Kind), Action: "dropped", Change: "DropObject"}}
		}
		return []Entry{objectEntry(c.Name, o, "dropped", "DropObject", objectSQL(o), "")}
	case *schema.RenameObject:
		e := Entry{Database: c.From.Database, Object: c.From.Name, Kind: "table", Action: "renamed", Change: "RenameObject", From: c.From.String(), To: c.To.String()}
		if o, ok := r.From.Object(c.From); ok {
			e.Kind = kindName(o.Kind())
		}
		return []Entry{e}
	case *schema.ModifyTable:
		fromObj, _ := r.From.Object(c.Name)
		toObj, _ := r.To.Object(c.Name)
		var out []Entry
		for _, sub := range c.Changes {
			e := partEntry(fromObj, toObj, sub)
			e.Database, e.Object, e.Action = c.Name.Database, c.Name.Name, "modified"
			e.Kind = "table"
			if toObj != nil {
				e.Kind = kindName(toObj.Kind())
			}
			out = append(out, e)
		}
		return out
	case *schema.ModifyDictionary:
		return []Entry{{Database: c.Name.Database, Object: c.Name.Name, Kind: "dictionary", Action: "modified", Change: "ModifyDictionary", Subject: "definition", From: objectSQL(c.From), To: objectSQL(c.To)}}
	case *schema.AddFunction:
		return []Entry{{Object: c.F.Name, Kind: "function", Action: "added", Change: "AddFunction", To: schema.RenderFunction(c.F)}}
	case *schema.DropFunction:
		e := Entry{Object: c.Name, Kind: "function", Action: "dropped", Change: "DropFunction"}
		if f, ok := r.From.Function(c.Name); ok {
			e.From = schema.RenderFunction(f)
		}
		return []Entry{e}
	case *schema.ModifyFunction:
		return []Entry{{Object: c.To.Name, Kind: "function", Action: "modified", Change: "ModifyFunction", Subject: "definition", From: schema.RenderFunction(c.From), To: schema.RenderFunction(c.To)}}
	}
	return []Entry{{Kind: "unknown", Action: "modified", Change: fmt.Sprintf("%T", c)}}
}

// objectSQL is an added or dropped object in full, as the CREATE statement
// `chschema schema` prints (the server's canonical form), so that it can
// be copied and run (without a terminating semicolon).
func objectSQL(o schema.Object) string {
	switch o := o.(type) {
	case *schema.Table:
		return schema.RenderTable(o)
	case *schema.View:
		return schema.RenderView(o)
	case *schema.Dictionary:
		return schema.RenderDictionary(o)
	}
	return summary(o)
}

// databaseSQL is a database in full: its CREATE DATABASE, then the CREATE
// of each object in it, in an order the server can run, one per line,
// separated by semicolons.
func databaseSQL(d *schema.Database) string {
	stmts := schema.Statements(&schema.Schema{Databases: []*schema.Database{d}})
	return strings.Join(stmts, ";\n")
}

func objectEntry(n schema.QualifiedName, o schema.Object, action, change, from, to string) Entry {
	return Entry{Database: n.Database, Object: n.Name, Kind: kindName(o.Kind()), Action: action, Change: change, From: from, To: to}
}

// partEntry describes one change inside a ModifyTable; from and to are the
// object on each side (nil when unknown).
func partEntry(from, to schema.Object, c schema.Change) Entry {
	ft, _ := from.(*schema.Table)
	fv, _ := from.(*schema.View)
	switch c := c.(type) {
	case *schema.AddColumn:
		return Entry{Change: "AddColumn", Subject: "column " + schema.BackQuote(c.C.Name), To: columnText(c.C)}
	case *schema.DropColumn:
		e := Entry{Change: "DropColumn", Subject: "column " + schema.BackQuote(c.Name)}
		if col, ok := columnOf(from, c.Name); ok {
			e.From = columnText(col)
		}
		return e
	case *schema.ModifyColumn:
		e := Entry{Change: "ModifyColumn", Subject: "column " + schema.BackQuote(c.To.Name), To: columnText(c.To), Detail: kindText(c.Kind)}
		if c.From != nil {
			e.From = columnText(c.From)
		}
		if c.Kind.Is(schema.ChangePosition) {
			pos := "FIRST"
			if !c.First {
				pos = "AFTER " + schema.BackQuote(c.After)
			}
			e.To += " " + pos
		}
		return e
	case *schema.AddIndex:
		return Entry{Change: "AddIndex", Subject: "index " + schema.BackQuote(c.I.Name), To: indexText(c.I)}
	case *schema.DropIndex:
		e := Entry{Change: "DropIndex", Subject: "index " + schema.BackQuote(c.Name)}
		if ft != nil {
			if i, ok := ft.Index(c.Name); ok {
				e.From = indexText(i)
			}
		}
		return e
	case *schema.AddProjection:
		return Entry{Change: "AddProjection", Subject: "projection " + schema.BackQuote(c.P.Name), To: projectionText(c.P)}
	case *schema.DropProjection:
		e := Entry{Change: "DropProjection", Subject: "projection " + schema.BackQuote(c.Name)}
		if ft != nil {
			if p, ok := ft.Projection(c.Name); ok {
				e.From = projectionText(p)
			}
		}
		return e
	case *schema.AddConstraint:
		return Entry{Change: "AddConstraint", Subject: "constraint " + schema.BackQuote(c.C.Name), To: constraintText(c.C)}
	case *schema.DropConstraint:
		e := Entry{Change: "DropConstraint", Subject: "constraint " + schema.BackQuote(c.Name)}
		if ft != nil {
			if k, ok := ft.Constraint(c.Name); ok {
				e.From = constraintText(k)
			}
		}
		return e
	case *schema.ModifyEngine:
		return Entry{Change: "ModifyEngine", Subject: "engine", From: "ENGINE = " + c.From.String(), To: "ENGINE = " + c.To.String()}
	case *schema.ModifyPartitionBy:
		return Entry{Change: "ModifyPartitionBy", Subject: "partition key", From: clause("PARTITION BY", string(c.From)), To: clause("PARTITION BY", string(c.To))}
	case *schema.ModifyOrderBy:
		e := Entry{Change: "ModifyOrderBy", Subject: "sorting key", To: clause("ORDER BY", string(c.OrderBy))}
		if st := storageOf(from); st != nil {
			e.From = clause("ORDER BY", string(st.OrderBy))
		}
		return e
	case *schema.ModifyPrimaryKey:
		return Entry{Change: "ModifyPrimaryKey", Subject: "primary key", From: clause("PRIMARY KEY", string(c.From)), To: clause("PRIMARY KEY", string(c.To))}
	case *schema.ModifySampleBy:
		e := Entry{Change: "ModifySampleBy", Subject: "sampling key", To: clause("SAMPLE BY", string(c.SampleBy))}
		if st := storageOf(from); st != nil {
			e.From = clause("SAMPLE BY", string(st.SampleBy))
		}
		return e
	case *schema.ModifyTTL:
		e := Entry{Change: "ModifyTTL", Subject: "ttl", To: clause("TTL", string(c.TTL))}
		if st := storageOf(from); st != nil {
			e.From = clause("TTL", string(st.TTL))
		}
		return e
	case *schema.ModifySettings:
		e := Entry{Change: "ModifySettings", Subject: "settings", To: "SETTINGS " + c.Settings.String()}
		if st := storageOf(from); st != nil {
			var old schema.Settings
			for _, s := range c.Settings {
				if v, ok := st.Settings.Get(s.Name); ok {
					old = append(old, schema.Setting{Name: s.Name, Value: v})
				}
			}
			if len(old) > 0 {
				e.From = "SETTINGS " + old.String()
			}
		}
		return e
	case *schema.ResetSettings:
		e := Entry{Change: "ResetSettings", Subject: "settings"}
		if st := storageOf(from); st != nil {
			var old schema.Settings
			for _, n := range c.Names {
				v, _ := st.Settings.Get(n)
				old = append(old, schema.Setting{Name: n, Value: v})
			}
			e.From = "SETTINGS " + old.String()
		}
		return e
	case *schema.ModifyComment:
		e := Entry{Change: "ModifyComment", Subject: "comment", To: commentText(c.Comment)}
		switch {
		case ft != nil:
			e.From = commentText(ft.Comment)
		case fv != nil:
			e.From = commentText(fv.Comment)
		}
		return e
	case *schema.ModifyQuery:
		e := Entry{Change: "ModifyQuery", Subject: "query", To: "AS " + string(c.Query)}
		if fv != nil {
			e.From = "AS " + string(fv.Query)
		}
		return e
	case *schema.ModifyViewTarget:
		return Entry{Change: "ModifyViewTarget", Subject: "target", From: targetText(c.From), To: targetText(c.To)}
	case *schema.ModifyViewStorage:
		return Entry{Change: "ModifyViewStorage", Subject: "storage", From: storageText(c.From), To: storageText(c.To)}
	case *schema.ModifyRefresh:
		return Entry{Change: "ModifyRefresh", Subject: "refresh", From: refreshText(c.From), To: refreshText(c.To)}
	}
	return Entry{Change: fmt.Sprintf("%T", c)}
}

func columnOf(o schema.Object, name string) (*schema.Column, bool) {
	switch o := o.(type) {
	case *schema.Table:
		return o.Column(name)
	case *schema.View:
		return o.Column(name)
	}
	return nil, false
}

func storageOf(o schema.Object) *schema.Storage {
	switch o := o.(type) {
	case *schema.Table:
		return &o.Storage
	case *schema.View:
		return o.Storage
	}
	return nil
}

func kindName(k schema.ObjectKind) string {
	switch k {
	case schema.KindTable:
		return "table"
	case schema.KindView:
		return "view"
	case schema.KindMaterializedView:
		return "materialized view"
	case schema.KindDictionary:
		return "dictionary"
	}
	return "object"
}

// kindText lists the parts a ModifyColumn changes.
func kindText(k schema.ColumnChangeKind) string {
	var parts []string
	for _, p := range []struct {
		k    schema.ColumnChangeKind
		name string
	}{
		{schema.ChangeType, "type"}, {schema.ChangeDefault, "default"}, {schema.ChangeCodec, "codec"},
		{schema.ChangeComment, "comment"}, {schema.ChangeTTL, "ttl"}, {schema.ChangeSettings, "settings"},
		{schema.ChangePosition, "position"},
	} {
		if k.Is(p.k) {
			parts = append(parts, p.name)
		}
	}
	return strings.Join(parts, ", ")
}

// columnText renders a column definition on one line.
func columnText(c *schema.Column) string {
	var b strings.Builder
	b.WriteString(schema.BackQuote(c.Name) + " " + string(c.Type))
	if c.Default != nil && c.Default.Kind != schema.NoDefault {
		b.WriteString(" " + string(c.Default.Kind))
		if c.Default.Expr != "" {
			b.WriteString(" " + string(c.Default.Expr))
		}
	}
	if c.Comment != "" {
		b.WriteString(" COMMENT " + quoteString(string(c.Comment)))
	}
	if c.Codec != "" {
		b.WriteString(" " + string(c.Codec))
	}
	if c.TTL != "" {
		b.WriteString(" TTL " + string(c.TTL))
	}
	if len(c.Settings) > 0 {
		b.WriteString(" SETTINGS (" + c.Settings.String() + ")")
	}
	return b.String()
}

func indexText(i *schema.Index) string {
	return fmt.Sprintf("INDEX %s %s TYPE %s GRANULARITY %d", schema.BackQuote(i.Name), i.Expr, i.Type, i.Granularity)
}

func projectionText(p *schema.Projection) string {
	return fmt.Sprintf("PROJECTION %s (%s)", schema.BackQuote(p.Name), p.Query)
}

func constraintText(c *schema.Constraint) string {
	return fmt.Sprintf("CONSTRAINT %s %s %s", schema.BackQuote(c.Name), c.Kind, c.Expr)
}

func commentText(c schema.Comment) string {
	if c == "" {
		return ""
	}
	return "COMMENT " + quoteString(string(c))
}

func clause(kw, v string) string {
	if v == "" {
		return ""
	}
	return kw + " " + v
}

func refreshText(r *schema.Refresh) string {
	if r == nil {
		return "(no REFRESH)"
	}
	return "REFRESH " + r.String()
}

func targetText(q *schema.QualifiedName) string {
	if q == nil {
		return "(inner table)"
	}
	return "TO " + q.String()
}

func storageText(s *schema.Storage) string {
	if s == nil {
		return ""
	}
	parts := []string{"ENGINE = " + s.Engine.String()}
	for _, p := range []string{
		clause("PARTITION BY", string(s.PartitionBy)),
		clause("ORDER BY", string(s.OrderBy)),
		clause("SAMPLE BY", string(s.SampleBy)),
		clause("TTL", string(s.TTL)),
	} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	if len(s.Settings) > 0 {
		parts = append(parts, "SETTINGS "+s.Settings.String())
	}
	return strings.Join(parts, " ")
}

// summary describes a whole object on one line.
func summary(o schema.Object) string {
	switch o := o.(type) {
	case *schema.Table:
		return fmt.Sprintf("TABLE %s (%s) %s", o.ObjectName(), columnNames(o.Columns), storageText(&o.Storage))
	case *schema.View:
		s := o.Kind().String() + " " + o.ObjectName().String()
		if o.To != nil {
			s += " TO " + o.To.String()
		}
		if o.Storage != nil {
			s += " " + storageText(o.Storage)
		}
		return s + " AS " + string(o.Query)
	case *schema.Dictionary:
		// The whole definition: a dictionary changes as a whole, and a
		// difference in a part left out (a RANGE, a DEFAULT, the comment)
		// would show as two equal lines.
		return strings.TrimPrefix(schema.RenderDictionary(o), "CREATE ")
	}
	return ""
}

func columnNames(cs []*schema.Column) string {
	parts := make([]string, len(cs))
	for i, c := range cs {
		parts[i] = schema.BackQuote(c.Name) + " " + string(c.Type)
	}
	return strings.Join(parts, ", ")
}

func quoteString(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

// engineText is " ENGINE = e", or nothing for an engine nobody declared.
func engineText(e schema.Engine) string {
	if e.Name == "" {
		return ""
	}
	return " ENGINE = " + e.String()
}
