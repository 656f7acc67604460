package parser_test

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	chschema "github.com/chschema/chschema"
	"github.com/chschema/chschema/internal/chtest"
	"github.com/chschema/chschema/lint"
	"github.com/chschema/chschema/migrations"
	"github.com/chschema/chschema/parser"
	"github.com/chschema/chschema/schema"
)

// TestCorpora runs held-out corpora: CHSCHEMA_CORPORA names a directory,
// and every directory under it that holds a chschema migrations root in
// migrations/ (or is one itself: init.sql or service folders of
// NNNN_name.sql files) is a corpus, for example /work/corpora's projects/*
// and stateless/*. For each corpus, in a subtest named after it:
//
//   - lint: offline chschema lint of the root must report no error (the
//     statements ran on a server; lint's false positives fail CI);
//   - oracle: init.sql and every up section, in the order migrate applies
//     them (services in name order), with ${NAME} from CHSCHEMA_VAR_NAME,
//     run offline through the model and on the real server in one fresh
//     database (the session's; ${CLICKHOUSE_DATABASE} is its name), and
//     the model must equal what the server reports, object by object, as
//     TestOracleDir does, after the server settles what diff lets it
//     settle (drift.Canonicalize); statements the model cannot follow are
//     logged and their objects left out.
//
// It ends with one line per corpus (ok, or what failed) and the counts.
// The corpora stay outside the repository (their licences); their minimal
// reproductions are the oracle corpus (testdata/oracle) and lint tests.
//
//	CHSCHEMA_TEST_DSN=clickhouse://default@127.0.0.1:19000/default \
//	CHSCHEMA_CORPORA=/work/corpora go test ./parser -run TestCorpora -v
//
// CHSCHEMA_CORPORA_RUN, a substring, selects the corpora whose path has it.
func TestCorpora(t *testing.T) {
	root := os.Getenv("CHSCHEMA_CORPORA")
	if root == "" {
		t.Skip("CHSCHEMA_CORPORA is not set")
	}
	dirs, err := corporaUnder(root)
	if err != nil {
		t.Fatal(err)
	}
	if len(dirs) == 0 {
		t.Fatalf("no corpus under %s (a corpus is a directory with migrations/ in it)", root)
	}
	vars := chschema.VarsFromEnviron(os.Environ())
	type result struct{ name, lint, oracle string }
	var results []result
	for _, dir := range dirs {
		if sel := os.Getenv("CHSCHEMA_CORPORA_RUN"); sel != "" && !strings.Contains(dir, sel) {
			continue
		}
		name, _ := filepath.Rel(root, strings.TrimSuffix(dir, string(filepath.Separator)+"migrations"))
		res := result{name: name, lint: "ok", oracle: "ok"}
		ok := t.Run(name, func(t *testing.T) {
			db := chtest.New(t)
			// The session's database, as /work/corpora's run.sh sets it.
			vars := maps.Clone(vars)
			vars["CLICKHOUSE_DATABASE"] = db.Name
			report, err := lint.Lint(context.Background(), migrations.DirFS(dir), lint.Options{Vars: vars})
			switch {
			case err != nil:
				res.lint = "error: " + firstLineOf(err)
				t.Errorf("lint: %v", err)
			case report.Errors() > 0:
				res.lint = fmt.Sprintf("%d errors", report.Errors())
				for _, f := range report.Findings {
					if f.Severity == lint.Error {
						t.Errorf("lint: %s:%d:%d: %s %s", f.File, f.Line, f.Col, f.Rule, f.Message)
					}
				}
			}
			files, err := corpusFiles(dir, vars)
			if err != nil {
				res.oracle = "error: " + firstLineOf(err)
				t.Fatal(err)
			}
			t.Cleanup(func() { dropCreatedDatabases(t, db, files) })
			_, _ = runOracle(t, db, files, "", false)
		})
		if !ok && res.oracle == "ok" {
			res.oracle = "FAIL (see the subtest)"
		}
		results = append(results, res)
	}
	var b strings.Builder
	clean := 0
	for _, r := range results {
		if r.lint == "ok" && r.oracle == "ok" {
			clean++
		}
		fmt.Fprintf(&b, "%-50s lint: %-12s oracle: %s\n", r.name, r.lint, r.oracle)
	}
	t.Logf("corpora under %s:\n%s%d corpora, %d clean", root, b.String(), len(results), clean)
}

// corporaUnder lists the corpus directories under root, in path order.
func corporaUnder(root string) ([]string, error) {
	var out []string
	if st, err := os.Stat(filepath.Join(root, "migrations")); err == nil && st.IsDir() {
		return []string{filepath.Join(root, "migrations")}, nil
	}
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		if d.Name() == "migrations" {
			out = append(out, p)
			return filepath.SkipDir
		}
		return nil
	})
	sort.Strings(out)
	return out, err
}

// corpusFiles returns init.sql and the up sections of a migrations root,
// rendered with vars, keyed so that name order is the order migrate applies
// them.
func corpusFiles(dir string, vars map[string]string) (map[string]string, error) {
	d, err := migrations.Open(migrations.DirFS(dir))
	if err != nil {
		return nil, err
	}
	files := map[string]string{}
	n := 0
	add := func(s *migrations.Section) error {
		if s == nil {
			return nil
		}
		r, err := s.Render(vars)
		if err != nil {
			return fmt.Errorf("%s: %w", s.File, err)
		}
		// Blank lines before the section keep its line numbers.
		files[fmt.Sprintf("%05d %s", n, s.File)] = strings.Repeat("\n", max(0, s.Start.Line-1)) + r.Text
		n++
		return nil
	}
	if err := add(d.Init); err != nil {
		return nil, err
	}
	for _, svc := range d.Services {
		for _, m := range svc.Migrations {
			if err := add(m.Up); err != nil {
				return nil, err
			}
		}
	}
	return files, nil
}

// dropCreatedDatabases drops the databases the corpus created besides the
// test's own, which chtest drops.
func dropCreatedDatabases(t *testing.T, db *chtest.DB, files map[string]string) {
	s := schema.New()
	s.AddDatabase(parser.ImplicitDatabase(db.Name))
	s.AddDatabase(parser.ImplicitDatabase("default"))
	r, err := parser.NewReplayer(s, db.Name)
	if err != nil {
		return
	}
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		r.ReplayScript(n, files[n])
	}
	ctx := context.Background()
	for _, d := range s.Databases {
		switch d.Name {
		case db.Name, "system":
		case "default":
			// Only what the corpus made there.
			for _, v := range d.Views {
				_ = db.Conn.Exec(ctx, "DROP VIEW IF EXISTS `default`."+schema.BackQuote(v.Name)+" SYNC")
			}
			for _, x := range d.Dictionaries {
				_ = db.Conn.Exec(ctx, "DROP DICTIONARY IF EXISTS `default`."+schema.BackQuote(x.Name)+" SYNC")
			}
			for _, x := range d.Tables {
				_ = db.Conn.Exec(ctx, "DROP TABLE IF EXISTS `default`."+schema.BackQuote(x.Name)+" SYNC")
			}
		default:
			_ = db.Conn.Exec(ctx, "DROP DATABASE IF EXISTS "+schema.BackQuote(d.Name)+" SYNC")
		}
	}
}
