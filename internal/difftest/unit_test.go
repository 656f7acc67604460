package difftest

import (
	"context"
	"strings"
	"testing"

	"github.com/chschema/chschema/internal/chtest"
	"github.com/chschema/chschema/migrations"
)

// TestLayoutPositions checks that every statement sits in the migration
// files at the position Layout reports, whatever the seed's layout (pairs
// of files, separators, comments), and that the directory loads.
func TestLayoutPositions(t *testing.T) {
	stmts := []string{"CREATE TABLE t (a UInt8) ENGINE = Memory", "ALTER TABLE t\n    ADD COLUMN b String", "SELECT 'a;b'",
		"CREATE VIEW v AS SELECT * FROM t", "DROP TABLE t", "SELECT '${x}'", "SELECT 1"}
	for seed := range uint64(50) {
		fsys, placed := Layout(seed, stmts)
		if _, err := migrations.Open(fsys); err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		for i, p := range placed {
			f, ok := fsys[p.File]
			if !ok {
				t.Fatalf("seed %d: statement %d in %s, which is not a file", seed, i, p.File)
			}
			lines := strings.Split(string(f.Data), "\n")
			at := lines[p.Line-1][p.Col-1:]
			want := strings.SplitN(escapeTemplate(stmts[i]), "\n", 2)[0]
			if !strings.HasPrefix(at, want) {
				t.Errorf("seed %d: statement %d at %s:%d:%d reads %q, want %q", seed, i, p.File, p.Line, p.Col, at, want)
			}
		}
	}
}

// TestGenDeterministic checks that a seed makes the same statements.
func TestGenDeterministic(t *testing.T) {
	srv := chtest.Shared(t)
	cat, err := ReadCatalog(context.Background(), srv.Connect(t, ""))
	if err != nil {
		t.Fatal(err)
	}
	run := func(seed uint64) []string {
		g := NewGen(cat, seed)
		var out []string
		for range 40 {
			st := g.Next()
			g.Accept(st) // as if the server took them all
			out = append(out, st.SQL)
		}
		return out
	}
	a, b, c := run(7), run(7), run(8)
	if strings.Join(a, ";") != strings.Join(b, ";") {
		t.Error("the same seed made different statements")
	}
	if strings.Join(a, ";") == strings.Join(c, ";") {
		t.Error("two seeds made the same statements")
	}
	if len(cat.Usable(SurfaceType)) == 0 || len(cat.Usable(SurfaceEngine)) == 0 || cat.Excluded[SurfaceEngine]["ReplicatedMergeTree"] == "" {
		t.Errorf("catalog: %d types, %d engines usable; ReplicatedMergeTree excluded by %q",
			len(cat.Usable(SurfaceType)), len(cat.Usable(SurfaceEngine)), cat.Excluded[SurfaceEngine]["ReplicatedMergeTree"])
	}
}
