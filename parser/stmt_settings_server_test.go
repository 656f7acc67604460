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

// TestStatementSettingsModel is a differential test of the settings a
// statement gives itself (issue 11 F41, F42): for every type family the
// server lists in system.data_type_families, a column of that type is
// created with data_type_default_nullable = 1 or flatten_nested = 0 in
// the statement's own SETTINGS, in every place the server reads them from
// (the table's only clause, merged with a MergeTree setting, the query's
// second clause, an ALTER's SETTINGS), on the server and in the model. The
// model must refuse what the server refuses and hold what the server
// holds, including the table settings that stay the table's.
func TestStatementSettingsModel(t *testing.T) {
	db := chtest.New(t)
	ctx := context.Background()
	families := typeFamilies(t, db)
	conn := sessionConn(t, db)
	exec := func(q string) error { return conn.Exec(ctx, q) }
	if err := exec("USE " + schema.QuoteIdent(db.Name)); err != nil {
		t.Fatal(err)
	}
	placements := []struct {
		name, engine, create string // create: %s the setting
		alter                bool
	}{
		{"engine clause", "Memory", "ENGINE = Memory SETTINGS %s", true},
		{"merged with a MergeTree setting", "MergeTree", "ENGINE = MergeTree ORDER BY k SETTINGS %s, index_granularity = 1024", false},
		{"query clause", "MergeTree", "ENGINE = MergeTree ORDER BY k SETTINGS index_granularity = 512 SETTINGS %s", true},
	}
	tried, refused := 0, 0
	for _, f := range families {
		typ := f + familyArgs[f]
		for _, pl := range placements {
			// A type the engine does not take at all says nothing here.
			probe := fmt.Sprintf("CREATE TABLE probe (k UInt8, c %s) %s", typ, strings.Replace(pl.create, " SETTINGS %s", "", 1))
			probe = strings.ReplaceAll(probe, ", index_granularity = 1024", " SETTINGS index_granularity = 1024")
			if err := exec(probe); err != nil {
				continue
			}
			if err := exec("DROP TABLE probe SYNC"); err != nil {
				t.Fatal(err)
			}
			for _, setting := range []string{"data_type_default_nullable = 1", "flatten_nested = 0"} {
				tried++
				name := fmt.Sprintf("t_%s_%d", strings.ToLower(f), tried)
				section := []string{fmt.Sprintf("CREATE TABLE %s (k UInt8 NOT NULL, c %s) "+pl.create, name, typ, setting)}
				if pl.alter {
					section = append(section, fmt.Sprintf("ALTER TABLE %s ADD COLUMN a %s SETTINGS %s", name, typ, setting))
				}
				r, err := parser.NewReplayer(parser.StartingSchema(db.Name), db.Name)
				if err != nil {
					t.Fatal(err)
				}
				r.UseDatabase(db.Name)
				var serverErr error
				for i, q := range section {
					if serverErr = exec(q); serverErr != nil {
						section = section[:i+1]
						break
					}
				}
				for i, q := range section {
					r.ReplayStatement(schema.Position{File: name + ".sql", Line: i + 1, Col: 1}, q)
				}
				modelErr := r.Err()
				if (serverErr != nil) != (modelErr != nil) {
					t.Errorf("%s, %s, %s: server error %v, model error %v", pl.name, setting, typ, serverErr, modelErr)
				}
				if serverErr != nil {
					refused++
					continue
				}
				live := readLive(t, db, []string{db.Name}, nil)
				want, _ := r.Schema().Database(db.Name)
				wt, ok := want.Table(name)
				if !ok || len(wt.Uncertain) > 0 {
					t.Errorf("%s, %s, %s: the model has no certain table %s: %v", pl.name, setting, typ, name, wt)
					continue
				}
				ld, _ := live.Database(db.Name)
				lt, ok := ld.Table(name)
				if !ok {
					t.Fatalf("%s: not on the server", name)
				}
				if got, want := columnList(lt), columnList(wt); got != want {
					t.Errorf("%s, %s, %s: columns\n  server %s\n  model  %s", pl.name, setting, typ, got, want)
				}
				if got, want := lt.Storage.Settings.String(), wt.Storage.Settings.String(); got != want {
					t.Errorf("%s, %s, %s: settings\n  server %s\n  model  %s", pl.name, setting, typ, got, want)
				}
			}
		}
	}
	if refused == 0 || refused == tried {
		t.Errorf("%d of %d cases refused: the test no longer tells refusal from acceptance", refused, tried)
	}
	t.Logf("%d cases, %d refused by the server and the model", tried, refused)
}

// typeFamilies lists the type families of system.data_type_families that
// are not aliases.
func typeFamilies(t *testing.T, db *chtest.DB) []string {
	t.Helper()
	var families []string
	rows, err := db.Conn.Query(context.Background(), "SELECT name FROM system.data_type_families WHERE alias_to = '' ORDER BY name")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var f string
		if err := rows.Scan(&f); err != nil {
			t.Fatal(err)
		}
		families = append(families, f)
	}
	if len(families) < 40 {
		t.Fatalf("system.data_type_families lists %d families", len(families))
	}
	return families
}

// TestStatementSettingsViews: a view's query SETTINGS are the CREATE's
// (issue 11 F42). data_type_default_nullable there makes the view's
// declared columns Nullable, as the server does; a setting that changes
// what the server infers (aggregate_functions_null_for_empty), in the
// query or in a subquery, makes the view uncertain at the statement,
// naming the setting, instead of modelling it wrong; a setting that
// changes nothing leaves the view certain.
func TestStatementSettingsViews(t *testing.T) {
	db := chtest.New(t)
	ctx := context.Background()
	section := []string{
		"CREATE TABLE src (k Int32) ENGINE = Memory",
		"CREATE VIEW declared (x Int32, y String) AS SELECT toInt32(1) AS x, 'a' AS y SETTINGS data_type_default_nullable = 1",
		"CREATE VIEW plain AS SELECT k FROM src SETTINGS max_threads = 1",
		"CREATE VIEW outer_query AS SELECT sum(k) AS s FROM src SETTINGS aggregate_functions_null_for_empty = 1",
		"CREATE VIEW in_subquery AS SELECT s FROM (SELECT sum(k) AS s FROM src SETTINGS aggregate_functions_null_for_empty = 1)",
		"CREATE MATERIALIZED VIEW mv ENGINE = Memory AS SELECT sum(k) AS s FROM src SETTINGS aggregate_functions_null_for_empty = 1",
	}
	conn := sessionConn(t, db)
	if err := conn.Exec(ctx, "USE "+schema.QuoteIdent(db.Name)); err != nil {
		t.Fatal(err)
	}
	r, err := parser.NewReplayer(parser.StartingSchema(db.Name), db.Name)
	if err != nil {
		t.Fatal(err)
	}
	r.UseDatabase(db.Name)
	for i, q := range section {
		if err := conn.Exec(ctx, q); err != nil {
			t.Fatalf("server refused %q: %v", q, err)
		}
		r.ReplayStatement(schema.Position{File: "v.sql", Line: i + 1, Col: 1}, q)
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	want, _ := r.Schema().Database(db.Name)
	live := readLive(t, db, []string{db.Name}, nil)
	got, _ := live.Database(db.Name)
	for _, name := range []string{"declared", "plain"} {
		wv, _ := want.View(name)
		gv, ok := got.View(name)
		if !ok || len(wv.Uncertain) > 0 {
			t.Fatalf("%s: on the server %v, uncertain %v", name, ok, wv.Uncertain)
		}
		if a, b := viewColumns(wv), viewColumns(gv); a != b {
			t.Errorf("%s: model %s, server %s", name, a, b)
		}
	}
	for name, line := range map[string]int{"outer_query": 4, "in_subquery": 5, "mv": 6} {
		wv, _ := want.View(name)
		if len(wv.Uncertain) != 1 || wv.Uncertain[0].Pos.Line != line ||
			!strings.Contains(wv.Uncertain[0].Reason, "aggregate_functions_null_for_empty = 1") {
			t.Errorf("%s: uncertain %+v, want one at line %d naming the setting", name, wv.Uncertain, line)
		}
		// And it was right not to guess: the server's type is not the
		// one the query has without the setting.
		gv, _ := got.View(name)
		if vc := viewColumns(gv); vc != "s Nullable(Int64)" {
			t.Errorf("%s: the server has %s", name, vc)
		}
	}
}

func viewColumns(v *schema.View) string {
	parts := make([]string, len(v.Columns))
	for i, c := range v.Columns {
		parts[i] = c.Name + " " + string(c.Type)
	}
	return strings.Join(parts, ", ")
}
