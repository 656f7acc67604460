package chtest_test

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/chschema/chschema/internal/chtest"
	"github.com/google/go-cmp/cmp"
)

// The ClickHouse error codes these measurements meet.
const (
	codeNoElementsInConfig  = 139
	codeReplicaExists       = 253
	codeQueryIsProhibited   = 392
	codeTableIsReadOnly     = 242
	codeNoZooKeeper         = 225
	distributedForeground   = "distributed_foreground_insert"
	skipUnavailableShards   = "skip_unavailable_shards"
	replicatedTableTemplate = "CREATE TABLE %s (x UInt64) ENGINE = ReplicatedMergeTree('%s', '%s') ORDER BY x"
)

func code(err error) int32 {
	var ex *clickhouse.Exception
	if errors.As(err, &ex) {
		return ex.Code
	}
	return -1
}

func ports(t *testing.T, conn driver.Conn, query string) []int {
	t.Helper()
	rows, err := conn.Query(context.Background(), query)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	defer rows.Close()
	var out []int
	for rows.Next() {
		var p uint16
		if err := rows.Scan(&p); err != nil {
			t.Fatal(err)
		}
		out = append(out, int(p))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	sort.Ints(out)
	return out
}

func nodePorts(t *testing.T, db *chtest.ClusterDB) []int {
	t.Helper()
	var out []int
	for _, n := range db.Nodes {
		p := ports(t, n.Conn, "SELECT tcpPort()")
		out = append(out, p[0])
	}
	return out
}

// TestClusterLayout checks what every node of the loopback cluster says
// about the cluster: system.clusters has the one-shard cluster of every node
// and the one-node-per-shard cluster, and each node has its own macros.
func TestClusterLayout(t *testing.T) {
	db := chtest.Cluster(t, 3)
	ctx := context.Background()
	all := nodePorts(t, db)
	type member struct {
		Cluster        string
		Shard, Replica uint32
		Port           uint16
	}
	var want []member
	for i, p := range all {
		want = append(want, member{chtest.ReplicatedCluster, 1, uint32(i + 1), uint16(p)})
	}
	for i, p := range all {
		want = append(want, member{chtest.ShardedCluster, uint32(i + 1), 1, uint16(p)})
	}
	for _, n := range db.Nodes {
		rows, err := n.Conn.Query(ctx, "SELECT cluster, shard_num, replica_num, port FROM system.clusters WHERE cluster LIKE 'chschema%' ORDER BY cluster, shard_num, replica_num")
		if err != nil {
			t.Fatal(err)
		}
		var got []member
		for rows.Next() {
			var m member
			if err := rows.Scan(&m.Cluster, &m.Shard, &m.Replica, &m.Port); err != nil {
				t.Fatal(err)
			}
			got = append(got, m)
		}
		rows.Close()
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("node %d: system.clusters (-want +got):\n%s", n.Index, diff)
		}
		macros := map[string]string{}
		rows, err = n.Conn.Query(ctx, "SELECT macro, substitution FROM system.macros")
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var k, v string
			if err := rows.Scan(&k, &v); err != nil {
				t.Fatal(err)
			}
			macros[k] = v
		}
		rows.Close()
		wantMacros := map[string]string{"shard": fmt.Sprint(n.Index), "replica": fmt.Sprintf("node%d", n.Index), "node": fmt.Sprint(n.Index)}
		if diff := cmp.Diff(wantMacros, macros); diff != "" {
			t.Errorf("node %d: system.macros (-want +got):\n%s", n.Index, diff)
		}
	}
}

// TestClusterCrossNode measures the cross-node work the loopback cluster
// does: remote(), cluster(), clusterAllReplicas(), and a Distributed table
// whose inserts are sharded over the nodes.
func TestClusterCrossNode(t *testing.T) {
	db := chtest.Cluster(t, 3)
	ctx := context.Background()
	all := nodePorts(t, db)
	n1 := db.Node(1).Conn

	if got := ports(t, n1, fmt.Sprintf("SELECT tcpPort() FROM remote('127.0.0.1:%d', system.one)", all[1])); !cmp.Equal(got, all[1:2]) {
		t.Errorf("remote() to node 2 answered from %v, want %v", got, all[1:2])
	}
	if got := ports(t, n1, "SELECT tcpPort() FROM cluster('"+chtest.ShardedCluster+"', system.one)"); !cmp.Equal(got, all) {
		t.Errorf("cluster(sharded) reached %v, want every node %v", got, all)
	}
	if got := ports(t, n1, "SELECT tcpPort() FROM cluster('"+chtest.ReplicatedCluster+"', system.one)"); len(got) != 1 {
		t.Errorf("cluster(replicated) reached %v, want one replica of the one shard", got)
	}
	if got := ports(t, n1, "SELECT tcpPort() FROM clusterAllReplicas('"+chtest.ReplicatedCluster+"', system.one)"); !cmp.Equal(got, all) {
		t.Errorf("clusterAllReplicas(replicated) reached %v, want every node %v", got, all)
	}

	// A Distributed table over the sharded cluster: rows go to shard x % 3 + 1.
	for _, n := range db.Nodes {
		if err := n.Conn.Exec(ctx, "CREATE TABLE local (x UInt64) ENGINE = MergeTree ORDER BY x"); err != nil {
			t.Fatalf("node %d: %v", n.Index, err)
		}
	}
	q := fmt.Sprintf("CREATE TABLE dist AS local ENGINE = Distributed(%s, %s, local, x)", chtest.ShardedCluster, db.Name)
	if err := n1.Exec(ctx, q); err != nil {
		t.Fatal(err)
	}
	insert := clickhouse.Context(ctx, clickhouse.WithSettings(clickhouse.Settings{distributedForeground: 1}))
	if err := n1.Exec(insert, "INSERT INTO dist SELECT number FROM numbers(300)"); err != nil {
		t.Fatal(err)
	}
	for _, n := range db.Nodes {
		var count, wrong uint64
		if err := n.Conn.QueryRow(ctx, "SELECT count(), countIf(x % 3 != ?) FROM local", uint64(n.Index-1)).Scan(&count, &wrong); err != nil {
			t.Fatal(err)
		}
		if count != 100 || wrong != 0 {
			t.Errorf("node %d holds %d rows, %d of another shard; want 100 rows of its own shard", n.Index, count, wrong)
		}
	}
	var total uint64
	if err := n1.QueryRow(ctx, "SELECT count() FROM dist").Scan(&total); err != nil {
		t.Fatal(err)
	}
	if total != 300 {
		t.Errorf("SELECT count() FROM dist = %d, want 300", total)
	}
}

// TestClusterLocalModeLimits measures what this local mode does not do, as
// the README says: ON CLUSTER and the Replicated database engine are
// refused, and a Replicated table is created (its engine arguments and
// macros accepted, its metadata in the keeper) but stays read-only, since
// replicas never activate without the interserver endpoint.
func TestClusterLocalModeLimits(t *testing.T) {
	db := chtest.Cluster(t, 2)
	ctx := context.Background()
	n1 := db.Node(1).Conn

	err := n1.Exec(ctx, "CREATE TABLE on_cluster ON CLUSTER "+chtest.ReplicatedCluster+" (x UInt8) ENGINE = Memory")
	if code(err) != codeQueryIsProhibited || !strings.Contains(err.Error(), "Replicated DDL queries are disabled") {
		t.Errorf("ON CLUSTER: got %v, want code %d, Replicated DDL queries are disabled", err, codeQueryIsProhibited)
	}
	err = n1.Exec(ctx, "CREATE DATABASE "+db.Name+"_r ENGINE = Replicated('/clickhouse/databases/"+db.Name+"', '{shard}', '{replica}')")
	if code(err) != codeNoElementsInConfig {
		_ = n1.Exec(ctx, "DROP DATABASE IF EXISTS "+db.Name+"_r")
		t.Errorf("Replicated database: got %v, want code %d (no interserver port)", err, codeNoElementsInConfig)
	}

	for _, n := range db.Nodes {
		path := "/clickhouse/tables/{shard}/{database}/r"
		if err := n.Conn.Exec(ctx, fmt.Sprintf(replicatedTableTemplate, "r", path, "{replica}")); err != nil {
			t.Fatalf("node %d: %v", n.Index, err)
		}
		var zkPath, replica string
		var readonly uint8
		var total uint32
		if err := n.Conn.QueryRow(ctx, "SELECT zookeeper_path, replica_name, is_readonly, total_replicas FROM system.replicas WHERE database = ? AND table = 'r'", db.Name).Scan(&zkPath, &replica, &readonly, &total); err != nil {
			t.Fatal(err)
		}
		wantPath := fmt.Sprintf("/clickhouse/tables/%d/%s/r", n.Index, db.Name)
		if zkPath != wantPath || replica != fmt.Sprintf("node%d", n.Index) || readonly != 1 || total != 1 {
			t.Errorf("node %d: system.replicas says path %s, replica %s, read-only %d, %d replicas; want %s, node%d, 1, 1",
				n.Index, zkPath, replica, readonly, total, wantPath, n.Index)
		}
		// Without insert_keeper_max_retries=0 the insert retries for about
		// 140 s before it fails the same way.
		if err := n.Conn.Exec(ctx, "INSERT INTO r SETTINGS insert_keeper_max_retries = 0 VALUES (1)"); code(err) != codeTableIsReadOnly {
			t.Errorf("node %d: insert into a Replicated table: got %v, want code %d (read-only)", n.Index, err, codeTableIsReadOnly)
		}
	}
}

// TestClusterDropWithoutSync proves, with the test keeper, the premise of
// lint's replicated-drop-no-sync rule: a Replicated table dropped without
// SYNC from an Atomic database keeps its keeper metadata, so recreating it on
// the same path fails with REPLICA_ALREADY_EXISTS; dropped with SYNC, it can
// be recreated.
func TestClusterDropWithoutSync(t *testing.T) {
	db := chtest.Cluster(t, 2)
	ctx := context.Background()
	n1 := db.Node(1).Conn
	create := func(table string) error {
		return n1.Exec(ctx, fmt.Sprintf(replicatedTableTemplate, table, "/clickhouse/tables/{database}/"+table, "{replica}"))
	}
	var engine string
	if err := n1.QueryRow(ctx, "SELECT engine FROM system.databases WHERE name = ?", db.Name).Scan(&engine); err != nil || engine != "Atomic" {
		t.Fatalf("the test database's engine is %q (%v), want Atomic", engine, err)
	}
	for _, sync := range []bool{false, true} {
		table := map[bool]string{false: "dropped", true: "dropped_sync"}[sync]
		if err := create(table); err != nil {
			t.Fatal(err)
		}
		drop := "DROP TABLE " + table
		if sync {
			drop += " SYNC"
		}
		if err := n1.Exec(ctx, drop); err != nil {
			t.Fatal(err)
		}
		err := create(table)
		switch {
		case sync && err != nil:
			t.Errorf("recreate after DROP ... SYNC: %v", err)
		case !sync && code(err) != codeReplicaExists:
			t.Errorf("recreate after DROP without SYNC: got %v, want code %d REPLICA_ALREADY_EXISTS", err, codeReplicaExists)
		}
	}
}

// TestClusterZooKeeper measures what ZooKeeper adds over the test keeper:
// the nodes share Replicated table metadata, so two nodes that create a
// table on one path are two replicas of it, and a second node cannot take a
// replica name that another node holds.
func TestClusterZooKeeper(t *testing.T) {
	db := chtest.ClusterWith(t, chtest.ClusterOptions{Nodes: 2, Keeper: chtest.ZooKeeper})
	ctx := context.Background()
	path := "/clickhouse/tables/" + db.Name + "/shared"
	for _, n := range db.Nodes {
		if err := n.Conn.Exec(ctx, fmt.Sprintf(replicatedTableTemplate, "shared", path, "{replica}")); err != nil {
			t.Fatalf("node %d: %v", n.Index, err)
		}
	}
	for _, n := range db.Nodes {
		var total uint32
		if err := n.Conn.QueryRow(ctx, "SELECT total_replicas FROM system.replicas WHERE database = ? AND table = 'shared'", db.Name).Scan(&total); err != nil {
			t.Fatal(err)
		}
		if total != 2 {
			t.Errorf("node %d sees %d replicas of %s, want 2 (shared metadata)", n.Index, total, path)
		}
	}
	err := db.Node(2).Conn.Exec(ctx, fmt.Sprintf(replicatedTableTemplate, "same_name", path, "node1"))
	if code(err) != codeReplicaExists {
		t.Errorf("node 2 taking node 1's replica name: got %v, want code %d", err, codeReplicaExists)
	}
}

// TestClusterNoKeeper measures a cluster without a keeper: Replicated
// engines are refused.
func TestClusterNoKeeper(t *testing.T) {
	db := chtest.ClusterWith(t, chtest.ClusterOptions{Nodes: 1, Keeper: chtest.NoKeeper})
	err := db.Node(1).Conn.Exec(context.Background(), fmt.Sprintf(replicatedTableTemplate, "r", "/clickhouse/tables/{database}/r", "{replica}"))
	if code(err) != codeNoZooKeeper {
		t.Errorf("a Replicated table without a keeper: got %v, want code %d NO_ZOOKEEPER", err, codeNoZooKeeper)
	}
}

// TestClusterNodeDown kills a node: a query that needs it fails naming it,
// skip_unavailable_shards leaves it out, and once started again it holds its
// data and the test's connection to it works again.
//
// The failing query goes to the down node alone: a query that fails part-way
// while other nodes serve it (clusterAllReplicas without
// skip_unavailable_shards) resets their connections, and chDB's server ends
// its process on a reset connection (seen in about one run in four).
func TestClusterNodeDown(t *testing.T) {
	db := chtest.Cluster(t, 3)
	ctx := context.Background()
	all := nodePorts(t, db)
	n3 := db.Node(3).Conn
	if err := n3.Exec(ctx, "CREATE TABLE kept (x UInt8) ENGINE = MergeTree ORDER BY x"); err != nil {
		t.Fatal(err)
	}
	if err := n3.Exec(ctx, "INSERT INTO kept VALUES (7)"); err != nil {
		t.Fatal(err)
	}

	db.Kill(3)
	n1 := db.Node(1).Conn
	err := queryAll(ctx, n1, fmt.Sprintf("SELECT tcpPort() FROM remote('127.0.0.1:%d', system.one)", all[2]))
	if refused := fmt.Sprintf("Connection refused (127.0.0.1:%d)", all[2]); err == nil || !strings.Contains(err.Error(), refused) {
		t.Errorf("query to a down node: got %v, want an error saying %s", err, refused)
	}
	skip := clickhouse.Context(ctx, clickhouse.WithSettings(clickhouse.Settings{skipUnavailableShards: 1}))
	rows, err := n1.Query(skip, "SELECT tcpPort() FROM clusterAllReplicas('"+chtest.ReplicatedCluster+"', system.one) ORDER BY 1")
	if err != nil {
		t.Fatal(err)
	}
	var got []int
	for rows.Next() {
		var p uint16
		if err := rows.Scan(&p); err != nil {
			t.Fatal(err)
		}
		got = append(got, int(p))
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("with skip_unavailable_shards: %v", err)
	}
	rows.Close()
	if !cmp.Equal(got, all[:2]) {
		t.Errorf("with skip_unavailable_shards: %v, want %v", got, all[:2])
	}

	if t.Failed() {
		t.Log(db.Cluster.LogTail(1), db.Cluster.LogTail(2))
	}
	db.Start(3)
	var x uint8
	if err := n3.QueryRow(ctx, "SELECT x FROM kept").Scan(&x); err != nil || x != 7 {
		t.Errorf("after restart, node 3 answers x=%d, %v; want 7", x, err)
	}
}

// queryAll runs a query and reads its rows, returning the first error.
func queryAll(ctx context.Context, conn driver.Conn, query string) error {
	rows, err := conn.Query(ctx, query)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
	}
	return rows.Err()
}
