package schema

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// Querier is the part of a ClickHouse connection Inspect uses;
// clickhouse-go's driver.Conn satisfies it.
type Querier interface {
	Query(ctx context.Context, query string, args ...any) (driver.Rows, error)
}

var _ Querier = (driver.Conn)(nil)

// CreateParser reads a CREATE statement as the server prints it
// (create_table_query, create_query) into the change that would create the
// object: *AddTable, *AddView, *AddDictionary or *AddFunction. The system
// tables lack some parts of a definition (TTL, SETTINGS, constraints, column
// TTL, engine arguments, dictionary sources); Inspect takes them from there.
// The parser package provides one; schema cannot import it.
type CreateParser interface {
	ParseCreate(query string) (Change, error)
}

// InspectOptions says what Inspect reads.
type InspectOptions struct {
	// Databases to read; required.
	Databases []string
	// Function, when set, selects the SQL functions to read (they are
	// server-wide); by default none are read.
	Function func(name string) bool
}

// Inspector reads a live schema. Drift detection compares what it returns
// with the expected schema.
type Inspector interface {
	InspectSchema(ctx context.Context) (*Schema, error)
}

// SystemTables is the Inspector that reads the server's system tables.
type SystemTables struct {
	q    Querier
	p    CreateParser
	opts InspectOptions
}

var _ Inspector = (*SystemTables)(nil)

// NewSystemTables returns an Inspector over q. It rejects a nil connection
// or parser and an empty database list.
func NewSystemTables(q Querier, p CreateParser, opts InspectOptions) (*SystemTables, error) {
	if q == nil || p == nil {
		return nil, fmt.Errorf("%w: nil connection or parser", ErrInspect)
	}
	if len(opts.Databases) == 0 {
		return nil, fmt.Errorf("%w: no databases", ErrInspect)
	}
	return &SystemTables{q: q, p: p, opts: opts}, nil
}

// InspectSchema implements Inspector.
func (s *SystemTables) InspectSchema(ctx context.Context) (*Schema, error) {
	return Inspect(ctx, s.q, s.p, s.opts)
}

// ErrInspect wraps the errors of Inspect.
var ErrInspect = errors.New("schema: inspect")

// Inspect reads the live schema of opts.Databases from the system tables,
// one query per system table, in the same canonical form the offline model
// uses.
func Inspect(ctx context.Context, q Querier, p CreateParser, opts InspectOptions) (*Schema, error) {
	if q == nil || p == nil {
		return nil, fmt.Errorf("%w: nil connection or parser", ErrInspect)
	}
	if len(opts.Databases) == 0 {
		return nil, fmt.Errorf("%w: no databases", ErrInspect)
	}
	in := &inspector{ctx: ctx, q: q, p: p, s: New(), dbs: opts.Databases}
	steps := []func() error{in.databases, in.tables, in.columns, in.indexes, in.projections, in.dictionaries}
	if opts.Function != nil {
		in.fn = opts.Function
		steps = append(steps, in.functions)
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrInspect, err)
		}
	}
	in.s.Sort()
	return in.s, nil
}

type inspector struct {
	ctx context.Context
	q   Querier
	p   CreateParser
	s   *Schema
	dbs []string
	fn  func(string) bool
	// inner maps ".inner_id..." tables to the materialized view they serve.
	inner map[QualifiedName]*View
	// innerTables holds the storage tables of materialized views, by name.
	innerTables map[QualifiedName]*Table
}

func (in *inspector) query(sql string, scan func(driver.Rows) error) error {
	rows, err := in.q.Query(in.ctx, sql, in.dbs)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

func (in *inspector) databases() error {
	return in.query("SELECT name, engine, engine_full, comment FROM system.databases WHERE name IN ? ORDER BY name", func(r driver.Rows) error {
		var name, engine, full, comment string
		if err := r.Scan(&name, &engine, &full, &comment); err != nil {
			return err
		}
		e := Engine{Name: engine}
		// engine_full is "Replicated('/p', 's', 'r')": the arguments are
		// already in canonical form.
		if rest, ok := strings.CutPrefix(full, engine+"("); ok && strings.HasSuffix(rest, ")") {
			for _, a := range SplitKey(strings.TrimSuffix(rest, ")")) {
				e.Params = append(e.Params, Expr(a))
			}
		}
		in.s.AddDatabase(&Database{Name: name, Engine: e, Comment: Comment(comment)})
		return nil
	})
}

func (in *inspector) tables() error {
	in.inner = map[QualifiedName]*View{}
	in.innerTables = map[QualifiedName]*Table{}
	type mvTarget struct {
		v  *View
		to QualifiedName
	}
	var mvs []mvTarget
	err := in.query(`SELECT database, name, engine, partition_key, sorting_key, primary_key, sampling_key,
		comment, create_table_query, as_select, target_database, target_table
		FROM system.tables WHERE database IN ? AND NOT is_temporary ORDER BY database, name`, func(r driver.Rows) error {
		var db, name, engine, part, sort, pk, sample, comment, create, asSelect, tdb, ttable string
		if err := r.Scan(&db, &name, &engine, &part, &sort, &pk, &sample, &comment, &create, &asSelect, &tdb, &ttable); err != nil {
			return err
		}
		d, ok := in.s.Database(db)
		if !ok {
			return nil
		}
		qn := QualifiedName{db, name}
		switch engine {
		case "View", "MaterializedView":
			v := &View{Database: d, Name: name, Materialized: engine == "MaterializedView", Query: Expr(asSelect), Comment: Comment(comment)}
			d.Views = append(d.Views, v)
			if v.Materialized && ttable != "" {
				mvs = append(mvs, mvTarget{v, QualifiedName{tdb, ttable}})
			}
			return nil
		case "Dictionary":
			// CREATE DICTIONARY, or a table with ENGINE = Dictionary(d).
			ch, err := in.p.ParseCreate(create)
			if err != nil {
				return fmt.Errorf("%s: %w", qn, err)
			}
			if add, ok := ch.(*AddDictionary); ok {
				x := *add.D
				x.Database, x.Name = d, name
				d.Dictionaries = append(d.Dictionaries, &x)
				return nil
			}
		}
		t := &Table{Database: d, Name: name, Comment: Comment(comment)}
		t.Storage = Storage{Engine: Engine{Name: engine}, PartitionBy: PartitionBy(part), OrderBy: OrderBy(sort),
			PrimaryKey: PrimaryKey(pk), SampleBy: SampleBy(sample)}
		ch, err := in.p.ParseCreate(create)
		if err != nil {
			return fmt.Errorf("%s: %w", qn, err)
		}
		if add, ok := ch.(*AddTable); ok {
			parsed := add.T
			t.Engine.Params = parsed.Engine.Params
			t.TTL = parsed.TTL
			t.Settings = parsed.Settings
			t.PrimaryKeyExplicit = parsed.PrimaryKeyExplicit
			t.Constraints = parsed.Constraints
			// Column TTLs are not in system.columns; keep the parsed ones to
			// merge after the columns are read.
			t.Columns = parsed.Columns
		}
		if strings.HasPrefix(name, ".inner") {
			in.innerTables[qn] = t
			return nil
		}
		d.Tables = append(d.Tables, t)
		return nil
	})
	if err != nil {
		return err
	}
	for _, m := range mvs {
		if strings.HasPrefix(m.to.Name, ".inner") {
			in.inner[m.to] = m.v
			continue
		}
		to := m.to
		m.v.To = &to
	}
	return nil
}

func (in *inspector) columns() error {
	parsedTTL := map[QualifiedName]map[string]Expr{}
	for _, d := range in.s.Databases {
		for _, t := range d.Tables {
			parsedTTL[t.ObjectName()] = columnTTLs(t.Columns)
			t.Columns = nil
		}
	}
	for n, t := range in.innerTables {
		parsedTTL[n] = columnTTLs(t.Columns)
		t.Columns = nil
	}
	err := in.query(`SELECT database, table, name, type, default_kind, default_expression, comment, compression_codec
		FROM system.columns WHERE database IN ? ORDER BY database, table, position`, func(r driver.Rows) error {
		var db, table, name, typ, kind, expr, comment, codec string
		if err := r.Scan(&db, &table, &name, &typ, &kind, &expr, &comment, &codec); err != nil {
			return err
		}
		c := &Column{Name: name, Type: Type(typ), Codec: Codec(codec), Comment: Comment(comment)}
		if kind != "" {
			c.Default = &ColumnDefault{Kind: DefaultKind(kind), Expr: Expr(expr)}
			if c.Default.Kind == Ephemeral && expr == "defaultValueOfTypeName('"+typ+"')" {
				c.Default.Expr = ""
			}
		}
		qn := QualifiedName{db, table}
		c.TTL = parsedTTL[qn][name]
		if t, ok := in.innerTables[qn]; ok {
			t.Columns = append(t.Columns, c)
			return nil
		}
		o, ok := in.s.Object(qn)
		if !ok {
			return nil
		}
		switch o := o.(type) {
		case *Table:
			o.Columns = append(o.Columns, c)
		case *View:
			o.Columns = append(o.Columns, c)
		}
		return nil
	})
	if err != nil {
		return err
	}
	// A materialized view without TO stores its rows in an inner table: its
	// storage is the view's.
	for n, v := range in.inner {
		if t, ok := in.innerTables[n]; ok {
			st := t.Storage
			v.Storage = &st
		}
	}
	return nil
}

func columnTTLs(cs []*Column) map[string]Expr {
	m := map[string]Expr{}
	for _, c := range cs {
		if c.TTL != "" {
			m[c.Name] = c.TTL
		}
	}
	return m
}

func (in *inspector) table(db, name string) (*Table, bool) {
	d, ok := in.s.Database(db)
	if !ok {
		return nil, false
	}
	return d.Table(name)
}

func (in *inspector) indexes() error {
	return in.query(`SELECT database, table, name, type_full, expr, granularity
		FROM system.data_skipping_indices WHERE database IN ?`, func(r driver.Rows) error {
		var db, table, name, typ, expr string
		var gran uint64
		if err := r.Scan(&db, &table, &name, &typ, &expr, &gran); err != nil {
			return err
		}
		if t, ok := in.table(db, table); ok {
			t.Indexes = append(t.Indexes, &Index{Name: name, Type: Expr(typ), Expr: Expr(expr), Granularity: gran})
		}
		return nil
	})
}

func (in *inspector) projections() error {
	return in.query(`SELECT database, table, name, query FROM system.projections WHERE database IN ?`, func(r driver.Rows) error {
		var db, table, name, query string
		if err := r.Scan(&db, &table, &name, &query); err != nil {
			return err
		}
		if t, ok := in.table(db, table); ok {
			t.Projections = append(t.Projections, &Projection{Name: name, Query: Expr(query)})
		}
		return nil
	})
}

// dictionaries checks the parsed dictionaries against system.dictionaries,
// which reports key and attribute types in canonical form.
func (in *inspector) dictionaries() error {
	return in.query(`SELECT database, name, key.names, key.types, attribute.names, attribute.types, comment
		FROM system.dictionaries WHERE database IN ?`, func(r driver.Rows) error {
		var db, name, comment string
		var kn, kt, an, at []string
		if err := r.Scan(&db, &name, &kn, &kt, &an, &at, &comment); err != nil {
			return err
		}
		d, ok := in.s.Database(db)
		if !ok {
			return nil
		}
		x, ok := d.Dictionary(name)
		if !ok {
			return nil
		}
		types := map[string]string{}
		for i := range kn {
			types[kn[i]] = kt[i]
		}
		for i := range an {
			types[an[i]] = at[i]
		}
		for _, a := range x.Attributes {
			if t, ok := types[a.Name]; ok {
				a.Type = Type(t)
			}
		}
		x.Comment = Comment(comment)
		return nil
	})
}

func (in *inspector) functions() error {
	rows, err := in.q.Query(in.ctx, `SELECT name, create_query FROM system.functions WHERE origin = 'SQLUserDefined' ORDER BY name`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var name, create string
		if err := rows.Scan(&name, &create); err != nil {
			return err
		}
		if !in.fn(name) {
			continue
		}
		ch, err := in.p.ParseCreate(create)
		if err != nil {
			return fmt.Errorf("function %s: %w", name, err)
		}
		add, ok := ch.(*AddFunction)
		if !ok {
			return fmt.Errorf("function %s: create query parsed as %T", name, ch)
		}
		f := *add.F
		f.Schema = in.s
		in.s.Functions = append(in.s.Functions, &f)
	}
	return rows.Err()
}
