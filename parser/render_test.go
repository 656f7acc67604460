package parser_test

import (
	"context"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/ClickHouse/clickhouse-go/v2"

	"github.com/chschema/chschema/internal/chtest"
	"github.com/chschema/chschema/parser"
	"github.com/chschema/chschema/schema"
)

// TestRenderRecreates replays the oracle corpus offline, renders the model
// as canonical SQL, runs that SQL on a fresh database and asserts that the
// server then reports the same schema.
func TestRenderRecreates(t *testing.T) {
	db := chtest.New(t)
	ctx := context.Background()
	fnPrefix := "chr_" + db.Name + "_"
	files := corpus(t, db.Name, fnPrefix)
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	expected := schema.New()
	expected.AddDatabase(parser.ImplicitDatabase(db.Name))
	r, err := parser.NewReplayer(expected, db.Name)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		r.ReplayScript(n, files[n])
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for _, f := range expected.Functions {
			_ = db.Conn.Exec(ctx, "DROP FUNCTION IF EXISTS "+schema.BackQuote(f.Name))
		}
	})
	// What the model says it does not know (a view over a NATURAL JOIN)
	// is not promised to render as the server has it: left out.
	for _, d := range expected.Databases {
		d.Views = slices.DeleteFunc(d.Views, func(v *schema.View) bool { return len(v.Uncertain) > 0 })
	}
	stmts := schema.Statements(expected)
	// The corpus uses experimental codecs and similar Variant types (which its CREATEs allow in
	// their SETTINGS), and old-style MergeTree tables are rendered as they were written; the
	// rendered SQL needs the same opt-ins, as a user's profile would give them.
	optIn := clickhouse.Context(ctx, clickhouse.WithSettings(clickhouse.Settings{"allow_experimental_codecs": 1, "allow_suspicious_codecs": 1,
		"allow_suspicious_variant_types": 1, "allow_deprecated_syntax_for_merge_tree": 1}))
	for _, st := range stmts {
		if err := db.Conn.Exec(optIn, st); err != nil {
			t.Fatalf("server refused rendered %q: %v", st, err)
		}
	}
	t.Logf("%d rendered statements", len(stmts))
	live := readLive(t, db, []string{db.Name}, func(name string) bool { return strings.Contains(name, fnPrefix) })
	expected.Sort()
	compareModels(t, expected, live)

	// The rendered SQL is a fixed point: rendering the live model gives the
	// same statements (with the view columns the offline model leaves
	// unknown, and a database engine nobody declared, left out on both
	// sides).
	for _, wd := range expected.Databases {
		gd, ok := live.Database(wd.Name)
		if !ok {
			continue
		}
		if wd.Engine.Name == "" {
			gd.Engine = schema.Engine{}
		}
		// Tables the model says it does not know are left out.
		for _, wt := range wd.Tables {
			if len(wt.Uncertain) > 0 {
				if gt, ok := gd.Table(wt.Name); ok {
					*gt = *wt
				}
			}
		}
		for _, wv := range wd.Views {
			gv, ok := gd.View(wv.Name)
			switch {
			case !ok:
			case len(wv.Uncertain) > 0:
				*gv = *wv // as uncertain tables are
			case wv.Columns == nil:
				gv.Columns = nil
			}
		}
	}
	if a, b := strings.Join(schema.Statements(expected), "\n"), strings.Join(schema.Statements(live), "\n"); a != b {
		t.Errorf("render(offline) != render(live):\n%s", firstDiff(a, b))
	}
}

func firstDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < len(al) && i < len(bl); i++ {
		if al[i] != bl[i] {
			return "offline: " + al[i] + "\nlive:    " + bl[i]
		}
	}
	return "lengths differ"
}
