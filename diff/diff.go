package diff

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/chschema/chschema/schema"
)

// Result is what Schemas found.
type Result struct {
	// Changes turn From into To, in a deterministic order: databases by
	// name, objects by name within a database, then functions by name.
	Changes []schema.Change
	// Unverified are the objects that either side marks uncertain. They are
	// not compared, and are never drift.
	Unverified []Unverified
	// Ignored counts the objects left out by ignore patterns.
	Ignored int
	// From and To are the compared schemas, for renderers that show both
	// sides of a change.
	From, To *schema.Schema
	// Origins, when set, say where the migration statement that last
	// created, changed, renamed or dropped each object of the comparison
	// is: Entries gives each difference of such an object that position,
	// and GitHub annotations are placed on it.
	Origins schema.Origins
}

// Drift reports whether the two schemas differ.
func (r *Result) Drift() bool { return len(r.Changes) > 0 }

// Unverified is an object that could not be compared because the model of
// it is uncertain on one side or both.
type Unverified struct {
	Name    schema.QualifiedName
	Kind    schema.ObjectKind
	Reasons []schema.Uncertainty
}

// Option changes how Schemas compares.
type Option func(*config)

type config struct {
	ignore             *Ignore
	skip               schema.ColumnChangeKind
	skipAddedFunctions bool
}

// WithIgnore leaves out the objects that ig matches, on both sides.
func WithIgnore(ig *Ignore) Option { return func(c *config) { c.ignore = ig } }

// WithoutColumnParts does not compare the column parts in k, for example the
// codecs an older server does not report (see schema.Note.Skip).
func WithoutColumnParts(k schema.ColumnChangeKind) Option {
	return func(c *config) { c.skip |= k }
}

// WithoutAddedFunctions does not report functions that only To has. SQL
// functions are server-wide, so a server's functions may belong to other
// projects; a function both sides define is still compared, and one that
// only From has is still reported.
func WithoutAddedFunctions() Option { return func(c *config) { c.skipAddedFunctions = true } }

// Schemas compares from with to and returns the changes that turn from into
// to. For drift detection, from is the expected schema and to the live one,
// so an AddColumn is a column added on the server. It does no I/O and does
// not modify its arguments.
//
// Both sides are compared after the same normalisation: whitespace in
// expressions is collapsed outside quoted literals, settings are compared
// as sets, and an unset primary key equals the sorting key.
func Schemas(from, to *schema.Schema, opts ...Option) *Result {
	c := &config{}
	for _, o := range opts {
		o(c)
	}
	if from == nil {
		from = schema.New()
	}
	if to == nil {
		to = schema.New()
	}
	r := &Result{From: from, To: to}
	for _, name := range unionNames(from.Databases, to.Databases, func(d *schema.Database) string { return d.Name }) {
		df, _ := from.Database(name)
		dt, _ := to.Database(name)
		c.databases(r, name, df, dt)
	}
	c.functions(r, from, to)
	return r
}

func (c *config) ignored(n schema.QualifiedName) bool {
	return c.ignore != nil && c.ignore.Match(n)
}

// allExist reports whether every reason is about an object's definition
// only, the object certainly existing (schema.Uncertainty.Exists).
func allExist(reasons []schema.Uncertainty) bool {
	for _, u := range reasons {
		if !u.Exists {
			return false
		}
	}
	return len(reasons) > 0
}

func (c *config) databases(r *Result, name string, df, dt *schema.Database) {
	wholeIgnored := c.ignored(schema.QualifiedName{Database: name, Name: "*"})
	switch {
	case df == nil:
		if wholeIgnored {
			r.Ignored++
			return
		}
		r.Changes = append(r.Changes, &schema.AddDatabase{D: dt})
		return
	case dt == nil:
		if wholeIgnored {
			r.Ignored++
			return
		}
		if df.UncertainWhole() {
			// The model does not know whether it exists.
			r.Unverified = append(r.Unverified, Unverified{Name: schema.QualifiedName{Database: name}, Reasons: df.Uncertain})
			return
		}
		r.Changes = append(r.Changes, &schema.DropDatabase{Name: name})
		return
	}
	if !wholeIgnored && !df.UncertainWhole() && !dt.UncertainWhole() {
		if df.Engine.Name != dt.Engine.Name && df.Engine.Name != "" && dt.Engine.Name != "" {
			// A database engine cannot change in place: report it as a drop
			// and a create, which a planner will refuse.
			r.Changes = append(r.Changes, &schema.DropDatabase{Name: name}, &schema.AddDatabase{D: dt})
			return
		}
		if df.Comment != dt.Comment && !df.CommentUnknown && !dt.CommentUnknown {
			r.Changes = append(r.Changes, &schema.ModifyDatabaseComment{Name: name, Comment: dt.Comment})
		}
	}

	objsF, objsT := objectsOf(df), objectsOf(dt)
	byNameF, byNameT := objectMap(objsF), objectMap(objsT)
	names := unionNames(objsF, objsT, func(o schema.Object) string { return o.ObjectName().Name })
	var dropped, added []schema.Object
	isDropped, isAdded := map[string]bool{}, map[string]bool{}
	pending := make(map[string][]schema.Change, len(names))
	for _, n := range names {
		qn := schema.QualifiedName{Database: name, Name: n}
		of, okF := byNameF[n]
		ot, okT := byNameT[n]
		if c.ignored(qn) {
			r.Ignored++
			continue
		}
		reasons := append(df.UncertaintiesOf(n), dt.UncertaintiesOf(n)...)
		kind := schema.ObjectKind(0)
		if okF {
			reasons = append(reasons, of.Uncertainties()...)
			kind = of.Kind()
		}
		if okT {
			reasons = append(reasons, ot.Uncertainties()...)
			if kind == 0 {
				kind = ot.Kind()
			}
		}
		if len(reasons) > 0 && !(okF != okT && allExist(reasons)) {
			r.Unverified = append(r.Unverified, Unverified{Name: qn, Kind: kind, Reasons: reasons})
			continue
		}
		// An object whose definition alone is unknown is still there or
		// not: on one side only, it was dropped or added (issue 11 F22).
		switch {
		case !okT:
			dropped = append(dropped, of)
			isDropped[n] = true
		case !okF:
			added = append(added, ot)
			isAdded[n] = true
		case of.Kind() != ot.Kind():
			pending[n] = []schema.Change{&schema.DropObject{Name: qn, Kind: of.Kind()}, addObject(ot)}
		default:
			pending[n] = c.object(qn, of, ot)
		}
	}

	// An object that disappeared and one that appeared with the same
	// definition is a rename. Candidates are bucketed by shape so that a
	// database replaced wholesale does not cost |dropped| x |added| deep
	// comparisons.
	renamedFrom := map[string]string{} // old name -> new name
	renamedTo := map[string]bool{}
	candidates := map[string][]schema.Object{}
	for _, a := range added {
		k := shape(a)
		candidates[k] = append(candidates[k], a)
	}
	for _, o := range dropped {
		for _, a := range candidates[shape(o)] {
			if renamedTo[a.ObjectName().Name] {
				continue
			}
			if len(c.object(a.ObjectName(), o, a)) == 0 {
				renamedFrom[o.ObjectName().Name] = a.ObjectName().Name
				renamedTo[a.ObjectName().Name] = true
				break
			}
		}
	}
	for _, n := range names {
		qn := schema.QualifiedName{Database: name, Name: n}
		switch {
		case renamedFrom[n] != "":
			r.Changes = append(r.Changes, &schema.RenameObject{From: qn, To: schema.QualifiedName{Database: name, Name: renamedFrom[n]}})
		case renamedTo[n]:
		case isDropped[n]:
			r.Changes = append(r.Changes, &schema.DropObject{Name: qn, Kind: byNameF[n].Kind()})
		case isAdded[n]:
			r.Changes = append(r.Changes, addObject(byNameT[n]))
		default:
			r.Changes = append(r.Changes, pending[n]...)
		}
	}
}

func objectMap(os []schema.Object) map[string]schema.Object {
	m := make(map[string]schema.Object, len(os))
	for _, o := range os {
		m[o.ObjectName().Name] = o
	}
	return m
}

// shape is a cheap key that equal definitions share.
func shape(o schema.Object) string {
	switch o := o.(type) {
	case *schema.Table:
		return fmt.Sprintf("table/%s/%d", o.Engine.Name, len(o.Columns))
	case *schema.View:
		return fmt.Sprintf("%s/%d", o.Kind(), len(o.Columns))
	case *schema.Dictionary:
		return fmt.Sprintf("dictionary/%d", len(o.Attributes))
	}
	return ""
}

func addObject(o schema.Object) schema.Change {
	switch o := o.(type) {
	case *schema.Table:
		return &schema.AddTable{Name: o.ObjectName(), T: o}
	case *schema.View:
		return &schema.AddView{Name: o.ObjectName(), V: o}
	case *schema.Dictionary:
		return &schema.AddDictionary{Name: o.ObjectName(), D: o}
	}
	panic("diff: unknown object type")
}

// object compares two objects of the same kind and name.
func (c *config) object(qn schema.QualifiedName, of, ot schema.Object) []schema.Change {
	switch f := of.(type) {
	case *schema.Table:
		if cs := c.table(f, ot.(*schema.Table)); len(cs) > 0 {
			return []schema.Change{&schema.ModifyTable{Name: qn, Changes: cs}}
		}
	case *schema.View:
		if cs := c.view(f, ot.(*schema.View)); len(cs) > 0 {
			return []schema.Change{&schema.ModifyTable{Name: qn, Changes: cs}}
		}
	case *schema.Dictionary:
		t := ot.(*schema.Dictionary)
		if !equalDictionaries(f, t) {
			return []schema.Change{&schema.ModifyDictionary{Name: qn, From: f, To: t}}
		}
	}
	return nil
}

func (c *config) table(f, t *schema.Table) []schema.Change {
	cs := c.columns(f.Columns, t.Columns)
	cs = append(cs, diffNamed(f.Indexes, t.Indexes, func(i *schema.Index) string { return i.Name }, equalIndexes,
		func(i *schema.Index) schema.Change { return &schema.DropIndex{Name: i.Name} },
		func(i *schema.Index) schema.Change { return &schema.AddIndex{I: i} })...)
	cs = append(cs, diffNamed(f.Projections, t.Projections, func(p *schema.Projection) string { return p.Name },
		func(a, b *schema.Projection) bool { return eqExpr(a.Query, b.Query) },
		func(p *schema.Projection) schema.Change { return &schema.DropProjection{Name: p.Name} },
		func(p *schema.Projection) schema.Change { return &schema.AddProjection{P: p} })...)
	cs = append(cs, diffNamed(f.Constraints, t.Constraints, func(k *schema.Constraint) string { return k.Name },
		func(a, b *schema.Constraint) bool { return a.Kind == b.Kind && eqExpr(a.Expr, b.Expr) },
		func(k *schema.Constraint) schema.Change { return &schema.DropConstraint{Name: k.Name} },
		func(k *schema.Constraint) schema.Change { return &schema.AddConstraint{C: k} })...)
	cs = append(cs, storage(&f.Storage, &t.Storage)...)
	if f.Comment != t.Comment {
		cs = append(cs, &schema.ModifyComment{Comment: t.Comment})
	}
	return cs
}

// storage compares the storage clauses of a table.
func storage(f, t *schema.Storage) []schema.Change {
	var cs []schema.Change
	if !equalEngines(f.Engine, t.Engine) {
		cs = append(cs, &schema.ModifyEngine{From: f.Engine, To: t.Engine})
	}
	if !eqExpr(schema.Expr(f.PartitionBy), schema.Expr(t.PartitionBy)) {
		cs = append(cs, &schema.ModifyPartitionBy{From: f.PartitionBy, To: t.PartitionBy})
	}
	if !eqExpr(schema.Expr(f.OrderBy), schema.Expr(t.OrderBy)) {
		cs = append(cs, &schema.ModifyOrderBy{OrderBy: t.OrderBy})
	}
	if !eqExpr(schema.Expr(effectivePK(f)), schema.Expr(effectivePK(t))) {
		cs = append(cs, &schema.ModifyPrimaryKey{From: effectivePK(f), To: effectivePK(t)})
	}
	if !eqExpr(schema.Expr(f.SampleBy), schema.Expr(t.SampleBy)) {
		cs = append(cs, &schema.ModifySampleBy{SampleBy: t.SampleBy})
	}
	if !eqExpr(schema.Expr(f.TTL), schema.Expr(t.TTL)) {
		cs = append(cs, &schema.ModifyTTL{TTL: t.TTL})
	}
	var modified schema.Settings
	var reset []string
	for _, s := range t.Settings {
		if v, ok := f.Settings.Get(s.Name); !ok || !eqExpr(v, s.Value) {
			modified = append(modified, s)
		}
	}
	for _, s := range f.Settings {
		if _, ok := t.Settings.Get(s.Name); !ok {
			reset = append(reset, s.Name)
		}
	}
	if len(modified) > 0 {
		cs = append(cs, &schema.ModifySettings{Settings: modified})
	}
	if len(reset) > 0 {
		cs = append(cs, &schema.ResetSettings{Names: reset})
	}
	return cs
}

func effectivePK(s *schema.Storage) schema.PrimaryKey {
	if s.PrimaryKey == "" {
		return schema.PrimaryKey(s.OrderBy)
	}
	return s.PrimaryKey
}

func (c *config) view(f, t *schema.View) []schema.Change {
	var cs []schema.Change
	// The columns of a view follow from its query; compare them only when
	// both sides know them, after the query, so that a changed query is one
	// change rather than one per column.
	if len(f.Columns) > 0 && len(t.Columns) > 0 && eqExpr(f.Query, t.Query) {
		cs = append(cs, c.columns(f.Columns, t.Columns)...)
	}
	if !eqExpr(f.Query, t.Query) {
		cs = append(cs, &schema.ModifyQuery{Query: t.Query})
	}
	if !equalNamePtr(f.To, t.To) {
		cs = append(cs, &schema.ModifyViewTarget{From: f.To, To: t.To})
	}
	if !f.Refresh.Equal(t.Refresh) {
		cs = append(cs, &schema.ModifyRefresh{From: f.Refresh, To: t.Refresh})
	}
	if f.To == nil && t.To == nil && f.Storage != nil && t.Storage != nil && len(storage(f.Storage, t.Storage)) > 0 {
		cs = append(cs, &schema.ModifyViewStorage{From: f.Storage, To: t.Storage})
	}
	if f.Comment != t.Comment {
		cs = append(cs, &schema.ModifyComment{Comment: t.Comment})
	}
	return cs
}

func equalNamePtr(a, b *schema.QualifiedName) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

// columns compares two column lists: drops, then adds and modifications in
// To's order, with moves where the order of the shared columns differs.
func (c *config) columns(from, to []*schema.Column) []schema.Change {
	var cs []schema.Change
	fromByName, toByName := columnMap(from), columnMap(to)
	for _, col := range from {
		if _, ok := toByName[col.Name]; !ok {
			cs = append(cs, &schema.DropColumn{Name: col.Name})
		}
	}
	var moved map[string]bool
	if c.skip&schema.ChangePosition == 0 {
		moved = movedColumns(from, to, fromByName, toByName)
	}
	for i, col := range to {
		after, first := "", i == 0
		if i > 0 {
			after = to[i-1].Name
		}
		old, ok := fromByName[col.Name]
		if !ok {
			cs = append(cs, &schema.AddColumn{C: col, After: after, First: first})
			continue
		}
		kind := columnKind(old, col) &^ c.skip
		if moved[col.Name] {
			kind |= schema.ChangePosition
		}
		if kind == 0 {
			continue
		}
		m := &schema.ModifyColumn{From: old, To: col, Kind: kind}
		if kind.Is(schema.ChangePosition) {
			m.After, m.First = after, first
		}
		cs = append(cs, m)
	}
	return cs
}

func columnKind(a, b *schema.Column) schema.ColumnChangeKind {
	var k schema.ColumnChangeKind
	if !eqExpr(schema.Expr(a.Type), schema.Expr(b.Type)) {
		k |= schema.ChangeType
	}
	if !equalDefaults(a.Default, b.Default) {
		k |= schema.ChangeDefault
	}
	if !eqExpr(schema.Expr(a.Codec), schema.Expr(b.Codec)) {
		k |= schema.ChangeCodec
	}
	if a.Comment != b.Comment {
		k |= schema.ChangeComment
	}
	if !eqExpr(a.TTL, b.TTL) {
		k |= schema.ChangeTTL
	}
	if a.Settings.String() != b.Settings.String() {
		k |= schema.ChangeSettings
	}
	return k
}

func equalDefaults(a, b *schema.ColumnDefault) bool {
	var ka, kb schema.DefaultKind
	var ea, eb schema.Expr
	if a != nil {
		ka, ea = a.Kind, a.Expr
	}
	if b != nil {
		kb, eb = b.Kind, b.Expr
	}
	return ka == kb && eqExpr(ea, eb)
}

// movedColumns returns the shared columns that are out of order: those not
// in a longest common subsequence of the two orders.
func movedColumns(from, to []*schema.Column, fromByName, toByName map[string]*schema.Column) map[string]bool {
	var a, b []string
	for _, c := range from {
		if _, ok := toByName[c.Name]; ok {
			a = append(a, c.Name)
		}
	}
	for _, c := range to {
		if _, ok := fromByName[c.Name]; ok {
			b = append(b, c.Name)
		}
	}
	if slices.Equal(a, b) {
		return nil
	}
	// Longest common subsequence, O(n²); only reached when orders differ.
	n, m := len(a), len(b)
	l := make([][]int, n+1)
	for i := range l {
		l[i] = make([]int, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if a[i] == b[j] {
				l[i][j] = l[i+1][j+1] + 1
			} else {
				l[i][j] = max(l[i+1][j], l[i][j+1])
			}
		}
	}
	keep := map[string]bool{}
	for i, j := 0, 0; i < n && j < m; {
		switch {
		case a[i] == b[j]:
			keep[a[i]] = true
			i++
			j++
		case l[i+1][j] >= l[i][j+1]:
			i++
		default:
			j++
		}
	}
	moved := map[string]bool{}
	for _, name := range b {
		if !keep[name] {
			moved[name] = true
		}
	}
	return moved
}

func columnMap(cs []*schema.Column) map[string]*schema.Column {
	m := make(map[string]*schema.Column, len(cs))
	for _, c := range cs {
		m[c.Name] = c
	}
	return m
}

// diffNamed compares two lists of named elements: drops of those that
// disappeared or differ, then adds of those that appeared or differ, in
// name order.
func diffNamed[T any](from, to []*T, name func(*T) string, equal func(a, b *T) bool,
	drop func(*T) schema.Change, add func(*T) schema.Change) []schema.Change {
	var drops, adds []schema.Change
	for _, n := range unionNames(from, to, name) {
		f := findNamed(from, n, name)
		t := findNamed(to, n, name)
		switch {
		case t == nil:
			drops = append(drops, drop(f))
		case f == nil:
			adds = append(adds, add(t))
		case !equal(f, t):
			drops = append(drops, drop(f))
			adds = append(adds, add(t))
		}
	}
	return append(drops, adds...)
}

func findNamed[T any](xs []*T, n string, name func(*T) string) *T {
	for _, x := range xs {
		if name(x) == n {
			return x
		}
	}
	return nil
}

func equalIndexes(a, b *schema.Index) bool {
	return eqExpr(a.Expr, b.Expr) && eqExpr(a.Type, b.Type) && a.Granularity == b.Granularity
}

func equalEngines(a, b schema.Engine) bool {
	if a.Name != b.Name || len(a.Params) != len(b.Params) {
		return false
	}
	for i := range a.Params {
		if !eqExpr(a.Params[i], b.Params[i]) {
			return false
		}
	}
	return true
}

func equalDictionaries(a, b *schema.Dictionary) bool {
	if len(a.Attributes) != len(b.Attributes) || !slices.Equal(a.PrimaryKey, b.PrimaryKey) ||
		a.Lifetime != b.Lifetime || a.Comment != b.Comment ||
		!strings.EqualFold(a.Source.Type, b.Source.Type) || !strings.EqualFold(a.Layout.Type, b.Layout.Type) ||
		!equalParams(a.Source.Params, b.Source.Params) || !equalParams(a.Layout.Params, b.Layout.Params) ||
		!equalSettingSets(a.Settings, b.Settings) {
		return false
	}
	if (a.Range == nil) != (b.Range == nil) || a.Range != nil && *a.Range != *b.Range {
		return false
	}
	for i, x := range a.Attributes {
		y := b.Attributes[i]
		if x.Name != y.Name || !eqExpr(schema.Expr(x.Type), schema.Expr(y.Type)) || !eqExpr(x.Default, y.Default) ||
			!eqExpr(x.Expression, y.Expression) || x.Hierarchical != y.Hierarchical || x.Injective != y.Injective || x.IsObjectID != y.IsObjectID {
			return false
		}
	}
	return true
}

func equalParams(a, b []schema.DictParam) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !strings.EqualFold(a[i].Key, b[i].Key) || !eqExpr(a[i].Value, b[i].Value) {
			return false
		}
	}
	return true
}

func equalSettingSets(a, b schema.Settings) bool {
	if len(a) != len(b) {
		return false
	}
	for _, s := range a {
		if v, ok := b.Get(s.Name); !ok || !eqExpr(v, s.Value) {
			return false
		}
	}
	return true
}

func (c *config) functions(r *Result, from, to *schema.Schema) {
	for _, n := range unionNames(from.Functions, to.Functions, func(f *schema.Function) string { return f.Name }) {
		f, okF := from.Function(n)
		t, okT := to.Function(n)
		if c.ignore != nil && c.ignore.MatchFunction(n) {
			r.Ignored++
			continue
		}
		switch {
		case !okT:
			r.Changes = append(r.Changes, &schema.DropFunction{Name: n})
		case !okF:
			if !c.skipAddedFunctions {
				r.Changes = append(r.Changes, &schema.AddFunction{F: t})
			}
		case !slices.Equal(f.Params, t.Params) || !eqExpr(f.Body, t.Body):
			r.Changes = append(r.Changes, &schema.ModifyFunction{From: f, To: t})
		}
	}
}

func objectsOf(d *schema.Database) []schema.Object {
	os := make([]schema.Object, 0, len(d.Tables)+len(d.Views)+len(d.Dictionaries))
	for _, t := range d.Tables {
		os = append(os, t)
	}
	for _, v := range d.Views {
		os = append(os, v)
	}
	for _, x := range d.Dictionaries {
		os = append(os, x)
	}
	return os
}

// unionNames returns the sorted union of the names of two lists.
func unionNames[T any](a, b []T, name func(T) string) []string {
	seen := make(map[string]bool, len(a)+len(b))
	out := make([]string, 0, len(a)+len(b))
	for _, xs := range [][]T{a, b} {
		for _, x := range xs {
			if n := name(x); !seen[n] {
				seen[n] = true
				out = append(out, n)
			}
		}
	}
	sort.Strings(out)
	return out
}

// EqualExpr reports whether two expressions, types or queries are the same
// for the diff: equal once white space is collapsed outside quotes.
func EqualExpr(a, b schema.Expr) bool { return eqExpr(a, b) }

// eqExpr compares two expressions after normalisation.
func eqExpr(a, b schema.Expr) bool {
	return a == b || normExpr(string(a)) == normExpr(string(b))
}

// normExpr collapses runs of white space outside quoted tokens into one
// space and drops white space next to brackets and commas, so that
// formatting never shows as drift.
func normExpr(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	var last byte
	emit := func(ch byte) {
		if space && b.Len() > 0 && !isTight(last) && !isTight(ch) {
			b.WriteByte(' ')
		}
		space = false
	}
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch ch {
		case ' ', '\t', '\n', '\r':
			space = true
			continue
		case '\'', '"', '`':
			j := i + 1
			for ; j < len(s); j++ {
				if s[j] == '\\' {
					j++
					continue
				}
				if s[j] == ch {
					break
				}
			}
			emit(ch)
			end := min(j+1, len(s))
			b.WriteString(s[i:end])
			last = s[end-1]
			i = end - 1
			continue
		}
		emit(ch)
		b.WriteByte(ch)
		last = ch
	}
	return b.String()
}

func isTight(c byte) bool {
	switch c {
	case '(', ')', '[', ']', ',':
		return true
	}
	return false
}
