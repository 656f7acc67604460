package schema

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	p := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(p, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs (go test -update rewrites it):\n--- want\n%s\n--- got\n%s", p, want, got)
	}
}

// TestRenderGolden renders a model holding one of each kind of object. The
// server's acceptance of rendered SQL is tested in the parser package
// (TestRenderRecreates) and on the example (cmd/chschema).
func TestRenderGolden(t *testing.T) {
	s := testSchema()
	st := Storage{Engine: Engine{Name: "ReplacingMergeTree", Params: []Expr{"ver"}}, OrderBy: "k, ts", PartitionBy: "toYYYYMM(ts)",
		PrimaryKey: "k", PrimaryKeyExplicit: true, TTL: "ts + toIntervalDay(30)"}
	st.Normalize()
	inner := Storage{Engine: Engine{Name: "SummingMergeTree"}, OrderBy: "k"}
	inner.Normalize()
	mustApply(t, s,
		&AddFunction{F: &Function{Name: "plus1", Body: "x -> (x + 1)"}},
		&AddTable{Name: qn("events"), T: &Table{Name: "events",
			Columns: []*Column{
				{Name: "k", Type: "UInt64", Comment: "the key"},
				{Name: "ts", Type: "DateTime", Codec: "CODEC(Delta(4), ZSTD(1))"},
				{Name: "ver", Type: "UInt64", Default: &ColumnDefault{Kind: Default, Expr: "1"}},
				{Name: "e", Type: "UInt8", Default: &ColumnDefault{Kind: Ephemeral}},
				{Name: "weird name", Type: "String", TTL: "ts + toIntervalDay(1)"},
			},
			Storage:     st,
			Comment:     "it's a table",
			Indexes:     []*Index{{Name: "i", Expr: "k", Type: "minmax", Granularity: 2}},
			Projections: []*Projection{{Name: "p", Query: "SELECT k ORDER BY ts"}},
			Constraints: []*Constraint{{Name: "c", Kind: Assume, Expr: "k > 0"}},
		}},
		&AddTable{Name: qn("plain"), T: &Table{Name: "plain", Columns: []*Column{{Name: "k", Type: "UInt64"}}, Storage: Storage{Engine: Engine{Name: "Memory"}}}},
		&AddDictionary{Name: qn("d"), D: &Dictionary{Name: "d",
			Attributes: []*DictionaryAttribute{{Name: "id", Type: "UInt64"}, {Name: "name", Type: "String", Default: "''", Injective: true}},
			PrimaryKey: []string{"id"},
			Source:     DictionarySource{Type: "CLICKHOUSE", Params: []DictParam{{Key: "TABLE", Value: "'events'"}}},
			Layout:     DictionaryLayout{Type: "HASHED"},
			Lifetime:   DictionaryLifetime{Min: 0, Max: 300},
		}},
		&AddView{Name: qn("v2"), V: &View{Name: "v2", Query: "SELECT k FROM db.v1"}},
		&AddView{Name: qn("v1"), V: &View{Name: "v1", Query: "SELECT k FROM db.events"}},
		&AddView{Name: qn("mv"), V: &View{Name: "mv", Materialized: true, To: ptr(qn("plain")), Query: "SELECT k FROM db.events", Comment: "mv"}},
		&AddView{Name: qn("mv_inner"), V: &View{Name: "mv_inner", Materialized: true, Storage: &inner, Query: "SELECT k FROM db.events"}},
	)
	golden(t, "render.golden", Render(s))
}
