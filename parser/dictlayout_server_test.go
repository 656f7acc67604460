package parser_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/chschema/chschema/internal/chtest"
	"github.com/chschema/chschema/parser"
	"github.com/chschema/chschema/schema"
)

// TestDictionaryLayoutsFromServer creates, for every layout the server
// lists in system.dictionary_layouts, a dictionary with a key of the kind
// the layout takes (a simple Int32 key, a complex String key, an IP prefix,
// a polygon), with its layout written with parentheses and without
// (LAYOUT(HASHED), issue 11 F28), and asserts lint's parser reads it and
// the offline model equals what the server reports — the key type above
// all (F38: a POLYGON key became UInt64). A layout the server lists and
// this test cannot create fails the test.
func TestDictionaryLayoutsFromServer(t *testing.T) {
	db := chtest.New(t)
	ctx := context.Background()
	rows, err := db.Conn.Query(ctx, "SELECT upper(name), is_complex, syntax FROM system.dictionary_layouts ORDER BY name")
	if err != nil {
		t.Fatal(err)
	}
	type layout struct {
		name    string
		complex bool
		args    string
	}
	var layouts []layout
	for rows.Next() {
		var l layout
		var c uint8
		var syntax string
		if err := rows.Scan(&l.name, &c, &syntax); err != nil {
			t.Fatal(err)
		}
		l.complex = c == 1
		if strings.Contains(syntax, "SIZE_IN_CELLS") {
			l.args = "SIZE_IN_CELLS 10"
		}
		if strings.Contains(syntax, "PATH") {
			l.args = "PATH '" + t.TempDir() + "/ssd'"
		}
		layouts = append(layouts, l)
	}
	rows.Close()
	exec := func(sql string) {
		t.Helper()
		if err := db.Conn.Exec(ctx, sql); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	exec("CREATE TABLE src_simple (k Int32, v String, lo Date, hi Date) ENGINE = Memory")
	exec("CREATE TABLE src_complex (k String, v String, lo Date, hi Date) ENGINE = Memory")
	exec("CREATE TABLE src_polygon (key Array(Array(Array(Tuple(Float64, Float64)))), v String) ENGINE = Memory")
	var sqls []string
	for _, l := range layouts {
		var cols, key, src, extra string
		switch {
		case strings.HasPrefix(l.name, "POLYGON"):
			cols, key, src = "key Array(Array(Array(Tuple(Float64, Float64)))), v String", "key", "src_polygon"
		case l.name == "IP_TRIE":
			cols, key, src = "k String, v String", "k", "src_complex"
		case l.name == "REGEXP_TREE" || l.name == "NAIVE_BAYES":
			continue // a source of its own (YAML, n-gram counts): not a key layout
		case l.complex:
			cols, key, src = "k String, v String", "k", "src_complex"
		default:
			cols, key, src = "k Int32, v String", "k", "src_simple"
		}
		if strings.Contains(l.name, "RANGE") {
			cols += ", lo Date, hi Date"
			extra = " RANGE(MIN lo MAX hi)"
		}
		forms := []string{l.name + "(" + l.args + ")"}
		if l.args == "" {
			forms = append(forms, l.name, strings.ToLower(l.name))
		}
		for i, form := range forms {
			name := fmt.Sprintf("d_%s_%d", strings.ToLower(l.name), i)
			lifetime := " LIFETIME(0)"
			if strings.Contains(l.name, "DIRECT") {
				lifetime = "" // a direct layout has none
			}
			sql := fmt.Sprintf("CREATE DICTIONARY %s (%s) PRIMARY KEY %s SOURCE(CLICKHOUSE(TABLE '%s'))%s LAYOUT(%s)%s", name, cols, key, src, extra, form, lifetime)
			exec(sql)
			if _, err := parser.Parse(parser.Statement{Text: sql, Pos: parser.FileStart}); err != nil {
				t.Errorf("%s: lint's parser: %v", sql, err)
			}
			sqls = append(sqls, sql)
		}
	}
	expected := schema.New()
	expected.AddDatabase(parser.ImplicitDatabase(db.Name))
	r, err := parser.NewReplayer(expected, db.Name)
	if err != nil {
		t.Fatal(err)
	}
	r.ReplayScript("layouts.sql", strings.Join(sqls, ";\n"))
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	for _, f := range r.Findings() {
		t.Errorf("finding: %s", f)
	}
	live := readLive(t, db, []string{db.Name}, nil)
	wd, _ := expected.Database(db.Name)
	gd, _ := live.Database(db.Name)
	for _, wx := range wd.Dictionaries {
		gx, ok := gd.Dictionary(wx.Name)
		if !ok {
			t.Errorf("dictionary %s: not on the server", wx.Name)
			continue
		}
		if diff := cmp.Diff(wx, gx, modelOpts); diff != "" {
			t.Errorf("dictionary %s (-offline +server):\n%s", wx.Name, diff)
		}
	}
	t.Logf("%d layouts, %d dictionaries", len(layouts), len(wd.Dictionaries))
}
