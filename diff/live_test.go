package diff_test

import (
	"context"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/chschema/chschema/diff"
	"github.com/chschema/chschema/internal/chtest"
	"github.com/chschema/chschema/parser"
	"github.com/chschema/chschema/schema"
)

func TestMain(m *testing.M) { os.Exit(chtest.Main(m)) }

func exec(t *testing.T, db *chtest.DB, stmts ...string) {
	t.Helper()
	for _, s := range stmts {
		if err := db.Conn.Exec(context.Background(), strings.ReplaceAll(s, "{db}", "`"+db.Name+"`")); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

// countingQuerier counts the queries sent, and can rewrite them.
type countingQuerier struct {
	q       schema.Querier
	n       atomic.Int64
	rewrite func(string) string
}

func (c *countingQuerier) Query(ctx context.Context, q string, args ...any) (driver.Rows, error) {
	c.n.Add(1)
	if c.rewrite != nil {
		q = c.rewrite(q)
	}
	return c.q.Query(ctx, q, args...)
}

// TestInspectMatchesModel creates objects on the server and compares what
// Inspect reads with a model written by hand in canonical form: the live
// reader must not invent drift.
func TestInspectMatchesModel(t *testing.T) {
	db := chtest.New(t)
	fn := db.Name + "_twice"
	exec(t, db,
		"CREATE TABLE {db}.events (id UInt64, ts DateTime DEFAULT now() COMMENT 'when' CODEC(Delta, ZSTD(3)), "+
			"v UInt32 TTL ts + INTERVAL 1 DAY, s String MATERIALIZED 'x', e UInt8 EPHEMERAL, "+
			"INDEX i_id id TYPE bloom_filter(0.01) GRANULARITY 2, CONSTRAINT c CHECK id > 0, "+
			"PROJECTION p (SELECT id, count() GROUP BY id)) "+
			"ENGINE = ReplacingMergeTree(id) PARTITION BY toYYYYMM(ts) ORDER BY (id, ts) PRIMARY KEY id SAMPLE BY id "+
			"TTL ts + INTERVAL 30 DAY SETTINGS index_granularity = 4096, deduplicate_merge_projection_mode = 'drop' COMMENT 'all events'",
		"CREATE TABLE {db}.totals (id UInt64, c UInt64) ENGINE = SummingMergeTree ORDER BY id",
		"CREATE MATERIALIZED VIEW {db}.mv TO {db}.totals AS SELECT id, count() AS c FROM {db}.events GROUP BY id",
		"CREATE MATERIALIZED VIEW {db}.mv_inner ENGINE = MergeTree ORDER BY id AS SELECT id FROM {db}.events",
		"CREATE DICTIONARY {db}.names (id UInt64, c UInt64 DEFAULT 0) PRIMARY KEY id "+
			"SOURCE(CLICKHOUSE(TABLE 'totals' DB '"+db.Name+"')) LIFETIME(MIN 0 MAX 300) LAYOUT(HASHED())",
		"CREATE FUNCTION `"+fn+"` AS (x) -> x * 2",
	)
	t.Cleanup(func() { _ = db.Conn.Exec(context.Background(), "DROP FUNCTION IF EXISTS `"+fn+"`") })

	want := schema.New()
	d := want.AddDatabase(&schema.Database{Name: db.Name, Engine: schema.Engine{Name: "Atomic"}})
	d.Tables = []*schema.Table{
		{
			Name: "events",
			Columns: []*schema.Column{
				{Name: "id", Type: "UInt64"},
				{Name: "ts", Type: "DateTime", Default: &schema.ColumnDefault{Kind: schema.Default, Expr: "now()"}, Comment: "when", Codec: "CODEC(Delta(4), ZSTD(3))"},
				{Name: "v", Type: "UInt32", TTL: "ts + toIntervalDay(1)"},
				{Name: "s", Type: "String", Default: &schema.ColumnDefault{Kind: schema.Materialized, Expr: "'x'"}},
				{Name: "e", Type: "UInt8", Default: &schema.ColumnDefault{Kind: schema.Ephemeral}},
			},
			Storage: schema.Storage{
				Engine:      schema.Engine{Name: "ReplacingMergeTree", Params: []schema.Expr{"id"}},
				PartitionBy: "toYYYYMM(ts)", OrderBy: "id, ts", PrimaryKey: "id", PrimaryKeyExplicit: true, SampleBy: "id",
				TTL:      "ts + toIntervalDay(30)",
				Settings: schema.Settings{{Name: "index_granularity", Value: "4096"}, {Name: "deduplicate_merge_projection_mode", Value: "'drop'"}},
			},
			Comment:     "all events",
			Indexes:     []*schema.Index{{Name: "i_id", Expr: "id", Type: "bloom_filter(0.01)", Granularity: 2}},
			Projections: []*schema.Projection{{Name: "p", Query: "SELECT id, count() GROUP BY id"}},
			Constraints: []*schema.Constraint{{Name: "c", Kind: schema.Check, Expr: "id > 0"}},
		},
		{
			Name:    "totals",
			Columns: []*schema.Column{{Name: "id", Type: "UInt64"}, {Name: "c", Type: "UInt64"}},
			Storage: schema.Storage{Engine: schema.Engine{Name: "SummingMergeTree"}, OrderBy: "id"},
		},
	}
	d.Tables[1].Storage.Normalize()
	inner := schema.Storage{Engine: schema.Engine{Name: "MergeTree"}, OrderBy: "id"}
	inner.Normalize()
	d.Views = []*schema.View{
		{Name: "mv", Materialized: true, To: &schema.QualifiedName{Database: db.Name, Name: "totals"},
			Query: schema.Expr("SELECT id, count() AS c FROM " + db.Name + ".events GROUP BY id")},
		{Name: "mv_inner", Materialized: true, Storage: &inner, Query: schema.Expr("SELECT id FROM " + db.Name + ".events")},
	}
	d.Dictionaries = []*schema.Dictionary{{
		Name:       "names",
		Attributes: []*schema.DictionaryAttribute{{Name: "id", Type: "UInt64"}, {Name: "c", Type: "UInt64", Default: "0"}},
		PrimaryKey: []string{"id"},
		Source: schema.DictionarySource{Type: "CLICKHOUSE", Params: []schema.DictParam{
			{Key: "TABLE", Value: "'totals'"}, {Key: "DB", Value: schema.Expr("'" + db.Name + "'")}}},
		Layout:   schema.DictionaryLayout{Type: "HASHED"},
		Lifetime: schema.DictionaryLifetime{Min: 0, Max: 300},
	}}
	want.Functions = []*schema.Function{{Name: fn, Params: []string{"x"}, Body: "x -> (x * 2)"}}
	want.Link()

	for _, reader := range readers {
		t.Run(reader.name, func(t *testing.T) {
			got, notes, err := schema.ReadLive(context.Background(), db.Conn, schema.LiveOptions{Databases: []string{db.Name}, Parser: reader.parser})
			if err != nil {
				t.Fatal(err)
			}
			if len(notes) > 0 {
				t.Errorf("notes: %v", notes)
			}
			var b strings.Builder
			r := diff.Schemas(want, got, diff.WithoutAddedFunctions())
			if r.Drift() || len(r.Unverified) > 0 {
				_ = diff.WriteText(&b, r, diff.TextOptions{})
				t.Errorf("ReadLive differs from the model:\n%s", b.String())
			}
			// The view columns come from system.columns.
			if mv, ok := got.Databases[0].View("mv"); !ok || len(mv.Columns) != 2 {
				t.Errorf("mv columns not read: %+v", mv)
			}
		})
	}
}

// readers are the two ways ReadLive reads definitions: the scanner of the
// server's formatting, and the parser's conversion (what chschema diff uses).
var readers = []struct {
	name   string
	parser schema.CreateParser
}{{"scanner", nil}, {"parser", parser.CreateReader{}}}

// TestInspectQueries checks that Inspect sends one query per system table
// (plus one for capabilities), however many tables there are, and never
// reads a system database.
func TestInspectQueries(t *testing.T) {
	db := chtest.New(t)
	for i := range 30 {
		exec(t, db, "CREATE TABLE {db}.t"+string(rune('a'+i%26))+strings.Repeat("x", i/26)+" (a UInt8, b String) ENGINE = Memory")
	}
	q := &countingQuerier{q: db.Conn}
	var inspector schema.Inspector
	inspector, err := schema.NewLiveReader(q, schema.LiveOptions{Databases: []string{db.Name, "system", "information_schema"}})
	if err != nil {
		t.Fatal(err)
	}
	s, err := inspector.InspectSchema(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if n := q.n.Load(); n != 8 {
		t.Errorf("%d queries, want 8", n)
	}
	if len(s.Databases) != 1 || s.Databases[0].Name != db.Name || len(s.Databases[0].Tables) != 30 {
		t.Errorf("databases read: %d (first %q), tables %d", len(s.Databases), s.Databases[0].Name, len(s.Databases[0].Tables))
	}

	all, _, err := schema.ReadLive(context.Background(), db.Conn, schema.LiveOptions{AllDatabases: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range all.Databases {
		for _, sys := range schema.SystemDatabases {
			if d.Name == sys {
				t.Errorf("system database %s read", sys)
			}
		}
	}
	if _, ok := all.Database(db.Name); !ok {
		t.Errorf("AllDatabases did not read %s", db.Name)
	}
}

// TestInspectDegrades hides columns that older servers lack from the
// capability query, and checks that Inspect still reads the schema, says
// what it left out, and that a diff skipping those parts finds no drift.
func TestInspectDegrades(t *testing.T) {
	db := chtest.New(t)
	exec(t, db,
		"CREATE TABLE {db}.t (id UInt64, ts DateTime COMMENT 'c' CODEC(ZSTD(1))) ENGINE = MergeTree ORDER BY id COMMENT 'x'",
		"CREATE TABLE {db}.dst (id UInt64) ENGINE = MergeTree ORDER BY id",
		"CREATE MATERIALIZED VIEW {db}.mv TO {db}.dst AS SELECT id FROM {db}.t",
	)
	full, _, err := schema.ReadLive(context.Background(), db.Conn, schema.LiveOptions{Databases: []string{db.Name}})
	if err != nil {
		t.Fatal(err)
	}
	full.Functions = nil // server-wide; other tests change theirs
	old := &countingQuerier{q: db.Conn, rewrite: func(q string) string {
		if strings.HasPrefix(q, "SELECT table, name FROM system.columns WHERE database = 'system'") {
			return q + " AND NOT (table = 'columns' AND name IN ('comment', 'compression_codec', 'position'))" +
				" AND NOT (table = 'tables' AND name IN ('target_database', 'target_table'))"
		}
		return q
	}}
	got, notes, err := schema.ReadLive(context.Background(), old, schema.LiveOptions{Databases: []string{db.Name}})
	if err != nil {
		t.Fatalf("Inspect failed on an older server: %v", err)
	}
	var text []string
	var opts []diff.Option
	for _, n := range notes {
		text = append(text, n.String())
		opts = append(opts, diff.WithoutColumnParts(n.Skip))
	}
	got.Functions = nil
	joined := strings.Join(text, "\n")
	for _, want := range []string{"no column comment", "no column compression_codec", "no column position", "no column target_table"} {
		if !strings.Contains(joined, want) {
			t.Errorf("notes lack %q:\n%s", want, joined)
		}
	}
	ts, _ := got.Databases[0].Tables[1].Column("ts")
	if ts == nil || ts.Codec != "" || ts.Comment != "" {
		t.Errorf("degraded column = %+v, want no codec and no comment", ts)
	}
	mv, _ := got.Databases[0].View("mv")
	if mv == nil || mv.To == nil || mv.To.Name != "dst" {
		t.Errorf("materialized view target not read from create_table_query: %+v", mv)
	}
	if r := diff.Schemas(full, got, opts...); r.Drift() {
		var b strings.Builder
		_ = diff.WriteText(&b, r, diff.TextOptions{})
		t.Errorf("drift after degrading:\n%s", b.String())
	}
	if r := diff.Schemas(full, got); !r.Drift() {
		t.Error("without the notes' skips the lost codec and comment should show; the test would prove nothing")
	}
}

// TestInspectCache checks that cached definitions are used for unchanged
// tables, and never for altered ones.
func TestInspectCache(t *testing.T) {
	for _, reader := range readers {
		t.Run(reader.name, func(t *testing.T) { testInspectCache(t, reader.parser) })
	}
}

func testInspectCache(t *testing.T, p schema.CreateParser) {
	db := chtest.New(t)
	exec(t, db,
		"CREATE TABLE {db}.a (id UInt64, ts DateTime) ENGINE = MergeTree ORDER BY id TTL ts + INTERVAL 1 DAY",
		"CREATE TABLE {db}.b (id UInt64) ENGINE = MergeTree ORDER BY id SETTINGS index_granularity = 1024",
	)
	opts := schema.LiveOptions{Databases: []string{db.Name}, Parser: p, ParserVersion: "test"}
	inspect := func(cache schema.DefinitionCache) (*schema.Schema, int64) {
		t.Helper()
		q := &countingQuerier{q: db.Conn}
		o := opts
		o.Cache = cache
		s, _, err := schema.ReadLive(context.Background(), q, o)
		if err != nil {
			t.Fatal(err)
		}
		return s, q.n.Load()
	}
	sameAsUncached := func(s *schema.Schema) {
		t.Helper()
		fresh, _ := inspect(nil)
		// SQL functions are server-wide; other tests change theirs.
		fresh.Functions, s.Functions = nil, nil
		if r := diff.Schemas(fresh, s); r.Drift() {
			var b strings.Builder
			_ = diff.WriteText(&b, r, diff.TextOptions{})
			t.Errorf("cached read differs from a fresh one:\n%s", b.String())
		}
	}
	cache := schema.NewMemoryCache()
	s, n := inspect(cache)
	if n != 9 || cache.Len() != 0 {
		t.Errorf("just-created tables: %d queries, %d cached; want 9 and 0 (too recent to cache)", n, cache.Len())
	}
	sameAsUncached(s)

	time.Sleep(2100 * time.Millisecond)
	inspect(cache)
	if cache.Len() != 2 {
		t.Fatalf("%d cached, want 2", cache.Len())
	}
	s, n = inspect(cache)
	if n != 7 {
		t.Errorf("all cached: %d queries, want 7 (no definitions, no system.columns)", n)
	}
	sameAsUncached(s)

	exec(t, db, "ALTER TABLE {db}.a ADD COLUMN extra UInt8, COMMENT COLUMN id 'key', MODIFY TTL ts + INTERVAL 2 DAY")
	s, n = inspect(cache)
	if n != 9 {
		t.Errorf("one altered: %d queries, want 9", n)
	}
	a, _ := s.Databases[0].Table("a")
	if a.TTL != "ts + toIntervalDay(2)" {
		t.Errorf("altered table read from the cache: TTL %q", a.TTL)
	}
	if extra, ok := a.Column("extra"); !ok || extra.Type != "UInt8" {
		t.Errorf("added column not read: %+v", a.Columns)
	}
	if id, _ := a.Column("id"); id == nil || id.Comment != "key" {
		t.Errorf("column comment read from the cache: %+v", id)
	}
	sameAsUncached(s)

	var buf strings.Builder
	if err := cache.Save(&buf); err != nil {
		t.Fatal(err)
	}
	loaded, err := schema.LoadMemoryCache(strings.NewReader(buf.String()))
	if err != nil || loaded.Len() != 2 {
		t.Fatalf("save/load: %v, %d entries", err, loaded.Len())
	}
}
