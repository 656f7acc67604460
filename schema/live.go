package schema

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// SystemDatabases are never read by ReadLive, whatever the options say.
var SystemDatabases = []string{"system", "INFORMATION_SCHEMA", "information_schema"}

// LiveOptions say what ReadLive reads.
type LiveOptions struct {
	// Databases are the databases to read. Names of system databases are
	// dropped: they are never read.
	Databases []string
	// AllDatabases reads every database but the system ones, whatever
	// Databases says. Without it and without Databases, Inspect reads only
	// the SQL functions.
	AllDatabases bool
	// Cache, when set, keeps the table definitions the server formats, so
	// that unchanged tables are not formatted again; ReadLive then sends one
	// more query when some tables are not cached.
	Cache DefinitionCache
	// Parser, when set, reads the parts of a definition that only the
	// server's CREATE statements hold (engine arguments, TTL, SETTINGS,
	// constraints, column TTLs, dictionaries, functions) the way the
	// expected schema reads migrations, so that both sides are normalised
	// alike; parser.CreateReader is one. Without it, a scanner of the
	// server's own formatting reads them as printed.
	Parser CreateParser
	// NoFunctions skips reading SQL functions (system.functions is the
	// slowest of the system tables to read), for a caller that knows it has
	// none to compare.
	NoFunctions bool
	// ParserVersion names the Parser's behaviour (for example chschema's
	// version). When set, the cache also keeps what the parser read, for
	// that version only, so that unchanged tables are not parsed again.
	ParserVersion string
}

// Note is something ReadLive could not read in full and worked around: a
// column the server's system tables lack, or an object it could not model.
// Notes never make ReadLive fail.
type Note struct {
	// Object is the object the note is about; zero for server-wide notes.
	Object QualifiedName `json:"object,omitzero"`
	// Message says what was missing and what was done instead.
	Message string `json:"message"`
	// Skip names the column parts that could not be read on this server, so
	// that a diff does not compare them.
	Skip ColumnChangeKind `json:"-"`
}

// String returns the note as one line.
func (n Note) String() string {
	if n.Object.Name == "" && n.Object.Database == "" {
		return n.Message
	}
	return n.Object.String() + ": " + n.Message
}

// ReadLive reads the live schema from the system tables: one query per system
// table (databases, tables, columns, data_skipping_indices, projections,
// dictionaries, functions), plus one to learn which columns those tables
// have, plus one for the definitions a Cache lacks. It never sends a query
// per object, so its cost does not grow with round trips as the schema
// grows. The queries after the first are sent concurrently: q must be safe
// for concurrent use, as clickhouse-go's driver.Conn is.
//
// Columns that older servers lack are detected and degraded with a Note.
// Objects it cannot model fully are marked uncertain (see Uncertainty), so
// that a diff reports them as unverified rather than as drift. The returned
// schema is sorted (see Schema.Sort) and holds values as the server prints
// them.
//
// It is Inspect for drift detection: it never fails on what it cannot
// model, reads SQL functions, uses a definition cache, and sends its
// queries concurrently.
func ReadLive(ctx context.Context, q Querier, opts LiveOptions) (*Schema, []Note, error) {
	if q == nil {
		return nil, nil, fmt.Errorf("%w: nil Querier", ErrInspect)
	}
	in := &liveReader{ctx: ctx, q: q, s: New(), tables: map[QualifiedName]*liveTable{}, cache: opts.Cache, parser: opts.Parser, parserVersion: opts.ParserVersion, noFunctions: opts.NoFunctions}
	in.cached = in.cache != nil
	if !in.cached {
		in.cache = noCache{}
	}
	for _, d := range opts.Databases {
		if !slices.Contains(SystemDatabases, d) && !slices.Contains(in.dbs, d) {
			in.dbs = append(in.dbs, d)
		}
	}
	if opts.AllDatabases {
		in.dbs = nil
	} else if len(in.dbs) == 0 {
		in.none = true
	}
	if err := in.readCapabilities(); err != nil {
		return nil, nil, err
	}
	// The queries are built first (noting what this server lacks), then
	// sent concurrently, then their rows assembled into the model.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	in.ctx = ctx
	fetches := []func() error{
		in.fetchDatabases(),
		in.fetchTables(),
		in.fetchColumns(),
		in.fetchIndexes(),
		in.fetchProjections(),
		in.fetchDictionaries(),
		in.fetchFunctions(),
	}
	errs := make([]error, len(fetches))
	var wg sync.WaitGroup
	for i, f := range fetches {
		if f == nil {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if errs[i] = f(); errs[i] != nil {
				cancel()
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil && !errors.Is(err, context.Canceled) {
			return nil, nil, err
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, nil, err
	}
	in.build()
	in.s.Sort()
	return in.s, in.notes, nil
}

// liveReader holds the state of one ReadLive call.
type liveReader struct {
	ctx           context.Context
	q             Querier
	cache         DefinitionCache
	parser        CreateParser
	parserVersion string
	noFunctions   bool
	// cached says the caller gave a cache: the costly columns of
	// system.tables, and system.columns, are then read only for the tables
	// it lacks.
	cached bool
	// colSelect and colOrder make the system.columns query.
	colSelect, colOrder string
	s                   *Schema
	dbs                 []string
	none                bool
	notes               []Note
	// have holds "table.column" for the system tables' columns.
	have map[string]bool
	// tables maps every object read from system.tables, inner tables of
	// materialized views included, to what the later queries fill in.
	tables map[QualifiedName]*liveTable

	// The rows each query returned.
	dbRows    []dbRow
	tableRows []*tableRow
	colRows   []columnRow
	idxRows   []indexRow
	projRows  []projectionRow
	dictRows  []dictionaryRow
	funcRows  []functionRow
}

type (
	dbRow     struct{ name, engine, comment string }
	columnRow struct {
		db, table, name, typ, kind, expr, codec, comment string
	}
	indexRow struct {
		db, table, name, expr, typ string
		gran                       uint64
	}
	projectionRow struct{ db, table, name, query string }
	dictionaryRow struct {
		db, name       string
		kn, kt, an, at []string
	}
	functionRow struct{ name, create string }
)

// build assembles the fetched rows into the model.
func (in *liveReader) build() {
	for _, r := range in.dbRows {
		in.s.AddDatabase(&Database{Name: r.name, Engine: Engine{Name: r.engine}, Comment: Comment(r.comment)})
	}
	in.buildObjects(in.tableRows)
	in.buildColumns()
	for _, r := range in.idxRows {
		if t := in.table(r.db, r.table); t != nil {
			expr := Expr(r.expr)
			if e, ok := in.tables[QualifiedName{r.db, r.table}].indexExprs[r.name]; ok {
				// The definition's: system.data_skipping_indices.expr
				// has ALIAS columns expanded.
				expr = e
			}
			t.Indexes = append(t.Indexes, &Index{Name: r.name, Expr: expr, Type: Expr(r.typ), Granularity: r.gran})
		}
	}
	for _, r := range in.projRows {
		if t := in.table(r.db, r.table); t != nil {
			t.Projections = append(t.Projections, &Projection{Name: r.name, Query: Expr(r.query)})
		}
	}
	in.buildDictionaries()
	for _, r := range in.funcRows {
		f, err := in.function(r)
		if err != nil {
			in.notes = append(in.notes, Note{Object: QualifiedName{Name: r.name}, Message: "function definition not understood, not compared: " + err.Error()})
			continue
		}
		f.Schema, f.Name = in.s, r.name
		in.s.Functions = append(in.s.Functions, f)
	}
}

// function reads a SQL function's create_query, with the parser when there
// is one.
func (in *liveReader) function(r functionRow) (*Function, error) {
	if in.parser == nil {
		params, body, err := parseFunctionQuery(r.create)
		return &Function{Params: params, Body: body}, err
	}
	ch, err := in.parser.ParseCreate(r.create)
	if err != nil {
		return nil, err
	}
	add, ok := ch.(*AddFunction)
	if !ok || add.F == nil {
		return nil, fmt.Errorf("create_query read as %T", ch)
	}
	f := *add.F
	return &f, nil
}

// fetch sends q and calls scan for each row.
func (in *liveReader) fetch(table, q string, scan func(driver.Rows) error) error {
	rows, err := in.query(table, q)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return in.wrap(table, err)
		}
	}
	return in.wrap(table, rows.Err())
}

// liveTable is one row of system.tables and the model object it became.
type liveTable struct {
	obj Object
	// colTTL are the column TTLs, which system.columns lacks.
	colTTL map[string]Expr
	// colSettings are the columns' own SETTINGS, which it lacks too.
	colSettings map[string]Settings
	// indexExprs are the index expressions of the definition (see
	// ParsedDefinition.IndexExprs).
	indexExprs map[string]Expr
}

// inspectedSystemTables are the system tables Inspect reads.
var inspectedSystemTables = []string{"databases", "tables", "columns", "data_skipping_indices", "projections", "dictionaries", "functions"}

func (in *liveReader) readCapabilities() error {
	quoted := make([]string, len(inspectedSystemTables))
	for i, t := range inspectedSystemTables {
		quoted[i] = quoteString(t)
	}
	rows, err := in.query("system.columns", "SELECT table, name FROM system.columns WHERE database = 'system' AND table IN ("+strings.Join(quoted, ", ")+")")
	if err != nil {
		return err
	}
	defer rows.Close()
	in.have = map[string]bool{}
	for rows.Next() {
		var table, name string
		if err := rows.Scan(&table, &name); err != nil {
			return in.wrap("system.columns", err)
		}
		in.have[table+"."+name] = true
	}
	return in.wrap("system.columns", rows.Err())
}

// col returns name when system.table has it, else fallback (a constant of
// the same type) and a note saying what is lost.
func (in *liveReader) col(table, name, fallback, lost string, skip ColumnChangeKind) string {
	if in.have[table+"."+name] {
		return name
	}
	in.notes = append(in.notes, Note{
		Message: fmt.Sprintf("this server's system.%s has no column %s: %s", table, name, lost),
		Skip:    skip,
	})
	return fallback + " AS " + name
}

// dbFilter is the WHERE condition on column that keeps the databases to read.
func (in *liveReader) dbFilter(column string) string {
	sys := make([]string, len(SystemDatabases))
	for i, d := range SystemDatabases {
		sys[i] = quoteString(d)
	}
	cond := column + " NOT IN (" + strings.Join(sys, ", ") + ")"
	if in.none {
		return "0"
	}
	if len(in.dbs) > 0 {
		ds := make([]string, len(in.dbs))
		for i, d := range in.dbs {
			ds[i] = quoteString(d)
		}
		cond += " AND " + column + " IN (" + strings.Join(ds, ", ") + ")"
	}
	return cond
}

func (in *liveReader) fetchDatabases() func() error {
	comment := in.col("databases", "comment", "''", "database comments are not read", 0)
	q := "SELECT name, engine, " + comment + " FROM system.databases WHERE " + in.dbFilter("name") + " ORDER BY name"
	return func() error {
		return in.fetch("system.databases", q, func(rows driver.Rows) error {
			var r dbRow
			err := rows.Scan(&r.name, &r.engine, &r.comment)
			in.dbRows = append(in.dbRows, r)
			return err
		})
	}
}

// tableRow is one row of system.tables.
type tableRow struct {
	db, name, uuid, engine, engineFull, create, asSelect             string
	partition, sorting, primary, sampling, comment, targetDB, target string
	modified                                                         uint32
	version                                                          int32
	serverNow                                                        uint32
	// def is what the cache held or will hold for the row.
	def *Definition
	// cacheable says def may be put into the cache (it came from there, or
	// the table's metadata has settled); dirty, that def changed since.
	cacheable, dirty bool
}

func (in *liveReader) fetchTables() func() error {
	cols := []string{"database", "name", "toString(uuid)", "engine",
		"partition_key", "sorting_key", "primary_key", "sampling_key",
		in.col("tables", "comment", "''", "table comments are not read", 0),
		in.col("tables", "target_database", "''", "materialized view targets are read from create_table_query", 0),
		in.col("tables", "target_table", "''", "materialized view targets are read from create_table_query", 0),
		"toUnixTimestamp(metadata_modification_time)",
		in.col("tables", "metadata_version", "toInt32(0)", "cached definitions are keyed by modification time only", 0),
		"toUnixTimestamp(now())",
	}
	if !in.cached {
		// The costly columns: the server re-reads, parses and formats each
		// table's metadata for them.
		cols = append(cols, "engine_full", "create_table_query", "as_select")
	}
	// A Dictionary database shows every dictionary of the server as a
	// table: they are no objects of its own (issue 11 F29).
	q := "SELECT " + strings.Join(cols, ", ") + " FROM system.tables WHERE " + in.dbFilter("database") +
		" AND NOT is_temporary AND database NOT IN (SELECT name FROM system.databases WHERE engine = 'Dictionary') ORDER BY database, name"
	return func() error {
		if err := in.readTables(q); err != nil {
			return err
		}
		if in.cached {
			if err := in.readCachedColumns(in.tableRows); err != nil {
				return err
			}
		}
		// Parse while the other queries still run.
		in.parseDefinitions(in.tableRows)
		in.putDefinitions(in.tableRows)
		return nil
	}
}

func (in *liveReader) readTables(q string) error {
	rows, err := in.query("system.tables", q)
	if err != nil {
		return err
	}
	defer rows.Close()
	var trs []*tableRow
	for rows.Next() {
		r := &tableRow{}
		dest := []any{&r.db, &r.name, &r.uuid, &r.engine,
			&r.partition, &r.sorting, &r.primary, &r.sampling, &r.comment, &r.targetDB, &r.target,
			&r.modified, &r.version, &r.serverNow}
		if !in.cached {
			dest = append(dest, &r.engineFull, &r.create, &r.asSelect)
		}
		if err := rows.Scan(dest...); err != nil {
			return in.wrap("system.tables", err)
		}
		trs = append(trs, r)
	}
	if err := rows.Err(); err != nil {
		return in.wrap("system.tables", err)
	}
	rows.Close()
	if in.cached {
		if err := in.readDefinitions(trs); err != nil {
			return err
		}
	}
	in.tableRows = trs
	return nil
}

// readDefinitions fills engine_full and create_table_query from the cache,
// and reads the rest with one more query.
func (in *liveReader) readDefinitions(trs []*tableRow) error {
	missing := map[QualifiedName]*tableRow{}
	var names []string
	for _, r := range trs {
		if def, ok := in.cache.Get(r.key()); ok {
			r.engineFull, r.create, r.asSelect = def.EngineFull, def.CreateQuery, def.AsSelect
			r.def, r.cacheable = &def, true
			continue
		}
		missing[QualifiedName{r.db, r.name}] = r
		names = append(names, "("+quoteString(r.db)+", "+quoteString(r.name)+")")
	}
	if len(names) == 0 {
		return nil
	}
	q := "SELECT database, name, engine_full, create_table_query, as_select FROM system.tables WHERE (database, name) IN (" + strings.Join(names, ", ") + ")"
	rows, err := in.query("system.tables", q)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var db, name, engineFull, create, asSelect string
		if err := rows.Scan(&db, &name, &engineFull, &create, &asSelect); err != nil {
			return in.wrap("system.tables", err)
		}
		r, ok := missing[QualifiedName{db, name}]
		if !ok {
			continue
		}
		r.engineFull, r.create, r.asSelect = engineFull, create, asSelect
		// A definition changed within the last seconds might change again
		// within the same second of metadata_modification_time: keep it out
		// of the cache. Cacheable rows are put once parsed (see
		// parseDefinitions).
		r.def = &Definition{EngineFull: engineFull, CreateQuery: create, AsSelect: asSelect}
		r.cacheable = r.modified > 0 && r.serverNow >= r.modified+cacheSettleSeconds
		r.dirty = true
	}
	return in.wrap("system.tables", rows.Err())
}

// cacheSettleSeconds is how old a definition must be to be cached.
const cacheSettleSeconds = 2

func (r *tableRow) key() DefinitionKey {
	return DefinitionKey{Database: r.db, Name: r.name, UUID: r.uuid, Modified: int64(r.modified), Version: r.version}
}

// buildObjects turns the rows of system.tables into model objects.
func (in *liveReader) buildObjects(trs []*tableRow) {
	type mvRow struct {
		v     *View
		inner QualifiedName
	}
	var mvs []mvRow
	dbs := make(map[string]*Database, len(in.s.Databases))
	for _, d := range in.s.Databases {
		dbs[d.Name] = d
	}
	for _, r := range trs {
		d, ok := dbs[r.db]
		if !ok {
			continue // created between the queries
		}
		qn := QualifiedName{r.db, r.name}
		lt := &liveTable{}
		engine := r.engine
		if engine == "Dictionary" && strings.HasPrefix(r.create, "CREATE TABLE") {
			engine = "" // a table with ENGINE = Dictionary(d)
		}
		switch engine {
		case "View", "MaterializedView", "LiveView", "WindowView":
			v := &View{Database: d, Name: r.name, Materialized: r.engine == "MaterializedView", Query: Expr(r.asSelect), Comment: Comment(r.comment)}
			switch {
			case r.engine == "LiveView" || r.engine == "WindowView":
				v.MarkUncertain(Uncertainty{Reason: r.engine + " is not modelled"})
			case r.asSelect == "" && r.create == "":
				// The server cannot read back the query it stored (a column
				// called TOP or NOT, which it prints bare): never an empty
				// query, which would be a drift.
				v.MarkUncertain(Uncertainty{Reason: NoDefinition})
			case r.asSelect == "":
				v.MarkUncertain(Uncertainty{Reason: "the server reports no query for the view (system.tables.as_select is empty)"})
			}
			if v.Materialized {
				in.refresh(v, r.create)
				if r.targetDB == "" && r.target == "" {
					r.targetDB, r.target = mvTargetFromCreate(r.create, r.db)
				}
				target := QualifiedName{r.targetDB, r.target}
				switch {
				case r.target == "":
					v.MarkUncertain(Uncertainty{Reason: "the materialized view's target could not be read"})
				case strings.HasPrefix(r.target, ".inner"):
					mvs = append(mvs, mvRow{v, target})
				default:
					v.To = &target
				}
			}
			d.Views = append(d.Views, v)
			lt.obj = v
		case "Dictionary":
			x := in.dictionary(r)
			x.Database, x.Name, x.Comment = d, r.name, Comment(r.comment)
			d.Dictionaries = append(d.Dictionaries, x)
			lt.obj = x
		default:
			t := &Table{Database: d, Name: r.name, Comment: Comment(r.comment)}
			t.Storage, t.Constraints, lt.colTTL = in.tableParts(t, r)
			if r.def != nil && r.def.Parsed != nil && r.def.Parsed.Err == "" {
				lt.indexExprs = r.def.Parsed.IndexExprs
				lt.colSettings = r.def.Parsed.ColumnSettings
			}
			t.PartitionBy = PartitionBy(r.partition)
			t.OrderBy = OrderBy(r.sorting)
			if r.primary != "" || t.PrimaryKey == "" {
				// Redis lists no primary key; its definition has one.
				t.PrimaryKey = PrimaryKey(r.primary)
			}
			t.SampleBy = SampleBy(r.sampling)
			// A materialized view's inner table (.inner.x, .inner_id.uuid)
			// belongs to the view, and so does the one a refresh fills
			// before it exchanges it (.tmp.inner_id.uuid), which stays
			// when the refresh fails.
			if !strings.HasPrefix(r.name, ".inner") && !strings.HasPrefix(r.name, ".tmp.inner") {
				d.Tables = append(d.Tables, t)
			}
			lt.obj = t
		}
		in.tables[qn] = lt
	}
	for _, mv := range mvs {
		if lt, ok := in.tables[mv.inner]; ok {
			if t, ok := lt.obj.(*Table); ok {
				st := t.Storage
				mv.v.Storage = &st
				continue
			}
		}
		mv.v.MarkUncertain(Uncertainty{Reason: "inner table " + mv.inner.String() + " not found"})
	}
}

// refresh reads the REFRESH clause of a materialized view from its
// create_table_query; one it cannot read makes the view uncertain.
func (in *liveReader) refresh(v *View, create string) {
	if !strings.Contains(create, " REFRESH ") {
		return // the server prints the clause right after the name
	}
	rp, ok := in.parser.(RefreshParser)
	if !ok {
		v.MarkUncertain(Uncertainty{Reason: "the REFRESH clause is read only with a parser"})
		return
	}
	r, err := rp.ParseRefresh(create)
	if err != nil {
		v.MarkUncertain(Uncertainty{Reason: "REFRESH clause not understood: " + err.Error()})
		return
	}
	v.Refresh = r
}

// parseDefinitions runs the parser over the definitions of tables and
// dictionaries that the cache does not hold parsed, on all CPUs.
func (in *liveReader) parseDefinitions(trs []*tableRow) {
	if in.parser == nil {
		return
	}
	var todo []*tableRow
	for _, r := range trs {
		if isView(r.engine) {
			continue
		}
		if r.def == nil {
			r.def = &Definition{EngineFull: r.engineFull, CreateQuery: r.create, AsSelect: r.asSelect}
		}
		if p := r.def.Parsed; p != nil && in.parserVersion != "" && p.Parser == in.parserVersion {
			continue
		}
		todo = append(todo, r)
	}
	jobs := make(chan *tableRow)
	var wg sync.WaitGroup
	for range max(1, min(runtime.GOMAXPROCS(0), len(todo))) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range jobs {
				r.def.Parsed = in.parse(r)
				r.dirty = r.dirty || in.parserVersion != ""
			}
		}()
	}
	for _, r := range todo {
		jobs <- r
	}
	close(jobs)
	wg.Wait()
}

// putDefinitions puts the definitions that changed into the cache; parsed
// parts only for a named parser version.
func (in *liveReader) putDefinitions(trs []*tableRow) {
	for _, r := range trs {
		if !r.cacheable || !r.dirty {
			continue
		}
		def := *r.def
		if in.parserVersion == "" || (def.Parsed != nil && def.Parsed.Parser != in.parserVersion) {
			def.Parsed = nil
		}
		in.cache.Put(r.key(), def)
	}
}

func isView(engine string) bool {
	switch engine {
	case "View", "MaterializedView", "LiveView", "WindowView":
		return true
	}
	return false
}

// readCachedColumns reads system.columns for the tables whose columns the
// cache lacks, and takes the others' from the cache. A table's columns live
// in its metadata, so the cache key that guards its definition guards them.
func (in *liveReader) readCachedColumns(trs []*tableRow) error {
	var names []string
	missing := map[QualifiedName]*tableRow{}
	for _, r := range trs {
		if r.def != nil && r.def.HasColumns {
			for _, c := range r.def.Columns {
				in.colRows = append(in.colRows, columnRow{r.db, r.name, c.Name, c.Type, c.DefaultKind, c.DefaultExpr, c.Codec, c.Comment})
			}
			continue
		}
		missing[QualifiedName{r.db, r.name}] = r
		names = append(names, "("+quoteString(r.db)+", "+quoteString(r.name)+")")
	}
	if len(names) == 0 {
		return nil
	}
	q := in.columnsQuery(" AND (database, table) IN (" + strings.Join(names, ", ") + ")")
	start := len(in.colRows)
	err := in.fetch("system.columns", q, func(rows driver.Rows) error {
		var r columnRow
		err := rows.Scan(&r.db, &r.table, &r.name, &r.typ, &r.kind, &r.expr, &r.codec, &r.comment)
		in.colRows = append(in.colRows, r)
		return err
	})
	if err != nil {
		return err
	}
	for _, c := range in.colRows[start:] {
		r, ok := missing[QualifiedName{c.db, c.table}]
		if !ok || r.def == nil {
			continue
		}
		r.def.Columns = append(r.def.Columns, LiveColumn{c.name, c.typ, c.kind, c.expr, c.codec, c.comment})
		r.def.HasColumns, r.dirty = true, true
	}
	return nil
}

// NoDefinition is the uncertainty of a live object whose definition the
// server reports empty (system.tables.create_table_query = ”): the server
// cannot read back what it stored, so nobody can compare it.
const NoDefinition = "the server reports no definition (create_table_query is empty): it cannot read the one it stored"

// parse reads a table's or dictionary's create_table_query with the parser.
func (in *liveReader) parse(r *tableRow) *ParsedDefinition {
	p := &ParsedDefinition{Parser: in.parserVersion}
	if strings.TrimSpace(r.create) == "" {
		// The server itself could not print it (it cannot parse a
		// definition it stored, such as DEFAULT (0 + `NOT`)).
		p.Err = NoDefinition
		return p
	}
	ch, err := in.parser.ParseCreate(r.create)
	if err != nil {
		p.Err = "definition not understood: " + err.Error()
		return p
	}
	switch c := ch.(type) {
	case *AddTable:
		if c.T == nil {
			break
		}
		t := c.T
		p.EngineName, p.EngineParams, p.TTL, p.Settings, p.PrimaryKeyExplicit, p.Constraints = t.Engine.Name, t.Engine.Params, t.TTL, t.Settings, t.PrimaryKeyExplicit, t.Constraints
		if t.PrimaryKeyExplicit {
			p.PrimaryKey = t.PrimaryKey
		}
		for _, ix := range t.Indexes {
			if p.IndexExprs == nil {
				p.IndexExprs = map[string]Expr{}
			}
			p.IndexExprs[ix.Name] = ix.Expr
		}
		for _, col := range t.Columns {
			if len(col.Settings) > 0 {
				if p.ColumnSettings == nil {
					p.ColumnSettings = map[string]Settings{}
				}
				p.ColumnSettings[col.Name] = col.Settings
			}
			if col.TTL != "" {
				if p.ColumnTTL == nil {
					p.ColumnTTL = map[string]Expr{}
				}
				p.ColumnTTL[col.Name] = col.TTL
			}
		}
		return p
	case *AddDictionary:
		if c.D != nil {
			p.Dictionary = c.D
			return p
		}
	}
	p.Err = fmt.Sprintf("create_table_query read as %T", ch)
	return p
}

// tableParts returns what only create_table_query holds: engine arguments,
// TTL, SETTINGS, constraints and column TTLs, as the parser read them when
// there is one. What cannot be read marks t uncertain.
func (in *liveReader) tableParts(t *Table, r *tableRow) (Storage, []*Constraint, map[string]Expr) {
	if in.parser == nil {
		st, err := parseEngineFull(r.engineFull)
		if err != nil {
			t.MarkUncertain(Uncertainty{Reason: "engine not understood: " + err.Error()})
		}
		st.PrimaryKeyExplicit = r.primary != "" && r.primary != r.sorting
		return st, constraintsFromCreate(r.create), columnTTLsFromCreate(r.create)
	}
	st := Storage{Engine: Engine{Name: r.engine}}
	p := r.def.Parsed
	if p.Err != "" || p.Dictionary != nil {
		reason := p.Err
		if reason == "" {
			reason = "create_table_query read as a dictionary"
		}
		t.MarkUncertain(Uncertainty{Reason: reason})
		return st, nil, nil
	}
	st.Engine.Params, st.TTL, st.Settings, st.PrimaryKeyExplicit = p.EngineParams, p.TTL, p.Settings, p.PrimaryKeyExplicit
	if p.EngineName != "" {
		st.Engine.Name = p.EngineName
	}
	st.PrimaryKey = p.PrimaryKey
	if reason := crossCheck(st, r.engineFull); reason != "" {
		t.MarkUncertain(Uncertainty{Reason: reason})
	} else if reason := crossCheckElements(p.Constraints, p.ColumnTTL, r.create); reason != "" {
		t.MarkUncertain(Uncertainty{Reason: reason})
	}
	return st, p.Constraints, p.ColumnTTL
}

// crossCheckElements is crossCheck for the parts of the column list only
// create_table_query holds: every constraint and every column TTL the
// scanner finds there must have been read by the parser.
func crossCheckElements(constraints []*Constraint, colTTL map[string]Expr, create string) string {
	for _, x := range constraintsFromCreate(create) {
		if !slices.ContainsFunc(constraints, func(y *Constraint) bool { return y.Name == x.Name }) {
			return "the definition was read without the constraint " + QuoteIdent(x.Name) + " the server's create_table_query has"
		}
	}
	for name := range columnTTLsFromCreate(create) {
		if _, ok := colTTL[name]; !ok {
			return "the definition was read without the TTL of column " + QuoteIdent(name) + " the server's create_table_query has"
		}
	}
	return ""
}

// crossCheck compares what the parser read of a table's storage with what
// the scanner of the server's own formatting reads of system.tables'
// engine_full, for what both read: whether there is a TTL, and the names
// of the settings. The two readers share no code, so a part one of them
// silently drops (a TTL over a column called after, once) shows as a
// disagreement: the table is then uncertain, never compared on a reading
// that may be wrong. It returns the disagreement, or "".
func crossCheck(st Storage, engineFull string) string {
	if engineFull == "" {
		return ""
	}
	sc, err := parseEngineFull(engineFull)
	if err != nil {
		return ""
	}
	if sc.TTL != "" && st.TTL == "" {
		return "the definition was read without the TTL the server's engine_full has: " + string(sc.TTL)
	}
	for _, x := range sc.Settings {
		if _, ok := st.Settings.Get(x.Name); !ok {
			return "the definition was read without the setting " + x.Name + " the server's engine_full has"
		}
	}
	return ""
}

// dictionary reads a dictionary's definition from create_table_query, as
// the parser read it when there is one.
func (in *liveReader) dictionary(r *tableRow) *Dictionary {
	x := &Dictionary{}
	if in.parser == nil {
		if err := parseDictionaryQuery(x, r.create); err != nil {
			x.MarkUncertain(Uncertainty{Reason: "dictionary definition not understood: " + err.Error()})
		}
		return x
	}
	p := r.def.Parsed
	if p.Dictionary == nil {
		reason := p.Err
		if reason == "" {
			reason = "dictionary create_table_query read as a table"
		}
		x.MarkUncertain(Uncertainty{Reason: reason})
		return x
	}
	*x = *p.Dictionary
	x.Attributes = clonePtrs(p.Dictionary.Attributes)
	return x
}

func (in *liveReader) fetchColumns() func() error {
	cols := []string{"database", "table", "name", "type", "default_kind", "default_expression",
		in.col("columns", "compression_codec", "''", "column codecs are not compared", ChangeCodec),
		in.col("columns", "comment", "''", "column comments are not compared", ChangeComment),
	}
	in.colOrder = "database, table, position"
	if !in.have["columns.position"] {
		in.notes = append(in.notes, Note{Message: "this server's system.columns has no column position: columns are taken in the order listed, and column order is not compared", Skip: ChangePosition})
		in.colOrder = "database, table"
	}
	in.colSelect = "SELECT " + strings.Join(cols, ", ") + " FROM system.columns WHERE " + in.dbFilter("database")
	if in.cached {
		return nil // read after system.tables, for the tables the cache lacks
	}
	q := in.columnsQuery("")
	return func() error {
		return in.fetch("system.columns", q, func(rows driver.Rows) error {
			var r columnRow
			err := rows.Scan(&r.db, &r.table, &r.name, &r.typ, &r.kind, &r.expr, &r.codec, &r.comment)
			in.colRows = append(in.colRows, r)
			return err
		})
	}
}

// columnsQuery is the system.columns query with extra conditions.
func (in *liveReader) columnsQuery(and string) string {
	return in.colSelect + and + " ORDER BY " + in.colOrder
}

func (in *liveReader) buildColumns() {
	var (
		last    QualifiedName
		lastObj *liveTable
		ttls    map[string]Expr
	)
	for _, r := range in.colRows {
		qn := QualifiedName{r.db, r.table}
		if qn != last {
			last, lastObj = qn, in.tables[qn]
			ttls = nil
			if lastObj != nil {
				ttls = lastObj.colTTL
			}
		}
		if lastObj == nil {
			continue
		}
		c := &Column{Name: r.name, Type: Type(r.typ), Codec: Codec(r.codec), Comment: Comment(r.comment), TTL: ttls[r.name]}
		if lastObj.colSettings != nil {
			c.Settings = lastObj.colSettings[r.name]
		}
		if r.kind != "" {
			c.Default = &ColumnDefault{Kind: DefaultKind(r.kind), Expr: Expr(r.expr)}
			if c.Default.Kind == Ephemeral && IsTypeDefault(c.Default.Expr) {
				c.Default.Expr = ""
			}
		}
		switch o := lastObj.obj.(type) {
		case *Table:
			o.Columns = append(o.Columns, c)
		case *View:
			o.Columns = append(o.Columns, c)
		}
	}
}

func (in *liveReader) fetchIndexes() func() error {
	where := in.dbFilter("database")
	if in.have["data_skipping_indices.creation"] {
		where += " AND creation = 'Explicit'"
	}
	typeFull := in.col("data_skipping_indices", "type_full", "type", "index parameters are not compared", 0)
	q := "SELECT database, table, name, expr, " + typeFull + ", granularity FROM system.data_skipping_indices WHERE " + where
	return func() error {
		return in.fetch("system.data_skipping_indices", q, func(rows driver.Rows) error {
			var r indexRow
			err := rows.Scan(&r.db, &r.table, &r.name, &r.expr, &r.typ, &r.gran)
			in.idxRows = append(in.idxRows, r)
			return err
		})
	}
}

func (in *liveReader) fetchProjections() func() error {
	if !in.have["projections.query"] {
		in.notes = append(in.notes, Note{Message: "this server's system.projections is missing or has no query column: projections are not read"})
		return nil
	}
	q := "SELECT database, table, name, query FROM system.projections WHERE " + in.dbFilter("database")
	return func() error {
		return in.fetch("system.projections", q, func(rows driver.Rows) error {
			var r projectionRow
			err := rows.Scan(&r.db, &r.table, &r.name, &r.query)
			in.projRows = append(in.projRows, r)
			return err
		})
	}
}

func (in *liveReader) fetchDictionaries() func() error {
	q := "SELECT database, name, `key.names`, `key.types`, `attribute.names`, `attribute.types` FROM system.dictionaries WHERE " + in.dbFilter("database")
	return func() error {
		return in.fetch("system.dictionaries", q, func(rows driver.Rows) error {
			var r dictionaryRow
			err := rows.Scan(&r.db, &r.name, &r.kn, &r.kt, &r.an, &r.at)
			in.dictRows = append(in.dictRows, r)
			return err
		})
	}
}

// buildDictionaries takes the key and attribute types from
// system.dictionaries, where the server prints them canonically; the rest
// of the definition came from create_table_query.
func (in *liveReader) buildDictionaries() {
	for _, r := range in.dictRows {
		lt, ok := in.tables[QualifiedName{r.db, r.name}]
		if !ok {
			continue
		}
		x, ok := lt.obj.(*Dictionary)
		if !ok {
			continue
		}
		names := append(slices.Clone(r.kn), r.an...)
		types := append(slices.Clone(r.kt), r.at...)
		for i, n := range names {
			if a, ok := x.Attribute(n); ok && i < len(types) && types[i] != "" {
				a.Type = Type(types[i])
			}
		}
	}
}

func (in *liveReader) fetchFunctions() func() error {
	if in.noFunctions {
		return nil
	}
	if !in.have["functions.create_query"] || !in.have["functions.origin"] {
		in.notes = append(in.notes, Note{Message: "this server's system.functions has no create_query or origin column: SQL functions are not read"})
		return nil
	}
	q := "SELECT name, create_query FROM system.functions WHERE origin = 'SQLUserDefined' ORDER BY name"
	return func() error {
		return in.fetch("system.functions", q, func(rows driver.Rows) error {
			var r functionRow
			err := rows.Scan(&r.name, &r.create)
			in.funcRows = append(in.funcRows, r)
			return err
		})
	}
}

// table returns the table db.name read from system.tables, nil if none.
func (in *liveReader) table(db, name string) *Table {
	if lt, ok := in.tables[QualifiedName{db, name}]; ok {
		if t, ok := lt.obj.(*Table); ok {
			return t
		}
	}
	return nil
}

func (in *liveReader) query(table, q string) (driver.Rows, error) {
	rows, err := in.q.Query(in.ctx, q)
	if err != nil {
		return nil, in.wrap(table, err)
	}
	return rows, nil
}

func (in *liveReader) wrap(table string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%w: reading %s: %w", ErrInspect, table, err)
}

// quoteString renders s as a ClickHouse string literal.
func quoteString(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

// LiveReader is the Inspector over ReadLive, for code that takes any
// Inspector. Notes holds the notes of the last InspectSchema.
type LiveReader struct {
	q     Querier
	opts  LiveOptions
	Notes []Note
}

var _ Inspector = (*LiveReader)(nil)

// NewLiveReader returns a LiveReader over q. It rejects a nil Querier, and
// options that name no database without AllDatabases.
func NewLiveReader(q Querier, opts LiveOptions) (*LiveReader, error) {
	if q == nil {
		return nil, fmt.Errorf("%w: NewLiveReader: nil Querier", ErrInspect)
	}
	if len(opts.Databases) == 0 && !opts.AllDatabases {
		return nil, fmt.Errorf("%w: NewLiveReader: no databases", ErrInspect)
	}
	return &LiveReader{q: q, opts: opts}, nil
}

// InspectSchema implements Inspector.
func (r *LiveReader) InspectSchema(ctx context.Context) (*Schema, error) {
	s, notes, err := ReadLive(ctx, r.q, r.opts)
	r.Notes = notes
	return s, err
}
