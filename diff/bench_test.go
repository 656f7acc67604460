package diff

import (
	"fmt"
	"testing"

	"github.com/chschema/chschema/schema"
)

// bigSchema is one database of tables x cols, shaped like the tables of
// scripts/bench-diff.
func bigSchema(tables, cols int) *schema.Schema {
	s := schema.New()
	d := s.AddDatabase(&schema.Database{Name: "bench", Engine: schema.Engine{Name: "Atomic"}})
	for i := range tables {
		t := &schema.Table{Database: d, Name: fmt.Sprintf("t%05d", i), Storage: schema.Storage{
			Engine: schema.Engine{Name: "MergeTree"}, OrderBy: "c0", PrimaryKey: "c0", TTL: "c1 + toIntervalDay(30)",
			Settings: schema.Settings{{Name: "index_granularity", Value: "8192"}},
		}}
		for c := range cols {
			col := &schema.Column{Name: fmt.Sprintf("c%d", c), Type: "String"}
			switch c % 5 {
			case 1:
				col.Type, col.Default = "DateTime", &schema.ColumnDefault{Kind: schema.Default, Expr: "now()"}
			case 2:
				col.Type, col.Codec = "Float64", "CODEC(Gorilla, ZSTD(1))"
			case 3:
				col.Type, col.Comment = "LowCardinality(String)", "dimension"
			}
			t.Columns = append(t.Columns, col)
		}
		d.Tables = append(d.Tables, t)
	}
	return s
}

// BenchmarkSchemas measures the diff alone on 5,000 tables x 20 columns
// without drift, the common case (scripts/bench-diff measures it end to
// end with the live reader).
func BenchmarkSchemas(b *testing.B) {
	from, to := bigSchema(5000, 20), bigSchema(5000, 20)
	b.ResetTimer()
	for b.Loop() {
		if r := Schemas(from, to); r.Drift() {
			b.Fatal("drift")
		}
	}
}
