package diff_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chschema/chschema/diff"
	"github.com/chschema/chschema/internal/chtest"
	"github.com/chschema/chschema/parser"
	"github.com/chschema/chschema/schema"
)

// readLive reads the schema of db's database (and its functions named fn).
func readLive(t *testing.T, db *chtest.DB) *schema.Schema {
	t.Helper()
	// SQL functions are the whole server's (other tests make theirs at the
	// same time); this test makes none.
	live, _, err := schema.ReadLive(context.Background(), db.Conn, schema.LiveOptions{Databases: []string{db.Name}, Parser: parser.CreateReader{}, NoFunctions: true})
	if err != nil {
		t.Fatal(err)
	}
	return live
}

// runAll runs statements on the server in any order that works: a view
// needs its table first, whatever order the entries come in.
func runAll(t *testing.T, db *chtest.DB, stmts []string) {
	t.Helper()
	pending := stmts
	for len(pending) > 0 {
		var failed []string
		var last error
		for _, s := range pending {
			if err := db.Conn.Exec(context.Background(), s); err != nil {
				failed, last = append(failed, s), err
			}
		}
		if len(failed) == len(pending) {
			t.Fatalf("the server refuses the rendered SQL: %v\n%s", last, strings.Join(failed, "\n"))
		}
		pending = failed
	}
}

// dropAll drops every object of db's database, views first.
func dropAll(t *testing.T, db *chtest.DB, s *schema.Schema) {
	t.Helper()
	d, ok := s.Database(db.Name)
	if !ok {
		return
	}
	var stmts []string
	for _, v := range d.Views {
		stmts = append(stmts, "DROP VIEW "+schema.QualifiedName{Database: d.Name, Name: v.Name}.String())
	}
	for _, x := range d.Dictionaries {
		stmts = append(stmts, "DROP DICTIONARY "+schema.QualifiedName{Database: d.Name, Name: x.Name}.String())
	}
	for _, x := range d.Tables {
		stmts = append(stmts, "DROP TABLE "+schema.QualifiedName{Database: d.Name, Name: x.Name}.String())
	}
	for _, st := range stmts {
		if err := db.Conn.Exec(context.Background(), st+" SYNC"); err != nil {
			t.Fatalf("%s: %v", st, err)
		}
	}
}

// TestAddedAndDroppedObjectsAreRunnableSQL: diff shows an added or dropped
// object in full, as SQL that recreates it. Objects with every part a table
// can have are created on the server; diff reports them added (live side)
// and dropped (expected side); each entry's SQL, run on the server after
// the objects are dropped, must recreate the same objects.
func TestAddedAndDroppedObjectsAreRunnableSQL(t *testing.T) {
	db := chtest.New(t)
	exec(t, db,
		"CREATE TABLE {db}.events (id UInt64, ts DateTime DEFAULT now() COMMENT 'when' CODEC(Delta, ZSTD(3)), "+
			"v UInt32 TTL ts + INTERVAL 1 DAY, s String MATERIALIZED toString(id), a String ALIAS concat(s, 'x'), "+
			"`order` Int32 DEFAULT -1 COMMENT 'it''s quoted', n Nullable(String), "+
			"INDEX i_id id TYPE bloom_filter(0.01) GRANULARITY 2, INDEX i_two (id, v) TYPE minmax GRANULARITY 1, "+
			"CONSTRAINT c CHECK id > 0, PROJECTION p (SELECT id, count() GROUP BY id)) "+
			"ENGINE = ReplacingMergeTree(id) PARTITION BY toYYYYMM(ts) ORDER BY (id, ts, intHash32(id), `order`) PRIMARY KEY (id, ts, intHash32(id)) SAMPLE BY intHash32(id) "+
			"TTL ts + INTERVAL 30 DAY SETTINGS index_granularity = 4096, deduplicate_merge_projection_mode = 'drop' COMMENT 'all events'",
		"CREATE TABLE {db}.plain (x UInt8) ENGINE = MergeTree ORDER BY tuple()",
		"CREATE TABLE {db}.log (x UInt8, y String DEFAULT 'a') ENGINE = Log COMMENT 'a log'",
		"CREATE TABLE {db}.totals (id UInt64, c UInt64) ENGINE = SummingMergeTree ORDER BY id",
		"CREATE MATERIALIZED VIEW {db}.mv TO {db}.totals AS SELECT id, count() AS c FROM {db}.events GROUP BY id",
		"CREATE MATERIALIZED VIEW {db}.mv_inner ENGINE = MergeTree ORDER BY id AS SELECT id FROM {db}.events",
		"CREATE VIEW {db}.v AS SELECT id, ts FROM {db}.events WHERE id > 10 COMMENT 'a view'",
		"CREATE DICTIONARY {db}.names (id UInt64, c UInt64 DEFAULT 0) PRIMARY KEY id "+
			"SOURCE(CLICKHOUSE(TABLE 'totals' DB '"+db.Name+"')) LIFETIME(MIN 0 MAX 300) LAYOUT(HASHED()) COMMENT 'names'",
	)
	live := readLive(t, db)
	empty := schema.New()
	empty.AddDatabase(&schema.Database{Name: db.Name, Engine: schema.Engine{Name: "Atomic"}})

	for _, side := range []struct {
		name string
		res  *diff.Result
		sql  func(diff.Entry) string
	}{
		{"added", diff.Schemas(empty, live), func(e diff.Entry) string { return e.To }},
		{"dropped", diff.Schemas(live, empty), func(e diff.Entry) string { return e.From }},
	} {
		t.Run(side.name, func(t *testing.T) {
			var stmts []string
			objects := 0
			for _, e := range diff.Entries(side.res) {
				if e.Action != side.name {
					t.Errorf("entry %+v, want %s", e, side.name)
					continue
				}
				objects++
				if !strings.HasPrefix(side.sql(e), "CREATE ") {
					t.Errorf("%s %s is not shown as a CREATE statement: %q", e.Kind, e.Name(), side.sql(e))
				}
				stmts = append(stmts, side.sql(e))
			}
			if objects != 8 {
				t.Fatalf("%d objects %s, want 8", objects, side.name)
			}
			dropAll(t, db, readLive(t, db))
			runAll(t, db, stmts)
			again := readLive(t, db)
			if res := diff.Schemas(live, again); res.Drift() {
				var b strings.Builder
				_ = diff.WriteText(&b, res, diff.TextOptions{FromLabel: "created by hand", ToLabel: "created from the diff's SQL"})
				t.Errorf("the diff's SQL does not recreate the objects:\n%s", b.String())
			}
		})
	}

	// A whole database, added: its entry holds every statement.
	t.Run("database", func(t *testing.T) {
		res := diff.Schemas(schema.New(), live)
		es := diff.Entries(res)
		if len(es) != 1 || es[0].Change != "AddDatabase" {
			t.Fatalf("entries %+v, want one AddDatabase", es)
		}
		stmts, err := parser.Split(es[0].To, parser.FileStart)
		if err != nil {
			t.Fatal(err)
		}
		var texts []string
		for _, st := range stmts {
			texts = append(texts, st.Text)
		}
		if len(texts) != 9 || !strings.HasPrefix(texts[0], "CREATE DATABASE IF NOT EXISTS") {
			t.Fatalf("database entry has %d statements, want its CREATE DATABASE and 8 objects:\n%s", len(texts), es[0].To)
		}
		dropAll(t, db, readLive(t, db))
		runAll(t, db, texts)
		if res := diff.Schemas(live, readLive(t, db)); res.Drift() {
			var b strings.Builder
			_ = diff.WriteText(&b, res, diff.TextOptions{})
			t.Errorf("the database entry's SQL does not recreate the database:\n%s", b.String())
		}
	})
}
