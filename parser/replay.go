package parser

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	ch "github.com/AfterShip/clickhouse-sql-parser/parser"

	"github.com/chschema/chschema/schema"
)

// Replayer builds an expected schema offline by replaying SQL statements on
// a model, statement by statement, the way the server would execute them.
// It collects every error and finding of a run instead of stopping at the
// first one.
type Replayer struct {
	schema   *schema.Schema
	database string
	findings []Finding
	errs     ReplayErrors
	// temporary are the temporary tables of the session, which a DROP
	// TABLE of their name drops before any table of the database.
	temporary map[string]bool
	// settings are what the session's SET statements set so far.
	settings sessionSettings
	// trusted says the statements have run on the server (see
	// TrustStatements).
	trusted bool
	// origins are where each object was last touched (see Origins).
	origins schema.Origins
}

// TrustStatements makes the replayer take the statements it replays as
// ones the server has run: what the model then refuses (an ALTER of a table
// it does not have, a USE of a database it does not know) is the model's
// failure, not the user's. Such a statement becomes a finding at its
// position, the objects and databases it names become uncertain, and the
// rest of the schema is still built: one statement never voids the
// comparison. Drift checks (diff, migrate, baseline, verify) and the
// declarative commands replay this way; `chschema schema` does not.
func (r *Replayer) TrustStatements() { r.trusted = true }

// refused records a statement the model refuses: an error, or, for a
// trusted statement, a finding that makes what it names uncertain.
func (r *Replayer) refused(pos schema.Position, sql string, err error, change schema.Change, objs []schema.QualifiedName, dbs []string) {
	if !r.trusted {
		r.errs = append(r.errs, &ReplayError{Pos: pos, Stmt: sql, Err: err, Change: change})
		return
	}
	reason := "the model cannot replay this statement, which the server ran: " + err.Error()
	if len(objs)+len(dbs) == 0 {
		dbs = []string{r.database}
	}
	r.findings = append(r.findings, Finding{Pos: pos, Reason: reason, Objects: objs, Refused: err})
	_ = r.schema.Apply(&schema.MarkUncertain{Objects: objs, Databases: dbs, Reason: schema.Uncertainty{Reason: reason, Pos: pos}})
}

// touched names the objects and databases a change may touch.
func touched(c schema.Change) (objs []schema.QualifiedName, dbs []string) {
	switch c := c.(type) {
	case *schema.AddDatabase:
		return nil, []string{c.D.Name}
	case *schema.DropDatabase:
		return nil, []string{c.Name}
	case *schema.RenameDatabase:
		return nil, []string{c.From, c.To}
	case *schema.DetachDatabase:
		return nil, []string{c.Name}
	case *schema.AttachDatabase:
		return nil, []string{c.Name}
	case *schema.ModifyDatabaseComment:
		return nil, []string{c.Name}
	case *schema.TruncateDatabase:
		return nil, []string{c.Name}
	case *schema.AddTable:
		return []schema.QualifiedName{c.Name}, nil
	case *schema.AddView:
		return []schema.QualifiedName{c.Name}, nil
	case *schema.AddDictionary:
		return []schema.QualifiedName{c.Name}, nil
	case *schema.DropObject:
		return []schema.QualifiedName{c.Name}, nil
	case *schema.DetachObject:
		return []schema.QualifiedName{c.Name}, nil
	case *schema.AttachObject:
		return []schema.QualifiedName{c.Name}, nil
	case *schema.RenameObject:
		return []schema.QualifiedName{c.From, c.To}, nil
	case *schema.ExchangeObjects:
		return []schema.QualifiedName{c.A, c.B}, nil
	case *schema.ModifyTable:
		return []schema.QualifiedName{c.Name}, nil
	}
	return nil, nil
}

// Finding reports a statement, or part of one, that the model cannot
// follow. The objects it may touch are marked uncertain in the schema.
type Finding struct {
	Pos     schema.Position
	Reason  string
	Objects []schema.QualifiedName
	// Databases, when set, may have gained or lost objects the model does
	// not know.
	Databases []string
	// Refused is, for a statement the model refused though the server ran
	// it (see TrustStatements), the model's error.
	Refused error
}

// String returns "file:line:col: reason".
func (f Finding) String() string { return f.Pos.String() + ": unsupported: " + f.Reason }

// ReplayError is a statement the server would refuse (an ALTER of a missing
// table, a column added twice, a syntax error), at its position.
type ReplayError struct {
	Pos  schema.Position
	Stmt string
	Err  error
	// Change is the change the model refused, or nil when the statement
	// itself could not be read.
	Change schema.Change
}

// UseError is a USE of a database the model does not have (one that no
// statement so far created): the server has it, or refuses the USE.
type UseError struct {
	Database string
}

// Error says which database.
func (e *UseError) Error() string {
	return fmt.Sprintf("USE %s: database %v", schema.QuoteIdent(e.Database), schema.ErrNotExist)
}

// Unwrap returns schema.ErrNotExist.
func (e *UseError) Unwrap() error { return schema.ErrNotExist }

// Error returns "file:line:col: message".
func (e *ReplayError) Error() string { return e.Pos.String() + ": " + e.Err.Error() }

// Unwrap returns the underlying error (schema.ErrNotExist, ErrSyntax, ...).
func (e *ReplayError) Unwrap() error { return e.Err }

// ReplayErrors is the errors of a run, sorted by position.
type ReplayErrors []*ReplayError

// Error lists the errors, one per line.
func (l ReplayErrors) Error() string {
	parts := make([]string, len(l))
	for i, e := range l {
		parts[i] = e.Error()
	}
	return strings.Join(parts, "\n")
}

// Unwrap returns the errors, for errors.Is and errors.As.
func (l ReplayErrors) Unwrap() []error {
	out := make([]error, len(l))
	for i, e := range l {
		out[i] = e
	}
	return out
}

// NewReplayer returns a replayer that changes s, with database as the
// current database for unqualified names. s must not be nil.
func NewReplayer(s *schema.Schema, database string) (*Replayer, error) {
	if s == nil {
		return nil, errors.New("parser: NewReplayer: nil schema")
	}
	if database == "" {
		return nil, errors.New("parser: NewReplayer: empty database")
	}
	return &Replayer{schema: s, database: database}, nil
}

// Schema returns the schema being built.
func (r *Replayer) Schema() *schema.Schema { return r.schema }

// Origins returns where the statement that last created, changed, renamed
// or dropped each object replayed so far is.
func (r *Replayer) Origins() schema.Origins { return r.origins }

// noteOrigin records pos as the origin of what c touches.
func (r *Replayer) noteOrigin(pos schema.Position, c schema.Change) {
	if r.origins == nil {
		r.origins = schema.Origins{}
	}
	switch c := c.(type) {
	case *schema.AddFunction:
		r.origins[schema.QualifiedName{Name: c.F.Name}] = pos
		return
	case *schema.DropFunction:
		r.origins[schema.QualifiedName{Name: c.Name}] = pos
		return
	}
	objs, dbs := touched(c)
	for _, o := range objs {
		r.origins[o] = pos
	}
	for _, d := range dbs {
		r.origins[schema.QualifiedName{Database: d}] = pos
	}
}

// Findings returns the unsupported statements seen so far, sorted by
// position.
func (r *Replayer) Findings() []Finding {
	out := append([]Finding(nil), r.findings...)
	sort.SliceStable(out, func(i, j int) bool { return posLess(out[i].Pos, out[j].Pos) })
	return out
}

// Err returns the errors seen so far as an ReplayErrors sorted by position, or
// nil.
func (r *Replayer) Err() error {
	if len(r.errs) == 0 {
		return nil
	}
	out := append(ReplayErrors(nil), r.errs...)
	sort.SliceStable(out, func(i, j int) bool { return posLess(out[i].Pos, out[j].Pos) })
	return out
}

func posLess(a, b schema.Position) bool {
	if a.File != b.File {
		return a.File < b.File
	}
	if a.Line != b.Line {
		return a.Line < b.Line
	}
	return a.Col < b.Col
}

// advance returns the position after text, starting at p.
func advance(p schema.Position, text string) schema.Position {
	q := Pos{Line: p.Line, Col: p.Col}.Advance(text)
	p.Line, p.Col = q.Line, q.Col
	return p
}

// ReplayScript replays every statement of src, a file's text, cut by
// Split.
func (r *Replayer) ReplayScript(file, src string) {
	stmts, err := Split(src, FileStart)
	for _, st := range stmts {
		r.ReplayStatement(schema.Position{File: file, Line: st.Pos.Line, Col: st.Pos.Col}, st.Text)
	}
	if err != nil {
		at := schema.Position{File: file}
		var se *SyntaxError
		if errors.As(err, &se) {
			at.Line, at.Col = se.Pos.Line, se.Pos.Col
		}
		r.errs = append(r.errs, &ReplayError{Pos: at, Err: err})
	}
}

// Replay replays one statement that starts at pos, as ReplayStatement does,
// and returns the errors and findings of that statement alone.
func (r *Replayer) Replay(pos schema.Position, sql string) (ReplayErrors, []Finding) {
	ne, nf := len(r.errs), len(r.findings)
	r.ReplayStatement(pos, sql)
	return r.errs[ne:len(r.errs):len(r.errs)], r.findings[nf:len(r.findings):len(r.findings)]
}

// ReplayStatement replays one statement that starts at pos.
func (r *Replayer) ReplayStatement(pos schema.Position, sql string) {
	// A panic while replaying (chschema's bug) makes the statement one the
	// model cannot follow, and its database uncertain, rather than ending
	// the run.
	defer recoverAfterShip(func(err error) {
		reason := "cannot replay the statement: " + err.Error()
		r.findings = append(r.findings, Finding{Pos: pos, Reason: reason, Databases: []string{r.database}})
		_ = r.schema.Apply(&schema.MarkUncertain{Databases: []string{r.database}, Reason: schema.Uncertainty{Reason: reason, Pos: pos}})
	})
	conv, err := convertIn(sql, r.database, r.settings)
	if err != nil {
		at := pos
		var oe *offsetError
		if errors.As(err, &oe) && oe.Offset <= len(sql) {
			at = advance(pos, sql[:oe.Offset])
		}
		r.refused(at, sql, err, nil, nil, nil)
		return
	}
	r.ReplayConversion(pos, sql, conv)
}

// ReplayConversion replays one statement that starts at pos, already
// converted by Convert with the replayer's current database (for callers
// that read the conversion too). conv must not be reused afterwards.
func (r *Replayer) ReplayConversion(pos schema.Position, sql string, conv *Conversion) {
	if conv.Use != "" {
		if _, ok := r.schema.Database(conv.Use); !ok {
			r.refused(pos, sql, &UseError{Database: conv.Use}, nil, nil, []string{conv.Use})
			if r.trusted {
				r.database = conv.Use // the server had it
			}
		} else {
			r.database = conv.Use
		}
	}
	for _, v := range conv.views {
		r.inferViewColumns(v)
	}
	for _, f := range conv.codecFixups {
		r.fixCodec(conv, f)
	}
	r.inlineFunctions(conv)
	if conv.temporary != "" {
		if r.temporary == nil {
			r.temporary = map[string]bool{}
		}
		r.temporary[conv.temporary] = true
	}
	delete(r.temporary, conv.dropTemporary)
	for i, c := range conv.Changes {
		if m, ok := c.(*schema.ModifyTable); ok && conv.alterSession && r.temporary[m.Name.Name] {
			continue // an ALTER of the session's temporary table (issue 11 F53)
		}
		if m, ok := c.(*schema.ModifyTable); ok {
			// An ALTER of an Alias table alters its target.
			m.Name = r.aliasTarget(m.Name)
		}
		r.noteOrigin(pos, c)
		if d, ok := c.(*schema.DropObject); ok && slices.Contains(conv.sessionDrops, i) && r.temporary[d.Name.Name] {
			delete(r.temporary, d.Name.Name) // the session's temporary table
			continue
		}
		if at, ok := c.(*schema.AddTable); ok && strings.HasPrefix(at.Name.Name, ".inner") {
			// Named as a materialized view's inner table: no live schema
			// reads it as a table (issue 11 F25).
			if err := r.schema.Apply(c); err != nil {
				objs, dbs := touched(c)
				r.refused(pos, sql, err, c, objs, dbs)
				continue
			}
			reason := "table " + schema.BackQuote(at.Name.Name) + " is named as a materialized view's inner table, which the live schema does not read"
			r.findings = append(r.findings, Finding{Pos: pos, Reason: reason, Objects: []schema.QualifiedName{at.Name}})
			_ = r.schema.Apply(&schema.MarkUncertain{Objects: []schema.QualifiedName{at.Name}, Reason: schema.Uncertainty{Reason: reason, Pos: pos}})
			continue
		}
		if at, ok := c.(*schema.AddTable); ok && at.AsTable != nil {
			if reason := r.asUnknown(at); reason != "" {
				if isSystemDatabase(at.AsTable.Database) {
					cp := *at
					cp.AsTable = nil
					c = &cp
				}
				if err := r.schema.Apply(c); err != nil {
					objs, dbs := touched(c)
					r.refused(pos, sql, err, c, objs, dbs)
					continue
				}
				r.findings = append(r.findings, Finding{Pos: pos, Reason: reason, Objects: []schema.QualifiedName{at.Name}})
				_ = r.schema.Apply(&schema.MarkUncertain{Objects: []schema.QualifiedName{at.Name}, Reason: schema.Uncertainty{Reason: reason, Pos: pos, Exists: true}})
				continue
			}
		}
		memoryCompress := r.setsMemoryCompress(c)
		oldStyle := r.oldStyleConstraints(c)
		if a, ok := c.(*schema.AttachDatabase); ok {
			defer r.placeUncertainties(pos, a.Name)
		}
		if err := r.schema.Apply(c); err != nil {
			if names, ok := r.uncertain(c); ok {
				r.findings = append(r.findings, Finding{Pos: pos, Reason: "on an uncertain object: " + err.Error(), Objects: names})
				continue
			}
			objs, dbs := touched(c)
			r.refused(pos, sql, err, c, objs, dbs)
			continue
		}
		if oldStyle != nil {
			reason := "an old-syntax MergeTree table keeps the constraints its CREATE gave in its definition only: an ALTER loses them and CREATE TABLE AS does not copy them, unless an ALTER added them, which the model does not follow"
			r.findings = append(r.findings, Finding{Pos: pos, Reason: reason, Objects: []schema.QualifiedName{*oldStyle}})
			_ = r.schema.Apply(&schema.MarkUncertain{Objects: []schema.QualifiedName{*oldStyle}, Reason: schema.Uncertainty{Reason: reason, Pos: pos, Exists: true}})
		}
		if memoryCompress {
			m := c.(*schema.ModifyTable)
			reason := "MODIFY SETTING compress of a Memory table: the server keeps the value as written here, and converts it when the CREATE set it"
			r.findings = append(r.findings, Finding{Pos: pos, Reason: reason, Objects: []schema.QualifiedName{m.Name}})
			_ = r.schema.Apply(&schema.MarkUncertain{Objects: []schema.QualifiedName{m.Name}, Reason: schema.Uncertainty{Reason: reason, Pos: pos, Exists: true}})
		}
	}
	for _, u := range conv.Unsupported {
		at := pos
		if u.Offset <= len(sql) {
			at = advance(pos, sql[:u.Offset])
		}
		dbs := u.Databases
		if u.AllDatabases {
			for _, d := range r.schema.Databases {
				dbs = append(dbs, d.Name)
			}
		}
		r.findings = append(r.findings, Finding{Pos: at, Reason: u.Reason, Objects: u.Objects, Databases: dbs})
		mark := &schema.MarkUncertain{Objects: u.Objects, Databases: dbs, Reason: schema.Uncertainty{Reason: u.Reason, Pos: at, Exists: u.Exists}}
		_ = r.schema.Apply(mark)
	}
	r.markUnmodelled(pos, conv)
	if conv.NoEffect {
		r.noteSet(pos, sql)
	}
}

// setsMemoryCompress reports whether c is an ALTER that sets compress on a
// Memory table: the server then keeps the value as the ALTER wrote it
// (compress = 0), where a value the CREATE gave becomes a Bool when an
// ALTER writes the settings back (compress = false), and the model does
// not follow which is which.
func (r *Replayer) setsMemoryCompress(c schema.Change) bool {
	m, ok := c.(*schema.ModifyTable)
	if !ok {
		return false
	}
	o, ok := r.schema.Object(m.Name)
	if t, isTable := o.(*schema.Table); !ok || !isTable || t.Engine.Name != "Memory" {
		return false
	}
	for _, x := range m.Changes {
		if ms, ok := x.(*schema.ModifySettings); ok {
			if _, ok := ms.Settings.Get("compress"); ok {
				return true
			}
		}
	}
	return false
}

// oldStyleConstraints returns the table an ALTER of an old-syntax
// MergeTree table with constraints changes, or a CREATE TABLE AS such a
// table makes, or nil. Such a table's constraints are in its definition,
// not in what the server keeps of it (measured on ClickHouse 26.7).
func (r *Replayer) oldStyleConstraints(c schema.Change) *schema.QualifiedName {
	var src, out schema.QualifiedName
	switch c := c.(type) {
	case *schema.ModifyTable:
		src, out = c.Name, c.Name
	case *schema.AddTable:
		if c.AsTable == nil {
			return nil
		}
		src, out = *c.AsTable, c.Name
	default:
		return nil
	}
	o, ok := r.schema.Object(src)
	if !ok {
		return nil
	}
	t, ok := o.(*schema.Table)
	if !ok || len(t.Constraints) == 0 {
		return nil
	}
	if _, _, _, old := t.Engine.OldSyntax(); !old {
		return nil
	}
	return &out
}

// asUnknown says why the columns of CREATE TABLE … AS source are unknown
// to the model, or "": the source is a system table, which the model does
// not hold (issue 11 F35), or an object the model is uncertain of (F13).
func (r *Replayer) asUnknown(at *schema.AddTable) string {
	src := *at.AsTable
	if isSystemDatabase(src.Database) {
		return "CREATE TABLE AS " + src.String() + ": the model has no system tables"
	}
	if o, ok := r.schema.Object(src); ok && len(o.Uncertainties()) > 0 {
		return "CREATE TABLE AS " + src.String() + ", which the model does not know"
	}
	if d, ok := r.schema.Database(src.Database); ok && len(d.UncertaintiesOf(src.Name)) > 0 {
		return "CREATE TABLE AS " + src.String() + ", which the model does not know"
	}
	return ""
}

// isSystemDatabase reports whether name is one of the server's own
// databases, which no migration creates and the model does not hold.
func isSystemDatabase(name string) bool {
	switch name {
	case "system", "INFORMATION_SCHEMA", "information_schema":
		return true
	}
	return false
}

// aliasTarget returns the table an Alias table name stands for, or name.
func (r *Replayer) aliasTarget(name schema.QualifiedName) schema.QualifiedName {
	for range 8 { // an alias of an alias, but not for ever
		o, ok := r.schema.Object(name)
		if !ok {
			return name
		}
		t, ok := o.(*schema.Table)
		if !ok || t.Engine.Name != "Alias" || len(t.Engine.Params) == 0 || len(t.Engine.Params) > 2 {
			return name
		}
		p := t.Engine.Params
		target := schema.QualifiedName{Database: name.Database, Name: unquoteArg(p[len(p)-1])}
		if len(p) == 2 {
			target.Database = unquoteArg(p[0])
		}
		name = target
	}
	return name
}

// fixCodec renormalises the codec of a MODIFY COLUMN given without a type,
// with the type the column has now.
func (r *Replayer) fixCodec(conv *Conversion, f codecFixup) {
	for _, c := range conv.Changes {
		m, ok := c.(*schema.ModifyTable)
		if !ok {
			continue
		}
		o, ok := r.schema.Object(m.Name)
		if !ok {
			return
		}
		t, ok := o.(*schema.Table)
		if !ok {
			return
		}
		if col, ok := t.Column(f.mc.To.Name); ok {
			f.mc.To.Codec = schema.Codec(NormalizeCodec(f.list, col.Type))
		}
	}
}

// uncertain reports whether c targets an object or database already marked
// uncertain, where a refusal may be the model's ignorance rather than the
// user's mistake, and returns the objects it names.
func (r *Replayer) uncertain(c schema.Change) ([]schema.QualifiedName, bool) {
	var name schema.QualifiedName
	names := func() []schema.QualifiedName { return []schema.QualifiedName{name} }
	switch c := c.(type) {
	case *schema.ModifyTable:
		name = c.Name
	case *schema.DropObject:
		name = c.Name
	case *schema.RenameObject:
		name = c.From
		names = func() []schema.QualifiedName { return []schema.QualifiedName{c.From, c.To} }
	default:
		return nil, false
	}
	if o, ok := r.schema.Object(name); ok && len(o.Uncertainties()) > 0 {
		return names(), true
	}
	if d, ok := r.schema.Database(name.Database); ok && len(d.UncertaintiesOf(name.Name)) > 0 {
		return names(), true
	}
	return nil, false
}

// inferViewColumns fills a view's columns from its SELECT when every column
// can be typed from the source table: plain column references, * and
// count(). Otherwise Columns stays nil: the model does not know them.
func (r *Replayer) inferViewColumns(v viewSource) {
	switch c := v.change.(type) {
	case *schema.AddView:
		if cols, ok := inferColumns(r.schema, c.Name.Database, v.query); ok {
			c.V.Columns = cols
		}
	case *schema.ModifyQuery:
		if cols, ok := inferColumns(r.schema, r.database, v.query); ok {
			c.Columns = cols
		}
	}
}

func inferColumns(s *schema.Schema, db string, q *ch.SelectQuery) ([]*schema.Column, bool) {
	if q == nil || q.From == nil || q.UnionAll != nil || q.UnionDistinct != nil || q.InnerQuery != nil || q.With != nil {
		return nil, false
	}
	src, alias, ok := singleTable(q.From.Expr)
	if !ok {
		return nil, false
	}
	name := schema.QualifiedName{Database: db, Name: src.Table.Name}
	if src.Database != nil {
		name.Database = src.Database.Name
	}
	o, ok := s.Object(name)
	if !ok || len(o.Uncertainties()) > 0 {
		// What the model does not know of the source, it does not know
		// of the view.
		return nil, false
	}
	var srcCols []*schema.Column
	switch o := o.(type) {
	case *schema.Table:
		srcCols = o.Columns
	case *schema.View:
		srcCols = o.Columns
	default:
		return nil, false
	}
	if srcCols == nil {
		return nil, false
	}
	find := func(n string) (*schema.Column, bool) {
		for _, c := range srcCols {
			if c.Name == n {
				return c, true
			}
		}
		return nil, false
	}
	// A name that another item's alias defines stands for that item's
	// expression, not the column (SELECT c19 AS c20, c20 AS c22: c22 is
	// c19), which the model does not follow.
	aliasOf := map[string]int{}
	for i, it := range q.SelectItems {
		if it.Alias != nil {
			aliasOf[it.Alias.Name] = i
		}
	}
	shadowed := func(i int, n string) bool {
		j, ok := aliasOf[n]
		return ok && j != i
	}
	var out []*schema.Column
	for i, it := range q.SelectItems {
		if len(it.Modifiers) > 0 {
			return nil, false // * EXCEPT/REPLACE/APPLY
		}
		e := unparen(it.Expr)
		var outName string
		var typ schema.Type
		switch x := e.(type) {
		case *ch.Ident:
			if x.Name == "*" && x.QuoteType != ch.BackTicks {
				for _, c := range srcCols {
					if c.Default == nil || c.Default.Kind == schema.Default {
						out = append(out, &schema.Column{Name: c.Name, Type: c.Type})
					}
				}
				continue
			}
			c, ok := find(x.Name)
			if !ok || shadowed(i, x.Name) {
				return nil, false
			}
			outName, typ = c.Name, c.Type
		case *ch.Path:
			n := ""
			fields := x.Fields
			if len(fields) == 2 && (fields[0].Name == alias || fields[0].Name == src.Table.Name) {
				n = fields[1].Name
			} else {
				parts := make([]string, len(fields))
				for i, f := range fields {
					parts[i] = f.Name
				}
				n = strings.Join(parts, ".")
			}
			c, ok := find(n)
			if !ok {
				return nil, false
			}
			outName, typ = n, c.Type
		case *ch.FunctionExpr:
			if strings.EqualFold(x.Name.Name, "count") && (x.Params == nil || x.Params.Items == nil || len(x.Params.Items.Items) == 0) {
				outName, typ = "count()", "UInt64"
				break
			}
			// A few functions of one plain column whose result type is
			// certain; the server names the column after the call.
			if it.Alias == nil || x.Params == nil || x.Params.ColumnArgList != nil || x.Params.Items == nil || len(x.Params.Items.Items) != 1 {
				return nil, false
			}
			arg, ok := unparen(x.Params.Items.Items[0]).(*ch.Ident)
			if !ok || shadowed(i, arg.Name) {
				return nil, false
			}
			c, ok := find(arg.Name)
			if !ok {
				return nil, false
			}
			t, ok := functionResult(x.Name.Name, c.Type)
			if !ok {
				return nil, false
			}
			typ = t
		default:
			return nil, false
		}
		if it.Alias != nil {
			outName = it.Alias.Name
		}
		out = append(out, &schema.Column{Name: outName, Type: typ})
	}
	for _, c := range out {
		if c.Type == "" {
			// A source column without a type (a DEFAULT without one):
			// the server infers it, the model does not know it (issue
			// 11 F39).
			return nil, false
		}
	}
	return out, true
}

func singleTable(e ch.Expr) (*ch.TableIdentifier, string, bool) {
	switch x := e.(type) {
	case *ch.JoinTableExpr:
		if x.SampleRatio != nil {
			return nil, "", false
		}
		return singleTable(x.Table)
	case *ch.JoinExpr:
		if x.Right != nil {
			return nil, "", false
		}
		return singleTable(x.Left)
	case *ch.TableExpr:
		t, _, ok := singleTable(x.Expr)
		alias := ""
		if x.Alias != nil {
			if id, ok := x.Alias.Alias.(*ch.Ident); ok {
				alias = id.Name
			}
		}
		return t, alias, ok
	case *ch.AliasExpr:
		t, _, ok := singleTable(x.Expr)
		alias := ""
		if id, ok := x.Alias.(*ch.Ident); ok {
			alias = id.Name
		}
		return t, alias, ok
	case *ch.TableIdentifier:
		return x, "", true
	case *ch.Ident:
		return &ch.TableIdentifier{Table: x}, "", true
	}
	return nil, "", false
}

// functionResult is the result type of a one-argument function applied to a
// column of type arg, for the functions whose result the model can be sure
// of. Nullable and LowCardinality arguments change results and are left to
// the server.
func functionResult(fn string, arg schema.Type) (schema.Type, bool) {
	a := string(arg)
	if strings.HasPrefix(a, "Nullable(") || strings.HasPrefix(a, "LowCardinality(") {
		return "", false
	}
	isInt := func(s string) bool {
		for _, p := range []string{"UInt8", "UInt16", "UInt32", "UInt64", "Int8", "Int16", "Int32", "Int64"} {
			if s == p {
				return true
			}
		}
		return false
	}
	switch fn {
	case "toString":
		return "String", true
	case "toDate":
		if a == "Date" || a == "DateTime" || strings.HasPrefix(a, "DateTime(") || a == "String" {
			return "Date", true
		}
	case "toUInt8", "toUInt16", "toUInt32", "toUInt64", "toInt8", "toInt16", "toInt32", "toInt64", "toFloat32", "toFloat64":
		return schema.Type(strings.TrimPrefix(strings.Replace(fn, "to", "", 1), "")), true
	case "lower", "upper":
		if a == "String" {
			return "String", true
		}
	case "uniq", "uniqExact":
		return "UInt64", true
	case "min", "max", "any", "anyLast":
		return arg, true
	case "sum":
		switch {
		case strings.HasPrefix(a, "UInt") && isInt(a):
			return "UInt64", true
		case strings.HasPrefix(a, "Int") && isInt(a):
			return "Int64", true
		case a == "Float32" || a == "Float64":
			return "Float64", true
		}
	}
	return "", false
}

// StatementFootprint is what one statement touches: the databases it
// names, the databases and objects it creates (CREATE, RENAME ... TO,
// EXCHANGE, ATTACH, or an unreadable CREATE), and the database a USE
// switches to.
type StatementFootprint struct {
	Databases        []string
	CreatedDatabases []string
	Created          []schema.QualifiedName
	Use              string
}

// Footprint returns what sql touches, database being the session's. A
// statement the converter cannot read touches the session's database.
func Footprint(sql, database string) StatementFootprint {
	var f StatementFootprint
	conv, err := Convert(sql, database)
	if err != nil {
		f.Databases = []string{database}
		return f
	}
	seen := map[string]bool{}
	add := func(d string) {
		if d != "" && !seen[d] {
			seen[d] = true
			f.Databases = append(f.Databases, d)
		}
	}
	for _, c := range conv.Changes {
		objs, ds := touched(c)
		for _, o := range objs {
			add(o.Database)
		}
		for _, d := range ds {
			add(d)
		}
		switch c := c.(type) {
		case *schema.AddDatabase:
			f.CreatedDatabases = append(f.CreatedDatabases, c.D.Name)
		case *schema.RenameDatabase:
			f.CreatedDatabases = append(f.CreatedDatabases, c.To)
		case *schema.AttachDatabase:
			f.CreatedDatabases = append(f.CreatedDatabases, c.Name)
		case *schema.AddTable:
			f.Created = append(f.Created, c.Name)
			if c.AsTable != nil {
				add(c.AsTable.Database)
			}
		case *schema.AddView:
			f.Created = append(f.Created, c.Name)
		case *schema.AddDictionary:
			f.Created = append(f.Created, c.Name)
		case *schema.RenameObject:
			f.Created = append(f.Created, c.To)
		case *schema.ExchangeObjects:
			f.Created = append(f.Created, c.A, c.B)
		case *schema.AttachObject:
			f.Created = append(f.Created, c.Name)
		}
	}
	create := strings.EqualFold(firstWord(sql), "CREATE") || strings.EqualFold(firstWord(sql), "ATTACH")
	for _, u := range conv.Unsupported {
		for _, o := range u.Objects {
			add(o.Database)
			if create {
				f.Created = append(f.Created, o)
			}
		}
		for _, d := range u.Databases {
			add(d)
			if create {
				f.CreatedDatabases = append(f.CreatedDatabases, d)
			}
		}
	}
	add(conv.Use)
	f.Use = conv.Use
	return f
}

func firstWord(sql string) string {
	toks := scanSQL(blankComments(sql))
	if len(toks) == 0 {
		return ""
	}
	return toks[0].text
}

// placeUncertainties gives the uncertainties the model put on database db
// without a position (ATTACH DATABASE of a database created without ENGINE)
// the statement's, and reports them as findings.
func (r *Replayer) placeUncertainties(pos schema.Position, db string) {
	d, ok := r.schema.Database(db)
	if !ok {
		return
	}
	for i, u := range d.Uncertain {
		if u.Pos == (schema.Position{}) {
			d.Uncertain[i].Pos = pos
			r.findings = append(r.findings, Finding{Pos: pos, Reason: u.Reason})
		}
	}
}
