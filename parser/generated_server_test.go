package parser

import (
	"context"
	"fmt"
	"go/format"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/chschema/chschema/internal/chtest"
)

// generatedLists are the name lists generated from the server's catalogs:
// the query, the Go map, and the file that holds it.
var generatedLists = []struct {
	file, variable, query, doc string
	names                      map[string]bool
}{
	{"querysettings_gen.go", "querySettings", "SELECT name FROM system.settings ORDER BY name",
		"// querySettings are the query-level settings. A CREATE TABLE's SETTINGS\n// of such a name applies to the CREATE and is not stored, unless the engine\n// has a setting of that name (engineSettings).\n",
		querySettings},
	{"dictlayouts_gen.go", "simpleKeyLayouts", "SELECT upper(name) FROM system.dictionary_layouts WHERE NOT is_complex ORDER BY name",
		"// simpleKeyLayouts are the dictionary layouts with a simple key, which the\n// server stores as UInt64 whatever integer type is declared.\n",
		simpleKeyLayouts},
}

// TestGeneratedFromServer checks that the lists generated from the server's
// catalogs are the server's; CHSCHEMA_GENERATE=1 rewrites them.
func TestGeneratedFromServer(t *testing.T) {
	db := chtest.New(t)
	ctx := context.Background()
	for _, g := range generatedLists {
		rows, err := db.Conn.Query(ctx, g.query)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for rows.Next() {
			var n string
			if err := rows.Scan(&n); err != nil {
				t.Fatal(err)
			}
			names = append(names, n)
		}
		rows.Close()
		if os.Getenv("CHSCHEMA_GENERATE") == "1" {
			var b strings.Builder
			fmt.Fprintf(&b, "// Code generated from the server's catalog; DO NOT EDIT.\n// %s\n// Regenerate: CHSCHEMA_GENERATE=1 go test ./parser -run TestGeneratedFromServer\n\npackage parser\n\n%svar %s = map[string]bool{\n", g.query, g.doc, g.variable)
			for _, n := range names {
				fmt.Fprintf(&b, "\t%q: true,\n", n)
			}
			b.WriteString("}\n")
			src, err := format.Source([]byte(b.String()))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(g.file, src, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		var missing, extra []string
		seen := map[string]bool{}
		for _, n := range names {
			seen[n] = true
			if !g.names[n] {
				missing = append(missing, n)
			}
		}
		for n := range g.names {
			if !seen[n] {
				extra = append(extra, n)
			}
		}
		sort.Strings(extra)
		if len(missing)+len(extra) > 0 {
			t.Errorf("%s differs from the server: %d missing %v, %d extra %v; regenerate with CHSCHEMA_GENERATE=1", g.file, len(missing), head(missing), len(extra), head(extra))
		}
	}
}

func head(s []string) []string { return s[:min(len(s), 10)] }
