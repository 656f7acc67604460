package parser_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chschema/chschema/internal/chtest"
	"github.com/chschema/chschema/parser"
	"github.com/chschema/chschema/schema"
)

// TestDropKinds derives from the server which of DROP and DETACH TABLE,
// VIEW and DICTIONARY apply to which kind of object, and asserts that the
// model refuses exactly what the server refuses (issue 11: DROP
// DICTIONARY of a table of the Dictionary engine is valid).
func TestDropKinds(t *testing.T) {
	db := chtest.New(t)
	ctx := context.Background()
	setup := []string{
		"CREATE TABLE src (k UInt64, v String) ENGINE = MergeTree ORDER BY k",
		"CREATE DICTIONARY dsrc (k UInt64, v String) PRIMARY KEY k SOURCE(CLICKHOUSE(TABLE 'src')) LAYOUT(HASHED()) LIFETIME(0)",
	}
	kinds := map[string]string{
		"table":             "CREATE TABLE %s (k UInt64) ENGINE = MergeTree ORDER BY k",
		"Dictionary engine": "CREATE TABLE %s (k UInt64, v String) ENGINE = Dictionary(" + db.Name + ".dsrc)",
		"view":              "CREATE VIEW %s AS SELECT 1 AS x",
		"materialized view": "CREATE MATERIALIZED VIEW %s ENGINE = Memory AS SELECT k FROM src",
		"dictionary":        "CREATE DICTIONARY %s (k UInt64, v String) PRIMARY KEY k SOURCE(CLICKHOUSE(TABLE 'src')) LAYOUT(HASHED()) LIFETIME(0)",
	}
	for _, s := range setup {
		if err := db.Conn.Exec(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	n := 0
	for _, verb := range []string{"DROP", "DETACH"} {
		for _, kw := range []string{"TABLE", "VIEW", "DICTIONARY"} {
			for kind, create := range kinds {
				n++
				name := fmt.Sprintf("o%d", n)
				stmt := verb + " " + kw + " " + name
				if err := db.Conn.Exec(ctx, fmt.Sprintf(create, name)); err != nil {
					t.Fatal(err)
				}
				serverErr := db.Conn.Exec(ctx, stmt)
				if serverErr != nil && !strings.Contains(serverErr.Error(), "is not a") && !strings.Contains(serverErr.Error(), "Cannot drop/detach dictionary") {
					t.Fatalf("%s of a %s: unexpected refusal %v", stmt, kind, serverErr)
				}
				r, err := parser.NewReplayer(parser.StartingSchema(db.Name), db.Name)
				if err != nil {
					t.Fatal(err)
				}
				for i, s := range append(append([]string{}, setup...), fmt.Sprintf(create, name), stmt) {
					r.ReplayStatement(schema.Position{File: "m.sql", Line: i + 1, Col: 1}, s)
				}
				if (r.Err() == nil) != (serverErr == nil) {
					t.Errorf("%s of a %s: the server says %v, the model %v", stmt, kind, serverErr, r.Err())
				}
			}
		}
	}
}
