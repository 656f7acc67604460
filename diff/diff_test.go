package diff

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chschema/chschema/schema"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// base returns a fresh schema: database shop with a table, a view, a
// materialized view into the table, a dictionary, and a function.
func base() *schema.Schema {
	s := schema.New()
	d := s.AddDatabase(&schema.Database{Name: "shop", Engine: schema.Engine{Name: "Atomic"}})
	events := &schema.Table{
		Database: d, Name: "events",
		Columns: []*schema.Column{
			{Name: "id", Type: "UInt64"},
			{Name: "ts", Type: "DateTime", Default: &schema.ColumnDefault{Kind: schema.Default, Expr: "now()"}, Codec: "CODEC(Delta(4), ZSTD(1))"},
			{Name: "v", Type: "String", Comment: "value"},
		},
		Storage: schema.Storage{
			Engine:      schema.Engine{Name: "MergeTree"},
			PartitionBy: "toYYYYMM(ts)",
			OrderBy:     "id, ts",
			PrimaryKey:  "id, ts",
			TTL:         "ts + toIntervalDay(30)",
			Settings:    schema.Settings{{Name: "index_granularity", Value: "8192"}, {Name: "ttl_only_drop_parts", Value: "1"}},
		},
		Indexes:     []*schema.Index{{Name: "i_v", Expr: "v", Type: "bloom_filter(0.01)", Granularity: 4}},
		Projections: []*schema.Projection{{Name: "p", Query: "SELECT id, count() GROUP BY id"}},
		Constraints: []*schema.Constraint{{Name: "c", Kind: schema.Check, Expr: "id > 0"}},
	}
	totals := &schema.Table{
		Database: d, Name: "totals",
		Columns: []*schema.Column{{Name: "id", Type: "UInt64"}, {Name: "n", Type: "UInt64"}},
		Storage: schema.Storage{Engine: schema.Engine{Name: "SummingMergeTree"}, OrderBy: "id"},
	}
	d.Tables = []*schema.Table{events, totals}
	d.Views = []*schema.View{
		{Database: d, Name: "mv", Materialized: true, To: &schema.QualifiedName{Database: "shop", Name: "totals"},
			Query: "SELECT id, count() AS n FROM shop.events GROUP BY id"},
		{Database: d, Name: "recent", Query: "SELECT id FROM shop.events WHERE ts > now() - 60"},
	}
	d.Dictionaries = []*schema.Dictionary{{
		Database: d, Name: "names",
		Attributes: []*schema.DictionaryAttribute{{Name: "id", Type: "UInt64"}, {Name: "name", Type: "String", Default: "''"}},
		PrimaryKey: []string{"id"},
		Source:     schema.DictionarySource{Type: "CLICKHOUSE", Params: []schema.DictParam{{Key: "TABLE", Value: "'names_src'"}}},
		Layout:     schema.DictionaryLayout{Type: "HASHED"},
		Lifetime:   schema.DictionaryLifetime{Min: 0, Max: 300},
	}}
	s.Functions = []*schema.Function{{Schema: s, Name: "plus2", Params: []string{"x"}, Body: "x -> x + 2"}}
	return s
}

func table(s *schema.Schema, name string) *schema.Table {
	d, _ := s.Database("shop")
	t, _ := d.Table(name)
	return t
}

func view(s *schema.Schema, name string) *schema.View {
	d, _ := s.Database("shop")
	v, _ := d.View(name)
	return v
}

func column(s *schema.Schema, name string) *schema.Column {
	c, _ := table(s, "events").Column(name)
	return c
}

// summarize describes each entry on one line, the way tests assert on them.
func summarize(r *Result) []string {
	var out []string
	for _, e := range Entries(r) {
		s := fmt.Sprintf("%s %s %s", e.Action, e.Kind, e.Name())
		if e.Subject != "" {
			s += ": " + e.Subject
		}
		if e.Detail != "" {
			s += " (" + e.Detail + ")"
		}
		out = append(out, s)
	}
	return out
}

func TestSchemas(t *testing.T) {
	tests := []struct {
		name string
		edit func(s *schema.Schema)
		opts []Option
		want []string
	}{
		{name: "identical", edit: func(*schema.Schema) {}},
		{
			name: "formatting only",
			edit: func(s *schema.Schema) {
				tb := table(s, "events")
				tb.PartitionBy = "toYYYYMM( ts )"
				tb.OrderBy = "id,  ts"
				tb.TTL = "ts +\n  toIntervalDay(30)"
				tb.Constraints[0].Expr = "id  >  0"
				view(s, "recent").Query = "SELECT id\nFROM shop.events\nWHERE ts > now() - 60"
				s.Functions[0].Body = "x  ->  x + 2"
			},
		},
		{
			name: "string literals keep their spaces",
			edit: func(s *schema.Schema) { column(s, "ts").Default.Expr = "'a  b'" },
			want: []string{"modified table shop.events: column `ts` (default)"},
		},
		{
			name: "settings compared as a set",
			edit: func(s *schema.Schema) {
				tb := table(s, "events")
				tb.Settings[0], tb.Settings[1] = tb.Settings[1], tb.Settings[0]
			},
		},
		{
			name: "setting removed on the server",
			edit: func(s *schema.Schema) { tb := table(s, "events"); tb.Settings = tb.Settings[:1] },
			want: []string{"modified table shop.events: settings"},
		},
		{
			name: "implicit primary key equals the sorting key",
			edit: func(s *schema.Schema) { table(s, "events").PrimaryKey = "" },
		},
		{
			name: "add column",
			edit: func(s *schema.Schema) {
				tb := table(s, "events")
				tb.Columns = append(tb.Columns, &schema.Column{Name: "extra", Type: "UInt8"})
			},
			want: []string{"modified table shop.events: column `extra`"},
		},
		{
			name: "drop column",
			edit: func(s *schema.Schema) { tb := table(s, "events"); tb.Columns = tb.Columns[:2] },
			want: []string{"modified table shop.events: column `v`"},
		},
		{
			name: "type, default, codec, comment and ttl of one column",
			edit: func(s *schema.Schema) {
				c := column(s, "ts")
				c.Type = "DateTime64(3)"
				c.Default = nil
				c.Codec = ""
				c.Comment = "when"
				c.TTL = "ts + toIntervalDay(1)"
			},
			want: []string{"modified table shop.events: column `ts` (type, default, codec, comment, ttl)"},
		},
		{
			name: "column moved",
			edit: func(s *schema.Schema) {
				tb := table(s, "events")
				tb.Columns = []*schema.Column{tb.Columns[0], tb.Columns[2], tb.Columns[1]}
			},
			want: []string{"modified table shop.events: column `ts` (position)"},
		},
		{
			name: "codec ignored when the server cannot report it",
			edit: func(s *schema.Schema) { column(s, "ts").Codec = "" },
			opts: []Option{WithoutColumnParts(schema.ChangeCodec)},
		},
		{
			name: "index added, dropped and changed",
			edit: func(s *schema.Schema) {
				tb := table(s, "events")
				tb.Indexes = []*schema.Index{
					{Name: "i_v", Expr: "v", Type: "bloom_filter(0.05)", Granularity: 4},
					{Name: "i_id", Expr: "id", Type: "minmax", Granularity: 1},
				}
			},
			want: []string{
				"modified table shop.events: index `i_v`",
				"modified table shop.events: index `i_id`",
				"modified table shop.events: index `i_v`",
			},
		},
		{
			name: "projection and constraint",
			edit: func(s *schema.Schema) {
				tb := table(s, "events")
				tb.Projections = nil
				tb.Constraints[0].Kind = schema.Assume
			},
			want: []string{
				"modified table shop.events: projection `p`",
				"modified table shop.events: constraint `c`",
				"modified table shop.events: constraint `c`",
			},
		},
		{
			name: "storage clauses",
			edit: func(s *schema.Schema) {
				tb := table(s, "events")
				tb.Engine = schema.Engine{Name: "ReplacingMergeTree", Params: []schema.Expr{"ts"}}
				tb.PartitionBy = ""
				tb.OrderBy = "id"
				tb.PrimaryKey = "id"
				tb.SampleBy = "id"
				tb.TTL = ""
				tb.Settings = schema.Settings{{Name: "index_granularity", Value: "1024"}, {Name: "ttl_only_drop_parts", Value: "1"}}
				tb.Comment = "all events"
			},
			want: []string{
				"modified table shop.events: engine",
				"modified table shop.events: partition key",
				"modified table shop.events: sorting key",
				"modified table shop.events: primary key",
				"modified table shop.events: sampling key",
				"modified table shop.events: ttl",
				"modified table shop.events: settings",
				"modified table shop.events: comment",
			},
		},
		{
			name: "materialized view query and target",
			edit: func(s *schema.Schema) {
				v := view(s, "mv")
				v.Query = "SELECT id, count() AS n FROM shop.events WHERE id > 0 GROUP BY id"
				v.To = &schema.QualifiedName{Database: "shop", Name: "other"}
			},
			want: []string{
				"modified materialized view shop.mv: query",
				"modified materialized view shop.mv: target",
			},
		},
		{
			name: "dictionary lifetime",
			edit: func(s *schema.Schema) {
				d, _ := s.Database("shop")
				x, _ := d.Dictionary("names")
				x.Lifetime.Max = 600
			},
			want: []string{"modified dictionary shop.names: definition"},
		},
		{
			name: "dictionary keys compared without case",
			edit: func(s *schema.Schema) {
				d, _ := s.Database("shop")
				x, _ := d.Dictionary("names")
				x.Source.Params[0].Key = "table"
			},
		},
		{
			name: "function changed",
			edit: func(s *schema.Schema) { s.Functions[0].Body = "x -> x + 3" },
			want: []string{"modified function plus2: definition"},
		},
		{
			name: "function added on the server is reported",
			edit: func(s *schema.Schema) {
				s.Functions = append(s.Functions, &schema.Function{Name: "other", Params: []string{"a"}, Body: "a -> a"})
			},
			want: []string{"added function other"},
		},
		{
			name: "function added on the server is not reported without added functions",
			edit: func(s *schema.Schema) {
				s.Functions = append(s.Functions, &schema.Function{Name: "other", Params: []string{"a"}, Body: "a -> a"})
			},
			opts: []Option{WithoutAddedFunctions()},
		},
		{
			name: "drop table",
			edit: func(s *schema.Schema) { d, _ := s.Database("shop"); d.Tables = d.Tables[1:] },
			want: []string{"dropped table shop.events"},
		},
		{
			name: "unmanaged table",
			edit: func(s *schema.Schema) {
				d, _ := s.Database("shop")
				d.Tables = append(d.Tables, &schema.Table{Database: d, Name: "adhoc", Columns: []*schema.Column{{Name: "x", Type: "UInt8"}}, Storage: schema.Storage{Engine: schema.Engine{Name: "Memory"}}})
			},
			want: []string{"added table shop.adhoc"},
		},
		{
			name: "rename table",
			edit: func(s *schema.Schema) { table(s, "totals").Name = "totals_v2" },
			want: []string{"renamed table shop.totals"},
		},
		{
			name: "uncertain objects are unverified, never drift",
			edit: func(s *schema.Schema) {
				tb := table(s, "events")
				tb.Columns = tb.Columns[:1]
				tb.MarkUncertain(schema.Uncertainty{Reason: "ALTER TABLE ... MODIFY COLUMN ... SETTINGS", Pos: schema.Position{File: "1_init.sql", Line: 3, Col: 1}})
			},
			want: []string{"unverified table shop.events (1_init.sql:3:1: ALTER TABLE ... MODIFY COLUMN ... SETTINGS)"},
		},
		{
			name: "ignore one object",
			edit: func(s *schema.Schema) {
				view(s, "mv").Query = "SELECT 1"
				column(s, "ts").Type = "Date"
			},
			opts: []Option{WithIgnore(mustIgnore(t, "shop.mv"))},
			want: []string{"modified table shop.events: column `ts` (type)"},
		},
		{
			name: "ignore a database with a glob",
			edit: func(s *schema.Schema) {
				view(s, "mv").Query = "SELECT 1"
				s.AddDatabase(&schema.Database{Name: "dbt_models"})
			},
			opts: []Option{WithIgnore(mustIgnore(t, "shop.m*", "dbt_models.*"))},
		},
		{
			name: "database added",
			edit: func(s *schema.Schema) {
				s.AddDatabase(&schema.Database{Name: "aaa", Engine: schema.Engine{Name: "Atomic"}})
			},
			want: []string{"added database aaa"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			to := base()
			tt.edit(to)
			got := summarize(Schemas(base(), to, tt.opts...))
			if diff := cmp.Diff(tt.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("entries (-want +got):\n%s", diff)
			}
		})
	}
}

func mustIgnore(t *testing.T, patterns ...string) *Ignore {
	t.Helper()
	var ps []Pattern
	for _, p := range patterns {
		ps = append(ps, Pattern{Text: p})
	}
	ig, err := NewIgnore(ps...)
	if err != nil {
		t.Fatal(err)
	}
	return ig
}

// TestModifyColumnCarriesBothSides checks the typed change, not only its
// rendering: a planner needs From, To and Kind.
func TestModifyColumnCarriesBothSides(t *testing.T) {
	to := base()
	column(to, "ts").Type = "DateTime64(3)"
	r := Schemas(base(), to)
	want := []schema.Change{&schema.ModifyTable{
		Name: schema.QualifiedName{Database: "shop", Name: "events"},
		Changes: []schema.Change{&schema.ModifyColumn{
			From: column(base(), "ts"),
			To:   column(to, "ts"),
			Kind: schema.ChangeType,
		}},
	}}
	if diff := cmp.Diff(want, r.Changes); diff != "" {
		t.Errorf("changes (-want +got):\n%s", diff)
	}
}

func TestRenameNeedsEqualDefinitions(t *testing.T) {
	to := base()
	tb := table(to, "totals")
	tb.Name = "totals_v2"
	tb.Columns = tb.Columns[:1]
	got := summarize(Schemas(base(), to))
	want := []string{"dropped table shop.totals", "added table shop.totals_v2"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("entries (-want +got):\n%s", diff)
	}
}

func TestDeterministicOrder(t *testing.T) {
	from, to := base(), base()
	// Objects listed out of order on both sides.
	for _, s := range []*schema.Schema{from, to} {
		d, _ := s.Database("shop")
		d.Tables[0], d.Tables[1] = d.Tables[1], d.Tables[0]
	}
	table(to, "totals").Comment = "x"
	table(to, "events").Comment = "y"
	to.AddDatabase(&schema.Database{Name: "zz"})
	to.Databases[0], to.Databases[1] = to.Databases[1], to.Databases[0]
	first := strings.Join(summarize(Schemas(from, to)), "\n")
	want := "modified table shop.events: comment\nmodified table shop.totals: comment\nadded database zz"
	if first != want {
		t.Errorf("order:\n%s\nwant:\n%s", first, want)
	}
	for range 20 {
		if got := strings.Join(summarize(Schemas(from, to)), "\n"); got != first {
			t.Fatalf("order changed between runs:\n%s\nvs\n%s", got, first)
		}
	}
}

func TestNormExpr(t *testing.T) {
	tests := []struct {
		name, a, b string
		equal      bool
	}{
		{"spaces", "a  +  b", "a + b", true},
		{"newlines", "SELECT a\nFROM t", "SELECT a FROM t", true},
		{"brackets", "f( a , b )", "f(a, b)", true},
		{"commas", "(a,b)", "(a, b)", true},
		{"literal spaces kept", "'a  b'", "'a b'", false},
		{"escaped quote in literal", `'it\'s  x'`, `'it\'s  x'`, true},
		{"different", "a + b", "a - b", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := eqExpr(schema.Expr(tt.a), schema.Expr(tt.b)); got != tt.equal {
				t.Errorf("eqExpr(%q, %q) = %v (%q vs %q)", tt.a, tt.b, got, normExpr(tt.a), normExpr(tt.b))
			}
		})
	}
}

// TestUndeclaredDatabaseProperties: what no statement declared about a
// database (its engine, the comment of one that existed before the
// migrations) is unknown and never drift; what was declared still is.
func TestUndeclaredDatabaseProperties(t *testing.T) {
	from, to := base(), base()
	fd, _ := from.Database("shop")
	td, _ := to.Database("shop")
	fd.Engine, fd.CommentUnknown = schema.Engine{}, true
	td.Engine, td.Comment = schema.Engine{Name: "Ordinary"}, "set by hand"
	if r := Schemas(from, to); r.Drift() {
		t.Errorf("undeclared engine and comment reported: %v", r.Changes)
	}
	fd.Engine, fd.CommentUnknown = schema.Engine{Name: "Atomic"}, false
	r := Schemas(from, to)
	if len(r.Changes) != 2 {
		t.Fatalf("declared engine: changes %v, want a drop and an add", r.Changes)
	}
	fd.Engine = schema.Engine{Name: "Ordinary"}
	if r := Schemas(from, to); len(r.Changes) != 1 {
		t.Errorf("declared comment: changes %v, want the comment", r.Changes)
	}
}

// TestUncertaintyOfMissingObjects: an uncertainty about an object the
// model does not have makes that object unverified when the server has
// it, and only that one; one about a database the model does not have
// makes the whole database unverified, present or not.
func TestUncertaintyOfMissingObjects(t *testing.T) {
	from, to := base(), base()
	at := schema.Uncertainty{Reason: "unreadable", Pos: schema.Position{File: "m.sql", Line: 3, Col: 1}}
	if err := from.Apply(&schema.MarkUncertain{Objects: []schema.QualifiedName{{Database: "shop", Name: "made_by_hand"}}, Reason: at}); err != nil {
		t.Fatal(err)
	}
	if err := from.Apply(&schema.MarkUncertain{Databases: []string{"gone"}, Reason: at}); err != nil {
		t.Fatal(err)
	}
	td, _ := to.Database("shop")
	td.Tables = append(td.Tables, &schema.Table{Database: td, Name: "made_by_hand", Storage: schema.Storage{Engine: schema.Engine{Name: "Memory"}}},
		&schema.Table{Database: td, Name: "other", Storage: schema.Storage{Engine: schema.Engine{Name: "Memory"}}})
	r := Schemas(from, to)
	var unverified []string
	for _, u := range r.Unverified {
		unverified = append(unverified, u.Name.Database+"."+u.Name.Name)
	}
	if got := strings.Join(unverified, " "); got != "gone. shop.made_by_hand" {
		t.Errorf("unverified %q", got)
	}
	if len(r.Changes) != 1 {
		t.Errorf("changes %v, want shop.other added", r.Changes)
	}
}
