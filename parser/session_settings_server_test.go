package parser_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/chschema/chschema/internal/chtest"
	"github.com/chschema/chschema/parser"
	"github.com/chschema/chschema/schema"
)

// sessionConn is one connection to db's server: a session, in which a SET
// or USE reaches the statements after it.
func sessionConn(t *testing.T, db *chtest.DB) driver.Conn {
	t.Helper()
	opts, err := clickhouse.ParseDSN(db.DSN)
	if err != nil {
		t.Fatal(err)
	}
	opts.MaxOpenConns, opts.MaxIdleConns = 1, 1
	conn, err := clickhouse.Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// familyArgs are arguments for the type families of
// system.data_type_families that take some.
var familyArgs = map[string]string{
	"AggregateFunction": "(sum, UInt8)", "Array": "(Int8)", "Decimal": "(10, 2)", "Decimal32": "(2)",
	"Decimal64": "(2)", "Decimal128": "(2)", "Decimal256": "(2)", "DateTime64": "(3)", "Enum": "('a' = 1)",
	"Enum8": "('a' = 1)", "Enum16": "('a' = 1)", "FixedString": "(3)", "LowCardinality": "(String)",
	"Map": "(String, Int8)", "Nested": "(x Int8, y String)", "Nullable": "(Int8)", "QBit": "(Float32, 8)",
	"SimpleAggregateFunction": "(sum, UInt64)", "Tuple": "(a Int8, b String)", "Variant": "(Int8, String)",
	"Time64": "(3)",
}

// TestSessionSettingsModel is a differential test of the session settings
// that change what a CREATE means (F14, F37): for every type family the
// server lists in system.data_type_families, a column of that type is
// created in one session after SET data_type_default_nullable = 1, and
// after SET flatten_nested = 0, on the server and in the model. The model
// must refuse what the server refuses and hold what the server holds;
// ALTER ADD COLUMN (which data_type_default_nullable does not touch) and a
// second section, which starts a new session, are checked the same way.
func TestSessionSettingsModel(t *testing.T) {
	db := chtest.New(t)
	ctx := context.Background()
	var families []string
	rows, err := db.Conn.Query(ctx, "SELECT name FROM system.data_type_families WHERE alias_to = '' ORDER BY name")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var f string
		if err := rows.Scan(&f); err != nil {
			t.Fatal(err)
		}
		families = append(families, f)
	}
	rows.Close()
	if len(families) < 40 {
		t.Fatalf("system.data_type_families lists %d families", len(families))
	}
	conn := sessionConn(t, db)
	exec := func(q string) error { return conn.Exec(ctx, q) }
	if err := exec("USE " + schema.QuoteIdent(db.Name)); err != nil {
		t.Fatal(err)
	}
	tried, refused := 0, 0
	for _, f := range families {
		typ := f + familyArgs[f]
		// A type the server does not take in a table at all (experimental,
		// or needing arguments this test does not know) says nothing here.
		if err := exec(fmt.Sprintf("CREATE TABLE probe (c %s) ENGINE = Memory", typ)); err != nil {
			t.Logf("%s: skipped: %v", typ, firstLineOf(err))
			continue
		}
		if err := exec("DROP TABLE probe"); err != nil {
			t.Fatal(err)
		}
		for _, setting := range []string{"data_type_default_nullable = 1", "flatten_nested = 0"} {
			tried++
			name := fmt.Sprintf("t_%s_%d", strings.ToLower(f), tried)
			section := []string{
				"SET " + setting,
				fmt.Sprintf("CREATE TABLE %s (k UInt8 NOT NULL, c %s) ENGINE = Memory", name, typ),
				fmt.Sprintf("ALTER TABLE %s ADD COLUMN a %s", name, typ),
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
				t.Errorf("%s, %s: server error %v, model error %v", setting, typ, serverErr, modelErr)
			}
			if serverErr != nil {
				refused++
				if err := exec("SET " + strings.Replace(setting, "= 1", "= 0", 1)); err != nil {
					t.Fatal(err)
				}
				continue
			}
			// The settings end with the session; this one goes on.
			if err := exec("SET data_type_default_nullable = 0, flatten_nested = 1"); err != nil {
				t.Fatal(err)
			}
			live := readLive(t, db, []string{db.Name}, nil)
			want, _ := r.Schema().Database(db.Name)
			wt, ok := want.Table(name)
			if !ok || len(wt.Uncertain) > 0 {
				t.Errorf("%s, %s: the model has no certain table %s: %v", setting, typ, name, wt)
				continue
			}
			ld, _ := live.Database(db.Name)
			lt, ok := ld.Table(name)
			if !ok {
				t.Fatalf("%s: not on the server", name)
			}
			if got, want := columnList(lt), columnList(wt); got != want {
				t.Errorf("%s, %s: columns\n  server %s\n  model  %s", setting, typ, got, want)
			}
		}
	}
	if refused == 0 || refused == tried {
		t.Errorf("%d of %d cases refused: the test no longer tells refusal from acceptance", refused, tried)
	}
	t.Logf("%d cases, %d refused by the server and the model", tried, refused)
}

func columnList(t *schema.Table) string {
	parts := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		parts[i] = c.Name + " " + string(c.Type)
	}
	return strings.Join(parts, ", ")
}

func firstLineOf(err error) string {
	s, _, _ := strings.Cut(err.Error(), "\n")
	return s
}

// TestSessionSettingsEndWithSection: a SET lasts until its section (file)
// ends, in the model as on the server, where each section is a session;
// and a SET the model does not follow marks what is created after it
// uncertain, at the SET's position, instead of modelling it wrong.
func TestSessionSettingsEndWithSection(t *testing.T) {
	r, err := parser.NewReplayer(parser.StartingSchema("db"), "db")
	if err != nil {
		t.Fatal(err)
	}
	r.UseDatabase("db")
	r.ReplayStatement(schema.Position{File: "a.sql", Line: 1, Col: 1}, "SET flatten_nested = 0, data_type_default_nullable = 'true'")
	r.ReplayStatement(schema.Position{File: "a.sql", Line: 2, Col: 1}, "CREATE TABLE a (n Nested(x Int8) NOT NULL, d Int32) ENGINE = Memory")
	r.ReplayStatement(schema.Position{File: "a.sql", Line: 3, Col: 1}, "SET cast_keep_nullable = 1")
	r.ReplayStatement(schema.Position{File: "a.sql", Line: 4, Col: 1}, "CREATE VIEW v AS SELECT CAST(d, 'Int64') AS d FROM a")
	r.UseDatabase("db")
	r.ReplayStatement(schema.Position{File: "b.sql", Line: 1, Col: 1}, "CREATE TABLE b (n Nested(x Int8), d Int32) ENGINE = Memory")
	r.ReplayStatement(schema.Position{File: "b.sql", Line: 2, Col: 1}, "CREATE VIEW w AS SELECT CAST(d, 'Int64') AS d FROM b")
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	d, _ := r.Schema().Database("db")
	a, _ := d.Table("a")
	b, _ := d.Table("b")
	if got, want := columnList(a), "n Nested(x Int8), d Nullable(Int32)"; got != want {
		t.Errorf("a: %s, want %s", got, want)
	}
	if got, want := columnList(b), "n.x Array(Int8), d Int32"; got != want {
		t.Errorf("b: %s, want %s", got, want)
	}
	v, _ := d.View("v")
	w, _ := d.View("w")
	if len(v.Uncertain) != 1 || !strings.Contains(v.Uncertain[0].Reason, "cast_keep_nullable = 1 (SET at a.sql:3:1)") || v.Uncertain[0].Pos.Line != 4 {
		t.Errorf("v: uncertain %+v, want one naming the SET at a.sql:3:1", v.Uncertain)
	}
	if len(w.Uncertain) != 0 || len(a.Uncertain) != 0 || len(b.Uncertain) != 0 {
		t.Errorf("uncertain: w %v, a %v, b %v; want none", w.Uncertain, a.Uncertain, b.Uncertain)
	}
}
