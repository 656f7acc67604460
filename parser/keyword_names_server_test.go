package parser_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chschema/chschema/internal/chtest"
	"github.com/chschema/chschema/parser"
	"github.com/chschema/chschema/schema"
)

// keywordNameForms put a name, K, in each position a schema object names
// something: a table, its columns, a skip index (of a plain and of a
// vector type), a projection, a constraint, the keys and TTL that use the
// column, views over it (K in the select list, WHERE, GROUP BY, HAVING,
// ORDER BY, JOIN … ON and USING; the table after FROM and JOIN), a
// dictionary attribute, and the ALTER commands that name each. {Q} is K as
// written: back-quoted, or bare.
var keywordNameForms = []string{
	"CREATE TABLE {Q} ({Q} Date, x UInt8, v Array(Float32), INDEX {Q} v TYPE vector_similarity('hnsw', 'cosineDistance', 2) GRANULARITY 4, INDEX i {Q} TYPE minmax GRANULARITY 1, PROJECTION {Q} (SELECT {Q}, x ORDER BY x), CONSTRAINT {Q} CHECK {Q} > '2000-01-01') ENGINE = MergeTree PARTITION BY toYYYYMM({Q}) ORDER BY ({Q}, x) TTL {Q} + INTERVAL 1 DAY COMMENT 'K'",
	"ALTER TABLE {Q} ADD COLUMN y UInt8 DEFAULT x AFTER {Q}, MODIFY COLUMN {Q} Date COMMENT 'c' CODEC(Delta, ZSTD)",
	"CREATE VIEW {V} AS SELECT {Q}, x FROM {Q}",
	"CREATE VIEW {W} AS SELECT x, {Q} + 1 AS y, count() AS c FROM {Q} WHERE x = 1 AND {Q} > '2000-01-01' GROUP BY x, {Q} HAVING max({Q}) > '2000-01-01' ORDER BY x, {Q} DESC",
	"CREATE VIEW {J} AS SELECT t.x FROM {Q} AS t JOIN (SELECT toDate(0) AS z) AS s ON {Q} = s.z",
	"CREATE VIEW {U} AS SELECT x FROM {Q} AS a JOIN {Q} AS b USING ({Q})",
	"CREATE DICTIONARY {D} ({Q} UInt64, y String DEFAULT '') PRIMARY KEY {Q} SOURCE(NULL()) LAYOUT(FLAT()) LIFETIME(0)",
	// The ALTER commands that name an index, a projection, a constraint
	// or a column, on a table of its own.
	"CREATE TABLE {A} (k UInt8, {Q} Date) ENGINE = MergeTree ORDER BY k",
	"ALTER TABLE {A} ADD INDEX {Q} {Q} TYPE minmax GRANULARITY 2, ADD CONSTRAINT {Q} CHECK {Q} >= '2000-01-01', ADD PROJECTION {Q} (SELECT k, {Q} ORDER BY {Q}), MODIFY TTL {Q} + INTERVAL 1 DAY",
	"ALTER TABLE {A} MATERIALIZE INDEX {Q}, CLEAR INDEX {Q}, MATERIALIZE PROJECTION {Q}",
	"ALTER TABLE {A} ADD COLUMN w UInt8 DEFAULT 1 TTL {Q} + INTERVAL 2 DAY AFTER {Q}",
	"ALTER TABLE {A} DROP INDEX {Q}, DROP PROJECTION {Q}, DROP CONSTRAINT {Q}, REMOVE TTL",
	"ALTER TABLE {A} DROP COLUMN w",
	"ALTER TABLE {A} COMMENT COLUMN {Q} 'k', RENAME COLUMN {Q} TO z",
	"ALTER TABLE {A} RENAME COLUMN z TO {Q}",
	"ALTER TABLE {A} MODIFY COLUMN {Q} DEFAULT '2001-01-01'",
}

// TestKeywordNames takes every one-word keyword of the server's grammar
// (system.keywords) as a name in every position of keywordNameForms, runs
// what the server accepts, and checks both readers: the offline replay of
// those statements, and the live reader of what the server prints back,
// which writes a keyword name bare wherever its grammar allows
// (INDEX collate v TYPE …). Both must agree with the server field by
// field, with no finding: a keyword name is never a reason not to know an
// object.
func TestKeywordNames(t *testing.T) {
	ctx := context.Background()
	probe := chtest.New(t)
	rows, err := probe.Conn.Query(ctx, "SELECT keyword FROM system.keywords WHERE position(keyword, ' ') = 0 ORDER BY keyword")
	if err != nil {
		t.Fatal(err)
	}
	var keywords []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			t.Fatal(err)
		}
		keywords = append(keywords, k)
	}
	rows.Close()
	if len(keywords) < 300 {
		t.Fatalf("system.keywords has %d one-word keywords; want hundreds", len(keywords))
	}
	for _, quoted := range []bool{true, false} {
		name := "bare"
		if quoted {
			name = "quoted"
		}
		t.Run(name, func(t *testing.T) {
			db := chtest.New(t)
			var accepted []string
			refused := 0
			for _, k := range keywords {
				q, v, w, j, u, d, a := k, "v_"+k, "w_"+k, "j_"+k, "u_"+k, "d_"+k, "a_"+k
				if quoted {
					q, v, w, j, u, d, a = schema.BackQuote(k), schema.BackQuote(v), schema.BackQuote(w), schema.BackQuote(j), schema.BackQuote(u), schema.BackQuote(d), schema.BackQuote(a)
				}
				r := strings.NewReplacer("{Q}", q, "{V}", v, "{W}", w, "{J}", j, "{U}", u, "{D}", d, "{A}", a)
				for _, form := range keywordNameForms {
					sql := r.Replace(form)
					if err := db.Conn.Exec(ctx, sql); err != nil {
						if quoted && !serverRefuses[k] {
							t.Errorf("the server refused %s: %v", sql, err)
						}
						refused++
						continue
					}
					accepted = append(accepted, sql)
				}
			}
			t.Logf("%d keywords: %d statements accepted, %d refused by the server", len(keywords), len(accepted), refused)
			expected := schema.New()
			expected.AddDatabase(parser.ImplicitDatabase(db.Name))
			rp, err := parser.NewReplayer(expected, db.Name)
			if err != nil {
				t.Fatal(err)
			}
			rp.ReplayScript("keywords.sql", strings.Join(accepted, ";\n")+";\n")
			if err := rp.Err(); err != nil {
				t.Errorf("offline replay:\n%v", err)
			}
			for _, f := range rp.Findings() {
				if serverLimit(f.Reason) {
					continue
				}
				t.Errorf("finding: %s\n  in %s", f, accepted[f.Pos.Line-1])
			}
			live := readLive(t, db, []string{db.Name}, nil)
			if d, ok := live.Database(db.Name); ok {
				var objs []schema.Object
				for _, x := range d.Tables {
					objs = append(objs, x)
				}
				for _, x := range d.Views {
					objs = append(objs, x)
				}
				for _, x := range d.Dictionaries {
					objs = append(objs, x)
				}
				for _, o := range objs {
					u := o.Uncertainties()
					switch {
					case len(u) == 0:
					case serverLimit(u[0].Reason):
						// Not compared: the server cannot say what it is.
						if w, ok := expected.Object(o.ObjectName()); ok {
							if wt, ok := w.(*schema.Table); ok {
								wt.MarkUncertain(u[0])
							}
						}
					default:
						t.Errorf("live %s: %s", o.ObjectName(), u[0].Reason)
					}
				}
				for _, v := range d.Views {
					// A query the live reader could not read is an
					// uncertainty with its reason, never an empty query.
					if v.Query == "" && len(v.Uncertainties()) == 0 {
						t.Errorf("live view %s: empty query, and not uncertain", v.Name)
					}
				}
			}
			expected.Sort()
			compareModels(t, expected, live)
		})
	}
}

// serverRefuses are the keywords the server takes as names back-quoted
// but then cannot use in every form (26.7): a column called TRUE or FALSE
// is read back as a Bool literal in PARTITION BY toYYYYMM(TRUE), and a
// table with a column called NOT cannot be altered (its stored definition
// does not parse again).
var serverRefuses = map[string]bool{"TRUE": true, "FALSE": true, "NOT": true}

// serverLimit reports whether a reason not to know an object is the
// server's own: it prints a column called TRUE or FALSE bare and reads it
// back as a literal, and cannot read back a table it stored with a column
// called NOT (an empty create_table_query).
func serverLimit(reason string) bool {
	return strings.Contains(reason, "reads back as a literal") || strings.Contains(reason, "create_table_query is empty")
}
