package schema

// Change is one typed schema change. Apply replays a change on a model; the
// diff package returns a []Change that turns one model into another.
//
// Names in changes are fully qualified: the parser layer resolves the current
// database before handing them over.
type Change interface{ change() }

// Changes of databases.
type (
	// AddDatabase is CREATE DATABASE.
	AddDatabase struct {
		D           *Database
		IfNotExists bool
	}
	// RenameDatabase is RENAME DATABASE From TO To. The objects move with
	// the database; what they name (a view's TO table and query, DEPENDS
	// ON, a dictionary's source) stays as written, as the server keeps it.
	RenameDatabase struct{ From, To string }
	// DetachDatabase is DETACH DATABASE: the server lists neither the
	// database nor its objects until ATTACH DATABASE brings them back.
	DetachDatabase struct {
		Name     string
		IfExists bool
	}
	// AttachDatabase is ATTACH DATABASE name: it brings back a database
	// DETACH DATABASE took away, with its objects. With ENGINE (D set), a
	// database that was not detached is created as CREATE DATABASE would.
	AttachDatabase struct {
		Name        string
		IfNotExists bool
		D           *Database
	}
	// DropDatabase is DROP DATABASE.
	DropDatabase struct {
		Name     string
		IfExists bool
	}
	// ModifyDatabaseComment is ALTER DATABASE ... MODIFY COMMENT.
	ModifyDatabaseComment struct {
		Name    string
		Comment Comment
	}
	// TruncateDatabase is TRUNCATE DATABASE: it drops every table, view
	// and dictionary of the database, and keeps the database.
	TruncateDatabase struct {
		Name     string
		IfExists bool
	}
)

// Changes of whole objects (tables, views, dictionaries).
type (
	// AddTable is CREATE TABLE. With OrReplace an existing table is replaced;
	// with IfNotExists an existing object makes it a no-op.
	AddTable struct {
		Name QualifiedName
		T    *Table
		// AsTable is the y of CREATE TABLE x AS y: columns, indexes,
		// projections, constraints and, without an engine in T, the storage
		// are copied from y at replay.
		AsTable *QualifiedName
		// AsClauses are the storage clauses written after AS y without an
		// engine (CREATE TABLE x AS y ORDER BY k): each replaces the
		// source's at replay.
		AsClauses *StorageClauses
		// AsNoOrderBy says CREATE TABLE x AS y ENGINE = … wrote no ORDER
		// BY: a MergeTree engine takes y's at replay.
		AsNoOrderBy bool
		IfNotExists bool
		OrReplace   bool
	}
	// StorageClauses are storage clauses written without an engine, which
	// change those of the storage they apply to (ClickHouse 26.7, CREATE
	// TABLE x AS y ORDER BY k): a PARTITION BY, ORDER BY, PRIMARY KEY,
	// SAMPLE BY or TTL written replaces the source's; the SETTINGS
	// written come first, then the source's of other names.
	StorageClauses struct {
		// Storage holds the clauses; its Engine is empty.
		Storage Storage
		// OrderBy says ORDER BY was written (ORDER BY tuple() is an empty
		// OrderBy).
		OrderBy bool
	}
	// AddView is CREATE [MATERIALIZED] VIEW.
	AddView struct {
		Name        QualifiedName
		V           *View
		IfNotExists bool
		OrReplace   bool
	}
	// AddDictionary is CREATE DICTIONARY.
	AddDictionary struct {
		Name        QualifiedName
		D           *Dictionary
		IfNotExists bool
		OrReplace   bool
	}
	// DropObject is DROP TABLE/VIEW/DICTIONARY. Kind is the keyword used
	// (DROP TABLE also drops views, not dictionaries); zero means any kind.
	DropObject struct {
		Name     QualifiedName
		Kind     ObjectKind
		IfExists bool
		Sync     bool
	}
	// RenameObject is one pair of RENAME TABLE/DICTIONARY a TO b.
	RenameObject struct {
		From, To QualifiedName
		IfExists bool
	}
	// ExchangeObjects is EXCHANGE TABLES a AND b: the two swap names.
	ExchangeObjects struct {
		A, B QualifiedName
	}
	// DetachObject is DETACH TABLE/VIEW/DICTIONARY: the object leaves
	// system.tables until ATTACH brings it back.
	DetachObject struct {
		Name QualifiedName
		// Kind is the keyword used, as for DropObject; zero means any.
		Kind        ObjectKind
		IfExists    bool
		Permanently bool
	}
	// AttachObject is ATTACH TABLE name without a definition: it brings back
	// a detached object.
	AttachObject struct {
		Name        QualifiedName
		IfNotExists bool
	}
)

// ModifyTable is an ALTER TABLE: several actions applied in order to one
// table (or materialized view, for MODIFY QUERY).
type ModifyTable struct {
	Name     QualifiedName
	IfExists bool
	Changes  []Change
}

// Column changes, inside ModifyTable.
type (
	// AddColumn is ADD COLUMN. After names the column it goes after; First
	// puts it first; neither appends it.
	AddColumn struct {
		C           *Column
		IfNotExists bool
		After       string
		First       bool
		// Nested names the Nested column C is a subcolumn of (n for
		// n.a), when the ALTER added it as n Nested(…): with
		// IfNotExists, the server adds none of n's subcolumns when any
		// n.x column exists.
		Nested string
	}
	// DropColumn is DROP COLUMN.
	DropColumn struct {
		Name     string
		IfExists bool
	}
	// RenameColumn is RENAME COLUMN a TO b.
	RenameColumn struct {
		From, To string
		IfExists bool
	}
	// ModifyColumn changes the parts of a column that Kind names, taking them
	// from To. From is the column before the change when known (the diff
	// fills it; replay does not need it). After/First move the column.
	ModifyColumn struct {
		From, To *Column
		Kind     ColumnChangeKind
		IfExists bool
		After    string
		First    bool
	}
)

// ColumnChangeKind is a bit set of the parts of a column a ModifyColumn
// changes.
type ColumnChangeKind uint

// The column parts.
const (
	ChangeType ColumnChangeKind = 1 << iota
	ChangeDefault
	ChangeCodec
	ChangeComment
	ChangeTTL
	ChangeSettings
)

// Is reports whether k includes c.
func (k ColumnChangeKind) Is(c ColumnChangeKind) bool { return k&c != 0 }

// Index, projection and constraint changes, inside ModifyTable.
type (
	// AddIndex is ADD INDEX.
	AddIndex struct {
		I           *Index
		IfNotExists bool
		After       string
		First       bool
	}
	// DropIndex is DROP INDEX.
	DropIndex struct {
		Name     string
		IfExists bool
	}
	// AddProjection is ADD PROJECTION.
	AddProjection struct {
		P           *Projection
		IfNotExists bool
	}
	// DropProjection is DROP PROJECTION.
	DropProjection struct {
		Name     string
		IfExists bool
	}
	// AddConstraint is ADD CONSTRAINT.
	AddConstraint struct {
		C           *Constraint
		IfNotExists bool
	}
	// DropConstraint is DROP CONSTRAINT.
	DropConstraint struct {
		Name     string
		IfExists bool
	}
	// ClearColumn is CLEAR COLUMN: it resets the column's data and changes
	// no part of the model, but it is an ALTER of the table, which some
	// engines answer by writing their definition back (Memory).
	ClearColumn struct {
		Name     string
		IfExists bool
	}
)

// Table-level changes, inside ModifyTable.
type (
	// ModifyTTL is MODIFY TTL; REMOVE TTL is a ModifyTTL with an empty TTL.
	ModifyTTL struct{ TTL TTL }
	// ModifyColumnSettings is MODIFY COLUMN c MODIFY SETTING a = 1 (Set)
	// or RESET SETTING a (Reset): a set setting replaces the column's of
	// that name in place, or is appended; a reset one is removed.
	ModifyColumnSettings struct {
		Column   string
		Set      Settings
		Reset    []string
		IfExists bool
	}
	// ModifySettings is MODIFY SETTING a = 1, b = 2.
	ModifySettings struct{ Settings Settings }
	// ResetSettings is RESET SETTING a, b.
	ResetSettings struct{ Names []string }
	// ModifyOrderBy is MODIFY ORDER BY.
	ModifyOrderBy struct{ OrderBy OrderBy }
	// ModifySampleBy is MODIFY SAMPLE BY; REMOVE SAMPLE BY sets it empty.
	ModifySampleBy struct{ SampleBy SampleBy }
	// ModifyComment is MODIFY COMMENT.
	ModifyComment struct{ Comment Comment }
	// ModifyQuery is MODIFY QUERY on a materialized view. The columns of a
	// view with TO become the new query's: Columns, or unknown (nil) when
	// they could not be inferred; a view with an inner table keeps its own.
	ModifyQuery struct {
		Query   Expr
		Columns []*Column
	}
	// ModifyRefresh is MODIFY REFRESH on a refreshable materialized view:
	// To replaces the whole clause. From is the clause it replaces, when a
	// diff reports it.
	ModifyRefresh struct{ From, To *Refresh }
)

// Functions.
type (
	// AddFunction is CREATE FUNCTION.
	AddFunction struct {
		F           *Function
		IfNotExists bool
		OrReplace   bool
	}
	// DropFunction is DROP FUNCTION.
	DropFunction struct {
		Name     string
		IfExists bool
	}
)

// MarkUncertain records that a statement which could not be modelled may
// have touched Objects (and, when Databases is set, whole databases).
type MarkUncertain struct {
	Objects   []QualifiedName
	Databases []string
	Reason    Uncertainty
}

func (*AddDatabase) change()           {}
func (*DropDatabase) change()          {}
func (*RenameDatabase) change()        {}
func (*DetachDatabase) change()        {}
func (*AttachDatabase) change()        {}
func (*ModifyDatabaseComment) change() {}
func (*TruncateDatabase) change()      {}
func (*AddTable) change()              {}
func (*AddView) change()               {}
func (*AddDictionary) change()         {}
func (*DropObject) change()            {}
func (*RenameObject) change()          {}
func (*ExchangeObjects) change()       {}
func (*DetachObject) change()          {}
func (*AttachObject) change()          {}
func (*ModifyTable) change()           {}
func (*AddColumn) change()             {}
func (*DropColumn) change()            {}
func (*RenameColumn) change()          {}
func (*ModifyColumn) change()          {}
func (*AddIndex) change()              {}
func (*DropIndex) change()             {}
func (*AddProjection) change()         {}
func (*DropProjection) change()        {}
func (*AddConstraint) change()         {}
func (*DropConstraint) change()        {}
func (*ModifyTTL) change()             {}
func (*ModifySettings) change()        {}
func (*ClearColumn) change()           {}
func (*ResetSettings) change()         {}
func (*ModifyOrderBy) change()         {}
func (*ModifySampleBy) change()        {}
func (*ModifyComment) change()         {}
func (*ModifyQuery) change()           {}
func (*ModifyRefresh) change()         {}
func (*ModifyColumnSettings) change()  {}
func (*AddFunction) change()           {}
func (*DropFunction) change()          {}
func (*MarkUncertain) change()         {}
