package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chschema/chschema/apply"
	"github.com/chschema/chschema/internal/chtest"
)

// TestUnlockCluster releases the locks a crashed per-node run left on the
// nodes of a loopback cluster: every reachable node's lock is dropped and
// named, a node that is down is reported (exit 2) rather than skipped, and
// once it is back a second run finds no lock anywhere.
func TestUnlockCluster(t *testing.T) {
	db := chtest.Cluster(t, 3)
	bin := sharedBinary(t)
	dir := clusterDir(t, map[string]string{"svc/0001_local.sql": localAndDistributed})
	ctx := context.Background()
	for _, i := range []int{1, 2} {
		// A holder with a long lease, as a run killed with SIGKILL leaves it.
		l, err := apply.NewTableLock(db.Node(i).Conn, db.Name, "chschema_migrations_lock", apply.LockOptions{Lease: time.Hour, ID: fmt.Sprintf("crashed-%d", i)})
		if err != nil {
			t.Fatal(err)
		}
		if err := l.Acquire(ctx); err != nil {
			t.Fatal(err)
		}
	}
	args := []string{"unlock", "--dsn", db.Node(1).DSN, "--cluster", chtest.ShardedCluster}

	db.Stop(3)
	r := runBinary(t, bin, dir, nil, args...)
	if r.code != 2 || !strings.Contains(r.stderr, fmt.Sprintf("node 3 (127.0.0.1:%s) unreachable", portOf(db.Node(3).Node.DSN))) {
		t.Errorf("unlock --cluster with node 3 down: exit %d, want 2 naming node 3\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	for _, i := range []int{1, 2} {
		want := fmt.Sprintf("node %d (127.0.0.1:%s): released the lock held by crashed-%d", i, portOf(db.Node(i).Node.DSN), i)
		if !strings.Contains(r.stdout, want) {
			t.Errorf("unlock --cluster: stdout lacks %q:\n%s", want, r.stdout)
		}
		if got := nodeTables(t, db.Node(i).Conn); slicesContain(got, "chschema_migrations_lock") {
			t.Errorf("node %d: the lock is still there after unlock --cluster: %v", i, got)
		}
	}

	db.Start(3)
	r = runBinary(t, bin, dir, nil, append(args, "--format", "json")...)
	var doc struct {
		Cluster string
		Nodes   []struct {
			Node   struct{ Node int }
			Result struct{ Released bool }
			Error  string
		}
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatalf("unlock --cluster --format json: %v\n%s", err, r.stdout)
	}
	if r.code != 0 || doc.Cluster != chtest.ShardedCluster || len(doc.Nodes) != 3 {
		t.Fatalf("unlock --cluster again: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	for i, n := range doc.Nodes {
		if n.Node.Node != i+1 || n.Result.Released || n.Error != "" {
			t.Errorf("unlock --cluster again, node %d: %+v, want no lock held", i+1, n)
		}
	}
}
