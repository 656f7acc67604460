package parser_test

import (
	"testing"

	"github.com/chschema/chschema/parser"
	"github.com/chschema/chschema/schema"
)

// TestAlterSessionTemporaryTable: an ALTER TABLE that names a temporary table
// of the session without a database alters that table, which is not in the
// schema; ALTER TEMPORARY TABLE is read (ClickHouse test 02918, corpus4 F53).
// A table of the same name created later, and an ALTER that names it with
// its database, are the schema's.
func TestAlterSessionTemporaryTable(t *testing.T) {
	s := parser.StartingSchema("db")
	r, err := parser.NewReplayer(s, "db")
	if err != nil {
		t.Fatal(err)
	}
	for i, q := range []string{
		"CREATE TEMPORARY TABLE tmp (a UInt32, n Nested(x UInt8), drop_me UInt32)",
		"ALTER TABLE tmp ADD COLUMN b UInt32",
		"ALTER TEMPORARY TABLE tmp ADD COLUMN c UInt32",
		"ALTER TABLE tmp DROP COLUMN drop_me, RENAME COLUMN a TO a2",
		"CREATE TABLE keep (x UInt8) ENGINE = Memory",
		"ALTER TABLE keep ADD COLUMN y UInt8",
		"CREATE TABLE tmp (x UInt8) ENGINE = Memory",
		"ALTER TABLE db.tmp ADD COLUMN y UInt8",
	} {
		r.ReplayStatement(schema.Position{Line: i + 1}, q)
	}
	if err := r.Err(); err != nil {
		t.Fatalf("replay: %v", err)
	}
	d, _ := s.Database("db")
	for name, want := range map[string]int{"keep": 2, "tmp": 2} {
		tb, ok := d.Table(name)
		if !ok {
			t.Fatalf("table %s missing", name)
		}
		if len(tb.Columns) != want {
			t.Errorf("table %s: %d columns, want %d", name, len(tb.Columns), want)
		}
	}
	// Without the temporary table, the same ALTER is the schema's: refused.
	s2 := parser.StartingSchema("db")
	r2, _ := parser.NewReplayer(s2, "db")
	r2.ReplayStatement(schema.Position{Line: 1}, "ALTER TABLE tmp ADD COLUMN b UInt32")
	if r2.Err() == nil {
		t.Error("ALTER TABLE of a table that exists nowhere: no error")
	}
}
