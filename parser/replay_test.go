package parser_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/chschema/chschema/parser"
	"github.com/chschema/chschema/schema"
)

// replay runs src on a schema holding database "db" and returns the
// replayer.
func replay(t *testing.T, src string) *parser.Replayer {
	t.Helper()
	s := schema.New()
	s.AddDatabase(&schema.Database{Name: "db", Engine: schema.Engine{Name: "Atomic"}})
	r, err := parser.NewReplayer(s, "db")
	if err != nil {
		t.Fatal(err)
	}
	r.ReplayScript("m.sql", src)
	return r
}

func table(t *testing.T, r *parser.Replayer, name string) *schema.Table {
	t.Helper()
	d, _ := r.Schema().Database("db")
	tb, ok := d.Table(name)
	if !ok {
		t.Fatalf("table %s missing", name)
	}
	return tb
}

func columnNames(t *schema.Table) string {
	var ns []string
	for _, c := range t.Columns {
		ns = append(ns, c.Name)
	}
	return strings.Join(ns, ",")
}

// TestReplayConstructs checks, construct by construct, the model replay
// builds. The oracle test checks the same constructs against the server.
func TestReplayConstructs(t *testing.T) {
	const base = "CREATE TABLE t (k UInt64, a String, b UInt32 DEFAULT 5) ENGINE = MergeTree ORDER BY k;\n"
	tests := []struct {
		name  string
		src   string
		check func(t *testing.T, r *parser.Replayer)
	}{
		{"create if not exists keeps the first", base + "CREATE TABLE IF NOT EXISTS t (x UInt8) ENGINE = Memory;", func(t *testing.T, r *parser.Replayer) {
			if got := columnNames(table(t, r, "t")); got != "k,a,b" {
				t.Errorf("columns %s", got)
			}
		}},
		{"create or replace replaces", base + "CREATE OR REPLACE TABLE t (x UInt8) ENGINE = Memory;", func(t *testing.T, r *parser.Replayer) {
			if got := columnNames(table(t, r, "t")); got != "x" {
				t.Errorf("columns %s", got)
			}
		}},
		{"drop if exists sync", base + "DROP TABLE IF EXISTS t SYNC; DROP TABLE IF EXISTS t;", func(t *testing.T, r *parser.Replayer) {
			if _, ok := r.Schema().Object(schema.QualifiedName{Database: "db", Name: "t"}); ok {
				t.Error("t still exists")
			}
		}},
		{"rename several pairs", base + "CREATE TABLE u (k UInt8) ENGINE = Memory; RENAME TABLE t TO t2, u TO u2;", func(t *testing.T, r *parser.Replayer) {
			table(t, r, "t2")
			table(t, r, "u2")
		}},
		{"exchange tables", base + "CREATE TABLE u (z UInt8) ENGINE = Memory; EXCHANGE TABLES t AND u;", func(t *testing.T, r *parser.Replayer) {
			if got := columnNames(table(t, r, "u")); got != "k,a,b" {
				t.Errorf("u columns %s", got)
			}
			if got := columnNames(table(t, r, "t")); got != "z" {
				t.Errorf("t columns %s", got)
			}
		}},
		{"detach and attach", base + "DETACH TABLE t; ATTACH TABLE t;", func(t *testing.T, r *parser.Replayer) {
			table(t, r, "t")
		}},
		{"detach permanently", base + "DETACH TABLE t PERMANENTLY;", func(t *testing.T, r *parser.Replayer) {
			if _, ok := r.Schema().Object(schema.QualifiedName{Database: "db", Name: "t"}); ok {
				t.Error("t still listed")
			}
		}},
		{"add column after and first", base + "ALTER TABLE t ADD COLUMN x UInt8 AFTER k, ADD COLUMN y UInt8 FIRST;", func(t *testing.T, r *parser.Replayer) {
			if got := columnNames(table(t, r, "t")); got != "y,k,x,a,b" {
				t.Errorf("columns %s", got)
			}
		}},
		{"add column if not exists", base + "ALTER TABLE t ADD COLUMN IF NOT EXISTS a UInt8;", func(t *testing.T, r *parser.Replayer) {
			c, _ := table(t, r, "t").Column("a")
			if c.Type != "String" {
				t.Errorf("a changed to %s", c.Type)
			}
		}},
		{"drop column if exists", base + "ALTER TABLE t DROP COLUMN a, DROP COLUMN IF EXISTS nope;", func(t *testing.T, r *parser.Replayer) {
			if got := columnNames(table(t, r, "t")); got != "k,b" {
				t.Errorf("columns %s", got)
			}
		}},
		{"modify column keeps what it does not name", base + "ALTER TABLE t MODIFY COLUMN b UInt64;", func(t *testing.T, r *parser.Replayer) {
			c, _ := table(t, r, "t").Column("b")
			if c.Type != "UInt64" || c.Default == nil || c.Default.Expr != "5" {
				t.Errorf("b = %+v", c)
			}
		}},
		{"modify column remove default", base + "ALTER TABLE t MODIFY COLUMN b REMOVE DEFAULT;", func(t *testing.T, r *parser.Replayer) {
			c, _ := table(t, r, "t").Column("b")
			if c.Default != nil {
				t.Errorf("b default %+v", c.Default)
			}
		}},
		{"rename column", base + "ALTER TABLE t RENAME COLUMN a TO a2;", func(t *testing.T, r *parser.Replayer) {
			if got := columnNames(table(t, r, "t")); got != "k,a2,b" {
				t.Errorf("columns %s", got)
			}
		}},
		{"comment column", base + "ALTER TABLE t COMMENT COLUMN a 'hello';", func(t *testing.T, r *parser.Replayer) {
			c, _ := table(t, r, "t").Column("a")
			if c.Comment != "hello" {
				t.Errorf("comment %q", c.Comment)
			}
		}},
		{"clear column has no schema effect", base + "ALTER TABLE t CLEAR COLUMN a;", func(t *testing.T, r *parser.Replayer) {
			if got := columnNames(table(t, r, "t")); got != "k,a,b" {
				t.Errorf("columns %s", got)
			}
		}},
		{"add and drop index", base + "ALTER TABLE t ADD INDEX i a TYPE bloom_filter(0.01) GRANULARITY 2; ALTER TABLE t ADD INDEX j k TYPE minmax; ALTER TABLE t DROP INDEX i;", func(t *testing.T, r *parser.Replayer) {
			tb := table(t, r, "t")
			if len(tb.Indexes) != 1 || tb.Indexes[0].Name != "j" || tb.Indexes[0].Granularity != 1 {
				t.Errorf("indexes %+v", tb.Indexes)
			}
		}},
		{"named index arguments", base + "ALTER TABLE t ADD INDEX tx a TYPE text(tokenizer = splitByNonAlpha);", func(t *testing.T, r *parser.Replayer) {
			ix, ok := table(t, r, "t").Index("tx")
			if !ok || ix.Type != "text(tokenizer = splitByNonAlpha)" {
				t.Errorf("index %+v", ix)
			}
		}},
		{"add and drop projection", base + "ALTER TABLE t ADD PROJECTION p (SELECT k ORDER BY k); ALTER TABLE t ADD PROJECTION q (SELECT a, count() GROUP BY a); ALTER TABLE t DROP PROJECTION p;", func(t *testing.T, r *parser.Replayer) {
			tb := table(t, r, "t")
			if len(tb.Projections) != 1 || tb.Projections[0].Query != "SELECT a, count() GROUP BY a" {
				t.Errorf("projections %+v", tb.Projections)
			}
		}},
		{"modify and remove ttl", base + "ALTER TABLE t ADD COLUMN ts DateTime; ALTER TABLE t MODIFY TTL ts + INTERVAL 1 DAY; ", func(t *testing.T, r *parser.Replayer) {
			if got := table(t, r, "t").TTL; got != "ts + toIntervalDay(1)" {
				t.Errorf("ttl %q", got)
			}
		}},
		{"remove ttl", "CREATE TABLE t (k UInt64, ts DateTime) ENGINE = MergeTree ORDER BY k TTL ts + INTERVAL 1 DAY; ALTER TABLE t REMOVE TTL;", func(t *testing.T, r *parser.Replayer) {
			if got := table(t, r, "t").TTL; got != "" {
				t.Errorf("ttl %q", got)
			}
		}},
		{"modify and reset setting", base + "ALTER TABLE t MODIFY SETTING a_setting = 1, b_setting = 'x'; ALTER TABLE t RESET SETTING a_setting;", func(t *testing.T, r *parser.Replayer) {
			if got := table(t, r, "t").Settings.String(); got != "index_granularity = 8192, b_setting = 'x'" {
				t.Errorf("settings %q", got)
			}
		}},
		{"modify order by keeps the primary key", base + "ALTER TABLE t ADD COLUMN z UInt8, MODIFY ORDER BY (k, z);", func(t *testing.T, r *parser.Replayer) {
			tb := table(t, r, "t")
			if tb.OrderBy != "k, z" || tb.PrimaryKey != "k" || !tb.PrimaryKeyExplicit {
				t.Errorf("order %q primary %q", tb.OrderBy, tb.PrimaryKey)
			}
		}},
		{"modify comment", base + "ALTER TABLE t MODIFY COMMENT 'c';", func(t *testing.T, r *parser.Replayer) {
			if got := table(t, r, "t").Comment; got != "c" {
				t.Errorf("comment %q", got)
			}
		}},
		{"modify query", base + "CREATE MATERIALIZED VIEW mv TO t AS SELECT k FROM t; ALTER TABLE mv MODIFY QUERY SELECT k FROM t WHERE k > 1;", func(t *testing.T, r *parser.Replayer) {
			d, _ := r.Schema().Database("db")
			v, _ := d.View("mv")
			if v.Query != "SELECT k FROM db.t WHERE k > 1" {
				t.Errorf("query %q", v.Query)
			}
		}},
		{"ephemeral column", "CREATE TABLE t (k UInt64, e UInt8 EPHEMERAL, f String EPHEMERAL 'x') ENGINE = Memory;", func(t *testing.T, r *parser.Replayer) {
			e, _ := table(t, r, "t").Column("e")
			f, _ := table(t, r, "t").Column("f")
			if e.Default.Kind != schema.Ephemeral || e.Default.Expr != "" || f.Default.Expr != "'x'" {
				t.Errorf("e %+v f %+v", e.Default, f.Default)
			}
		}},
		{"keyword column name", "CREATE TABLE t (order UInt8, by String) ENGINE = Memory;", func(t *testing.T, r *parser.Replayer) {
			if got := columnNames(table(t, r, "t")); got != "order,by" {
				t.Errorf("columns %s", got)
			}
		}},
		{"MOD operator", "CREATE TABLE t (k UInt64, m UInt64 DEFAULT k MOD 7) ENGINE = Memory;", func(t *testing.T, r *parser.Replayer) {
			c, _ := table(t, r, "t").Column("m")
			if c.Default.Expr != "k % 7" {
				t.Errorf("default %q", c.Default.Expr)
			}
		}},
		{"trailing settings on an alter", base + "ALTER TABLE t DROP COLUMN a SETTINGS mutations_sync = 2;", func(t *testing.T, r *parser.Replayer) {
			if got := columnNames(table(t, r, "t")); got != "k,b" {
				t.Errorf("columns %s", got)
			}
		}},
		{"on cluster recorded without effect", "CREATE TABLE t ON CLUSTER c (k UInt64) ENGINE = Memory; ALTER TABLE t ON CLUSTER c ADD COLUMN x UInt8;", func(t *testing.T, r *parser.Replayer) {
			if got := columnNames(table(t, r, "t")); got != "k,x" {
				t.Errorf("columns %s", got)
			}
		}},
		{"data statements have no effect", base + "INSERT INTO t VALUES (1, 'a', 2); OPTIMIZE TABLE t FINAL; SET x = 1; ALTER TABLE t UPDATE a = 'b' WHERE 1; ALTER TABLE t DELETE WHERE 1; ALTER TABLE t MATERIALIZE INDEX i; TRUNCATE TABLE t; SYSTEM FLUSH LOGS;", func(t *testing.T, r *parser.Replayer) {
			if got := columnNames(table(t, r, "t")); got != "k,a,b" {
				t.Errorf("columns %s", got)
			}
		}},
		{"create table as copies columns", base + "CREATE TABLE c AS t; CREATE TABLE d AS t ENGINE = Memory;", func(t *testing.T, r *parser.Replayer) {
			c := table(t, r, "c")
			if columnNames(c) != "k,a,b" || c.Engine.Name != "MergeTree" || c.OrderBy != "k" {
				t.Errorf("c = %+v", c)
			}
			if d := table(t, r, "d"); d.Engine.Name != "Memory" || d.OrderBy != "" {
				t.Errorf("d engine %+v", d.Storage)
			}
		}},
		{"distributed table", base + "CREATE TABLE dist AS t ENGINE = Distributed(c, db, t, rand());", func(t *testing.T, r *parser.Replayer) {
			d := table(t, r, "dist")
			if d.Engine.String() != "Distributed('c', 'db', 't', rand())" || columnNames(d) != "k,a,b" {
				t.Errorf("dist = %s %s", d.Engine, columnNames(d))
			}
		}},
		{"drop function", "CREATE FUNCTION f AS (x) -> x + 1; DROP FUNCTION f; DROP FUNCTION IF EXISTS f;", func(t *testing.T, r *parser.Replayer) {
			if _, ok := r.Schema().Function("f"); ok {
				t.Error("f still exists")
			}
		}},
		{"rename if exists", "RENAME TABLE IF EXISTS nope TO nope2;", func(t *testing.T, r *parser.Replayer) {}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := replay(t, tc.src)
			if err := r.Err(); err != nil {
				t.Fatalf("errors:\n%v", err)
			}
			for _, f := range r.Findings() {
				t.Errorf("finding: %s", f)
			}
			tc.check(t, r)
		})
	}
}

// TestReplayErrors checks that what the server would refuse is an error at
// file:line:col, and that every error of a run is reported, sorted.
func TestReplayErrors(t *testing.T) {
	src := "CREATE TABLE t (k UInt64) ENGINE = Memory;\n" +
		"ALTER TABLE missing ADD COLUMN x UInt8;\n" +
		"ALTER TABLE t ADD COLUMN k UInt8;\n" +
		"  DROP TABLE nope;\n" +
		"CREATE TABLE t (k UInt8) ENGINE = Memory;\n"
	r := replay(t, src)
	err := r.Err()
	var list parser.ReplayErrors
	if !errors.As(err, &list) || len(list) != 4 {
		t.Fatalf("want 4 errors, got %v", err)
	}
	want := []string{"m.sql:2:1", "m.sql:3:1", "m.sql:4:3", "m.sql:5:1"}
	for i, e := range list {
		if e.Pos.String() != want[i] {
			t.Errorf("error %d at %s, want %s: %v", i, e.Pos, want[i], e)
		}
	}
	if !errors.Is(list[0], schema.ErrNotExist) || !errors.Is(list[1], schema.ErrExists) || !errors.Is(list[3], schema.ErrExists) {
		t.Errorf("sentinels: %v", err)
	}
	// The model is what the accepted statements made of it.
	if got := columnNames(table(t, r, "t")); got != "k" {
		t.Errorf("columns %s", got)
	}
}

// TestUnsupportedMarksUncertain checks that a statement the model cannot
// follow is a finding with its position and marks what it touches.
func TestUnsupportedMarksUncertain(t *testing.T) {
	src := "CREATE TABLE t (k UInt64) ENGINE = MergeTree ORDER BY k;\n" +
		"ALTER TABLE t MODIFY STATISTICS k TYPE tdigest;\n" +
		"ALTER TABLE t DROP COLUMN nope;\n"
	r := replay(t, src)
	fs := r.Findings()
	if len(fs) != 2 || fs[0].Pos.String() != "m.sql:2:15" {
		t.Fatalf("findings %v", fs)
	}
	if err := r.Err(); err != nil {
		t.Errorf("an error on an uncertain table should be a finding: %v", err)
	}
	tb := table(t, r, "t")
	if len(tb.Uncertain) != 1 || tb.Uncertain[0].Pos.Line != 2 {
		t.Errorf("uncertain %+v", tb.Uncertain)
	}
}

// TestCommentsAndUnreadable checks that comments of every kind are
// ignored, and that a statement the converter cannot read is a finding, not
// an error, with a placeholder for what it creates.
func TestCommentsAndUnreadable(t *testing.T) {
	src := "CREATE TABLE t ( # hash comment\n k UInt64 /* block /* nested */ */, -- line\n v String\n) ENGINE = Memory;\n" +
		"CREATE TABLE weird (k UInt64 UNREADABLE_CLAUSE(tdigest), j String) ENGINE = MergeTree ORDER BY k;\n" +
		"ALTER TABLE weird ADD COLUMN x UInt8;\n"
	r := replay(t, src)
	if err := r.Err(); err != nil {
		t.Fatalf("errors: %v", err)
	}
	if got := columnNames(table(t, r, "t")); got != "k,v" {
		t.Errorf("t columns %s", got)
	}
	w := table(t, r, "weird")
	if len(w.Uncertain) == 0 {
		t.Errorf("weird is not uncertain; findings %v", r.Findings())
	}
	out := schema.Render(r.Schema())
	if !strings.Contains(out, "-- uncertain: db.weird: m.sql:5:") || strings.Contains(out, "CREATE TABLE db.weird") {
		t.Errorf("render:\n%s", out)
	}
}

// TestOnClusterRecorded checks that ON CLUSTER is recorded on every
// statement kind and changes nothing else.
func TestOnClusterRecorded(t *testing.T) {
	for _, sql := range []string{
		"CREATE TABLE t ON CLUSTER '{cluster}' (k UInt64) ENGINE = Memory",
		"CREATE DATABASE x ON CLUSTER '{cluster}'",
		"CREATE VIEW v ON CLUSTER '{cluster}' AS SELECT 1",
		"CREATE MATERIALIZED VIEW mv ON CLUSTER '{cluster}' TO t AS SELECT 1 AS k",
		"CREATE DICTIONARY d ON CLUSTER '{cluster}' (id UInt64) PRIMARY KEY id SOURCE(NULL()) LAYOUT(FLAT()) LIFETIME(0)",
		"CREATE FUNCTION f ON CLUSTER '{cluster}' AS (x) -> x",
		"ALTER TABLE t ON CLUSTER '{cluster}' ADD COLUMN x UInt8",
		"DROP TABLE t ON CLUSTER '{cluster}' SYNC",
		"DROP FUNCTION f ON CLUSTER '{cluster}'",
		"RENAME TABLE a TO b ON CLUSTER '{cluster}'",
		"EXCHANGE TABLES a AND b ON CLUSTER '{cluster}'",
		"DETACH TABLE t ON CLUSTER '{cluster}'",
	} {
		conv, err := parser.Convert(sql, "db")
		if err != nil {
			t.Errorf("%s: %v", sql, err)
			continue
		}
		if conv.OnCluster != "{cluster}" || len(conv.Unsupported) > 0 || len(conv.Changes) != 1 {
			t.Errorf("%s: cluster %q, %d changes, unsupported %v", sql, conv.OnCluster, len(conv.Changes), conv.Unsupported)
		}
	}
}

// TestAlterTableIfExistsIsUnreadable: ALTER TABLE IF EXISTS is not
// ClickHouse (the server answers with a syntax error at EXISTS); offline
// it is unreadable at that position, not an unmodelled command of a table
// named IF.
func TestAlterTableIfExistsIsUnreadable(t *testing.T) {
	r := replay(t, "CREATE TABLE t (k UInt64) ENGINE = Memory;\nALTER TABLE IF EXISTS t ADD COLUMN x UInt8;\n")
	fs := r.Findings()
	if len(fs) != 1 || fs[0].Pos.String() != "m.sql:2:16" || !strings.Contains(fs[0].Reason, `expected an ALTER command, got "EXISTS"`) {
		t.Fatalf("findings %v", fs)
	}
	if _, err := parser.Parse(parser.Statement{Text: "ALTER TABLE IF EXISTS t ADD COLUMN x UInt8", Pos: parser.FileStart}); err == nil {
		t.Error("Parse accepts ALTER TABLE IF EXISTS")
	}
}

// TestTimeSeriesIsUncertain: the TimeSeries engine makes its own columns,
// which the model does not know; the table is uncertain, not wrong.
func TestTimeSeriesIsUncertain(t *testing.T) {
	r := replay(t, "CREATE TABLE ts ENGINE = TimeSeries SETTINGS allow_experimental_time_series_table = 1;\n")
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	if fs := r.Findings(); len(fs) != 1 || !strings.Contains(fs[0].Reason, "TimeSeries") {
		t.Errorf("findings %v", fs)
	}
	if tb := table(t, r, "ts"); len(tb.Uncertain) != 1 {
		t.Errorf("uncertain %+v", tb.Uncertain)
	}
}

// TestViewOverUncertainSource: a view's columns are not inferred from a
// source the model does not know (found by difftest: a materialized view
// over a CREATE TABLE AS SELECT had the source's known columns only).
func TestViewOverUncertainSource(t *testing.T) {
	r := replay(t, `CREATE TABLE src ENGINE = Memory AS WITH 1 AS y SELECT y + 1 AS z;
ALTER TABLE src ADD COLUMN c Date;
CREATE MATERIALIZED VIEW mv ENGINE = MergeTree ORDER BY c AS SELECT * FROM src;
CREATE VIEW v AS SELECT c FROM src;`)
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	d, _ := r.Schema().Database("db")
	for _, name := range []string{"mv", "v"} {
		v, ok := d.View(name)
		if !ok {
			t.Fatalf("view %s missing", name)
		}
		if v.Columns != nil {
			t.Errorf("view %s: columns %v inferred from an uncertain source", name, v.Columns)
		}
	}
}

// TestRestoreIsUncertain: RESTORE creates what it restores, which the
// model cannot know (an audit of the statements recognised as having no
// schema effect found it counted among them).
func TestRestoreIsUncertain(t *testing.T) {
	r := replay(t, "RESTORE TABLE db.t FROM Disk('backups', 'b.zip');\nRESTORE DATABASE other FROM Disk('backups', 'b.zip');")
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	d, _ := r.Schema().Database("db")
	if len(d.UncertaintiesOf("t")) == 0 {
		t.Errorf("db.t: no uncertainty: %+v", d.Uncertain)
	}
	if o, ok := r.Schema().Database("other"); !ok || !o.UncertainWhole() {
		t.Errorf("database other: %+v", o)
	}
}

// TestRestoreAndParallelWithMarkUncertain checks that the statements of
// ClickHouse's parser that change objects the model cannot follow make
// exactly those uncertain: RESTORE TABLE … AS (the target), RESTORE
// DATABASE, RESTORE ALL (every database), and the DDL parts of PARALLEL
// WITH; a PARALLEL WITH of queries changes nothing.
func TestRestoreAndParallelWithMarkUncertain(t *testing.T) {
	src := "CREATE TABLE a (k UInt64) ENGINE = Memory;\n" +
		"CREATE TABLE b (k UInt64) ENGINE = Memory;\n" +
		"CREATE TABLE c (k UInt64) ENGINE = Memory;\n" +
		"RESTORE TABLE db.x AS db.a FROM Disk('backups', '1.zip');\n" +
		"DROP TABLE IF EXISTS nothing PARALLEL WITH ALTER TABLE b ADD COLUMN y UInt8;\n" +
		"SELECT 1 PARALLEL WITH SELECT 2;\n"
	r := replay(t, src)
	if err := r.Err(); err != nil {
		t.Fatalf("errors: %v", err)
	}
	if u := table(t, r, "a").Uncertain; len(u) != 1 || u[0].Pos.Line != 4 {
		t.Errorf("a: uncertain %+v", u)
	}
	if u := table(t, r, "b").Uncertain; len(u) != 1 || u[0].Pos.Line != 5 {
		t.Errorf("b: uncertain %+v", u)
	}
	if u := table(t, r, "c").Uncertain; len(u) != 0 {
		t.Errorf("c: uncertain %+v", u)
	}
	if fs := r.Findings(); len(fs) != 3 {
		t.Errorf("findings %v", fs)
	}

	r = replay(t, "CREATE TABLE a (k UInt64) ENGINE = Memory;\nRESTORE ALL FROM Disk('backups', '2.zip');\n")
	if err := r.Err(); err != nil {
		t.Fatalf("errors: %v", err)
	}
	if d, ok := r.Schema().Database("db"); !ok || len(d.Uncertain) == 0 {
		t.Errorf("RESTORE ALL: the database is not uncertain: %v", r.Findings())
	}
}

// TestAttachDatabaseUncertaintyPlaced: the uncertainty the model puts on a
// database created without ENGINE when ATTACH DATABASE brings it back
// carries the ATTACH's position, and is a finding (difftest bad-position).
func TestAttachDatabaseUncertaintyPlaced(t *testing.T) {
	r := replay(t, "CREATE DATABASE x;\nCREATE TABLE x.t (k UInt8) ENGINE = Memory;\nDETACH DATABASE x;\nATTACH DATABASE IF NOT EXISTS x;\n")
	if err := r.Err(); err != nil {
		t.Fatalf("errors: %v", err)
	}
	d, ok := r.Schema().Database("x")
	if !ok || len(d.Uncertain) != 1 || d.Uncertain[0].Pos.Line != 4 || d.Uncertain[0].Pos.Col != 1 {
		t.Fatalf("x: uncertain %+v", d)
	}
	if fs := r.Findings(); len(fs) != 1 || fs[0].Pos.Line != 4 {
		t.Errorf("findings %v", fs)
	}
}
