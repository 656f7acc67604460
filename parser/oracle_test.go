package parser_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/chschema/chschema/drift"
	"github.com/chschema/chschema/internal/chtest"
	"github.com/chschema/chschema/parser"
	"github.com/chschema/chschema/schema"
)

// modelOpts compares models field by field, skipping back-pointers and
// bookkeeping that the server does not report.
var modelOpts = cmp.Options{
	cmpopts.IgnoreFields(schema.Database{}, "Schema", "Detached", "Uncertain"),
	cmpopts.IgnoreFields(schema.Table{}, "Database", "Uncertain"),
	cmpopts.IgnoreFields(schema.View{}, "Database", "Uncertain"),
	cmpopts.IgnoreFields(schema.Dictionary{}, "Database", "Uncertain"),
	cmpopts.IgnoreFields(schema.Function{}, "Schema"),
	cmpopts.EquateEmpty(),
}

// corpus reads testdata/oracle/*.sql in name order with ${db} and ${fn}
// substituted.
func corpus(t *testing.T, db, fnPrefix string) map[string]string {
	t.Helper()
	files, err := filepath.Glob("testdata/oracle/*.sql")
	if err != nil || len(files) == 0 {
		t.Fatalf("no corpus: %v", err)
	}
	out := map[string]string{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out[f] = strings.NewReplacer("${db}", db, "${fn}", fnPrefix).Replace(string(b))
	}
	return out
}

// TestOracle replays the self-written corpus offline and on the real
// server, and asserts that the offline model equals what the server
// reports in its system tables, object by object and field by field.
func TestOracle(t *testing.T) {
	db := chtest.New(t)
	fnPrefix := "chs_" + strings.ReplaceAll(db.Name, "-", "_") + "_"
	files := corpus(t, db.Name, fnPrefix)
	statements, r := runOracle(t, db, files, fnPrefix, true)
	if statements < 200 {
		t.Errorf("corpus has %d statements, want at least 200", statements)
	}
	t.Run("copies", func(t *testing.T) { oracleCopies(t, db, r, fnPrefix) })
}

// TestOracleDir runs the oracle on a directory of someone else's
// migrations: CHSCHEMA_ORACLE_DIR names it. Its .sql files (recursively, in
// path order; the up section when a file has "-- +up" or "-- migrate:up"
// markers) run in one fresh database, as the session's default database.
// Findings are logged, not failures: the objects they touch are left out of
// the comparison, which is the point of marking them uncertain.
func TestOracleDir(t *testing.T) {
	dir := os.Getenv("CHSCHEMA_ORACLE_DIR")
	if dir == "" {
		t.Skip("CHSCHEMA_ORACLE_DIR is not set")
	}
	db := chtest.New(t)
	files := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".sql") {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		files[p] = upSection(string(b))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	_, _ = runOracle(t, db, files, "", false)
}

// upSection blanks everything but the up section of a migration file with
// "-- +up"/"-- +down" or dbmate's "-- migrate:up"/"-- migrate:down" markers,
// keeping line numbers.
func upSection(src string) string {
	lines := strings.Split(src, "\n")
	up, down := -1, len(lines)
	for i, l := range lines {
		switch strings.TrimSpace(l) {
		case "-- +up", "-- migrate:up":
			up = i
		case "-- +down", "-- migrate:down":
			if up >= 0 && down == len(lines) {
				down = i
			}
		}
	}
	if up < 0 {
		return src
	}
	for i := range lines {
		if i <= up || i >= down {
			lines[i] = ""
		}
	}
	return strings.Join(lines, "\n")
}

// runOracle replays files (name → SQL) offline with db as the current
// database, runs them on the server in db, and compares the models. With
// strict, every finding must be announced by an "-- expect-unsupported"
// comment on the line before its statement. It returns the number of
// statements and the replayer, which holds the offline model.
func runOracle(t *testing.T, db *chtest.DB, files map[string]string, fnPrefix string, strict bool) (int, *parser.Replayer) {
	t.Helper()
	ctx := context.Background()
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)

	// Offline.
	expected := schema.New()
	expected.AddDatabase(parser.ImplicitDatabase(db.Name))
	if !strict && db.Name != "default" {
		// Someone else's migrations may USE default.
		expected.AddDatabase(parser.ImplicitDatabase("default"))
	}
	r, err := parser.NewReplayer(expected, db.Name)
	if err != nil {
		t.Fatal(err)
	}
	if !strict {
		// The server runs every statement (or the test fails): what the
		// model refuses is uncertain, as for diff.
		r.TrustStatements()
	}
	statements := 0
	expectFindings := map[string]bool{} // file:line of statements marked "-- expect-unsupported"
	starts := map[string][]parser.Pos{} // where each file's statements start
	for _, n := range names {
		r.ReplayScript(n, files[n])
		stmts, err := parser.Split(files[n], parser.FileStart)
		if err != nil {
			t.Fatal(err)
		}
		statements += len(stmts)
		lines := strings.Split(files[n], "\n")
		for _, st := range stmts {
			starts[n] = append(starts[n], st.Pos)
			if l := st.Pos.Line - 2; l >= 0 && strings.HasPrefix(lines[l], "-- expect-unsupported") {
				expectFindings[fmt.Sprintf("%s:%d", n, st.Pos.Line)] = true
			}
		}
	}
	if err := r.Err(); err != nil {
		t.Fatalf("offline replay:\n%v", err)
	}
	// Every finding is expected, and every expected finding is reported:
	// what cannot be modelled is said, never dropped.
	seen := map[string]bool{}
	for _, f := range r.Findings() {
		if !strict {
			t.Logf("finding: %s", f)
			continue
		}
		// The statement the finding is in must be announced.
		key := ""
		for _, p := range starts[f.Pos.File] {
			if p.Line < f.Pos.Line || p.Line == f.Pos.Line && p.Col <= f.Pos.Col {
				key = fmt.Sprintf("%s:%d", f.Pos.File, p.Line)
			}
		}
		if !expectFindings[key] {
			t.Errorf("unexpected finding: %s", f)
			continue
		}
		seen[key] = true
	}
	for k := range expectFindings {
		if !seen[k] {
			t.Errorf("%s: expected a finding, got none", k)
		}
	}
	t.Logf("corpus: %d statements in %d files", statements, len(names))

	// On the server, in one session so that USE carries over.
	t.Cleanup(func() {
		for _, f := range expected.Functions {
			_ = db.Conn.Exec(ctx, "DROP FUNCTION IF EXISTS "+schema.BackQuote(f.Name))
		}
		if fnPrefix != "" {
			_ = db.Conn.Exec(ctx, "DROP FUNCTION IF EXISTS "+schema.BackQuote(fnPrefix+"dropped"))
		}
	})
	for _, n := range names {
		stmts, err := parser.Split(files[n], parser.FileStart)
		if err != nil {
			t.Fatal(err)
		}
		for _, st := range stmts {
			if err := db.Conn.Exec(ctx, st.Text); err != nil {
				t.Fatalf("%s:%s: server refused %q: %v", n, st.Pos, st.Text, err)
			}
		}
	}
	// Also 01856_${fn}f: names that start with a digit.
	keep := func(name string) bool { return strings.Contains(name, fnPrefix) }
	if fnPrefix == "" {
		// Someone else's migrations: compare the functions they create.
		keep = func(name string) bool {
			return slices.ContainsFunc(expected.Functions, func(f *schema.Function) bool { return f.Name == name })
		}
	}
	databases := []string{db.Name}
	if !strict {
		// Someone else's migrations: every database they create, and
		// default when they put objects there.
		kept := expected.Databases[:0]
		for _, d := range expected.Databases {
			if d.Name == "default" && len(d.Tables)+len(d.Views)+len(d.Dictionaries) == 0 {
				continue
			}
			kept = append(kept, d)
			if d.Name != db.Name {
				databases = append(databases, d.Name)
			}
		}
		expected.Databases = kept
	}
	live := readLive(t, db, databases, keep)
	expected.Sort()
	if !strict {
		// As diff does: what the server evaluated or canonicalises
		// (PORT tcpPort(), a type's or an expression's canonical form) is
		// settled by the server.
		n, err := drift.Canonicalize(ctx, db.Conn, expected, live)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("the server settled %d fields", n)
	}
	compareModels(t, expected, live)
	return statements, r
}

// compareModels asserts equality object by object, so that a failure names
// the object. Views whose columns the offline model could not infer
// (Columns nil) are compared without columns.
func compareModels(t *testing.T, want, got *schema.Schema) {
	t.Helper()
	for _, wd := range want.Databases {
		if wd.UncertainWhole() {
			continue // the model does not know what it holds
		}
		gd, ok := got.Database(wd.Name)
		if !ok {
			t.Errorf("database %s: missing on the server", wd.Name)
			continue
		}
		if wd.Engine.Name == "" {
			// Not declared: unknown, and never compared.
		} else if diff := cmp.Diff(wd.Engine, gd.Engine, modelOpts); diff != "" {
			t.Errorf("database %s engine (-offline +server):\n%s", wd.Name, diff)
		}
		for _, wt := range wd.Tables {
			if len(wt.Uncertain) > 0 {
				continue // the model says it does not know this table
			}
			gt, ok := gd.Table(wt.Name)
			if !ok {
				t.Errorf("table %s: missing on the server", wt.Name)
				continue
			}
			if diff := cmp.Diff(wt, gt, modelOpts); diff != "" {
				t.Errorf("table %s (-offline +server):\n%s", wt.Name, diff)
			}
		}
		for _, gt := range gd.Tables {
			if _, ok := wd.Table(gt.Name); !ok && len(wd.UncertaintiesOf(gt.Name)) == 0 {
				t.Errorf("table %s: on the server, not offline", gt.Name)
			}
		}
		inferred := 0
		for _, wv := range wd.Views {
			if len(wv.Uncertain) > 0 {
				continue // the model says it does not know this view
			}
			gv, ok := gd.View(wv.Name)
			if !ok {
				t.Errorf("view %s: missing on the server", wv.Name)
				continue
			}
			if u := gv.Uncertainties(); len(u) > 0 && u[0].Reason == schema.NoDefinition {
				continue // the server cannot read back what it stored: nothing to compare
			}
			g := *gv
			if wv.Columns == nil {
				g.Columns = nil
			} else {
				inferred++
			}
			if diff := cmp.Diff(wv, &g, modelOpts); diff != "" {
				t.Errorf("view %s (-offline +server):\n%s", wv.Name, diff)
			}
		}
		t.Logf("views: %d of %d with columns known offline", inferred, len(wd.Views))
		for _, gv := range gd.Views {
			if _, ok := wd.View(gv.Name); !ok && len(wd.UncertaintiesOf(gv.Name)) == 0 {
				t.Errorf("view %s: on the server, not offline", gv.Name)
			}
		}
		for _, wx := range wd.Dictionaries {
			if len(wx.Uncertain) > 0 {
				continue // the model says it does not know this dictionary
			}
			gx, ok := gd.Dictionary(wx.Name)
			if !ok {
				t.Errorf("dictionary %s: missing on the server", wx.Name)
				continue
			}
			if diff := cmp.Diff(wx, gx, modelOpts); diff != "" {
				t.Errorf("dictionary %s (-offline +server):\n%s", wx.Name, diff)
			}
		}
		for _, gx := range gd.Dictionaries {
			if _, ok := wd.Dictionary(gx.Name); !ok && len(wd.UncertaintiesOf(gx.Name)) == 0 {
				t.Errorf("dictionary %s: on the server, not offline", gx.Name)
			}
		}
	}
	if diff := cmp.Diff(want.Functions, got.Functions, modelOpts); diff != "" {
		t.Errorf("functions (-offline +server):\n%s", diff)
	}
}

// readLive reads databases from the server the way drift detection does
// (schema.ReadLive with the parser's CreateReader), keeping only the SQL
// functions keep accepts (functions are server-wide, and other tests make
// theirs); with a nil keep it reads none.
func readLive(t *testing.T, db *chtest.DB, databases []string, keep func(name string) bool) *schema.Schema {
	t.Helper()
	live, _, err := schema.ReadLive(context.Background(), db.Conn, schema.LiveOptions{Databases: databases, Parser: parser.CreateReader{}, NoFunctions: keep == nil})
	if err != nil {
		t.Fatal(err)
	}
	live.Functions = slices.DeleteFunc(live.Functions, func(f *schema.Function) bool { return keep == nil || !keep(f.Name) })
	return live
}

// TestCorpusParses checks that the gap layer, as lint uses it offline,
// accepts every statement of the oracle corpus, which the server accepts:
// each parses, and what AfterShip rejects the conversion reads in full.
func TestCorpusParses(t *testing.T) {
	for file, src := range corpus(t, "db", "fn_") {
		stmts, err := parser.Split(src, parser.FileStart)
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		for _, st := range stmts {
			r, err := parser.Parse(st)
			if err != nil {
				t.Errorf("%s:%v", file, err)
				continue
			}
			if r.Native() {
				continue
			}
			conv, err := parser.Convert(st.Text, "db")
			if err != nil {
				t.Errorf("%s:%s: Convert: %v", file, st.Pos, err)
				continue
			}
			for _, u := range conv.Unsupported {
				if u.Unreadable {
					t.Errorf("%s:%s: %s", file, st.PosAt(u.Offset), u.Reason)
				}
			}
		}
	}
}
