package lint

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/chschema/chschema/internal/chtest"
	"github.com/chschema/chschema/internal/stmtforms"
	"github.com/chschema/chschema/parser"
)

// TestStatementInventory runs every form of every statement kind
// ClickHouse's parser accepts (internal/stmtforms, taken from
// src/Parsers/ParserQuery.cpp and ParserQueryWithOutput.cpp) on the real
// server, and then through offline lint and lint --dsn: SQL the server
// accepts is never a lint error (issue 11). A form that is not safe to run (it needs a disk,
// a user, a cluster, or would stop the server) is parsed by the server
// (EXPLAIN AST) instead. The test also checks the model's reading: a
// statement that changes no schema has no effect, one that changes objects
// the model cannot replay (RESTORE, UNDROP, PARALLEL WITH of DDL) makes
// them uncertain.
func TestStatementInventory(t *testing.T) {
	db := chtest.New(t)
	ctx := context.Background()
	for _, f := range stmtforms.Fixture {
		if err := db.Conn.Exec(ctx, stmtforms.Expand(f, db.Name)); err != nil {
			t.Fatal(err)
		}
	}
	// Offline lint of every form, each a migration of its own after one
	// that creates what the forms use.
	files := map[string]string{"0001_fixture.sql": "-- +up\nCREATE DATABASE ${db};\n" + strings.Join(stmtforms.Fixture, ";\n") + ";\n-- +down\nDROP DATABASE ${db};\n"}
	for i, f := range stmtforms.Forms {
		files[fmt.Sprintf("%04d_form.sql", i+2)] = "-- +up\n" + f.SQL + ";\n-- +down\n-- no-op\n"
	}
	rep, err := Lint(ctx, mapFS(files), Options{Vars: map[string]string{"db": db.Name}})
	if err != nil {
		t.Fatal(err)
	}
	// And lint --dsn, which sends what AfterShip does not read as written
	// to the server's parser.
	sp, err := parser.NewServerParser(db.Conn)
	if err != nil {
		t.Fatal(err)
	}
	online, err := Lint(ctx, mapFS(files), Options{Vars: map[string]string{"db": db.Name}, Server: sp})
	if err != nil {
		t.Fatal(err)
	}
	rejected := map[string][]string{}
	for _, x := range append(rep.Findings, online.Findings...) {
		if x.Severity == Error {
			rejected[x.File] = append(rejected[x.File], fmt.Sprintf("%d:%d %s: %s", x.Line, x.Col, x.Rule, x.Message))
		}
	}
	kinds := map[string]bool{}
	for i, f := range stmtforms.Forms {
		kinds[f.Kind] = true
		sql := stmtforms.Expand(f.SQL, db.Name)
		// The server accepts the form.
		if f.Run {
			if err := db.Conn.Exec(ctx, sql); err != nil {
				t.Errorf("%s: the server refuses it: %v", f.SQL, err)
				continue
			}
		} else {
			// EXPLAIN AST parses without running, and reads no bare word
			// as an implicit SELECT (formatQuery does: BEGIN is SELECT
			// BEGIN to it).
			if err := db.Conn.Exec(ctx, "EXPLAIN AST "+sql); err != nil {
				t.Errorf("%s: the server's parser refuses it: %v", f.SQL, err)
				continue
			}
		}
		// Offline lint does not reject it.
		for _, e := range rejected[fmt.Sprintf("%04d_form.sql", i+2)] {
			t.Errorf("%s: lint rejects what the server accepts: %s", f.SQL, e)
		}
		// The model reads its effect.
		conv, err := parser.Convert(sql, db.Name)
		if err != nil {
			t.Errorf("%s: the model cannot read it: %v", f.SQL, err)
			continue
		}
		switch f.Effect {
		case stmtforms.None:
			if !conv.NoEffect || len(conv.Changes) > 0 || len(conv.Unsupported) > 0 {
				t.Errorf("%s: a statement that changes no schema: no effect %v, changes %v, unsupported %+v", f.SQL, conv.NoEffect, conv.Changes, conv.Unsupported)
			}
		case stmtforms.Uncertain:
			touched := 0
			for _, u := range conv.Unsupported {
				if u.Unreadable {
					t.Errorf("%s: unreadable: %s", f.SQL, u.Reason)
				}
				touched += len(u.Objects) + len(u.Databases)
				if u.AllDatabases {
					touched++
				}
			}
			if touched == 0 {
				t.Errorf("%s: changes objects the model follows, but marks none uncertain: %+v", f.SQL, conv)
			}
		case stmtforms.Modelled:
			if len(conv.Changes) == 0 || len(conv.Unsupported) > 0 {
				t.Errorf("%s: the model does not replay it: changes %v, unsupported %+v", f.SQL, conv.Changes, conv.Unsupported)
			}
		}
	}
	t.Logf("%d forms of %d statement kinds", len(stmtforms.Forms), len(kinds))
}

// TestUseOfAnOutsideDatabase checks that USE of a database no migration
// creates (the DSN's, which the server has) is not a lint error, in any
// case, and that what follows it replays in that database (found by the
// differential tester's statement forms: "use ${db}").
func TestUseOfAnOutsideDatabase(t *testing.T) {
	fsys := mapFS(map[string]string{
		"0001_a.sql": "-- +up\nuse analytics;\nCREATE TABLE t (x UInt8) ENGINE = Memory;\nALTER TABLE analytics.t ADD COLUMN y UInt8;\n-- +down\nDROP TABLE analytics.t;\n",
	})
	rep, err := Lint(context.Background(), fsys, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := errorsOf(rep); len(got) != 0 {
		t.Errorf("errors = %v; findings %+v", got, rep.Findings)
	}
	// A table created twice in a database the migrations create is still
	// an error after it.
	fsys = mapFS(map[string]string{
		"0001_a.sql": "-- +up\nCREATE DATABASE d;\nUSE analytics;\nCREATE TABLE d.t (x UInt8) ENGINE = Memory;\nCREATE TABLE d.t (x UInt8) ENGINE = Memory;\n-- +down\n-- no-op\n",
	})
	if rep, err = Lint(context.Background(), fsys, Options{}); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(errorsOf(rep), ","); got != "replay 0001_a.sql:5:1" {
		t.Errorf("errors = %s", got)
	}
}

// inventoryVerbs are the statement verbs whose sub-kinds the server's
// parser lists in its syntax error after "EXPLAIN AST <verb> zzz".
var inventoryVerbs = []string{"SHOW", "KILL", "CREATE", "DROP", "ALTER", "CHECK", "MOVE", "BACKUP", "RESTORE",
	"UNDROP", "ATTACH", "DETACH", "EXCHANGE", "BEGIN", "DELETE", "EXECUTE", "OPTIMIZE"}

// TestInventoryCoversServerKinds derives the statement sub-kinds from the
// server's parser ("Expected one of" after each verb of inventoryVerbs)
// and checks that internal/stmtforms has a form of each: a sub-kind a new
// server adds (CREATE HYPOTHETICAL INDEX, SHOW MASKING POLICIES, …) fails
// here until it has a form, which TestStatementInventory then runs
// through lint.
func TestInventoryCoversServerKinds(t *testing.T) {
	db := chtest.New(t)
	ctx := context.Background()
	expected := regexp.MustCompile(`Expected one of: (.*), end of query`)
	keyword := regexp.MustCompile(`^[A-Z_]+( [A-Z_]+)*$`)
	notKinds := map[string]bool{"PARALLEL WITH": true, "INTO OUTFILE": true, "FORMAT": true, "SETTINGS": true}
	skipped := map[string]string{
		"DROP ALL":        "listed, but no statement starts so (26.7: DROP ALL TABLES FROM d is a syntax error)",
		"DROP TABLES":     "listed, but DROP TABLES t is a syntax error (26.7)",
		"DETACH ALL":      "listed, but DETACH ALL TABLES FROM d is a syntax error (26.7)",
		"DETACH TABLES":   "listed, but DETACH TABLES FROM d is a syntax error (26.7)",
		"ATTACH FUNCTION": "ATTACH FUNCTION f AS (x) -> x is a syntax error; the form the server wants (ARGUMENTS … RETURNS … ENGINE = …) is not in the inventory yet",
	}
	var starts []string
	for _, f := range stmtforms.Forms {
		starts = append(starts, strings.Join(strings.Fields(strings.ToUpper(f.SQL)), " ")+" ")
	}
	total := 0
	var missing []string
	for _, verb := range inventoryVerbs {
		err := db.Conn.Exec(ctx, "EXPLAIN AST "+verb+" zzz_no_such_kind zzz")
		m := expected.FindStringSubmatch(fmt.Sprint(err))
		if m == nil {
			t.Errorf("%s: the server lists no sub-kinds: %v", verb, err)
			continue
		}
		for _, alt := range strings.Split(m[1], ", ") {
			if !keyword.MatchString(alt) || notKinds[alt] {
				continue
			}
			if why, ok := skipped[verb+" "+alt]; ok {
				t.Logf("%s %s: skipped: %s", verb, alt, why)
				continue
			}
			total++
			prefix := verb + " " + alt + " "
			if !slices.ContainsFunc(starts, func(s string) bool { return strings.HasPrefix(s, prefix) }) {
				missing = append(missing, verb+" "+alt)
			}
		}
	}
	slices.Sort(missing)
	missing = slices.Compact(missing)
	if len(missing) > 0 {
		t.Errorf("internal/stmtforms has no form of %d of the %d sub-kinds the server lists: %s", len(missing), total, strings.Join(missing, "; "))
	}
}
