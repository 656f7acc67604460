package parser_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/chschema/chschema/internal/chtest"
	"github.com/chschema/chschema/parser"
)

// TestInsertForms runs every INSERT head (column lists with keywords, *,
// transformers; SETTINGS before the data) with every data form (VALUES rows
// with and without commas, with map, array, tuple, negative and float
// literals; SELECT, WITH … SELECT, a parenthesised SELECT; FORMAT with
// data) on the real server, and asserts that lint's parser accepts each
// one the server runs (issue 11 F16, F21, F31). The data of VALUES and
// FORMAT is the input format's, not SQL: a broken row is still refused.
func TestInsertForms(t *testing.T) {
	db := chtest.New(t)
	ctx := context.Background()
	if err := db.Conn.Exec(ctx, "CREATE TABLE ins (a Int64, `Window` String DEFAULT 'x', m Map(String, String) DEFAULT map(), r Array(Float64) DEFAULT []) ENGINE = Memory"); err != nil {
		t.Fatal(err)
	}
	heads := []struct{ head, values, query string }{
		{"INSERT INTO ins", "(1, 'a', {'k':'v'}, [1.5, -2])", "SELECT 1, 'a', map('k', 'v'), [1.5]"},
		{"INSERT INTO ins (a, `Window`)", "(1, 'a')", "SELECT 1, 'a'"},
		{"INSERT INTO ins (a, Window)", "(1, 'a')", "SELECT 1, 'a'"},
		{"INSERT INTO ins (*)", "(1, 'a', {}, [])", "SELECT 1, 'a', map(), []"},
		{"INSERT INTO ins (* EXCEPT (m, r))", "(1, 'a')", "SELECT 1, 'a'"},
		{"INSERT INTO ins (COLUMNS('^a$'))", "(-1)", "SELECT 1"},
		{"INSERT INTO TABLE ins (a)", "(1e3)", "SELECT 1"},
		{"INSERT INTO ins (a) SETTINGS max_threads = 1", "(2)", "SELECT 2"},
	}
	n := 0
	for _, h := range heads {
		forms := []string{
			h.head + " VALUES " + h.values,
			h.head + " VALUES " + h.values + ", " + h.values,
			h.head + " VALUES " + h.values + " " + h.values,
			h.head + " VALUES " + h.values + "\n" + h.values,
			h.head + " " + h.query,
			h.head + " WITH 1 AS one " + h.query,
			h.head + " (" + h.query + ")",
			h.head + " FORMAT Values " + h.values,
		}
		if h.head == "INSERT INTO ins (a)" || h.head == "INSERT INTO ins (a) SETTINGS max_threads = 1" {
			forms = append(forms, h.head+" FORMAT JSONEachRow {\"a\": 3} {\"a\": 4}", h.head+" FORMAT CSV 5")
		}
		for _, sql := range forms {
			if err := db.Conn.Exec(ctx, sql); err != nil {
				t.Errorf("%s: the server refuses it: %v", sql, err)
				continue
			}
			n++
			if _, err := parser.Parse(parser.Statement{Text: sql, Pos: parser.FileStart}); err != nil {
				t.Errorf("%s: the server runs it, lint's parser refuses it: %v", sql, err)
			}
		}
	}
	t.Logf("%d INSERT forms", n)
	for _, bad := range []string{
		"INSERT INTO ins VALUES (1, 'a'",
		"INSERT INTO ins VALUES (1) x (2)",
		"INSERT INTO ins (a, ) VALUES (1)",
		"INSERT INTO ins SELEC 1",
	} {
		if _, err := parser.Parse(parser.Statement{Text: bad, Pos: parser.FileStart}); err == nil {
			t.Errorf("%s: lint's parser accepts it", bad)
		}
	}
	_ = fmt.Sprint
}
