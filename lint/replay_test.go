package lint

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/chschema/chschema/migrations"
	"github.com/chschema/chschema/parser"
)

// mig is a migration file with up and down sections.
func mig(up, down string) string { return "-- +up\n" + up + "\n-- +down\n" + down + "\n" }

// TestReplayRule: what cannot replay onto the schema the statements before
// it build is an error at its file:line:col; what the model cannot follow
// is not.
func TestReplayRule(t *testing.T) {
	tests := []struct {
		name     string
		files    map[string]string
		vars     map[string]string
		database string
		want     []string // "rule file:line:col" of every error
		msg      string   // a fragment of the first replay message
	}{
		{name: "missing table",
			files: map[string]string{"0001_a.sql": mig("ALTER TABLE nosuch ADD COLUMN x UInt8;", "-- no-op")},
			want:  []string{"replay 0001_a.sql:2:1"}, msg: "table default.nosuch: schema: does not exist"},
		{name: "missing column",
			files: map[string]string{"0001_a.sql": mig("CREATE TABLE t (x Int8) ENGINE = Log;\nALTER TABLE t DROP COLUMN nope;", "DROP TABLE t;")},
			want:  []string{"replay 0001_a.sql:3:1"}, msg: "column `nope`"},
		{name: "missing database",
			files:    map[string]string{"0001_a.sql": mig("CREATE TABLE nodb.t (x Int8) ENGINE = Log;", "DROP TABLE nodb.t;")},
			database: "default",
			want:     []string{"replay 0001_a.sql:2:1"}, msg: "database nodb"},
		{name: "missing database that may be the DSN's",
			files: map[string]string{"0001_a.sql": mig("CREATE TABLE nodb.t (x Int8) ENGINE = Log;", "DROP TABLE nodb.t;")}},
		{name: "created twice",
			files: map[string]string{
				"0001_a.sql": mig("CREATE TABLE t (x Int8) ENGINE = Log;", "DROP TABLE t;"),
				"0002_b.sql": mig("SELECT 1;\n  CREATE TABLE t (y Int8) ENGINE = Log;", "-- no-op"),
			},
			want: []string{"replay 0002_b.sql:3:3"}, msg: "already exists"},
		{name: "drop of an absent table",
			files: map[string]string{"0001_a.sql": mig("DROP TABLE gone;\nDROP TABLE IF EXISTS gone;", "-- no-op")},
			want:  []string{"replay 0001_a.sql:2:1"}},
		{name: "objects of init.sql",
			files: map[string]string{
				"init.sql":   "CREATE DATABASE IF NOT EXISTS shop;\nCREATE TABLE IF NOT EXISTS shop.t (x Int8) ENGINE = Log;\n",
				"0001_a.sql": mig("ALTER TABLE shop.t ADD COLUMN y Int8;", "ALTER TABLE shop.t DROP COLUMN y;"),
			}},
		{name: "services in name order: a before b",
			files: map[string]string{
				"a/0001_x.sql": mig("CREATE DATABASE shop;\nCREATE TABLE shop.t (x Int8) ENGINE = Log;", "DROP DATABASE shop;"),
				"b/0001_y.sql": mig("ALTER TABLE shop.t ADD COLUMN y Int8;", "ALTER TABLE shop.t DROP COLUMN y;"),
			}},
		{name: "services in name order: a cannot use what b creates",
			files: map[string]string{
				"a/0001_x.sql": mig("ALTER TABLE shop.t ADD COLUMN y Int8;", "ALTER TABLE shop.t DROP COLUMN y;"),
				"b/0001_y.sql": mig("CREATE DATABASE shop;\nCREATE TABLE shop.t (x Int8) ENGINE = Log;", "DROP DATABASE shop;"),
			},
			want: []string{"replay a/0001_x.sql:2:1"}},
		{name: "an uncertain table (AS SELECT)",
			files: map[string]string{"0001_a.sql": mig("CREATE TABLE t2 ENGINE = Log AS SELECT 1 AS x;\nALTER TABLE t2 ADD COLUMN y Int8;\nALTER TABLE t2 DROP COLUMN x;", "DROP TABLE t2;")}},
		{name: "an object an unmodelled statement names",
			// UNDROP brings back a table the model does not know: it is
			// uncertain, so the ALTER after it is not judged.
			files: map[string]string{"0001_a.sql": mig("UNDROP TABLE gone;\nALTER TABLE gone ADD COLUMN y Int8;", "-- no-op")}},
		{name: "an unmodelled statement that names no object",
			files: map[string]string{
				"0001_a.sql": mig("CREATE DATABASE a;\nCREATE TABLE a.t (x Int8) ENGINE = Log;\nRENAME DATABASE a TO b;", "-- no-op"),
				"0002_b.sql": mig("ALTER TABLE b.t ADD COLUMN y Int8;", "-- no-op"),
			}},
		{name: "a rename of an uncertain table",
			files: map[string]string{"0001_a.sql": mig("CREATE TABLE t2 ENGINE = Log AS SELECT 1 AS x;\nALTER TABLE t2 MODIFY COLUMN x String;\nRENAME TABLE t2 TO t3;\nALTER TABLE t3 ADD COLUMN y Int8;", "-- no-op")}},
		{name: "after an undefined variable",
			files: map[string]string{
				"0001_a.sql": mig("CREATE DATABASE ${DB};\nCREATE TABLE ${DB}.t (x Int8) ENGINE = Log;", "DROP DATABASE ${DB};"),
				"0002_b.sql": mig("ALTER TABLE shop.t ADD COLUMN y Int8;", "-- no-op"),
			},
			vars: map[string]string{},
			want: []string{"undefined-variable 0001_a.sql:2:17", "undefined-variable 0001_a.sql:3:14", "undefined-variable 0001_a.sql:5:15"}},
		{name: "with the variable",
			files: map[string]string{
				"0001_a.sql": mig("CREATE DATABASE ${DB};\nCREATE TABLE ${DB}.t (x Int8) ENGINE = Log;", "DROP DATABASE ${DB};"),
				"0002_b.sql": mig("ALTER TABLE shop.t ADD COLUMN y Int8;", "-- no-op"),
			},
			vars: map[string]string{"DB": "shop"}},
		{name: "a variable whose value differs from the literal name",
			files: map[string]string{
				"0001_a.sql": mig("CREATE DATABASE ${DB};\nCREATE TABLE ${DB}.t (x Int8) ENGINE = Log;", "DROP DATABASE ${DB};"),
				"0002_b.sql": mig("ALTER TABLE shop.t ADD COLUMN y Int8;", "-- no-op"),
			},
			vars: map[string]string{"DB": "shop_prod"},
			want: []string{"replay 0002_b.sql:2:1"}, msg: "table shop.t"},
		{name: "after a syntax error",
			files: map[string]string{"0001_a.sql": mig("CREAT TABLE t (x Int8) ENGINE = Log;\nALTER TABLE t ADD COLUMN y Int8;", "-- no-op")},
			want:  []string{"syntax 0001_a.sql:2:1"}},
		{name: "unqualified names, the DSN's database unknown",
			files: map[string]string{
				"0001_a.sql": mig("CREATE TABLE events (x Int8) ENGINE = Log;", "DROP TABLE events;"),
				"0002_b.sql": mig("ALTER TABLE analytics.events ADD COLUMN y Int8;", "-- no-op"),
			}},
		{name: "unqualified names in the DSN's database",
			files: map[string]string{
				"0001_a.sql": mig("CREATE TABLE events (x Int8) ENGINE = Log;", "DROP TABLE events;"),
				"0002_b.sql": mig("ALTER TABLE analytics.events ADD COLUMN y Int8;", "-- no-op"),
			},
			database: "analytics"},
		{name: "unqualified names in another database",
			files: map[string]string{
				"0001_a.sql": mig("CREATE TABLE events (x Int8) ENGINE = Log;", "DROP TABLE events;"),
				"0002_b.sql": mig("ALTER TABLE analytics.events ADD COLUMN y Int8;", "-- no-op"),
			},
			database: "default",
			want:     []string{"replay 0002_b.sql:2:1"}},
		{name: "a genuine error under every session database",
			files: map[string]string{
				"0001_a.sql": mig("CREATE DATABASE analytics;\nCREATE TABLE events (x Int8) ENGINE = Log;", "DROP TABLE events;"),
				"0002_b.sql": mig("ALTER TABLE events DROP COLUMN nope;", "-- no-op"),
			},
			want: []string{"replay 0002_b.sql:2:1"}},
		{name: "down sections are not replayed",
			files: map[string]string{"0001_a.sql": mig("CREATE TABLE t (x Int8) ENGINE = Log;", "DROP TABLE t;\nDROP TABLE t;")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := mapFS(tt.files)
			r, err := Lint(context.Background(), fsys, Options{Vars: tt.vars, Database: tt.database})
			if err != nil {
				t.Fatal(err)
			}
			got := errorsOf(r)
			slices.Sort(got)
			slices.Sort(tt.want)
			if !slices.Equal(got, tt.want) {
				t.Errorf("errors = %q, want %q", got, tt.want)
			}
			for _, f := range r.Findings {
				if f.Rule == RuleReplay && !strings.Contains(f.Message, tt.msg) {
					t.Errorf("message %q lacks %q", f.Message, tt.msg)
				}
			}
			// The same replay as chschema schema: with the session
			// database known and nothing withheld, the same statements
			// fail there.
			if tt.database != "" || !slices.ContainsFunc(got, func(s string) bool { return strings.HasPrefix(s, "replay") }) {
				return
			}
			d, _ := migrations.Open(fsys)
			_, _, serr := parser.ExpectedSchema(d, parser.ExpectedOptions{Vars: tt.vars})
			var list parser.ReplayErrors
			errors.As(serr, &list)
			var schemaAt []string
			for _, e := range list {
				schemaAt = append(schemaAt, fmt.Sprintf("replay %s:%d:%d", e.Pos.File, e.Pos.Line, e.Pos.Col))
			}
			for _, g := range got {
				if strings.HasPrefix(g, "replay") && !slices.Contains(schemaAt, g) {
					t.Errorf("lint reports %s, chschema schema does not: %v", g, schemaAt)
				}
			}
		})
	}
}

// TestLiteralDatabase: a database name written literally where a variable
// names it elsewhere is a warning, which does not fail lint.
func TestLiteralDatabase(t *testing.T) {
	fsys := mapFS(map[string]string{
		"0001_a.sql": mig("CREATE DATABASE ${XAPI_DB};\nCREATE TABLE ${XAPI_DB}.events (x Int8) ENGINE = Log;", "DROP DATABASE ${XAPI_DB};"),
		"0002_b.sql": mig("ALTER TABLE `xapi`.events ADD COLUMN y Int8;\nSELECT events.x FROM xapi.events;", "ALTER TABLE xapi.events DROP COLUMN y;"),
	})
	r, err := Lint(context.Background(), fsys, Options{Vars: map[string]string{"XAPI_DB": "xapi"}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range r.Findings {
		got = append(got, fmt.Sprintf("%s %s %s:%d:%d", f.Severity, f.Rule, f.File, f.Line, f.Col))
	}
	want := []string{
		"warning literal-database 0002_b.sql:2:13",
		"warning literal-database 0002_b.sql:3:22",
		"warning literal-database 0002_b.sql:5:13",
	}
	if !slices.Equal(got, want) {
		t.Errorf("findings = %q, want %q", got, want)
	}
	if r.Errors() != 0 || r.Warnings() != 3 {
		t.Errorf("errors %d, warnings %d", r.Errors(), r.Warnings())
	}
	if !strings.Contains(r.Findings[0].Message, "database xapi is written literally, but ${XAPI_DB} names it elsewhere") {
		t.Errorf("message = %q", r.Findings[0].Message)
	}
	// Another value: no warning, and the literal name does not replay.
	r, err = Lint(context.Background(), fsys, Options{Vars: map[string]string{"XAPI_DB": "xapi_prod"}})
	if err != nil {
		t.Fatal(err)
	}
	if r.Warnings() != 0 || !slices.Equal(errorsOf(r), []string{"replay 0002_b.sql:2:1"}) {
		t.Errorf("with another value: %+v", r.Findings)
	}
}
