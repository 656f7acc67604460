package chschema

import (
	"context"
	"testing"
	"testing/fstest"

	"github.com/chschema/chschema/internal/chtest"
	"github.com/chschema/chschema/schema"
	"github.com/google/go-cmp/cmp"
)

// TestPerNodeSectionIsASession: a per-node run runs each section in a
// session on every node: a USE and a SET reach the section's later
// statements on each node, and the next section starts in the node's
// DSN database without them.
func TestPerNodeSectionIsASession(t *testing.T) {
	db := chtest.Cluster(t, 2)
	ctx := context.Background()
	other := db.Name + "_o"
	t.Cleanup(func() {
		for _, n := range db.Nodes {
			_ = n.Conn.Exec(context.Background(), "DROP DATABASE IF EXISTS "+schema.QuoteIdent(other)+" SYNC")
		}
	})
	p, err := OpenFS(fstest.MapFS{
		"svc/0001_use.sql": {Data: []byte("-- +up\nCREATE DATABASE " + other + ";\nUSE " + other + ";\n" +
			"SET allow_deprecated_syntax_for_merge_tree = 1;\nCREATE TABLE old (d Date, k UInt64) ENGINE = MergeTree(d, k, 8192);\n" +
			"-- +down\nDROP DATABASE " + other + ";\n")},
		"svc/0002_plain.sql": {Data: []byte("-- +up\nCREATE TABLE plain (x UInt8) ENGINE = Memory;\n-- +down\nDROP TABLE plain;\n")},
	})
	if err != nil {
		t.Fatal(err)
	}
	c := connectTestCluster(t, db, chtest.ShardedCluster)
	if _, err := p.MigrateCluster(ctx, c, PerNode()); err != nil {
		t.Fatal(err)
	}
	for _, n := range db.Nodes {
		if got := tablesOf(t, n.Conn, other); !cmp.Equal(got, []string{"old"}) {
			t.Errorf("node %d: tables of %s %v, want [old]", n.Index, other, got)
		}
		if got := tablesOf(t, n.Conn, db.Name); !cmp.Equal(got, []string{"chschema_migrations", "plain"}) {
			t.Errorf("node %d: tables of %s %v, want [chschema_migrations plain]: the second section inherited the first's USE", n.Index, db.Name, got)
		}
	}
}
