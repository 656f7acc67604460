package diff

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/chschema/chschema/schema"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// drifted returns a result with one change of most kinds, an unverified
// object and an ignored one.
func drifted(t *testing.T) *Result {
	to := base()
	tb := table(to, "events")
	tb.Columns = append(tb.Columns[:2], &schema.Column{Name: "extra", Type: "Nullable(String)", Comment: "added by hand"})
	column(to, "ts").Type = "DateTime64(3)"
	tb.Indexes = nil
	tb.TTL = "ts + toIntervalDay(90)"
	view(to, "mv").Query = "SELECT id, count() AS n FROM shop.events WHERE id > 0 GROUP BY id"
	table(to, "totals").Name = "totals_old"
	d, _ := to.Database("shop")
	d.Tables = append(d.Tables, &schema.Table{Database: d, Name: "adhoc",
		Columns: []*schema.Column{{Name: "x", Type: "UInt8"}}, Storage: schema.Storage{Engine: schema.Engine{Name: "Memory"}}})
	v := view(to, "recent")
	v.MarkUncertain(schema.Uncertainty{Reason: "statement not modelled: ALTER TABLE ... MODIFY QUERY on a view", Pos: schema.Position{File: "shop/0003_recent.sql", Line: 2, Col: 1}})
	to.Functions[0].Body = "x -> x + 3"
	d.Dictionaries = nil
	return Schemas(base(), to, WithIgnore(mustIgnore(t, "shop.tmp_*")), WithoutAddedFunctions())
}

func TestRenderGolden(t *testing.T) {
	tests := []struct {
		name   string
		golden string
		render func(*bytes.Buffer, *Result) error
	}{
		{"text", "drift.txt", func(b *bytes.Buffer, r *Result) error { return WriteText(b, r, TextOptions{}) }},
		{"text with colour", "drift.color.txt", func(b *bytes.Buffer, r *Result) error { return WriteText(b, r, TextOptions{Color: true}) }},
		{"json", "drift.json", func(b *bytes.Buffer, r *Result) error { return WriteJSON(b, r) }},
		{"github", "drift.github.txt", func(b *bytes.Buffer, r *Result) error { return WriteGitHub(b, r) }},
		{"text without drift", "nodrift.txt", func(b *bytes.Buffer, _ *Result) error {
			return WriteText(b, Schemas(base(), base()), TextOptions{Color: true})
		}},
		{"json without drift", "nodrift.json", func(b *bytes.Buffer, _ *Result) error { return WriteJSON(b, Schemas(base(), base())) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := tt.render(&b, drifted(t)); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", tt.golden)
			if *update {
				if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./diff -run TestRenderGolden -update)", err)
			}
			if !bytes.Equal(b.Bytes(), want) {
				t.Errorf("%s differs from the output; got:\n%s", path, b.String())
			}
		})
	}
}

func TestGitHubEscaping(t *testing.T) {
	got := escapeData("50% of\nrows\r")
	if got != "50%25 of%0Arows%0D" {
		t.Errorf("escapeData = %q", got)
	}
	if got := escapeProperty("a:b,c"); got != "a%3Ab%2Cc" {
		t.Errorf("escapeProperty = %q", got)
	}
}
