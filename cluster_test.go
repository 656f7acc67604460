package chschema

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/chschema/chschema/apply"
	"github.com/chschema/chschema/diff"
	"github.com/chschema/chschema/internal/chtest"
	"github.com/google/go-cmp/cmp"
)

// shardedFS is a service with local tables on every node and a Distributed
// table over them, then a column added to both (local first, as the
// distributed-alter-order rule asks), then a second service's table.
func shardedFS() fstest.MapFS {
	return fstest.MapFS{
		"svc/0001_local.sql": {Data: []byte(`-- +up
CREATE TABLE ${DB}.t_local (x UInt64) ENGINE = MergeTree ORDER BY x;
CREATE TABLE ${DB}.t_dist AS ${DB}.t_local ENGINE = Distributed(chschema_sharded, ${DB}, t_local, x);
-- +down
DROP TABLE ${DB}.t_dist;
DROP TABLE ${DB}.t_local;
`)},
		"svc/0002_column.sql": {Data: []byte(`-- +up
ALTER TABLE ${DB}.t_local ADD COLUMN y UInt8 DEFAULT 7;
ALTER TABLE ${DB}.t_dist ADD COLUMN y UInt8 DEFAULT 7;
-- +down
ALTER TABLE ${DB}.t_dist DROP COLUMN y;
ALTER TABLE ${DB}.t_local DROP COLUMN y;
`)},
		"zzz/0001_other.sql": {Data: []byte(`-- +up
CREATE TABLE ${DB}.other (k String) ENGINE = MergeTree ORDER BY k;
-- +down
DROP TABLE ${DB}.other;
`)},
	}
}

// connectTestCluster connects to every node of the test's cluster through
// node 1's DSN.
func connectTestCluster(t *testing.T, db *chtest.ClusterDB, name string) *Cluster {
	t.Helper()
	c, err := ConnectCluster(context.Background(), db.Node(1).DSN, name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if len(c.Nodes) != len(db.Nodes) {
		t.Fatalf("ConnectCluster found %d nodes, want %d", len(c.Nodes), len(db.Nodes))
	}
	return c
}

// columnsOf lists a table's columns on a node as "name type default".
func columnsOf(t *testing.T, conn driver.Conn, database, table string) []string {
	t.Helper()
	rows, err := conn.Query(context.Background(), "SELECT name, type, default_expression FROM system.columns WHERE database = ? AND table = ? ORDER BY position", database, table)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n, ty, def string
		if err := rows.Scan(&n, &ty, &def); err != nil {
			t.Fatal(err)
		}
		out = append(out, strings.TrimSpace(n+" "+ty+" "+def))
	}
	return out
}

// tablesOf lists the tables of a database on a node.
func tablesOf(t *testing.T, conn driver.Conn, database string) []string {
	t.Helper()
	rows, err := conn.Query(context.Background(), "SELECT name FROM system.tables WHERE database = ? ORDER BY name", database)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		out = append(out, n)
	}
	return out
}

// statementTimes reads, from each node's query log, when each statement of
// the attempt ran there: the start and finish of the statements whose
// query_id is chschema's for a migration.
type stmtTime struct {
	node          int
	key           string
	index         int
	start, finish time.Time
}

func statementTimes(t *testing.T, db *chtest.ClusterDB) []stmtTime {
	t.Helper()
	ctx := context.Background()
	var out []stmtTime
	for _, n := range db.Nodes {
		if err := n.Conn.Exec(ctx, "SYSTEM FLUSH LOGS"); err != nil {
			t.Fatal(err)
		}
		rows, err := n.Conn.Query(ctx, `SELECT query_id, minIf(query_start_time_microseconds, type = 'QueryStart'), maxIf(event_time_microseconds, type = 'QueryFinish')
			FROM system.query_log WHERE current_database = ? AND query_id LIKE 'chschema:%' AND query_id NOT LIKE '%:history' AND query_id NOT LIKE '%:init:%'
			GROUP BY query_id`, db.Name)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var id string
			var st stmtTime
			if err := rows.Scan(&id, &st.start, &st.finish); err != nil {
				t.Fatal(err)
			}
			parts := strings.Split(id, ":")
			// chschema:<attempt>:<service>:<version>:<index>:<hash>
			st.node, st.key = n.Index, parts[2]+"/"+parts[3]
			fmt.Sscan(parts[4], &st.index)
			out = append(out, st)
		}
		rows.Close()
	}
	return out
}

// TestPerNodeMigrateAndDiff applies migrations on every node of a sharded
// loopback cluster without ON CLUSTER: every node gets every table and its
// own history, statement k finishes on every node before statement k+1
// starts on any, sharded inserts through the Distributed table land on
// their nodes; then drift on one node is reported for that node alone, and
// migrate refuses to apply over it, changing nothing on any node.
func TestPerNodeMigrateAndDiff(t *testing.T) {
	db := chtest.Cluster(t, 3)
	ctx := context.Background()
	var mu sync.Mutex
	nodeEvents := map[int]int{}
	p, err := OpenFS(shardedFS(), WithVars(map[string]string{"DB": db.Name}), WithEvents(func(e Event) {
		mu.Lock()
		defer mu.Unlock()
		if ne, ok := e.(NodeEvent); ok {
			if _, ok := ne.Event.(StatementDone); ok {
				nodeEvents[ne.Node.Index]++
			}
		}
	}))
	if err != nil {
		t.Fatal(err)
	}
	c := connectTestCluster(t, db, chtest.ShardedCluster)
	rep, err := p.MigrateCluster(ctx, c, PerNode())
	if err != nil {
		t.Fatal(err)
	}
	wantApplied := []Key{{Service: "svc", Version: 1}, {Service: "svc", Version: 2}, {Service: "zzz", Version: 1}}
	for _, n := range rep.Nodes {
		if n.Report == nil || !cmp.Equal(n.Applied, wantApplied) || n.Statements != 5 || n.Err != nil {
			t.Errorf("%s: report %+v, error %v; want %v applied in 5 statements", n.Node, n.Report, n.Err, wantApplied)
		}
		if nodeEvents[n.Node.Index] != 5 {
			t.Errorf("%s: %d StatementDone events, want 5", n.Node, nodeEvents[n.Node.Index])
		}
	}
	for i, n := range db.Nodes {
		if got, want := columnsOf(t, n.Conn, db.Name, "t_dist"), []string{"x UInt64", "y UInt8 7"}; !cmp.Equal(got, want) {
			t.Errorf("node %d: t_dist columns %v, want %v", n.Index, got, want)
		}
		if got, want := tablesOf(t, n.Conn, db.Name), []string{"chschema_migrations", "other", "t_dist", "t_local"}; !cmp.Equal(got, want) {
			t.Errorf("node %d: tables %v, want %v (the lock released)", n.Index, got, want)
		}
		st, err := p.Status(ctx, c.Nodes[i].DB)
		if err != nil || !st.Settled() {
			t.Errorf("node %d: its own history: %+v, %v; want every migration applied", n.Index, st, err)
		}
	}

	// Statement-major: every statement finished on every node before the
	// next one started on any.
	times := statementTimes(t, db)
	order := []string{"svc/1:0", "svc/1:1", "svc/2:0", "svc/2:1", "zzz/1:0"}
	byStmt := map[string][]stmtTime{}
	for _, st := range times {
		k := fmt.Sprintf("%s:%d", st.key, st.index)
		byStmt[k] = append(byStmt[k], st)
	}
	for _, k := range order {
		if len(byStmt[k]) != 3 {
			t.Fatalf("statement %s logged on %d nodes, want 3: %+v", k, len(byStmt[k]), times)
		}
	}
	for i := 1; i < len(order); i++ {
		var lastFinish, firstStart time.Time
		for _, st := range byStmt[order[i-1]] {
			if st.finish.After(lastFinish) {
				lastFinish = st.finish
			}
		}
		for _, st := range byStmt[order[i]] {
			if firstStart.IsZero() || st.start.Before(firstStart) {
				firstStart = st.start
			}
		}
		if firstStart.Before(lastFinish) {
			t.Errorf("statement %s started on a node at %s, before %s finished on every node (%s)", order[i], firstStart.Format(time.StampMicro), order[i-1], lastFinish.Format(time.StampMicro))
		}
	}

	// Sharded inserts through the Distributed table, after the migration.
	n1 := db.Node(1).Conn
	if err := n1.Exec(clickhouse.Context(ctx, clickhouse.WithSettings(clickhouse.Settings{"distributed_foreground_insert": 1})),
		"INSERT INTO t_dist (x) SELECT number FROM numbers(30)"); err != nil {
		t.Fatal(err)
	}
	rows, err := n1.Query(ctx, fmt.Sprintf("SELECT tcpPort(), count(), min(y), max(x %% 3) - min(x %% 3) FROM clusterAllReplicas('%s', `%s`.t_local) GROUP BY 1 ORDER BY 1", chtest.ShardedCluster, db.Name))
	if err != nil {
		t.Fatal(err)
	}
	var perNode []string
	for rows.Next() {
		var port uint16
		var count uint64
		var minY uint8
		var spread int16
		if err := rows.Scan(&port, &count, &minY, &spread); err != nil {
			t.Fatal(err)
		}
		perNode = append(perNode, fmt.Sprintf("%d rows, y %d, one shard key %v", count, minY, spread == 0))
	}
	rows.Close()
	if want := []string{"10 rows, y 7, one shard key true", "10 rows, y 7, one shard key true", "10 rows, y 7, one shard key true"}; !cmp.Equal(perNode, want) {
		t.Errorf("rows per node through clusterAllReplicas: %v, want %v", perNode, want)
	}

	res, err := p.DiffCluster(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	if res.Drift() || len(res.Groups) != 1 || len(res.Groups[0].Nodes) != 3 {
		t.Fatalf("DiffCluster after the migration: drift %v, groups %+v; want one group of 3 nodes without drift", res.Drift(), res.Groups)
	}

	// Drift on node 2 only.
	if err := db.Node(2).Conn.Exec(ctx, "ALTER TABLE t_local ADD COLUMN extra UInt8"); err != nil {
		t.Fatal(err)
	}
	res, err = p.DiffCluster(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	type group struct {
		Nodes   string
		Entries []string
	}
	var got []group
	for _, g := range res.Groups {
		gr := group{Nodes: g.Nodes.String()}
		for _, e := range diff.Entries(g.Result) {
			gr.Entries = append(gr.Entries, e.Kind+" "+e.Name()+" "+e.Action+" "+e.Change+" "+e.Subject)
		}
		got = append(got, gr)
	}
	want := []group{{Nodes: "nodes 1 and 3"}, {Nodes: "node 2", Entries: []string{"table " + db.Name + ".t_local modified AddColumn column `extra`"}}}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("DiffCluster groups (-want +got):\n%s", d)
	}
	if len(res.Disagreements) != 0 {
		t.Errorf("disagreements %+v: node 2's difference is its drift, reported there", res.Disagreements)
	}

	// A new migration is refused for node 2's drift, before anything runs
	// anywhere.
	fsys := shardedFS()
	fsys["svc/0003_more.sql"] = &fstest.MapFile{Data: []byte("-- +up\nCREATE TABLE ${DB}.more (x UInt8) ENGINE = Memory;\n-- +down\nDROP TABLE ${DB}.more;\n")}
	p3, err := OpenFS(fsys, WithVars(map[string]string{"DB": db.Name}))
	if err != nil {
		t.Fatal(err)
	}
	before := tablesEverywhere(t, db)
	_, err = p3.MigrateCluster(ctx, c, PerNode())
	var cd *ClusterDriftError
	if !errors.As(err, &cd) || len(cd.Nodes) != 1 || cd.Nodes[0].Node.Index != 2 {
		t.Fatalf("MigrateCluster over node 2's drift = %v; want a *ClusterDriftError naming node 2 alone", err)
	}
	if after := tablesEverywhere(t, db); !cmp.Equal(before, after) {
		t.Errorf("a refused run changed the nodes' tables: before %v, after %v", before, after)
	}
	for i := range db.Nodes {
		st, err := p3.Status(ctx, c.Nodes[i].DB)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range st.Migrations {
			if m.Key == (Key{Service: "svc", Version: 3}) && m.State != apply.StatePending {
				t.Errorf("node %d: svc/0003 is %s after the refusal, want pending", i+1, m.State)
			}
		}
	}
}

// tablesEverywhere lists every node's tables of the test's database.
func tablesEverywhere(t *testing.T, db *chtest.ClusterDB) []string {
	t.Helper()
	var out []string
	for _, n := range db.Nodes {
		for _, tb := range tablesOf(t, n.Conn, db.Name) {
			out = append(out, fmt.Sprintf("node %d: %s", n.Index, tb))
		}
	}
	return out
}

// TestDiffClusterDisagreement: where the migrations say nothing the model
// can compare (a CREATE TABLE ... AS SELECT, whose columns the server
// infers), a node that differs from the others is still reported, as a
// disagreement with the first node.
func TestDiffClusterDisagreement(t *testing.T) {
	db := chtest.Cluster(t, 3)
	ctx := context.Background()
	fsys := fstest.MapFS{"svc/0001_agg.sql": {Data: []byte(`-- +up
CREATE TABLE ${DB}.agg ENGINE = MergeTree ORDER BY n AS SELECT number AS n FROM numbers(3);
-- +down
DROP TABLE ${DB}.agg;
`)}}
	p, err := OpenFS(fsys, WithVars(map[string]string{"DB": db.Name}))
	if err != nil {
		t.Fatal(err)
	}
	c := connectTestCluster(t, db, chtest.ShardedCluster)
	if _, err := p.MigrateCluster(ctx, c, PerNode()); err != nil {
		t.Fatal(err)
	}
	if err := db.Node(3).Conn.Exec(ctx, "ALTER TABLE agg ADD COLUMN by_hand String"); err != nil {
		t.Fatal(err)
	}
	res, err := p.DiffCluster(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Groups) != 1 || res.Groups[0].Result.Drift() || len(res.Groups[0].Result.Unverified) != 1 {
		t.Errorf("groups %+v: want one, without drift, agg unverified on every node", res.Groups)
	}
	if len(res.Disagreements) != 1 || res.Disagreements[0].Reference.Index != 1 || res.Disagreements[0].Nodes.String() != "node 3" {
		t.Fatalf("disagreements %+v: want node 3 against node 1", res.Disagreements)
	}
	var entries []string
	for _, e := range diff.Entries(res.Disagreements[0].Result) {
		entries = append(entries, e.Name()+" "+e.Change+" "+e.Subject)
	}
	if want := []string{db.Name + ".agg AddColumn column `by_hand`"}; !cmp.Equal(entries, want) {
		t.Errorf("disagreement %v, want %v", entries, want)
	}
	if !res.Drift() {
		t.Error("Drift() = false with a disagreement")
	}
}

// TestOnClusterModeChecksEveryNode: without PerNode, MigrateCluster runs
// on the DSN's server ON CLUSTER, and first checks the drift of every
// node: drift on node 3 alone refuses it, naming node 3, before even the
// lock; without drift it goes on to the ON CLUSTER lock, which this local
// mode refuses (code 392).
func TestOnClusterModeChecksEveryNode(t *testing.T) {
	db := chtest.Cluster(t, 3)
	ctx := context.Background()
	p, err := OpenFS(shardedFS(), WithVars(map[string]string{"DB": db.Name}))
	if err != nil {
		t.Fatal(err)
	}
	c := connectTestCluster(t, db, chtest.ReplicatedCluster)
	if err := db.Node(3).Conn.Exec(ctx, "CREATE TABLE other (k String, by_hand UInt8) ENGINE = MergeTree ORDER BY k"); err != nil {
		t.Fatal(err)
	}
	before := tablesEverywhere(t, db)
	_, err = p.MigrateCluster(ctx, c)
	var cd *ClusterDriftError
	if !errors.As(err, &cd) || len(cd.Nodes) != 1 || cd.Nodes[0].Node.Index != 3 {
		t.Fatalf("MigrateCluster with drift on node 3 = %v; want a *ClusterDriftError naming node 3 alone", err)
	}
	if after := tablesEverywhere(t, db); !cmp.Equal(before, after) {
		t.Errorf("the refusal changed the nodes' tables: before %v, after %v", before, after)
	}
	if err := db.Node(3).Conn.Exec(ctx, "DROP TABLE other SYNC"); err != nil {
		t.Fatal(err)
	}
	_, err = p.MigrateCluster(ctx, c)
	var ex *clickhouse.Exception
	if !errors.As(err, &ex) || ex.Code != 392 {
		t.Errorf("MigrateCluster without drift = %v; want the server's refusal of ON CLUSTER (code 392), which comes after the checks", err)
	}
}

// TestPerNodeReplicatedOncePerGroup measures the once-per-replica-group
// routing on a cluster whose nodes share a ZooKeeper: the CREATE of a
// Replicated table runs on every node (each creates its replica); the ALTER
// that the engine replicates is sent to node 1 only, as system.replicas
// shows the three tables as replicas of one path. In this local mode the
// replicas are read-only, so the ALTER fails there (TABLE_IS_READ_ONLY),
// and nodes 2 and 3 fail with node 1's error without sending it; each
// node's history says one statement completed.
func TestPerNodeReplicatedOncePerGroup(t *testing.T) {
	db := chtest.ClusterWith(t, chtest.ClusterOptions{Nodes: 3, Keeper: chtest.ZooKeeper})
	replicatedRouting(t, db, []int{1})
}

// TestPerNodeReplicatedWithoutSharedKeeper: with a keeper per node (the
// test keeper), each node's table is a replica group of its own, and the
// same ALTER is sent to every node.
func TestPerNodeReplicatedWithoutSharedKeeper(t *testing.T) {
	db := chtest.Cluster(t, 3)
	replicatedRouting(t, db, []int{1, 2, 3})
}

// replicatedRouting runs the replicated migration on db's cluster and checks
// that the ALTER reached exactly the nodes sent, and failed everywhere.
func replicatedRouting(t *testing.T, db *chtest.ClusterDB, sent []int) {
	t.Helper()
	ctx := context.Background()
	fsys := fstest.MapFS{"svc/0001_replicated.sql": {Data: []byte(`-- +up
CREATE TABLE ${DB}.r (x UInt64) ENGINE = ReplicatedMergeTree('/clickhouse/tables/${DB}/r', '{replica}') ORDER BY x;
ALTER TABLE ${DB}.r ADD COLUMN y UInt8;
-- +down
DROP TABLE ${DB}.r SYNC;
`)}}
	p, err := OpenFS(fsys, WithVars(map[string]string{"DB": db.Name}))
	if err != nil {
		t.Fatal(err)
	}
	warmKeeper(t, db)
	c := connectTestCluster(t, db, chtest.ReplicatedCluster)
	rep, err := p.MigrateCluster(ctx, c, PerNode())
	if err == nil {
		t.Fatal("the ALTER of a read-only replica succeeded; this local mode has changed: revisit the README's Clusters table")
	}
	for _, n := range rep.Nodes {
		var ex *clickhouse.Exception
		isSent := slices.Contains(sent, n.Node.Index)
		switch {
		case isSent && (!errors.As(n.Err, &ex) || ex.Code != 242):
			t.Errorf("%s ran the ALTER: error %v, want TABLE_IS_READ_ONLY (242)", n.Node, n.Err)
		case !isSent && (n.Err == nil || !strings.Contains(n.Err.Error(), "not run on this replica: node 1")):
			t.Errorf("%s: error %v, want node 1's, not run here", n.Node, n.Err)
		}
	}
	for i, n := range db.Nodes {
		var total uint32
		if err := n.Conn.QueryRow(ctx, "SELECT total_replicas FROM system.replicas WHERE database = ? AND table = 'r'", db.Name).Scan(&total); err != nil {
			t.Fatalf("node %d: %v", n.Index, err)
		}
		if want := map[bool]uint32{true: 3, false: 1}[len(sent) == 1]; total != want {
			t.Errorf("node %d: %d replicas of r, want %d", n.Index, total, want)
		}
		if err := n.Conn.Exec(ctx, "SYSTEM FLUSH LOGS"); err != nil {
			t.Fatal(err)
		}
		var alters uint64
		if err := n.Conn.QueryRow(ctx, "SELECT count() FROM system.query_log WHERE current_database = ? AND query_id LIKE 'chschema:%' AND query LIKE 'ALTER TABLE%ADD COLUMN y%' AND type != 'QueryStart'", db.Name).Scan(&alters); err != nil {
			t.Fatal(err)
		}
		if isSent := slices.Contains(sent, n.Index); (alters > 0) != isSent {
			t.Errorf("node %d: %d ALTERs in its query log; sent there: %v", n.Index, alters, isSent)
		}
		st, err := p.Status(ctx, c.Nodes[i].DB)
		if err != nil {
			t.Fatal(err)
		}
		if m := st.Migrations[0]; m.State != apply.StateIncomplete || m.Done != 1 {
			t.Errorf("node %d: %s with %d statements done, want incomplete after 1", n.Index, m.State, m.Done)
		}
	}
}

// warmKeeper makes each node open its keeper session, one node at a time:
// on a fresh loopback cluster with ZooKeeper, nodes that open theirs at the
// same moment fail with "Node exists, path
// /clickhouse/sessions/zookeeper/00000000-0000-0000-0000-000000000000"
// (measured: chDB's nodes all have the server UUID 0), which real servers,
// each with its own UUID, do not.
func warmKeeper(t *testing.T, db *chtest.ClusterDB) {
	t.Helper()
	ctx := context.Background()
	for _, n := range db.Nodes {
		if err := n.Conn.Exec(ctx, "CREATE TABLE keeper_warm (x UInt8) ENGINE = ReplicatedMergeTree('/chschema-test/{database}/{replica}/warm', '{replica}') ORDER BY x"); err != nil {
			t.Fatalf("node %d: %v", n.Index, err)
		}
		if err := n.Conn.Exec(ctx, "DROP TABLE keeper_warm SYNC"); err != nil {
			t.Fatalf("node %d: %v", n.Index, err)
		}
	}
}

// TestMergeOrders: the nodes' plans are merged into one order, or refused
// when no order keeps each node's.
func TestMergeOrders(t *testing.T) {
	s := func(svc string, v uint64, i int) stmtRef {
		return stmtRef{Key: Key{Service: svc, Version: v}, Down: true, Index: i}
	}
	a0, a1, b0, c0 := s("a", 1, 0), s("a", 1, 1), s("b", 1, 0), s("c", 1, 0)
	got, err := mergeOrders([][]stmtRef{{a1, b0}, {a0, a1, b0}, {b0, c0}})
	if err != nil {
		t.Fatal(err)
	}
	if want := []stmtRef{a1, b0, a0, c0}; !validMerge(got, [][]stmtRef{{a1, b0}, {a0, a1, b0}, {b0, c0}}) || len(got) != len(want) {
		t.Errorf("merged %v: not an order of every statement that keeps each node's", got)
	}
	if _, err := mergeOrders([][]stmtRef{{a0, b0}, {b0, c0}, {c0, a0}}); err == nil || !strings.Contains(err.Error(), "different orders") {
		t.Errorf("a cycle over three nodes: %v, want a refusal", err)
	}
	if _, err := mergeOrders([][]stmtRef{{a0, b0}, {b0, a0}}); err == nil {
		t.Error("two nodes in opposite orders: no error")
	}
}

func validMerge(order []stmtRef, seqs [][]stmtRef) bool {
	pos := map[stmtRef]int{}
	for i, s := range order {
		pos[s] = i
	}
	for _, seq := range seqs {
		idx := make([]int, len(seq))
		for i, s := range seq {
			p, ok := pos[s]
			if !ok {
				return false
			}
			idx[i] = p
		}
		if !sort.IntsAreSorted(idx) {
			return false
		}
	}
	return true
}

// TestReplicatedKeeperPathMacros: a Replicated table whose keeper path uses
// the {database} and {table} macros, created on every node, is no drift on
// any node: the server stores the path with them replaced, and the model
// replaces them the same way.
func TestReplicatedKeeperPathMacros(t *testing.T) {
	db := chtest.Cluster(t, 3)
	ctx := context.Background()
	fsys := fstest.MapFS{"svc/0001_replicated.sql": {Data: []byte(`-- +up
CREATE TABLE ${DB}.events (x UInt64) ENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}') ORDER BY x;
-- +down
DROP TABLE ${DB}.events SYNC;
`)}}
	p, err := OpenFS(fsys, WithVars(map[string]string{"DB": db.Name}))
	if err != nil {
		t.Fatal(err)
	}
	warmKeeper(t, db)
	c := connectTestCluster(t, db, chtest.ShardedCluster)
	if _, err := p.MigrateCluster(ctx, c, PerNode()); err != nil {
		t.Fatal(err)
	}
	for _, n := range db.Nodes {
		var path string
		if err := n.Conn.QueryRow(ctx, "SELECT zookeeper_path FROM system.replicas WHERE database = ? AND table = 'events'", db.Name).Scan(&path); err != nil {
			t.Fatal(err)
		}
		if want := fmt.Sprintf("/clickhouse/tables/%d/%s/events", n.Index, db.Name); path != want {
			t.Errorf("node %d: keeper path %s, want %s", n.Index, path, want)
		}
	}
	res, err := p.DiffCluster(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	if res.Drift() {
		for _, g := range res.Groups {
			t.Errorf("%s: %v", g.Nodes, diff.Entries(g.Result))
		}
	}
}

// TestPerNodeRefusals: per-node apply refuses, before anything runs on any
// node, a statement with ON CLUSTER, and a down that would destroy data on
// some node; a PerNode run takes no ResumeAt.
func TestPerNodeRefusals(t *testing.T) {
	db := chtest.Cluster(t, 3)
	ctx := context.Background()
	c := connectTestCluster(t, db, chtest.ShardedCluster)
	vars := WithVars(map[string]string{"DB": db.Name})

	onCluster := fstest.MapFS{"svc/0001_t.sql": {Data: []byte("-- +up\nCREATE TABLE ${DB}.t ON CLUSTER chschema_sharded (x UInt8) ENGINE = Memory;\n-- +down\nDROP TABLE ${DB}.t;\n")}}
	p, err := OpenFS(onCluster, vars)
	if err != nil {
		t.Fatal(err)
	}
	before := tablesEverywhere(t, db)
	_, err = p.MigrateCluster(ctx, c, PerNode())
	var pe *PreflightError
	if !errors.As(err, &pe) || !strings.Contains(err.Error(), "svc/0001_t.sql:2:1: svc/0001 statement 1 carries ON CLUSTER chschema_sharded") {
		t.Errorf("a statement with ON CLUSTER: %v, want a pre-flight refusal naming it", err)
	}
	if after := tablesEverywhere(t, db); !cmp.Equal(before, after) {
		t.Errorf("the refusal changed the nodes' tables: before %v, after %v", before, after)
	}

	p, err = OpenFS(shardedFS(), vars)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.MigrateCluster(ctx, c, PerNode(), ToVersion(1), OnlyService("svc")); err != nil {
		t.Fatal(err)
	}
	if err := db.Node(2).Conn.Exec(ctx, "INSERT INTO t_local VALUES (42)"); err != nil {
		t.Fatal(err)
	}
	_, err = p.DownCluster(ctx, c, PerNode(), ToVersion(0), OnlyService("svc"))
	var ne *NodeError
	if !errors.Is(err, apply.ErrDataLoss) || !errors.As(err, &ne) || ne.Node.Index != 2 || strings.Contains(err.Error(), "node 1") {
		t.Errorf("down with rows on node 2: %v, want a data loss refusal naming node 2 alone", err)
	}
	for _, n := range db.Nodes {
		if got := tablesOf(t, n.Conn, db.Name); !slices.Contains(got, "t_local") {
			t.Errorf("node %d: t_local is gone after a refused down: %v", n.Index, got)
		}
	}
	rep, err := p.DownCluster(ctx, c, PerNode(), ToVersion(0), OnlyService("svc"), AllowDataLoss())
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range rep.Nodes {
		if len(n.Applied) != 1 {
			t.Errorf("%s: reverted %v, want svc/0001", n.Node, n.Applied)
		}
	}
	if _, err := p.MigrateCluster(ctx, c, PerNode(), ResumeAt(ResumePoint{Key: Key{Service: "svc", Version: 1}, Next: 2})); err == nil || !strings.Contains(err.Error(), "ResumeAt with PerNode") {
		t.Errorf("ResumeAt with PerNode: %v", err)
	}
}
