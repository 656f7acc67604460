package parser_test

import (
	"context"
	"testing"

	"github.com/chschema/chschema/internal/chtest"
	"github.com/chschema/chschema/parser"
	"github.com/chschema/chschema/schema"
)

// TestLiveNoDefinition: a table whose stored definition the server cannot
// print (ClickHouse 26.7 formats DEFAULT (0 + `NOT`) as 0 + NOT, which it
// then cannot parse, so create_table_query is empty; found by difftest) is
// read uncertain with schema.NoDefinition, never compared as if it had no
// settings or constraints.
func TestLiveNoDefinition(t *testing.T) {
	db := chtest.New(t)
	ctx := context.Background()
	if err := db.Conn.Exec(ctx, "CREATE TABLE nodef (a Int8, b Int64 DEFAULT (0 + `NOT`), `NOT` Int256) ENGINE = Log"); err != nil {
		t.Fatal(err)
	}
	var query string
	if err := db.Conn.QueryRow(ctx, "SELECT create_table_query FROM system.tables WHERE database = ? AND name = 'nodef'", db.Name).Scan(&query); err != nil {
		t.Fatal(err)
	}
	if query != "" {
		t.Skipf("this server prints the definition (%q): the defect this test guards against is gone", query)
	}
	live, _, err := schema.ReadLive(ctx, db.Conn, schema.LiveOptions{Databases: []string{db.Name}, Parser: parser.CreateReader{}, NoFunctions: true})
	if err != nil {
		t.Fatal(err)
	}
	d, _ := live.Database(db.Name)
	tb, ok := d.Table("nodef")
	if !ok {
		t.Fatal("table nodef not read")
	}
	if us := tb.Uncertainties(); len(us) == 0 || us[0].Reason != schema.NoDefinition {
		t.Errorf("uncertainties %+v, want %q", us, schema.NoDefinition)
	}
}
