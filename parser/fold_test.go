package parser

import (
	"testing"

	"github.com/chschema/chschema/schema"
)

// TestFoldOnlyAtCreate: the server folds dictGet(concat(currentDatabase(),
// '.d'), …) into 'db.d' in a CREATE TABLE's column, and keeps it as written
// in an ALTER (measured on 26.7; the oracle corpus checks the CREATE form
// on the server, issue 11 F34).
func TestFoldOnlyAtCreate(t *testing.T) {
	conv, err := Convert("CREATE TABLE x (id UInt64, q String DEFAULT dictGet(concat(currentDatabase(), '.d'), 'v', id)) ENGINE = Memory", "db")
	if err != nil {
		t.Fatal(err)
	}
	if got := conv.Changes[0].(*schema.AddTable).T.Columns[1].Default.Expr; got != "dictGet('db.d', 'v', id)" {
		t.Errorf("CREATE: %s", got)
	}
	conv, err = Convert("ALTER TABLE x ADD COLUMN q String DEFAULT dictGet(concat(currentDatabase(), '.d'), 'v', id)", "db")
	if err != nil {
		t.Fatal(err)
	}
	if got := conv.Changes[0].(*schema.ModifyTable).Changes[0].(*schema.AddColumn).C.Default.Expr; got != "dictGet(concat(currentDatabase(), '.d'), 'v', id)" {
		t.Errorf("ALTER: %s", got)
	}
}
