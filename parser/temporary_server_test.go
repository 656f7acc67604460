package parser_test

import (
	"context"
	"testing"

	"github.com/ClickHouse/clickhouse-go/v2"

	"github.com/chschema/chschema/internal/chtest"
	"github.com/chschema/chschema/parser"
	"github.com/chschema/chschema/schema"
)

// TestTemporaryTableShadows: in a session, DROP TABLE x drops the
// temporary table x before a table x of the database (issue 11: the model
// dropped the database's table, and the RENAME after it failed the
// replay). The statements run on one connection, a session, as on the
// server; the model must end with what the server holds.
func TestTemporaryTableShadows(t *testing.T) {
	db := chtest.New(t)
	opts, err := clickhouse.ParseDSN(db.DSN)
	if err != nil {
		t.Fatal(err)
	}
	opts.MaxOpenConns, opts.MaxIdleConns = 1, 1
	conn, err := clickhouse.Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	stmts := []string{
		"CREATE TABLE x (a UInt8) ENGINE = Memory",
		"CREATE TABLE y (a UInt8) ENGINE = Memory",
		"CREATE TEMPORARY TABLE x (b String)",
		"DROP TABLE x",
		"RENAME TABLE x TO x2",
		"CREATE TEMPORARY TABLE IF NOT EXISTS y (b String)",
		"DROP TEMPORARY TABLE y",
		"DROP TABLE y",
	}
	r, err := parser.NewReplayer(parser.StartingSchema(db.Name), db.Name)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for i, s := range stmts {
		if err := conn.Exec(ctx, s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
		r.ReplayStatement(schema.Position{File: "m.sql", Line: i + 1, Col: 1}, s)
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	live := readLive(t, db, []string{db.Name}, nil)
	d, _ := r.Schema().Database(db.Name)
	ld, _ := live.Database(db.Name)
	var want, got []string
	for _, x := range d.Tables {
		want = append(want, x.Name)
	}
	for _, x := range ld.Tables {
		got = append(got, x.Name)
	}
	if len(want) != 1 || len(got) != 1 || want[0] != "x2" || got[0] != "x2" {
		t.Errorf("tables: offline %v, server %v, want [x2]", want, got)
	}
}
