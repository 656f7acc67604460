package schema

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Sentinel errors of Apply, matched with errors.Is. They mirror the
// server's refusals.
var (
	// ErrNotExist: the change refers to an object that does not exist.
	ErrNotExist = errors.New("schema: does not exist")
	// ErrExists: the change creates an object that already exists.
	ErrExists = errors.New("schema: already exists")
	// ErrInvalid: the change cannot apply to the object it names (for
	// example MODIFY QUERY on a table).
	ErrInvalid = errors.New("schema: invalid change")
)

// Apply replays c on s, the way the server would execute the statement c
// came from. It fails, wrapping ErrNotExist, ErrExists or ErrInvalid, where
// the server would refuse; the model is then unchanged for that change
// (a multi-action ModifyTable is applied as a whole or not at all).
func (s *Schema) Apply(c Change) error {
	switch c := c.(type) {
	case *AddDatabase:
		if _, ok := s.Database(c.D.Name); ok {
			if c.IfNotExists {
				return nil
			}
			return fmt.Errorf("database %s: %w", QuoteIdent(c.D.Name), ErrExists)
		}
		d := *c.D
		s.AddDatabase(&d)
		return nil
	case *DropDatabase:
		i := slices.IndexFunc(s.Databases, func(d *Database) bool { return d.Name == c.Name })
		if i < 0 {
			if c.IfExists {
				return nil
			}
			return fmt.Errorf("database %s: %w", QuoteIdent(c.Name), ErrNotExist)
		}
		s.Databases = slices.Delete(s.Databases, i, i+1)
		return nil
	case *RenameDatabase:
		d, ok := s.Database(c.From)
		if !ok {
			return fmt.Errorf("database %s: %w", QuoteIdent(c.From), ErrNotExist)
		}
		if _, ok := s.Database(c.To); ok {
			return fmt.Errorf("database %s: %w", QuoteIdent(c.To), ErrExists)
		}
		d.Name = c.To
		return nil
	case *DetachDatabase:
		i := slices.IndexFunc(s.Databases, func(d *Database) bool { return d.Name == c.Name })
		if i < 0 {
			if c.IfExists {
				return nil
			}
			return fmt.Errorf("database %s: %w", QuoteIdent(c.Name), ErrNotExist)
		}
		d := s.Databases[i]
		if d.Engine.Name == "Memory" {
			// A Memory database keeps no metadata: ATTACH DATABASE brings
			// it back empty (ClickHouse 26.7).
			d.Tables, d.Views, d.Dictionaries, d.Detached = nil, nil, nil, nil
		}
		s.Detached = append(s.Detached, d)
		s.Databases = slices.Delete(s.Databases, i, i+1)
		return nil
	case *AttachDatabase:
		if _, ok := s.Database(c.Name); ok {
			if c.IfNotExists {
				return nil
			}
			return fmt.Errorf("database %s: %w", QuoteIdent(c.Name), ErrExists)
		}
		i := slices.IndexFunc(s.Detached, func(d *Database) bool { return d.Name == c.Name })
		if i < 0 && c.D != nil {
			return s.Apply(&AddDatabase{D: c.D, IfNotExists: c.IfNotExists})
		}
		if i < 0 {
			// The server attaches what its disk holds, which the model
			// does not know.
			return fmt.Errorf("detached database %s: %w", QuoteIdent(c.Name), ErrNotExist)
		}
		d := s.Detached[i]
		s.Detached = slices.Delete(s.Detached, i, i+1)
		// What DETACH took away without PERMANENTLY comes back with the
		// database (ClickHouse 26.7), as it does when the server starts.
		var stay []Object
		for _, o := range d.Detached {
			if _, ok := o.(permanentlyDetached); ok {
				stay = append(stay, o)
			} else {
				insertObject(d, o)
			}
		}
		d.Detached = stay
		if d.Engine.Name == "" {
			// Atomic and Ordinary databases keep their objects across
			// DETACH, a Memory one loses them: the server's
			// default_database_engine decided which this is.
			d.Uncertain = append(d.Uncertain, Uncertainty{Reason: "ATTACH DATABASE of a database created without ENGINE: whether its objects survived DETACH DATABASE depends on the server's default_database_engine"})
		}
		s.AddDatabase(d)
		return nil
	case *TruncateDatabase:
		d, ok := s.Database(c.Name)
		if !ok {
			if c.IfExists {
				return nil
			}
			return fmt.Errorf("database %s: %w", QuoteIdent(c.Name), ErrNotExist)
		}
		d.Tables, d.Views, d.Dictionaries, d.Detached = nil, nil, nil, nil
		return nil
	case *ModifyDatabaseComment:
		d, ok := s.Database(c.Name)
		if !ok {
			return fmt.Errorf("database %s: %w", QuoteIdent(c.Name), ErrNotExist)
		}
		d.Comment, d.CommentUnknown = c.Comment, false
		return nil
	case *AddTable:
		return s.addTable(c)
	case *AddView:
		v := *c.V
		return s.addObject(&v, c.Name, c.IfNotExists, c.OrReplace)
	case *AddDictionary:
		x := *c.D
		return s.addObject(&x, c.Name, c.IfNotExists, c.OrReplace)
	case *DropObject:
		o, ok := s.Object(c.Name)
		if !ok {
			if c.IfExists {
				return nil
			}
			return fmt.Errorf("%s %s: %w", kindWord(c.Kind), c.Name, ErrNotExist)
		}
		if c.Kind != 0 && !kindMatches(c.Kind, o) {
			return fmt.Errorf("DROP %s %s: it is a %s: %w", c.Kind, c.Name, o.Kind(), ErrInvalid)
		}
		removeObject(o)
		return nil
	case *RenameObject:
		return s.rename(c)
	case *ExchangeObjects:
		a, ok := s.Object(c.A)
		if !ok {
			return fmt.Errorf("table %s: %w", c.A, ErrNotExist)
		}
		b, ok := s.Object(c.B)
		if !ok {
			return fmt.Errorf("table %s: %w", c.B, ErrNotExist)
		}
		da, db := dbOf(a), dbOf(b)
		removeObject(a)
		removeObject(b)
		a.setName(c.B.Name)
		b.setName(c.A.Name)
		insertObject(db, a)
		insertObject(da, b)
		return nil
	case *DetachObject:
		o, ok := s.Object(c.Name)
		if !ok {
			if c.IfExists {
				return nil
			}
			return fmt.Errorf("table %s: %w", c.Name, ErrNotExist)
		}
		if c.Kind != 0 && !kindMatches(c.Kind, o) {
			return fmt.Errorf("DETACH %s %s: it is a %s: %w", c.Kind, c.Name, o.Kind(), ErrInvalid)
		}
		d := dbOf(o)
		removeObject(o)
		if c.Permanently {
			d.Detached = append(d.Detached, permanentlyDetached{o})
		} else {
			d.Detached = append(d.Detached, o)
		}
		return nil
	case *AttachObject:
		d, ok := s.Database(c.Name.Database)
		if !ok {
			return fmt.Errorf("database %s: %w", QuoteIdent(c.Name.Database), ErrNotExist)
		}
		if _, ok := d.Object(c.Name.Name); ok {
			if c.IfNotExists {
				return nil
			}
			return fmt.Errorf("table %s: %w", c.Name, ErrExists)
		}
		i := slices.IndexFunc(d.Detached, func(o Object) bool { return o.ObjectName().Name == c.Name.Name })
		if i < 0 {
			return fmt.Errorf("detached table %s: %w", c.Name, ErrNotExist)
		}
		o := d.Detached[i]
		d.Detached = slices.Delete(d.Detached, i, i+1)
		if p, ok := o.(permanentlyDetached); ok {
			o = p.Object
		}
		insertObject(d, o)
		return nil
	case *ModifyTable:
		return s.alter(c)
	case *AddFunction:
		if i := slices.IndexFunc(s.Functions, func(f *Function) bool { return f.Name == c.F.Name }); i >= 0 {
			switch {
			case c.OrReplace:
				f := *c.F
				f.Schema = s
				s.Functions[i] = &f
				return nil
			case c.IfNotExists:
				return nil
			}
			return fmt.Errorf("function %s: %w", QuoteIdent(c.F.Name), ErrExists)
		}
		f := *c.F
		f.Schema = s
		s.Functions = append(s.Functions, &f)
		return nil
	case *DropFunction:
		i := slices.IndexFunc(s.Functions, func(f *Function) bool { return f.Name == c.Name })
		if i < 0 {
			if c.IfExists {
				return nil
			}
			return fmt.Errorf("function %s: %w", QuoteIdent(c.Name), ErrNotExist)
		}
		s.Functions = slices.Delete(s.Functions, i, i+1)
		return nil
	case *MarkUncertain:
		// Nothing is dropped: an object the model does not have is marked
		// by name in its database, and a database the model does not have
		// is added, unknown, as a whole uncertain one.
		for _, n := range c.Objects {
			if o, ok := s.Object(n); ok {
				o.MarkUncertain(c.Reason)
				continue
			}
			d := s.uncertainDatabase(n.Database, c.Reason)
			u := c.Reason
			u.Object = n.Name
			d.Uncertain = append(d.Uncertain, u)
		}
		for _, n := range c.Databases {
			if d, ok := s.Database(n); ok {
				d.Uncertain = append(d.Uncertain, c.Reason)
			} else {
				s.uncertainDatabase(n, c.Reason)
			}
		}
		return nil
	}
	return fmt.Errorf("%T is not a top-level change: %w", c, ErrInvalid)
}

// uncertainDatabase returns the database called name, adding it when the
// model does not have it: its engine and comment unknown, and every object
// in it uncertain for reason.
func (s *Schema) uncertainDatabase(name string, reason Uncertainty) *Database {
	if d, ok := s.Database(name); ok {
		return d
	}
	reason.Object = ""
	reason.Reason = "database " + QuoteIdent(name) + " is not in the model: " + reason.Reason
	return s.AddDatabase(&Database{Name: name, CommentUnknown: true, Uncertain: []Uncertainty{reason}})
}

func kindWord(k ObjectKind) string {
	if k == 0 {
		return "table"
	}
	return k.String()
}

// kindMatches reports whether DROP or DETACH with the keyword of kind want
// applies to o, as the server decides (derived from ClickHouse 26.7 for
// every keyword and object kind, TestDropKinds): DROP TABLE drops tables
// and views but not dictionaries, DROP VIEW only views, and DROP
// DICTIONARY dictionaries and tables of the Dictionary engine.
func kindMatches(want ObjectKind, o Object) bool {
	got := o.Kind()
	switch want {
	case KindTable:
		return got != KindDictionary
	case KindView, KindMaterializedView:
		return got == KindView || got == KindMaterializedView
	case KindDictionary:
		if t, ok := o.(*Table); ok && t.Engine.Name == "Dictionary" {
			return true
		}
	}
	return want == got
}

func (s *Schema) addTable(c *AddTable) error {
	t := c.T.clone()
	if c.AsTable != nil {
		src, ok := s.Object(*c.AsTable)
		if !ok {
			return fmt.Errorf("table %s (in AS): %w", c.AsTable, ErrNotExist)
		}
		st, ok := src.(*Table)
		if !ok {
			// AS a view or a dictionary copies its columns; the new table
			// needs its own engine.
			switch x := src.(type) {
			case *View:
				t.Columns = cloneColumns(x.Columns)
				if x.Columns == nil {
					t.MarkUncertain(Uncertainty{Reason: "CREATE TABLE AS a view whose columns the model does not know"})
				}
			case *Dictionary:
				for _, a := range x.Attributes {
					t.Columns = append(t.Columns, &Column{Name: a.Name, Type: a.Type})
				}
			}
			if t.Engine.Name == "" {
				t.MarkUncertain(Uncertainty{Reason: "CREATE TABLE AS a " + src.Kind().String() + " without an engine"})
			}
			return s.addObject(t, c.Name, c.IfNotExists, c.OrReplace)
		}
		from := st.clone()
		t.Columns = from.Columns
		if t.Engine.Name != "" && !t.Engine.IsMergeTree() {
			// Only MergeTree tables have TTLs: the server leaves the
			// source's column TTLs out (ClickHouse test 02230).
			for _, c := range t.Columns {
				c.TTL = ""
			}
		}
		t.Constraints = from.Constraints
		if constraintsNotKept(from.Engine.Name) {
			// The copy takes the source's metadata as its engine keeps it.
			t.Constraints = nil
		}
		if t.Engine.Name != "" && !t.Engine.IsMergeTree() {
			// Only MergeTree tables have column TTLs.
			for _, c := range t.Columns {
				c.TTL = ""
			}
		}
		// Skip indexes and projections only exist in MergeTree tables.
		if t.Engine.Name == "" || t.Engine.IsMergeTree() {
			t.Indexes = from.Indexes
			t.Projections = from.Projections
		}
		if t.Comment == "" {
			t.Comment = from.Comment
		}
		if t.Engine.Name == "" {
			t.Storage = from.Storage
			if c.AsClauses != nil {
				t.Storage.override(c.AsClauses, from.Storage)
			}
		} else if _, _, _, old := from.Engine.OldSyntax(); t.Engine.IsMergeTree() && from.Engine.IsMergeTree() && !old {
			// The server keeps the source's PARTITION BY, PRIMARY KEY,
			// ORDER BY and SAMPLE BY, as its definition has them, when
			// the new MergeTree engine clause leaves them out; other
			// engines (Buffer, Merge, Distributed) have none, and an
			// EmbeddedRocksDB's PRIMARY KEY is not a MergeTree one. A
			// source in the old syntax, MergeTree(d, k, 8192), gives
			// none (ClickHouse 26.7, InterpreterCreateQuery).
			// t.Storage is normalized already: only what changes is.
			if t.PartitionBy == "" && from.PartitionBy != "tuple()" {
				// (An explicit PARTITION BY tuple() is no partition key
				// to copy.)
				t.PartitionBy = from.PartitionBy
			}
			if !t.PrimaryKeyExplicit && from.PrimaryKeyExplicit {
				t.PrimaryKey, t.PrimaryKeyExplicit = from.PrimaryKey, true
			}
			if c.AsNoOrderBy {
				written, exact := from.writtenOrderBy()
				if _, vc := t.versionColumn(); !exact && !vc {
					t.MarkUncertain(Uncertainty{Reason: "CREATE TABLE AS a VersionedCollapsingMergeTree table whose definition may or may not write its version column in ORDER BY"})
				}
				t.OrderBy = OrderBy(written)
				if !t.PrimaryKeyExplicit {
					t.PrimaryKey = PrimaryKey(written)
				}
				t.appendVersion()
			}
			if t.SampleBy == "" {
				t.SampleBy = from.SampleBy
			}
		}
	}
	return s.addObject(t, c.Name, c.IfNotExists, c.OrReplace)
}

// override applies storage clauses written without an engine to st, a
// copy of from.
func (st *Storage) override(w *StorageClauses, from Storage) {
	if w.Storage.PartitionBy != "" {
		st.PartitionBy = w.Storage.PartitionBy
	}
	if w.Storage.PrimaryKeyExplicit {
		st.PrimaryKey, st.PrimaryKeyExplicit = w.Storage.PrimaryKey, true
	}
	if w.OrderBy {
		// The written ORDER BY replaces the source's as written; the
		// primary key, unless one is explicit, is derived from it. st is
		// normalized already: only the new key is.
		st.OrderBy = w.Storage.OrderBy
		if !st.PrimaryKeyExplicit {
			st.PrimaryKey = PrimaryKey(st.OrderBy)
		}
		st.appendVersion()
	}
	if w.Storage.SampleBy != "" {
		st.SampleBy = w.Storage.SampleBy
	}
	if w.Storage.TTL != "" {
		st.TTL = w.Storage.TTL
	}
	if len(w.Storage.Settings) > 0 {
		settings := slices.Clone(w.Storage.Settings)
		for _, x := range from.Settings {
			if _, ok := w.Storage.Settings.Get(x.Name); !ok {
				settings = append(settings, x)
			}
		}
		st.Settings = settings
	}
}

// constraintsNotKept reports whether an engine's tables keep their
// constraints only in their definition, not in the metadata an ALTER or a
// CREATE TABLE AS copies (ClickHouse 26.7).
func constraintsNotKept(engine string) bool {
	switch engine {
	case "Merge", "GenerateRandom", "FuzzJSON", "FuzzQuery", "Dictionary":
		return true
	}
	return false
}

// rewrittenByAlter applies what some engines do to their definition when
// an ALTER rewrites it from what they keep: Merge, GenerateRandom, FuzzJSON,
// FuzzQuery and Dictionary tables lose their constraints, an EmbeddedRocksDB table gains its
// optimize_for_bulk_insert setting, and a Memory table's settings are put
// in the engine's order, its compress a Bool (ClickHouse 26.7).
func (t *Table) rewrittenByAlter() {
	switch {
	case constraintsNotKept(t.Engine.Name):
		t.Constraints = nil
	case t.Engine.Name == "EmbeddedRocksDB":
		if _, ok := t.Settings.Get("optimize_for_bulk_insert"); !ok {
			t.Settings = append(t.Settings, Setting{Name: "optimize_for_bulk_insert", Value: "true"})
		}
	case t.Engine.Name == "Memory" && len(t.Settings) > 0:
		// A Memory table's settings are written back from the engine's
		// own: in its order, compress as a Bool.
		slices.SortStableFunc(t.Settings, func(a, b Setting) int { return memorySettingOrder(a.Name) - memorySettingOrder(b.Name) })
		for i, x := range t.Settings {
			if x.Name != "compress" {
				continue
			}
			switch strings.Trim(strings.ToLower(string(x.Value)), "'") {
			case "1", "true":
				t.Settings[i].Value = "true"
			case "0", "false":
				t.Settings[i].Value = "false"
			}
		}
	}
}

// memorySettingOrder is where the Memory engine lists a setting of its own
// (ClickHouse 26.7, as an ALTER writes them back).
func memorySettingOrder(name string) int {
	i := slices.Index([]string{"compress", "min_rows_to_keep", "max_rows_to_keep", "min_bytes_to_keep", "max_bytes_to_keep"}, name)
	if i < 0 {
		return 5
	}
	return i
}

// Normalize fills what the server derives: the primary key from the sorting
// key, and index_granularity = 8192 for MergeTree engines.
func (st *Storage) Normalize() {
	if !st.PrimaryKeyExplicit {
		st.PrimaryKey = PrimaryKey(st.OrderBy)
	}
	st.appendVersion()
	if _, _, _, old := st.Engine.OldSyntax(); st.Engine.IsMergeTree() && !old {
		if _, ok := st.Settings.Get("index_granularity"); !ok {
			st.Settings = append(st.Settings, Setting{Name: "index_granularity", Value: "8192"})
		}
	}
}

// appendVersion appends a VersionedCollapsingMergeTree's version column to
// its sorting key (not to its primary key), as the engine does, unless the
// key already holds it.
func (st *Storage) appendVersion() {
	v, ok := st.versionColumn()
	if !ok || slices.Contains(SplitKey(string(st.OrderBy)), v) {
		return
	}
	if st.OrderBy == "" {
		st.OrderBy = OrderBy(v)
	} else {
		st.OrderBy = OrderBy(string(st.OrderBy) + ", " + v)
	}
}

// versionColumn is a VersionedCollapsingMergeTree's version column.
func (st *Storage) versionColumn() (string, bool) {
	if st.Engine.Name != "VersionedCollapsingMergeTree" || len(st.Engine.Params) != 2 {
		return "", false
	}
	return string(st.Engine.Params[1]), true
}

// writtenOrderBy is the ORDER BY of a normalized storage as its definition
// has it: without the version column a VersionedCollapsingMergeTree
// appended ("" for ORDER BY tuple()). exact is false when the model cannot
// tell whether the definition wrote the version column itself: an explicit
// primary key and a sorting key ending with the version.
func (st *Storage) writtenOrderBy() (o OrderBy, exact bool) {
	v, ok := st.versionColumn()
	ks := SplitKey(string(st.OrderBy))
	if !ok || len(ks) == 0 || ks[len(ks)-1] != v {
		return st.OrderBy, true
	}
	stripped := OrderBy(strings.Join(ks[:len(ks)-1], ", "))
	if st.PrimaryKeyExplicit {
		// Re-appending gives the same sorting key either way.
		return stripped, false
	}
	// Without an explicit primary key, the primary key is the ORDER BY
	// as written.
	if string(st.PrimaryKey) == string(st.OrderBy) {
		return st.OrderBy, true
	}
	return stripped, true
}

// addObject inserts o named name into its database.
func (s *Schema) addObject(o Object, name QualifiedName, ifNotExists, orReplace bool) error {
	d, ok := s.Database(name.Database)
	if !ok {
		return fmt.Errorf("database %s: %w", QuoteIdent(name.Database), ErrNotExist)
	}
	if old, ok := d.Object(name.Name); ok {
		switch {
		case ifNotExists:
			return nil
		case orReplace:
			removeObject(old)
		default:
			return fmt.Errorf("%s %s: %w", old.Kind(), name, ErrExists)
		}
	}
	o.setName(name.Name)
	insertObject(d, o)
	return nil
}

func (s *Schema) rename(c *RenameObject) error {
	o, ok := s.Object(c.From)
	if !ok {
		if c.IfExists {
			return nil
		}
		return fmt.Errorf("table %s: %w", c.From, ErrNotExist)
	}
	to, ok := s.Database(c.To.Database)
	if !ok {
		return fmt.Errorf("database %s: %w", QuoteIdent(c.To.Database), ErrNotExist)
	}
	if _, ok := to.Object(c.To.Name); ok {
		return fmt.Errorf("table %s: %w", c.To, ErrExists)
	}
	removeObject(o)
	o.setName(c.To.Name)
	insertObject(to, o)
	return nil
}

func dbOf(o Object) *Database {
	switch o := o.(type) {
	case *Table:
		return o.Database
	case *View:
		return o.Database
	case *Dictionary:
		return o.Database
	}
	return nil
}

func insertObject(d *Database, o Object) {
	o.setDatabase(d)
	switch o := o.(type) {
	case *Table:
		d.Tables = append(d.Tables, o)
	case *View:
		d.Views = append(d.Views, o)
	case *Dictionary:
		d.Dictionaries = append(d.Dictionaries, o)
	}
	objectsChanged(d, o, true)
}

func removeObject(o Object) {
	d := dbOf(o)
	if d == nil {
		return
	}
	switch o := o.(type) {
	case *Table:
		d.Tables = slices.DeleteFunc(d.Tables, func(x *Table) bool { return x == o })
	case *View:
		d.Views = slices.DeleteFunc(d.Views, func(x *View) bool { return x == o })
	case *Dictionary:
		d.Dictionaries = slices.DeleteFunc(d.Dictionaries, func(x *Dictionary) bool { return x == o })
	}
	objectsChanged(d, o, false)
}

// alter applies the actions of an ALTER to a copy of the table and swaps it
// in only when every action succeeded, as the server does.
func (s *Schema) alter(c *ModifyTable) error {
	o, ok := s.Object(c.Name)
	if !ok {
		if c.IfExists {
			return nil
		}
		return fmt.Errorf("table %s: %w", c.Name, ErrNotExist)
	}
	switch o := o.(type) {
	case *Table:
		t := o.clone()
		skipNested := map[string]bool{} // ADD COLUMN IF NOT EXISTS n Nested(…) with n.x present
		for _, a := range c.Changes {
			if add, ok := a.(*AddColumn); ok && add.Nested != "" && add.IfNotExists {
				present, seen := skipNested[add.Nested]
				if !seen {
					present = slices.ContainsFunc(t.Columns, func(x *Column) bool { return strings.HasPrefix(x.Name, add.Nested+".") })
					skipNested[add.Nested] = present
				}
				if present {
					continue
				}
			}
			if m, ok := a.(*ModifyColumn); ok && m.Kind.Is(ChangeType) && !m.Kind.Is(ChangeDefault) {
				// The server completes a MODIFY COLUMN with a type and no
				// default from the table as it was before the ALTER, not
				// from the commands before it in the same ALTER (MODIFY
				// COLUMN c … DEFAULT 1, MODIFY COLUMN c Int32 leaves c
				// without a default if it had none).
				if before, ok := o.Column(m.To.Name); ok {
					to := *m.To
					to.Default = before.Default
					a = &ModifyColumn{From: m.From, To: &to, Kind: m.Kind | ChangeDefault, IfExists: m.IfExists, After: m.After, First: m.First}
				}
			}
			if err := t.alter(a); err != nil {
				return fmt.Errorf("ALTER TABLE %s: %w", c.Name, err)
			}
		}
		if len(c.Changes) > 0 {
			t.rewrittenByAlter()
		}
		t.Database = o.Database
		*o = *t
		return nil
	case *View:
		v := *o
		for _, a := range c.Changes {
			switch a := a.(type) {
			case *ModifyQuery:
				if !v.Materialized {
					return fmt.Errorf("ALTER TABLE %s MODIFY QUERY: not a materialized view: %w", c.Name, ErrInvalid)
				}
				v.Query = a.Query
				if v.Storage != nil {
					// A view with an inner table keeps its columns: they
					// are the inner table's, which MODIFY QUERY leaves.
					break
				}
				v.Columns = cloneColumns(a.Columns)
				if a.Columns == nil {
					v.Columns = nil
				}
			case *ModifyComment:
				v.Comment = a.Comment
			case *ModifyRefresh:
				if v.Refresh == nil || a.To == nil {
					return fmt.Errorf("ALTER TABLE %s MODIFY REFRESH: not a refreshable materialized view: %w", c.Name, ErrInvalid)
				}
				if v.Refresh.Append != a.To.Append {
					// The server refuses: "Adding or removing APPEND is
					// not supported".
					return fmt.Errorf("ALTER TABLE %s MODIFY REFRESH: adding or removing APPEND: %w", c.Name, ErrInvalid)
				}
				v.Refresh = a.To
			default:
				// The server alters a materialized view only with MODIFY
				// QUERY, MODIFY REFRESH and MODIFY COMMENT.
				return fmt.Errorf("ALTER TABLE %s: %T on a %s: %w", c.Name, a, v.Kind(), ErrInvalid)
			}
		}
		*o = v
		return nil
	}
	if x, ok := o.(*Dictionary); ok {
		// ALTER TABLE d MODIFY COMMENT is the one ALTER of a dictionary
		// (ClickHouse test 02155).
		comment := x.Comment
		for _, a := range c.Changes {
			m, ok := a.(*ModifyComment)
			if !ok {
				return fmt.Errorf("ALTER TABLE %s: %T on a dictionary: %w", c.Name, a, ErrInvalid)
			}
			comment = m.Comment
		}
		x.Comment = comment
		return nil
	}
	return fmt.Errorf("ALTER TABLE %s: it is a %s: %w", c.Name, o.Kind(), ErrInvalid)
}

func (t *Table) alter(c Change) error {
	switch c := c.(type) {
	case *AddColumn:
		if _, ok := t.Column(c.C.Name); ok {
			if c.IfNotExists {
				return nil
			}
			return fmt.Errorf("column %s: %w", BackQuote(c.C.Name), ErrExists)
		}
		col := *c.C
		cols, err := insertAt(t.Columns, &col, c.After, c.First)
		if err != nil {
			return err
		}
		t.Columns = cols
	case *DropColumn:
		i := slices.IndexFunc(t.Columns, func(x *Column) bool { return x.Name == c.Name })
		if i < 0 {
			if c.IfExists {
				// Even for a Nested n with n.x columns: the server's
				// IF EXISTS looks for a column named n.
				return nil
			}
			// DROP COLUMN n, n a Nested column: every n.x goes.
			nested := func(x *Column) bool { return strings.HasPrefix(x.Name, c.Name+".") }
			if slices.ContainsFunc(t.Columns, nested) {
				t.Columns = slices.DeleteFunc(t.Columns, nested)
				return nil
			}
			return fmt.Errorf("column %s: %w", BackQuote(c.Name), ErrNotExist)
		}
		t.Columns = slices.Delete(t.Columns, i, i+1)
	case *RenameColumn:
		col, ok := t.Column(c.From)
		if !ok {
			if c.IfExists {
				return nil
			}
			return fmt.Errorf("column %s: %w", BackQuote(c.From), ErrNotExist)
		}
		if _, ok := t.Column(c.To); ok {
			return fmt.Errorf("column %s: %w", BackQuote(c.To), ErrExists)
		}
		if err := t.renameColumnRefs(c.From, c.To); err != nil {
			return err
		}
		col.Name = c.To
	case *ModifyColumn:
		i := slices.IndexFunc(t.Columns, func(x *Column) bool { return x.Name == c.To.Name })
		if i < 0 {
			if c.IfExists {
				return nil
			}
			return fmt.Errorf("column %s: %w", BackQuote(c.To.Name), ErrNotExist)
		}
		col := *t.Columns[i]
		if c.Kind.Is(ChangeType) {
			col.Type = c.To.Type
		}
		if c.Kind.Is(ChangeDefault) {
			col.Default = c.To.Default
		}
		if c.Kind.Is(ChangeCodec) {
			col.Codec = c.To.Codec
		}
		if c.Kind.Is(ChangeComment) {
			col.Comment = c.To.Comment
		}
		if c.Kind.Is(ChangeTTL) {
			col.TTL = c.To.TTL
		}
		if c.Kind.Is(ChangeSettings) {
			col.Settings = c.To.Settings
		}
		t.Columns[i] = &col
		if c.After != "" || c.First {
			rest := slices.Delete(slices.Clone(t.Columns), i, i+1)
			cols, err := insertAt(rest, &col, c.After, c.First)
			if err != nil {
				return err
			}
			t.Columns = cols
		}
	case *AddIndex:
		if _, ok := t.Index(c.I.Name); ok {
			if c.IfNotExists {
				return nil
			}
			return fmt.Errorf("index %s: %w", BackQuote(c.I.Name), ErrExists)
		}
		ix := *c.I
		pos := len(t.Indexes)
		switch {
		case c.First:
			pos = 0
		case c.After != "":
			j := slices.IndexFunc(t.Indexes, func(x *Index) bool { return x.Name == c.After })
			if j < 0 {
				return fmt.Errorf("index %s (in AFTER): %w", BackQuote(c.After), ErrNotExist)
			}
			pos = j + 1
		}
		t.Indexes = slices.Insert(t.Indexes, pos, &ix)
	case *DropIndex:
		xs, err := dropNamed(t.Indexes, c.Name, c.IfExists, "index", func(x *Index) string { return x.Name })
		if err != nil {
			return err
		}
		t.Indexes = xs
	case *AddProjection:
		if _, ok := t.Projection(c.P.Name); ok {
			if c.IfNotExists {
				return nil
			}
			return fmt.Errorf("projection %s: %w", BackQuote(c.P.Name), ErrExists)
		}
		p := *c.P
		t.Projections = append(t.Projections, &p)
	case *DropProjection:
		xs, err := dropNamed(t.Projections, c.Name, c.IfExists, "projection", func(x *Projection) string { return x.Name })
		if err != nil {
			return err
		}
		t.Projections = xs
	case *AddConstraint:
		if _, ok := t.Constraint(c.C.Name); ok {
			if c.IfNotExists {
				return nil
			}
			return fmt.Errorf("constraint %s: %w", BackQuote(c.C.Name), ErrExists)
		}
		x := *c.C
		t.Constraints = append(t.Constraints, &x)
	case *DropConstraint:
		xs, err := dropNamed(t.Constraints, c.Name, c.IfExists, "constraint", func(x *Constraint) string { return x.Name })
		if err != nil {
			return err
		}
		t.Constraints = xs
	case *ModifyTTL:
		t.TTL = c.TTL
	case *ModifySettings:
		for _, x := range c.Settings {
			if i := slices.IndexFunc(t.Settings, func(y Setting) bool { return y.Name == x.Name }); i >= 0 {
				t.Settings[i] = x
			} else {
				t.Settings = append(t.Settings, x)
			}
		}
	case *ClearColumn:
		_, ok := t.Column(c.Name)
		nested := slices.ContainsFunc(t.Columns, func(x *Column) bool { return strings.HasPrefix(x.Name, c.Name+".") })
		if !ok && !nested && !c.IfExists {
			return fmt.Errorf("column %s: %w", BackQuote(c.Name), ErrNotExist)
		}
	case *ModifyColumnSettings:
		i := slices.IndexFunc(t.Columns, func(x *Column) bool { return x.Name == c.Column })
		if i < 0 {
			if c.IfExists {
				return nil
			}
			return fmt.Errorf("column %s: %w", BackQuote(c.Column), ErrNotExist)
		}
		col := *t.Columns[i]
		col.Settings = slices.Clone(col.Settings)
		for _, x := range c.Set {
			if j := slices.IndexFunc(col.Settings, func(y Setting) bool { return y.Name == x.Name }); j >= 0 {
				col.Settings[j] = x
			} else {
				col.Settings = append(col.Settings, x)
			}
		}
		for _, n := range c.Reset {
			col.Settings = slices.DeleteFunc(col.Settings, func(y Setting) bool { return y.Name == n })
		}
		if len(col.Settings) == 0 {
			col.Settings = nil
		}
		t.Columns[i] = &col
	case *ResetSettings:
		for _, n := range c.Names {
			t.Settings = slices.DeleteFunc(t.Settings, func(y Setting) bool { return y.Name == n })
		}
	case *ModifyOrderBy:
		t.OrderBy = c.OrderBy
		if !t.PrimaryKeyExplicit {
			// The primary key stays what it was: the old sorting key.
			t.PrimaryKeyExplicit = true
		}
		// VersionedCollapsingMergeTree appends its version again.
		t.Storage.Normalize()
	case *ModifySampleBy:
		t.SampleBy = c.SampleBy
	case *ModifyComment:
		t.Comment = c.Comment
	case *ModifyQuery:
		return fmt.Errorf("MODIFY QUERY on a table: %w", ErrInvalid)
	case *ModifyRefresh:
		return fmt.Errorf("MODIFY REFRESH on a table: %w", ErrInvalid)
	case *MarkUncertain:
		t.MarkUncertain(c.Reason)
	default:
		return fmt.Errorf("%T is not an ALTER action: %w", c, ErrInvalid)
	}
	return nil
}

func insertAt(cols []*Column, c *Column, after string, first bool) ([]*Column, error) {
	switch {
	case first:
		return slices.Insert(cols, 0, c), nil
	case after != "":
		j := slices.IndexFunc(cols, func(x *Column) bool { return x.Name == after })
		if j < 0 {
			// AFTER n, n a Nested column: after the last of its n.x
			// columns, as the server places it.
			for k, x := range cols {
				if strings.HasPrefix(x.Name, after+".") {
					j = k
				}
			}
		}
		if j < 0 {
			return nil, fmt.Errorf("column %s (in AFTER): %w", BackQuote(after), ErrNotExist)
		}
		return slices.Insert(cols, j+1, c), nil
	}
	return append(cols, c), nil
}

func (t *Table) clone() *Table {
	c := *t
	c.Columns = cloneColumns(t.Columns)
	c.Storage = cloneStorage(t.Storage)
	c.Indexes = clonePtrs(t.Indexes)
	c.Projections = clonePtrs(t.Projections)
	c.Constraints = clonePtrs(t.Constraints)
	c.Uncertain = slices.Clone(t.Uncertain)
	return &c
}

func cloneColumns(cs []*Column) []*Column {
	out := make([]*Column, len(cs))
	for i, c := range cs {
		x := *c
		if c.Default != nil {
			d := *c.Default
			x.Default = &d
		}
		out[i] = &x
	}
	return out
}

func cloneStorage(s Storage) Storage {
	s.Engine.Params = slices.Clone(s.Engine.Params)
	s.Settings = slices.Clone(s.Settings)
	return s
}

func clonePtrs[T any](xs []*T) []*T {
	if xs == nil {
		return nil
	}
	out := make([]*T, len(xs))
	for i, x := range xs {
		y := *x
		out[i] = &y
	}
	return out
}

// SplitKey splits a key as system.tables prints it ("a, f(b, c)") into its
// top-level elements.
func SplitKey(key string) []string {
	if key == "" {
		return nil
	}
	var out []string
	depth, start := 0, 0
	inStr := byte(0)
	for i := 0; i < len(key); i++ {
		c := key[i]
		switch {
		case inStr != 0 && c == '\\':
			i++
		case inStr != 0:
			if c == inStr {
				inStr = 0
			}
		case c == '\'' || c == '`':
			inStr = c
		case c == '(' || c == '[':
			depth++
		case c == ')' || c == ']':
			depth--
		case c == ',' && depth == 0:
			out = append(out, strings.TrimSpace(key[start:i]))
			start = i + 1
		}
	}
	return append(out, strings.TrimSpace(key[start:]))
}

// dropNamed removes the element named name from xs, as DROP INDEX,
// PROJECTION or CONSTRAINT does: a missing one is ErrNotExist unless
// ifExists.
func dropNamed[T any](xs []*T, name string, ifExists bool, what string, nameOf func(*T) string) ([]*T, error) {
	i := slices.IndexFunc(xs, func(x *T) bool { return nameOf(x) == name })
	if i < 0 {
		if ifExists {
			return xs, nil
		}
		return xs, fmt.Errorf("%s %s: %w", what, BackQuote(name), ErrNotExist)
	}
	return slices.Delete(xs, i, i+1), nil
}

// permanentlyDetached is an object DETACH … PERMANENTLY took away: only
// ATTACH of that object brings it back, not ATTACH DATABASE.
type permanentlyDetached struct{ Object }
