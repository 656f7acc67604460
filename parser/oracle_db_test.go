package parser_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/chschema/chschema/internal/chtest"
	"github.com/chschema/chschema/parser"
	"github.com/chschema/chschema/schema"
)

// TestOracleDatabases is the oracle test for statements on databases:
// CREATE/DROP/ALTER DATABASE, USE, and tables moved between databases.
func TestOracleDatabases(t *testing.T) {
	db := chtest.New(t)
	ctx := context.Background()
	b, err := os.ReadFile("testdata/oracle_db/01_databases.sql")
	if err != nil {
		t.Fatal(err)
	}
	src := strings.ReplaceAll(string(b), "${db}", db.Name)
	dbs := []string{db.Name + "_a", db.Name + "_m", db.Name + "_c", db.Name + "_gone", db.Name + "_sync"}
	t.Cleanup(func() {
		for _, n := range dbs {
			if err := db.Conn.Exec(ctx, "DROP DATABASE IF EXISTS "+schema.QuoteIdent(n)+" SYNC"); err != nil {
				t.Errorf("drop %s: %v", n, err)
			}
		}
	})

	expected := schema.New()
	expected.AddDatabase(parser.ImplicitDatabase(db.Name))
	r, err := parser.NewReplayer(expected, db.Name)
	if err != nil {
		t.Fatal(err)
	}
	r.ReplayScript("01_databases.sql", src)
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	for _, f := range r.Findings() {
		t.Errorf("finding: %s", f)
	}

	// One session, so that USE carries over as it does offline.
	stmts, err := parser.Split(src, parser.FileStart)
	if err != nil {
		t.Fatal(err)
	}
	conn := db.Server.Connect(t, db.Name)
	for _, st := range stmts {
		if strings.HasPrefix(st.Text, "USE ") {
			conn = db.Server.Connect(t, strings.TrimPrefix(st.Text, "USE "))
			continue
		}
		if err := conn.Exec(ctx, st.Text); err != nil {
			t.Fatalf("%s: server refused %q: %v", st.Pos, st.Text, err)
		}
	}
	live := readLive(t, db, append(dbs, db.Name), nil)
	expected.Sort()
	if len(live.Databases) != len(expected.Databases) {
		t.Errorf("databases: offline %d, server %d", len(expected.Databases), len(live.Databases))
	}
	for _, d := range expected.Databases {
		gd, ok := live.Database(d.Name)
		if !ok {
			t.Errorf("database %s missing on the server", d.Name)
			continue
		}
		// What no statement declared (an engine, the comment of a
		// database that existed before) is unknown, not compared.
		if !d.CommentUnknown && d.Comment != gd.Comment || d.Engine.Name != "" && d.Engine.String() != gd.Engine.String() {
			t.Errorf("database %s: offline %s %q, server %s %q", d.Name, d.Engine, d.Comment, gd.Engine, gd.Comment)
		}
	}
	compareModels(t, expected, live)
}
