package parser_test

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/chschema/chschema/internal/chtest"
	"github.com/chschema/chschema/parser"
	"github.com/chschema/chschema/schema"
)

// indexSamples give each skip index type the server lists a valid
// argument list, a column to index, and that column's type.
var indexSamples = map[string]struct{ typ, expr, column string }{
	"minmax":            {"minmax", "s", "String"},
	"set":               {"set(10)", "s", "String"},
	"bloom_filter":      {"bloom_filter(0.01)", "s", "String"},
	"tokenbf_v1":        {"tokenbf_v1(256, 2, 0)", "s", "String"},
	"ngrambf_v1":        {"ngrambf_v1(3, 256, 2, 0)", "s", "String"},
	"sparse_grams":      {"sparse_grams(3, 100, 256, 2, 0)", "s", "String"},
	"text":              {"text(tokenizer = splitByNonAlpha)", "s", "String"},
	"vector_similarity": {"vector_similarity('hnsw', 'L2Distance', 2)", "s", "Array(Float32)"},
}

// refusedIndexTypes are listed by the server but no longer created.
var refusedIndexTypes = map[string]bool{"hypothesis": true}

// TestIndexGranularity derives, for every skip index type the server
// lists, the GRANULARITY it stores with none written and with 1 and 3
// written, and asserts the offline model has the same (issue 11: text and
// vector_similarity indexes are stored with 100000000). A type the server
// lists that has no sample here fails the test.
func TestIndexGranularity(t *testing.T) {
	db := chtest.New(t)
	ctx := context.Background()
	err := db.Conn.Exec(ctx, "CREATE TABLE probe (k UInt8, INDEX i k TYPE no_such_type) ENGINE = MergeTree ORDER BY k")
	m := regexp.MustCompile(`Available index types: ([a-z0-9_, ]+)`).FindStringSubmatch(fmt.Sprint(err))
	if m == nil {
		t.Fatalf("the server does not list its index types: %v", err)
	}
	types := strings.Split(m[1], ", ")
	sort.Strings(types)
	n := 0
	for _, name := range types {
		if refusedIndexTypes[name] {
			continue
		}
		s, ok := indexSamples[name]
		if !ok {
			t.Errorf("index type %s: no sample in indexSamples", name)
			continue
		}
		for _, gran := range []string{"", " GRANULARITY 1", " GRANULARITY 3"} {
			n++
			table := fmt.Sprintf("g_%s_%d", name, n)
			sql := fmt.Sprintf("CREATE TABLE %s (k UInt8, s %s, INDEX i %s TYPE %s%s) ENGINE = MergeTree ORDER BY k", table, s.column, s.expr, s.typ, gran)
			if err := db.Conn.Exec(ctx, sql); err != nil {
				t.Errorf("%s: the server refuses it: %v", sql, err)
				continue
			}
			var live uint64
			if err := db.Conn.QueryRow(ctx, "SELECT granularity FROM system.data_skipping_indices WHERE database = ? AND table = ?", db.Name, table).Scan(&live); err != nil {
				t.Fatal(err)
			}
			conv, err := parser.Convert(sql, db.Name)
			if err != nil || len(conv.Changes) != 1 {
				t.Fatalf("%s: %v %v", sql, conv, err)
			}
			ix := conv.Changes[0].(*schema.AddTable).T.Indexes[0]
			if ix.Granularity != live {
				t.Errorf("%s: offline GRANULARITY %d, the server %d", sql, ix.Granularity, live)
			}
			// The same through ALTER TABLE ADD INDEX.
			alter := fmt.Sprintf("ALTER TABLE %s ADD INDEX j %s TYPE %s%s", table, s.expr, s.typ, gran)
			if name == "text" {
				continue // one text index per column
			}
			if err := db.Conn.Exec(ctx, alter); err != nil {
				t.Errorf("%s: %v", alter, err)
				continue
			}
			if err := db.Conn.QueryRow(ctx, "SELECT granularity FROM system.data_skipping_indices WHERE database = ? AND table = ? AND name = 'j'", db.Name, table).Scan(&live); err != nil {
				t.Fatal(err)
			}
			conv, err = parser.Convert(alter, db.Name)
			if err != nil || len(conv.Changes) != 1 {
				t.Fatalf("%s: %v %v", alter, conv, err)
			}
			if g := conv.Changes[0].(*schema.ModifyTable).Changes[0].(*schema.AddIndex).I.Granularity; g != live {
				t.Errorf("%s: offline GRANULARITY %d, the server %d", alter, g, live)
			}
		}
	}
	t.Logf("%d index types listed, %d tables", len(types), n)
}
