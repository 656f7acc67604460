package plan_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/chschema/chschema/internal/chtest"
	"github.com/chschema/chschema/parser"
	"github.com/chschema/chschema/plan"
)

// TestPlanMatrixOnCluster plans every edit of TestPlanMatrix with a cluster:
// each statement is accepted by the server's parser with its ON CLUSTER
// clause in place (formatQuery keeps it), and without the clause it is the
// statement TestPlanMatrix runs on the server. A rebuild, whose INSERT …
// SELECT has no ON CLUSTER, is refused with ErrCluster.
func TestPlanMatrixOnCluster(t *testing.T) {
	old, text := exampleSchema(t)
	db := chtest.New(t)
	ctx := context.Background()
	sp, err := parser.NewServerParser(db.Conn)
	if err != nil {
		t.Fatal(err)
	}
	const cluster = "chschema_replicated"
	clause := " ON CLUSTER " + cluster
	var checked, refused int
	for _, e := range edits {
		if e.wantErr != nil {
			continue
		}
		want := desired(t, e.apply(t, text))
		local, err := plan.Plan(old, want, e.opts)
		if err != nil {
			t.Fatalf("%s: %v", e.name, err)
		}
		opts := e.opts
		opts.Cluster = cluster
		m, err := plan.Plan(old, want, opts)
		rebuild := strings.Contains(local.Render(), "INSERT INTO")
		if rebuild {
			if !errors.Is(err, plan.ErrCluster) {
				t.Errorf("%s: a rebuild with a cluster: got %v, want ErrCluster", e.name, err)
			}
			refused++
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", e.name, err)
		}
		for _, pair := range [][2][]plan.Statement{{local.Up, m.Up}, {local.Down, m.Down}} {
			if len(pair[0]) != len(pair[1]) {
				t.Fatalf("%s: %d statements with a cluster, %d without", e.name, len(pair[1]), len(pair[0]))
			}
			for i, st := range pair[1] {
				if !strings.Contains(st.SQL, clause) || strings.Replace(st.SQL, clause, "", 1) != pair[0][i].SQL {
					t.Errorf("%s: with a cluster\n%s\nwithout\n%s", e.name, st.SQL, pair[0][i].SQL)
				}
				if err := sp.Check(ctx, parser.Statement{Text: st.SQL, Pos: parser.FileStart}); err != nil {
					t.Errorf("%s: the server's parser rejects %s: %v", e.name, st.SQL, err)
				}
				var formatted string
				if err := db.Conn.QueryRow(ctx, "SELECT formatQuerySingleLine(?)", st.SQL).Scan(&formatted); err != nil || !strings.Contains(formatted, clause) {
					t.Errorf("%s: formatQuery(%s) = %q, %v: the clause is gone", e.name, st.SQL, formatted, err)
				}
				checked++
			}
		}
	}
	if checked < 50 || refused == 0 {
		t.Errorf("%d statements checked, %d rebuilds refused; the matrix should give more", checked, refused)
	}
	t.Logf("%d statements checked, %d rebuilds refused", checked, refused)
}
