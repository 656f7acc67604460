package apply

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/chschema/chschema/internal/chtest"
)

// onClusterConn is a connection for proving the statements chschema writes
// with --cluster on servers without ON CLUSTER (the local ones refuse it:
// "Replicated DDL queries are disabled"). Every Exec that carries the clause
// chschema writes, " ON CLUSTER `name`", is first parsed by the server's own
// parser (EXPLAIN AST) and formatted by it (formatQuery), which must keep the
// clause; then its local form, the statement without the clause, runs, as
// each node of a cluster would run it.
type onClusterConn struct {
	driver.Conn
	t      testing.TB
	clause string

	mu      sync.Mutex
	checked []string // the statements with the clause, as chschema wrote them
}

func newOnClusterConn(t testing.TB, conn driver.Conn, cluster string) *onClusterConn {
	return &onClusterConn{Conn: conn, t: t, clause: " ON CLUSTER " + quoteIdent(cluster)}
}

func (c *onClusterConn) Exec(ctx context.Context, query string, args ...any) error {
	if !strings.Contains(query, c.clause) {
		c.t.Errorf("a statement without %q: %s", c.clause, query)
		return c.Conn.Exec(ctx, query, args...)
	}
	rows, err := c.Conn.Query(ctx, "EXPLAIN AST "+query)
	if err == nil {
		for rows.Next() {
		}
		err = rows.Err()
		rows.Close()
	}
	if err != nil {
		c.t.Errorf("the server's parser rejects %s: %v", query, err)
	}
	var formatted string
	if err := c.Conn.QueryRow(ctx, "SELECT formatQuerySingleLine(?)", query).Scan(&formatted); err != nil {
		c.t.Errorf("formatQuery(%s): %v", query, err)
	} else if !strings.Contains(formatted, strings.ReplaceAll(c.clause, "`", "")) && !strings.Contains(formatted, c.clause) {
		c.t.Errorf("the server reads %s as %s: the ON CLUSTER clause is gone", query, formatted)
	}
	c.mu.Lock()
	c.checked = append(c.checked, query)
	c.mu.Unlock()
	return c.Conn.Exec(ctx, strings.Replace(query, c.clause, "", 1), args...)
}

// kinds returns the leading words of the checked statements, sorted, once
// each: "ALTER TABLE", "CREATE DATABASE", ….
func (c *onClusterConn) kinds() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	seen := map[string]bool{}
	for _, q := range c.checked {
		f := strings.Fields(q)
		seen[f[0]+" "+f[1]] = true
	}
	var out []string
	for k := range seen {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// TestClusterBookkeepingStatements runs the history and the lock with a
// cluster on a real server: every DDL statement they write (history and
// lock creation, the lock's renewal, the break of an expired lock, its
// release) carries ON CLUSTER, is accepted by the server's parser with the
// clause in place, and works in its local form.
func TestClusterBookkeepingStatements(t *testing.T) {
	db := chtest.New(t)
	ctx := context.Background()
	conn := newOnClusterConn(t, db.Server.Connect(t, db.Name), "my-cluster")
	hdb := db.Name + "_history"
	t.Cleanup(func() { _ = db.Conn.Exec(ctx, "DROP DATABASE IF EXISTS "+quoteIdent(hdb)+" SYNC") })

	// The history's DDL (the replicated engine needs a keeper: see
	// TestReplicatedHistoryOnLoopbackCluster).
	h, err := NewTableHistory(conn, HistoryOptions{Database: hdb, Table: "chschema_migrations", Engine: DefaultHistoryEngine, Cluster: "my-cluster"})
	if err != nil {
		t.Fatal(err)
	}
	if err := h.Ensure(ctx); err != nil {
		t.Fatal(err)
	}
	if err := h.Append(ctx, Event{Service: "s", Version: 1, Status: StatusApplied}); err != nil {
		t.Fatal(err)
	}

	// The lock's: an expired holder, broken by a second run, which renews
	// and releases.
	old, err := NewTableLock(conn, hdb, LockTableName("chschema_migrations"), LockOptions{Lease: 300 * time.Millisecond, OnCluster: "my-cluster"})
	if err != nil {
		t.Fatal(err)
	}
	if err := old.Acquire(ctx); err != nil {
		t.Fatal(err)
	}
	old.mu.Lock()
	stop, done := old.stop, old.done
	old.mu.Unlock()
	close(stop) // a crashed holder: no more renewals
	<-done
	time.Sleep(400 * time.Millisecond)
	l, err := NewTableLock(conn, hdb, LockTableName("chschema_migrations"), LockOptions{Lease: 1500 * time.Millisecond, Timeout: 10 * time.Second, OnCluster: "my-cluster"})
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Acquire(ctx); err != nil {
		t.Fatal(err)
	}
	// Wait for a renewal (every Lease/3), however loaded the machine is.
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(strings.Join(conn.kinds(), ","), "ALTER TABLE"); {
		if time.Now().After(deadline) {
			t.Fatal("no renewal of the lock in 10 s")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := l.Release(ctx); err != nil {
		t.Fatal(err)
	}

	want := []string{"ALTER TABLE", "CREATE DATABASE", "CREATE TABLE", "DROP TABLE", "RENAME TABLE"}
	if got := conn.kinds(); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("statements with ON CLUSTER: %v, want %v", got, want)
	}
	var creates int
	for _, q := range conn.checked {
		if strings.HasPrefix(q, "CREATE TABLE") {
			creates++
		}
	}
	if creates < 3 { // the history, and two locks
		t.Errorf("%d CREATE TABLE statements checked, want the history and both locks:\n%s", creates, strings.Join(conn.checked, "\n"))
	}
}

// TestReplicatedHistoryOnLoopbackCluster creates the --cluster history,
// ReplicatedHistoryEngine, on every node of a loopback cluster whose nodes
// share a ZooKeeper, in its local form (this mode has no ON CLUSTER): the
// server accepts the engine's arguments, expands its macros into the same
// keeper path on every node and a replica name per node, and every node
// sees the others as replicas of one history.
func TestReplicatedHistoryOnLoopbackCluster(t *testing.T) {
	cl := chtest.ClusterWith(t, chtest.ClusterOptions{Nodes: 3, Keeper: chtest.ZooKeeper})
	ctx := context.Background()
	for _, n := range cl.Nodes {
		conn := newOnClusterConn(t, n.Conn, chtest.ReplicatedCluster)
		h, err := NewTableHistory(conn, HistoryOptions{Database: cl.Name, Table: "chschema_migrations", Engine: ReplicatedHistoryEngine, Cluster: chtest.ReplicatedCluster})
		if err != nil {
			t.Fatal(err)
		}
		if err := h.Ensure(ctx); err != nil {
			t.Fatalf("node %d: %v", n.Index, err)
		}
		if events, err := h.Load(ctx); err != nil || len(events) != 0 {
			t.Errorf("node %d: Load = %v, %v; want an empty history", n.Index, events, err)
		}
	}
	wantPath := fmt.Sprintf("/clickhouse/tables/%s/chschema_migrations", cl.Name)
	for _, n := range cl.Nodes {
		var engine, path, replica string
		var total uint32
		err := n.Conn.QueryRow(ctx, `SELECT t.engine, r.zookeeper_path, r.replica_name, r.total_replicas
			FROM system.replicas AS r JOIN system.tables AS t ON t.database = r.database AND t.name = r.table
			WHERE r.database = ? AND r.table = 'chschema_migrations'`, cl.Name).Scan(&engine, &path, &replica, &total)
		if err != nil {
			t.Fatalf("node %d: %v", n.Index, err)
		}
		if engine != "ReplicatedMergeTree" || path != wantPath || replica != fmt.Sprintf("node%d", n.Index) || total != uint32(len(cl.Nodes)) {
			t.Errorf("node %d: %s at %s, replica %s, %d replicas; want ReplicatedMergeTree at %s, replica node%d, %d replicas",
				n.Index, engine, path, replica, total, wantPath, n.Index, len(cl.Nodes))
		}
	}
}
