package drift_test

import (
	"context"
	"os"
	"testing"

	"github.com/chschema/chschema/diff"
	"github.com/chschema/chschema/drift"
	"github.com/chschema/chschema/internal/chtest"
	"github.com/chschema/chschema/parser"
	"github.com/chschema/chschema/schema"
)

func TestMain(m *testing.M) { os.Exit(chtest.Main(m)) }

// TestCanonicalize: where the offline model's text differs from the
// server's only in form (a type alias, unformatted operators, a view
// query's spacing), the server settles it in one query; where it differs in
// meaning, the drift stays; a dictionary source argument written as a
// function call is evaluated as the server did (issue 11: PORT tcpPort()
// DB currentDatabase()).
func TestCanonicalize(t *testing.T) {
	db := chtest.New(t)
	ctx := context.Background()
	for _, s := range []string{
		"CREATE TABLE t (a Int32, b Int32 DEFAULT a + 1, c Int32 DEFAULT a + 2) ENGINE = MergeTree ORDER BY a",
		"CREATE VIEW v AS SELECT a + 1 AS x FROM t",
		"CREATE DICTIONARY d (a UInt64, b Int32) PRIMARY KEY a SOURCE(CLICKHOUSE(PORT tcpPort() HOST hostName() DB currentDatabase() TABLE 't')) LAYOUT(HASHED()) LIFETIME(0)",
	} {
		if err := db.Conn.Exec(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	live, _, err := schema.ReadLive(ctx, db.Conn, schema.LiveOptions{Databases: []string{db.Name}, Parser: parser.CreateReader{}, NoFunctions: true})
	if err != nil {
		t.Fatal(err)
	}
	// The expected side, as a weaker offline normaliser might have it.
	expected := parser.StartingSchema(db.Name)
	r, err := parser.NewReplayer(expected, db.Name)
	if err != nil {
		t.Fatal(err)
	}
	r.ReplayStatement(schema.Position{Line: 1}, "CREATE TABLE t (a Int32, b Int32 DEFAULT a + 1, c Int32 DEFAULT a + 3) ENGINE = MergeTree ORDER BY a")
	r.ReplayStatement(schema.Position{Line: 2}, "CREATE VIEW v AS SELECT a + 1 AS x FROM t")
	r.ReplayStatement(schema.Position{Line: 3}, "CREATE DICTIONARY d (a UInt64, b Int32) PRIMARY KEY a SOURCE(CLICKHOUSE(PORT tcpPort() HOST hostName() DB currentDatabase() TABLE 't')) LAYOUT(HASHED()) LIFETIME(0)")
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	d, _ := expected.Database(db.Name)
	tb, _ := d.Table("t")
	tb.Columns[0].Type = "INT"
	tb.Columns[1].Default.Expr = "a+1"
	v, _ := d.View("v")
	v.Query = "SELECT a+1 AS x FROM " + schema.Expr(db.Name) + ".t"

	expected.KeepDatabases([]string{db.Name})
	before := drift.Diff(expected, live, nil, nil, []string{db.Name})
	n, err := drift.Canonicalize(ctx, db.Conn, expected, live)
	if err != nil {
		t.Fatal(err)
	}
	after := drift.Diff(expected, live, nil, nil, []string{db.Name})
	for _, e := range diffEntries(after) {
		t.Logf("%s", e)
	}
	if len(after.Changes) != 1 {
		t.Fatalf("after canonicalisation %d changes (%d settled; %d before), want the one real difference (c):\n%v", len(after.Changes), n, len(before.Changes), after.Changes)
	}
	m := after.Changes[0].(*schema.ModifyTable)
	if c, ok := m.Changes[0].(*schema.ModifyColumn); !ok || c.To.Name != "c" {
		t.Errorf("remaining change %#v, want column c", m.Changes[0])
	}
	if n != 5 {
		t.Errorf("settled %d fields, want 5 (a type, a default, a query, two dictionary arguments)", n)
	}
}

func diffEntries(r *drift.Report) []string {
	var out []string
	for _, e := range diff.Entries(r.Result) {
		out = append(out, e.Name()+" "+e.Subject+": "+e.From+" -> "+e.To)
	}
	return out
}

// TestCanonicalizeEngineArgs: engine arguments the server evaluates when it
// creates a table (a format, a table regexp, a URL written as expressions:
// ClickHouse test 01083) are evaluated by Canonicalize as the server did;
// an argument written differently in meaning still drifts, and a
// Distributed table's sharding key (an expression the server keeps) is not
// evaluated.
func TestCanonicalizeEngineArgs(t *testing.T) {
	db := chtest.New(t)
	ctx := context.Background()
	stmts := []string{
		"CREATE TABLE f (n Int8) ENGINE = File(upper('tsv') || 'WithNames' || 'AndTypes')",
		"CREATE TABLE m (n Int8) ENGINE = Merge('', lower('^F$'))",
		"CREATE TABLE u (n UInt64) ENGINE = URL(replace('https://localhost:8443/?query=' || 'select n from ' || currentDatabase() || '.m format CSV', ' ', '+'), CSV)",
		"CREATE TABLE g (n Int8) ENGINE = Merge(currentDatabase(), lower('^G$'))",
	}
	for _, s := range stmts {
		if err := db.Conn.Exec(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	live, _, err := schema.ReadLive(ctx, db.Conn, schema.LiveOptions{Databases: []string{db.Name}, Parser: parser.CreateReader{}, NoFunctions: true})
	if err != nil {
		t.Fatal(err)
	}
	replay := func() *schema.Schema {
		expected := parser.StartingSchema(db.Name)
		r, err := parser.NewReplayer(expected, db.Name)
		if err != nil {
			t.Fatal(err)
		}
		for i, s := range stmts[:3] {
			r.ReplayStatement(schema.Position{Line: i + 1}, s)
		}
		// g: written differently in meaning from what the server holds.
		r.ReplayStatement(schema.Position{Line: 4}, "CREATE TABLE g (n Int8) ENGINE = Merge(currentDatabase(), lower('^H$'))")
		if err := r.Err(); err != nil {
			t.Fatal(err)
		}
		expected.KeepDatabases([]string{db.Name})
		return expected
	}
	expected := replay()
	before := drift.Diff(expected, live, nil, nil, []string{db.Name})
	if len(before.Changes) != 4 {
		t.Fatalf("before canonicalisation %d changes, want 4 (the offline model cannot evaluate upper, lower, replace): %v", len(before.Changes), diffEntries(before))
	}
	n, err := drift.Canonicalize(ctx, db.Conn, expected, live)
	if err != nil {
		t.Fatal(err)
	}
	after := drift.Diff(expected, live, nil, nil, []string{db.Name})
	for _, e := range diffEntries(after) {
		t.Logf("%s", e)
	}
	if n != 4 {
		t.Errorf("settled %d fields, want 4 (File's format, m's and g's regexps, the URL)", n)
	}
	if len(after.Changes) != 1 || after.Changes[0].(*schema.ModifyTable).Name.Name != "g" {
		t.Fatalf("after canonicalisation %d changes, want the one real difference (g): %v", len(after.Changes), diffEntries(after))
	}

	// A Distributed table's sharding key is an expression, kept as written.
	dist := schema.Engine{Name: "Distributed", Params: []schema.Expr{"'c'", "'db'", "'t'", "rand()"}}
	if dist.EvaluatedArg(3) || !dist.EvaluatedArg(2) {
		t.Errorf("Distributed: EvaluatedArg(3) = %v, EvaluatedArg(2) = %v; want the names evaluated, not the sharding key", dist.EvaluatedArg(3), dist.EvaluatedArg(2))
	}
}
