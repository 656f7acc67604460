package schema

import (
	"fmt"
	"sort"
	"strings"
)

// Schema is a whole ClickHouse schema: databases with their objects, and the
// server-wide SQL functions. It is a pointer graph: every object points back to
// its database, and every database to its schema. Lookups return (T, bool).
//
// A Schema is built by replaying changes (see Apply), or read from a server
// (see Inspect). Both sides hold values in the canonical form the server
// prints in its system tables, so two schemas can be compared field by field.
type Schema struct {
	Databases []*Database `json:"databases"`
	Functions []*Function `json:"functions,omitempty"`
	// Detached holds the databases DETACH DATABASE took away, with their
	// objects, which ATTACH DATABASE brings back. The server does not list
	// them in system.databases.
	Detached []*Database `json:"-"`
}

// New returns an empty schema.
func New() *Schema { return &Schema{} }

// Database returns the database called name.
func (s *Schema) Database(name string) (*Database, bool) {
	for _, d := range s.Databases {
		if d.Name == name {
			return d, true
		}
	}
	return nil, false
}

// Function returns the SQL function called name.
func (s *Schema) Function(name string) (*Function, bool) {
	for _, f := range s.Functions {
		if f.Name == name {
			return f, true
		}
	}
	return nil, false
}

// Object returns the table, view or dictionary that name refers to.
func (s *Schema) Object(name QualifiedName) (Object, bool) {
	d, ok := s.Database(name.Database)
	if !ok {
		return nil, false
	}
	return d.Object(name.Name)
}

// AddDatabase appends d to the schema and sets its back-pointer. It does not
// check for duplicates; Apply does.
func (s *Schema) AddDatabase(d *Database) *Database {
	d.Schema = s
	s.Databases = append(s.Databases, d)
	return d
}

// Sort orders databases, their objects and the functions by name, the order
// the system tables list them in. Columns keep their positions.
func (s *Schema) Sort() {
	sort.SliceStable(s.Databases, func(i, j int) bool { return s.Databases[i].Name < s.Databases[j].Name })
	sort.SliceStable(s.Functions, func(i, j int) bool { return s.Functions[i].Name < s.Functions[j].Name })
	for _, d := range s.Databases {
		sort.SliceStable(d.Tables, func(i, j int) bool { return d.Tables[i].Name < d.Tables[j].Name })
		sort.SliceStable(d.Views, func(i, j int) bool { return d.Views[i].Name < d.Views[j].Name })
		sort.SliceStable(d.Dictionaries, func(i, j int) bool { return d.Dictionaries[i].Name < d.Dictionaries[j].Name })
	}
}

// QualifiedName names an object inside a database. Database is never empty
// in a change handed to Apply: the parser layer resolves the current
// database.
type QualifiedName struct {
	Database string `json:"database"`
	Name     string `json:"name"`
}

// String returns db.name with both parts backquoted when needed.
func (q QualifiedName) String() string {
	if q.Database == "" {
		return QuoteIdent(q.Name)
	}
	return QuoteIdent(q.Database) + "." + QuoteIdent(q.Name)
}

// Position is a place in a user's file, 1-based.
type Position struct {
	File string `json:"file,omitempty"`
	Line int    `json:"line,omitempty"`
	Col  int    `json:"col,omitempty"`
}

// Origins say where the statement that last created, changed, renamed or
// dropped each object is, in the migrations an expected schema was replayed
// from: a table, view or dictionary under its qualified name, a database
// under {Database: name}, a SQL function under {Name: name}. Renderers use
// it to place a difference on the migration it concerns.
type Origins map[QualifiedName]Position

// String returns file:line:col, or just file when Line is 0.
func (p Position) String() string {
	switch {
	case p.File == "":
		return fmt.Sprintf("%d:%d", p.Line, p.Col)
	case p.Line == 0: // the file as a whole
		return p.File
	}
	return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col)
}

// Uncertainty records that a statement which could not be modelled may have
// touched an object, so that the model of that object cannot be trusted and
// diff must not report drift on it.
type Uncertainty struct {
	Reason string   `json:"reason"`
	Pos    Position `json:"pos"`
	// Object, in a database's uncertainties, names the one object of the
	// database it is about, which the model does not have (a statement
	// that could not be read may have created it); empty, it is about
	// every object of the database.
	Object string `json:"object,omitempty"`
	// Exists says the statement certainly created the object (CREATE
	// TABLE … AS SELECT, a column without a type): only its definition
	// is unknown, so whether it exists is still compared.
	Exists bool `json:"exists,omitempty"`
}

// Database is a ClickHouse database and the objects in it.
type Database struct {
	Schema *Schema `json:"-"`
	Name   string  `json:"name"`
	// Engine is the database engine. It is empty when no statement
	// declared it (CREATE DATABASE without ENGINE, or a database that
	// existed before the migrations): the server's default_database_engine
	// decides, so it is unknown, and never compared.
	Engine  Engine  `json:"engine"`
	Comment Comment `json:"comment,omitempty"`
	// CommentUnknown says no statement declared the comment: the database
	// existed before the migrations (default, the session's database) and
	// none has set its comment since. It is then never compared.
	CommentUnknown bool `json:"comment_unknown,omitempty"`

	Tables       []*Table      `json:"tables,omitempty"`
	Views        []*View       `json:"views,omitempty"`
	Dictionaries []*Dictionary `json:"dictionaries,omitempty"`
	// Detached holds objects taken away by DETACH, which ATTACH brings back.
	// The server does not list them in system.tables.
	Detached []Object `json:"-"`

	Uncertain []Uncertainty `json:"uncertain,omitempty"`
}

// UncertaintiesOf returns the database's uncertainties that concern the
// object called name: those about every object, and those about it.
func (d *Database) UncertaintiesOf(name string) []Uncertainty {
	var out []Uncertainty
	for _, u := range d.Uncertain {
		if u.Object == "" || u.Object == name {
			out = append(out, u)
		}
	}
	return out
}

// UncertainWhole reports whether an uncertainty concerns every object of
// the database.
func (d *Database) UncertainWhole() bool {
	for _, u := range d.Uncertain {
		if u.Object == "" {
			return true
		}
	}
	return false
}

// Table returns the table called name.
func (d *Database) Table(name string) (*Table, bool) {
	return lookup(d, d.Tables, name, func(x *dbIndex) *positions { return &x.tables })
}

// View returns the view or materialized view called name.
func (d *Database) View(name string) (*View, bool) {
	return lookup(d, d.Views, name, func(x *dbIndex) *positions { return &x.views })
}

// Dictionary returns the dictionary called name.
func (d *Database) Dictionary(name string) (*Dictionary, bool) {
	return lookup(d, d.Dictionaries, name, func(x *dbIndex) *positions { return &x.dicts })
}

// Object returns the table, view or dictionary called name: they share one
// namespace in a database.
func (d *Database) Object(name string) (Object, bool) {
	if t, ok := d.Table(name); ok {
		return t, true
	}
	if v, ok := d.View(name); ok {
		return v, true
	}
	if x, ok := d.Dictionary(name); ok {
		return x, true
	}
	return nil, false
}

// Object is a table, a view or a dictionary.
type Object interface {
	// ObjectName is the object's qualified name.
	ObjectName() QualifiedName
	// Kind says what the object is.
	Kind() ObjectKind
	// MarkUncertain records that the object may have been changed in a way
	// the model does not follow.
	MarkUncertain(Uncertainty)
	// Uncertainties returns what MarkUncertain recorded.
	Uncertainties() []Uncertainty
	setDatabase(*Database)
	setName(string)
}

// ObjectKind says what kind of object a name refers to.
type ObjectKind int

// The object kinds.
const (
	KindTable ObjectKind = iota + 1
	KindView
	KindMaterializedView
	KindDictionary
)

// String returns the SQL keyword for the kind.
func (k ObjectKind) String() string {
	switch k {
	case KindTable:
		return "TABLE"
	case KindView:
		return "VIEW"
	case KindMaterializedView:
		return "MATERIALIZED VIEW"
	case KindDictionary:
		return "DICTIONARY"
	}
	return fmt.Sprintf("ObjectKind(%d)", int(k))
}

// Table is a table: its columns, its storage and its secondary structures.
// Distributed tables and tables created with CREATE TABLE x AS y are plain
// tables here (the engine says Distributed; the columns are copied).
type Table struct {
	Database *Database `json:"-"`
	Name     string    `json:"name"`
	Columns  []*Column `json:"columns"`
	Storage
	Comment     Comment       `json:"comment,omitempty"`
	Indexes     []*Index      `json:"indexes,omitempty"`
	Projections []*Projection `json:"projections,omitempty"`
	Constraints []*Constraint `json:"constraints,omitempty"`
	Uncertain   []Uncertainty `json:"uncertain,omitempty"`
}

// Column returns the column called name.
func (t *Table) Column(name string) (*Column, bool) { return findColumn(t.Columns, name) }

// Index returns the skip index called name.
func (t *Table) Index(name string) (*Index, bool) {
	for _, i := range t.Indexes {
		if i.Name == name {
			return i, true
		}
	}
	return nil, false
}

// Projection returns the projection called name.
func (t *Table) Projection(name string) (*Projection, bool) {
	for _, p := range t.Projections {
		if p.Name == name {
			return p, true
		}
	}
	return nil, false
}

// Constraint returns the constraint called name.
func (t *Table) Constraint(name string) (*Constraint, bool) {
	for _, c := range t.Constraints {
		if c.Name == name {
			return c, true
		}
	}
	return nil, false
}

// ObjectName implements Object.
func (t *Table) ObjectName() QualifiedName { return QualifiedName{dbName(t.Database), t.Name} }

// Kind implements Object.
func (t *Table) Kind() ObjectKind { return KindTable }

// MarkUncertain implements Object.
func (t *Table) MarkUncertain(u Uncertainty) { t.Uncertain = append(t.Uncertain, u) }

// Uncertainties implements Object.
func (t *Table) Uncertainties() []Uncertainty { return t.Uncertain }

func (t *Table) setDatabase(d *Database) { t.Database = d }
func (t *Table) setName(n string)        { renamed(t.Name, n); t.Name = n }

// Storage is how a table, or a materialized view without TO, stores its
// rows: the engine and its clauses, as system.tables reports them.
type Storage struct {
	Engine Engine `json:"engine"`
	// PartitionBy is system.tables.partition_key, e.g. "toYYYYMM(ts)" or
	// "(a, b)".
	PartitionBy PartitionBy `json:"partition_by,omitempty"`
	// OrderBy is system.tables.sorting_key, e.g. "a, b"; empty for tuple().
	OrderBy OrderBy `json:"order_by,omitempty"`
	// PrimaryKey is system.tables.primary_key; the server fills it with the
	// sorting key when PRIMARY KEY is not given.
	PrimaryKey PrimaryKey `json:"primary_key,omitempty"`
	// PrimaryKeyExplicit says PRIMARY KEY was written, so that rendering
	// repeats it.
	PrimaryKeyExplicit bool     `json:"primary_key_explicit,omitempty"`
	SampleBy           SampleBy `json:"sample_by,omitempty"`
	TTL                TTL      `json:"ttl,omitempty"`
	Settings           Settings `json:"settings,omitempty"`
}

// Engine is a table or database engine with its parameters, e.g.
// ReplacingMergeTree(version) or Distributed('c', 'db', 't', rand()).
type Engine struct {
	Name string `json:"name"`
	// Params are the engine arguments in canonical expression form.
	Params []Expr `json:"params,omitempty"`
}

// String renders the engine as the server prints it in engine_full.
func (e Engine) String() string {
	if len(e.Params) == 0 {
		return e.Name
	}
	ps := make([]string, len(e.Params))
	for i, p := range e.Params {
		ps[i] = string(p)
	}
	return e.Name + "(" + strings.Join(ps, ", ") + ")"
}

// IsMergeTree reports whether the engine is of the MergeTree family.
func (e Engine) IsMergeTree() bool { return strings.HasSuffix(e.Name, "MergeTree") }

// OldSyntax locates the keys in a MergeTree engine of the deprecated form
// MergeTree(date, [sampling,] key, granularity[, engine arguments]), the
// Replicated ones after their path and replica: it returns the indexes of
// the date column, the sampling expression (-1 when there is none) and the
// key among e.Params. The server derives PARTITION BY toYYYYMM(date), ORDER
// BY and PRIMARY KEY key, and SAMPLE BY sampling from them, and prints no
// clause and no SETTINGS after such an engine.
func (e Engine) OldSyntax() (date, sample, key int, ok bool) {
	if !e.IsMergeTree() {
		return 0, 0, 0, false
	}
	off := 0
	if strings.HasPrefix(e.Name, "Replicated") {
		off = 2
	}
	isGranularity := func(i int) bool {
		if i >= len(e.Params) || e.Params[i] == "" {
			return false
		}
		return strings.Trim(string(e.Params[i]), "0123456789") == ""
	}
	switch {
	case isGranularity(off + 2):
		return off, -1, off + 1, true
	case isGranularity(off + 3):
		return off, off + 1, off + 2, true
	}
	return 0, 0, 0, false
}

// Expr is an SQL expression in the canonical form the server prints it.
type Expr string

// Type is a column type in canonical form, e.g. Nullable(String) or
// Decimal(10, 2).
type Type string

// Comment is an object or column comment, unquoted.
type Comment string

// PartitionBy is the partition key expression, as system.tables prints it.
type PartitionBy Expr

// OrderBy is the sorting key, as system.tables prints it: the key's
// elements joined by ", "; empty for ORDER BY tuple().
type OrderBy Expr

// PrimaryKey is the primary key, printed like OrderBy.
type PrimaryKey Expr

// SampleBy is the sampling expression.
type SampleBy Expr

// TTL is a table TTL clause without the TTL keyword, e.g.
// "ts + toIntervalDay(30)", or several rules joined by ", ".
type TTL Expr

// Setting is one NAME = value pair of a SETTINGS clause.
type Setting struct {
	Name  string `json:"name"`
	Value Expr   `json:"value"`
}

// Settings is a SETTINGS clause, in the order the server prints it.
type Settings []Setting

// Get returns the value of setting name.
func (s Settings) Get(name string) (Expr, bool) {
	for _, x := range s {
		if x.Name == name {
			return x.Value, true
		}
	}
	return "", false
}

// String renders the settings as "a = 1, b = 'x'".
func (s Settings) String() string {
	parts := make([]string, len(s))
	for i, x := range s {
		parts[i] = x.Name + " = " + string(x.Value)
	}
	return strings.Join(parts, ", ")
}

// DefaultKind says how a column's default expression is used.
type DefaultKind string

// The default kinds, spelled as system.columns.default_kind.
const (
	NoDefault    DefaultKind = ""
	Default      DefaultKind = "DEFAULT"
	Materialized DefaultKind = "MATERIALIZED"
	Alias        DefaultKind = "ALIAS"
	Ephemeral    DefaultKind = "EPHEMERAL"
)

// ColumnDefault is a column's default kind and expression. For an EPHEMERAL
// column without an expression, Expr is empty (the server then reports
// defaultValueOfTypeName('T'), with the type as written: see IsTypeDefault).
type ColumnDefault struct {
	Kind DefaultKind `json:"kind"`
	Expr Expr        `json:"expr,omitempty"`
}

// IsTypeDefault reports whether e is defaultValueOfTypeName('T'): what the
// server reports as the expression of an EPHEMERAL column written without
// one, T being the type as written (INT, Decimal64(11)), which is the value
// an EPHEMERAL column has anyway.
func IsTypeDefault(e Expr) bool {
	s := string(e)
	const prefix = "defaultValueOfTypeName('"
	if !strings.HasPrefix(s, prefix) || !strings.HasSuffix(s, "')") {
		return false
	}
	inner := s[len(prefix) : len(s)-2]
	for i := 0; i < len(inner); i++ {
		switch inner[i] {
		case '\\':
			i++
		case '\'':
			return false
		}
	}
	return true
}

// Codec is a column's compression codec list as system.columns prints it,
// e.g. "CODEC(Delta(4), ZSTD(3))"; empty when none.
type Codec string

// Column is a table or view column. Its position is its index in the
// owner's column list.
type Column struct {
	Name    string         `json:"name"`
	Type    Type           `json:"type"`
	Default *ColumnDefault `json:"default,omitempty"`
	Codec   Codec          `json:"codec,omitempty"`
	Comment Comment        `json:"comment,omitempty"`
	// TTL is the column TTL expression.
	TTL Expr `json:"ttl,omitempty"`
	// Settings are the column's own SETTINGS (max_compress_block_size, …),
	// in the order the server prints them.
	Settings Settings `json:"settings,omitempty"`
}

func findColumn(cs []*Column, name string) (*Column, bool) {
	for _, c := range cs {
		if c.Name == name {
			return c, true
		}
	}
	return nil, false
}

// Index is a data skipping index.
type Index struct {
	Name string `json:"name"`
	Expr Expr   `json:"expr"`
	// Type is the full index type, e.g. "bloom_filter(0.01)"
	// (system.data_skipping_indices.type_full).
	Type        Expr   `json:"type"`
	Granularity uint64 `json:"granularity"`
}

// Projection is a table projection.
type Projection struct {
	Name string `json:"name"`
	// Query is the projection's SELECT as system.projections prints it.
	Query Expr `json:"query"`
}

// ConstraintKind is CHECK or ASSUME.
type ConstraintKind string

// The constraint kinds.
const (
	Check  ConstraintKind = "CHECK"
	Assume ConstraintKind = "ASSUME"
)

// Constraint is a table constraint.
type Constraint struct {
	Name string         `json:"name"`
	Kind ConstraintKind `json:"kind"`
	Expr Expr           `json:"expr"`
}

// View is a view or a materialized view.
type View struct {
	Database     *Database `json:"-"`
	Name         string    `json:"name"`
	Materialized bool      `json:"materialized,omitempty"`
	// To is the target of a materialized view created with TO.
	To *QualifiedName `json:"to,omitempty"`
	// Storage is the inner table of a materialized view without TO.
	Storage *Storage `json:"storage,omitempty"`
	// Refresh is the schedule of a refreshable materialized view; nil for
	// any other view.
	Refresh *Refresh `json:"refresh,omitempty"`
	// Columns are the view's columns, as system.columns reports them. In a
	// model built offline they are nil when they cannot be known without the
	// server's type inference (anything but plain columns, * and count() of
	// one table); compare them only when both sides have them.
	Columns []*Column `json:"columns"`
	// Query is the SELECT as system.tables.as_select prints it.
	Query     Expr          `json:"query"`
	Comment   Comment       `json:"comment,omitempty"`
	Uncertain []Uncertainty `json:"uncertain,omitempty"`
}

// Refresh is the REFRESH clause of a refreshable materialized view, in the
// form the server stores it (system.tables.create_table_query): intervals
// are normalised ("90 MINUTE" is "1 HOUR 30 MINUTE", "1 QUARTER" is
// "3 MONTH") and DEPENDS ON names are qualified.
type Refresh struct {
	// Kind is EVERY or AFTER.
	Kind string `json:"kind"`
	// Interval, Offset and RandomizeFor are intervals as the server prints
	// them; Offset and RandomizeFor are empty when not written.
	Interval     string `json:"interval"`
	Offset       string `json:"offset,omitempty"`
	RandomizeFor string `json:"randomize_for,omitempty"`
	// DependsOn are the views of DEPENDS ON, qualified.
	DependsOn []QualifiedName `json:"depends_on,omitempty"`
	// Settings are the refresh settings (refresh_retries, …), as written.
	Settings Settings `json:"settings,omitempty"`
	// Append says the refresh appends to the target rather than replacing
	// its rows.
	Append bool `json:"append,omitempty"`
}

// String renders the clause as the server prints it, without the keyword
// REFRESH: "EVERY 1 DAY OFFSET 2 HOUR APPEND".
func (r *Refresh) String() string {
	if r == nil {
		return ""
	}
	s := r.Kind + " " + r.Interval
	if r.Offset != "" {
		s += " OFFSET " + r.Offset
	}
	if r.RandomizeFor != "" {
		s += " RANDOMIZE FOR " + r.RandomizeFor
	}
	if len(r.DependsOn) > 0 {
		names := make([]string, len(r.DependsOn))
		for i, n := range r.DependsOn {
			names[i] = n.String()
		}
		s += " DEPENDS ON " + strings.Join(names, ", ")
	}
	if len(r.Settings) > 0 {
		s += " SETTINGS " + r.Settings.String()
	}
	if r.Append {
		s += " APPEND"
	}
	return s
}

// Equal reports whether r and o are the same clause (both nil: neither view
// refreshes).
func (r *Refresh) Equal(o *Refresh) bool {
	if r == nil || o == nil {
		return r == o
	}
	return r.String() == o.String()
}

// Column returns the column called name.
func (v *View) Column(name string) (*Column, bool) { return findColumn(v.Columns, name) }

// ObjectName implements Object.
func (v *View) ObjectName() QualifiedName { return QualifiedName{dbName(v.Database), v.Name} }

// Kind implements Object.
func (v *View) Kind() ObjectKind {
	if v.Materialized {
		return KindMaterializedView
	}
	return KindView
}

// MarkUncertain implements Object.
func (v *View) MarkUncertain(u Uncertainty) { v.Uncertain = append(v.Uncertain, u) }

// Uncertainties implements Object.
func (v *View) Uncertainties() []Uncertainty { return v.Uncertain }

func (v *View) setDatabase(d *Database) { v.Database = d }
func (v *View) setName(n string)        { renamed(v.Name, n); v.Name = n }

// Dictionary is an external dictionary defined with CREATE DICTIONARY.
type Dictionary struct {
	Database   *Database              `json:"-"`
	Name       string                 `json:"name"`
	Attributes []*DictionaryAttribute `json:"attributes"`
	PrimaryKey []string               `json:"primary_key"`
	Source     DictionarySource       `json:"source"`
	Layout     DictionaryLayout       `json:"layout"`
	Lifetime   DictionaryLifetime     `json:"lifetime"`
	// Range is the RANGE(MIN x MAX y) of a range_hashed dictionary.
	Range     *DictionaryRange `json:"range,omitempty"`
	Settings  Settings         `json:"settings,omitempty"`
	Comment   Comment          `json:"comment,omitempty"`
	Uncertain []Uncertainty    `json:"uncertain,omitempty"`
}

// Attribute returns the attribute called name.
func (x *Dictionary) Attribute(name string) (*DictionaryAttribute, bool) {
	for _, a := range x.Attributes {
		if a.Name == name {
			return a, true
		}
	}
	return nil, false
}

// ObjectName implements Object.
func (x *Dictionary) ObjectName() QualifiedName { return QualifiedName{dbName(x.Database), x.Name} }

// Kind implements Object.
func (x *Dictionary) Kind() ObjectKind { return KindDictionary }

// MarkUncertain implements Object.
func (x *Dictionary) MarkUncertain(u Uncertainty) { x.Uncertain = append(x.Uncertain, u) }

// Uncertainties implements Object.
func (x *Dictionary) Uncertainties() []Uncertainty { return x.Uncertain }

func (x *Dictionary) setDatabase(d *Database) { x.Database = d }
func (x *Dictionary) setName(n string)        { renamed(x.Name, n); x.Name = n }

// DictionaryAttribute is one column of a dictionary's structure.
type DictionaryAttribute struct {
	Name string `json:"name"`
	Type Type   `json:"type"`
	// Default is the DEFAULT (null value) expression, if given.
	Default Expr `json:"default,omitempty"`
	// Expression is the EXPRESSION clause, if given.
	Expression   Expr `json:"expression,omitempty"`
	Hierarchical bool `json:"hierarchical,omitempty"`
	Injective    bool `json:"injective,omitempty"`
	IsObjectID   bool `json:"is_object_id,omitempty"`
}

// DictionarySource is SOURCE(TYPE(params...)), e.g.
// SOURCE(CLICKHOUSE(TABLE 'x' DB 'y')).
type DictionarySource struct {
	// Type is the source type in upper case, e.g. "CLICKHOUSE".
	Type   string      `json:"type"`
	Params []DictParam `json:"params,omitempty"`
}

// DictParam is one KEY value pair inside SOURCE(...) or LAYOUT(...).
type DictParam struct {
	Key   string `json:"key"`
	Value Expr   `json:"value"`
}

// DictionaryLayout is LAYOUT(TYPE(params...)), e.g. LAYOUT(HASHED()).
type DictionaryLayout struct {
	// Type is the layout in upper case, e.g. "HASHED".
	Type   string      `json:"type"`
	Params []DictParam `json:"params,omitempty"`
}

// DictionaryLifetime is LIFETIME(MIN a MAX b); LIFETIME(n) is Min 0, Max n.
type DictionaryLifetime struct {
	Min uint64 `json:"min"`
	Max uint64 `json:"max"`
}

// DictionaryRange is RANGE(MIN a MAX b).
type DictionaryRange struct {
	Min string `json:"min"`
	Max string `json:"max"`
}

// Function is a server-wide SQL user-defined function,
// CREATE FUNCTION name AS (params) -> body.
type Function struct {
	Schema *Schema  `json:"-"`
	Name   string   `json:"name"`
	Params []string `json:"params"`
	Body   Expr     `json:"body"`
}

func dbName(d *Database) string {
	if d == nil {
		return ""
	}
	return d.Name
}

// QuoteIdent backquotes an identifier when it is not a plain word or is one
// of quotedKeywords, escaping what the server's formatter escapes
// (identEscaper).
func QuoteIdent(s string) string {
	if isPlainIdent(s) && !quotedKeywords[strings.ToUpper(s)] {
		return s
	}
	return "`" + identEscaper.Replace(s) + "`"
}

// quotedKeywords are the keywords the server back-quotes when they are
// identifiers, in any case (26.7's formatQuery, over system.keywords):
// t.`values`, Tuple(keys String, `values` String).
var quotedKeywords = map[string]bool{"ALL": true, "DISTINCT": true, "FROM": true, "NULL": true,
	"SELECT": true, "TABLE": true, "VALUES": true}

// BackQuote always backquotes an identifier, as the server does for column
// names in create_table_query.
func BackQuote(s string) string {
	return "`" + identEscaper.Replace(s) + "`"
}

func isPlainIdent(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		switch {
		case r == '_', r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z':
		case r >= '0' && r <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}

// EvaluatedArg reports whether the server evaluates argument i of the
// engine as a constant when it creates the table, and stores the value
// (File(upper('tsv')) is File('TSV'), Merge(currentDatabase(), lower('A')) is
// Merge('db', 'a')): database and table names, formats, URLs and paths.
// A Distributed table's sharding key, an expression, is not evaluated.
func (e Engine) EvaluatedArg(i int) bool {
	switch e.Name {
	case "Buffer", "Merge":
		return i <= 1
	case "Distributed":
		return i <= 2
	case "Dictionary":
		return i == 0
	case "File", "URL", "S3", "HDFS", "AzureBlobStorage", "GCS", "OSS", "COSN":
		return true
	}
	return false
}
