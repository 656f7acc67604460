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

// TestTypeAliasesFromServer takes every type alias the server lists in
// system.data_type_families (DOUBLE PRECISION, NATIONAL CHARACTER LARGE
// OBJECT, INT1 SIGNED, …), declares a column of it in each case the server
// accepts (as written, and with an argument), and asserts that lint's
// parser reads the statement and that the offline model has the type the
// server stores in system.columns (issue 11 F26: multi-word types were a
// lint error). A multi-word alias the server accepts without arguments and
// the model cannot read fails the test.
func TestTypeAliasesFromServer(t *testing.T) {
	db := chtest.New(t)
	ctx := context.Background()
	rows, err := db.Conn.Query(ctx, "SELECT name FROM system.data_type_families WHERE alias_to != '' ORDER BY name")
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
	multi, checked := 0, 0
	for i, name := range names {
		for _, form := range []string{name, strings.ToLower(name), name + "(3)"} {
			table := fmt.Sprintf("alias_%d_%d", i, len(form))
			sql := fmt.Sprintf("CREATE TABLE %s (k UInt8, c %s COMMENT 'c') ENGINE = Memory", table, form)
			if err := db.Conn.Exec(ctx, "DROP TABLE IF EXISTS "+table); err != nil {
				t.Fatal(err)
			}
			if err := db.Conn.Exec(ctx, sql); err != nil {
				continue // this form needs other arguments (Enum, FixedString, …)
			}
			checked++
			if strings.Contains(name, " ") && form == name {
				multi++
			}
			var live string
			if err := db.Conn.QueryRow(ctx, "SELECT type FROM system.columns WHERE database = ? AND table = ? AND name = 'c'", db.Name, table).Scan(&live); err != nil {
				t.Fatal(err)
			}
			st := parser.Statement{Text: sql, Pos: parser.FileStart}
			if _, err := parser.Parse(st); err != nil {
				t.Errorf("%s: lint's parser: %v", sql, err)
				continue
			}
			conv, err := parser.Convert(sql, db.Name)
			if err != nil || len(conv.Changes) != 1 {
				t.Errorf("%s: %v %v", sql, conv, err)
				continue
			}
			at, ok := conv.Changes[0].(*schema.AddTable)
			if !ok || len(at.T.Columns) != 2 {
				t.Errorf("%s: unexpected change %#v", sql, conv.Changes[0])
				continue
			}
			if got := string(at.T.Columns[1].Type); got != live {
				t.Errorf("%s: offline type %s, the server %s", sql, got, live)
			}
			if at.T.Columns[1].Comment != "c" {
				t.Errorf("%s: the comment after the type is lost: %q", sql, at.T.Columns[1].Comment)
			}
		}
	}
	if multi < 20 {
		t.Errorf("only %d multi-word aliases checked; the server lists more", multi)
	}
	t.Logf("%d aliases, %d forms the server accepts checked, %d multi-word", len(names), checked, multi)
}
