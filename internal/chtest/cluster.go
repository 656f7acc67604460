package chtest

import (
	"context"
	"errors"
	"fmt"
	"github.com/chschema/chschema/internal/english"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// The clusters that every loopback cluster defines (scripts/clickhouse
// cluster start).
const (
	// ReplicatedCluster is one shard whose replicas are all the nodes.
	ReplicatedCluster = "chschema_replicated"
	// ShardedCluster has one shard per node, of one replica each.
	ShardedCluster = "chschema_sharded"
)

// Keeper is the coordination service of a loopback cluster, which
// Replicated tables keep their metadata in.
type Keeper string

// The keepers scripts/clickhouse can give a cluster.
const (
	// NoKeeper: Replicated engines are refused.
	NoKeeper Keeper = "none"
	// TestKeeper is ClickHouse's in-process test keeper: every node has its
	// own, so nothing is shared between nodes. It needs nothing installed.
	TestKeeper Keeper = "testkeeper"
	// ZooKeeper is one ZooKeeper server (Debian's zookeeper package) that
	// every node uses, so Replicated table metadata is shared.
	ZooKeeper Keeper = "zookeeper"
)

// ClusterOptions say what cluster a test needs.
type ClusterOptions struct {
	// Nodes is the least number of nodes; 3 when zero.
	Nodes int
	// Keeper is the keeper the nodes must have; TestKeeper when empty.
	Keeper Keeper
}

// LoopbackCluster is a cluster of ClickHouse servers on loopback that the
// tests of a process share. Its nodes share a remote_servers configuration
// with ReplicatedCluster and ShardedCluster, and each node i (1-based) has
// the macros {shard} = i, {replica} = node<i> and {node} = i.
type LoopbackCluster struct {
	// Nodes holds node i at index i-1; each DSN reaches the node's default
	// database.
	Nodes []Node
	// Keeper is the nodes' keeper.
	Keeper Keeper
	// Source says where the cluster came from: "env" (CHSCHEMA_TEST_CLUSTER)
	// or "launcher" (started by this process).
	Source string
	// script and path control the nodes; empty for a cluster given as a
	// list of DSNs, whose nodes cannot be stopped.
	script, path string
	stop         func() error

	// mu guards down.
	mu   sync.Mutex
	down map[int]bool
}

// Node is one server of a cluster.
type Node struct {
	// Index is the node's number, from 1.
	Index int
	// DSN reaches the node's default database.
	DSN string
	// HTTPPort is the node's HTTP port, 0 when unknown.
	HTTPPort int
}

// ClusterDB is a fresh database, of one name, on every node of a cluster,
// owned by one test.
type ClusterDB struct {
	// Name is the database's name on every node.
	Name string
	// Nodes holds node i at index i-1, connected to Name.
	Nodes   []*NodeDB
	Cluster *LoopbackCluster
	t       testing.TB
}

// NodeDB is a test's database on one node.
type NodeDB struct {
	Node
	// DSN reaches the node with the test's database as the default.
	DSN string
	// Conn is connected with the test's database as the default. After the
	// node was stopped and started again, it reconnects.
	Conn driver.Conn
}

var (
	clusters    = map[ClusterOptions]*LoopbackCluster{}
	clusterErrs = map[ClusterOptions]error{}
)

// Cluster returns a fresh database on every node of a shared loopback
// cluster of at least nodes nodes with the in-process test keeper, dropped
// when t ends. The cluster comes from CHSCHEMA_TEST_CLUSTER when set (the
// directory of a cluster that scripts/clickhouse cluster start runs, or a
// comma-separated list of node DSNs), or is started once per test process
// by scripts/clickhouse on free ports and a temporary path, and stopped by
// Main. When no cluster can be had the test is skipped, or failed under
// CI=true.
func Cluster(t testing.TB, nodes int) *ClusterDB {
	t.Helper()
	return ClusterWith(t, ClusterOptions{Nodes: nodes})
}

// ClusterWith is Cluster with a choice of keeper.
func ClusterWith(t testing.TB, opts ClusterOptions) *ClusterDB {
	t.Helper()
	c := SharedCluster(t, opts)
	name := dbName(t.Name())
	db := &ClusterDB{Name: name, Cluster: c, t: t}
	ctx := context.Background()
	for _, n := range c.Nodes {
		admin := n.connect(t, "")
		if err := admin.Exec(ctx, "CREATE DATABASE "+quote(name)); err != nil {
			admin.Close()
			t.Fatalf("chtest: node %d: create database %s: %v", n.Index, name, err)
		}
		admin.Close()
		dsn, err := withDatabase(n.DSN, name)
		if err != nil {
			t.Fatal(err)
		}
		conn := n.connect(t, name)
		db.Nodes = append(db.Nodes, &NodeDB{Node: n, DSN: dsn, Conn: conn})
	}
	t.Cleanup(func() {
		for _, n := range db.Nodes {
			n.Conn.Close()
			if c.isDown(n.Index) {
				continue // a node a test left down keeps its database; it is a throwaway
			}
			admin, err := n.open("")
			if err != nil {
				t.Errorf("chtest: node %d: %v", n.Index, err)
				continue
			}
			if err := admin.Exec(ctx, "DROP DATABASE IF EXISTS "+quote(name)+" SYNC"); err != nil {
				t.Errorf("chtest: node %d: drop database %s: %v%s", n.Index, name, err, c.LogTail(n.Index))
			}
			admin.Close()
		}
	})
	return db
}

// SharedCluster returns the process's cluster for opts, starting it on first
// use. It skips t, or fails it under CI=true, when no cluster can be had.
func SharedCluster(t testing.TB, opts ClusterOptions) *LoopbackCluster {
	t.Helper()
	if opts.Nodes == 0 {
		opts.Nodes = 3
	}
	if opts.Keeper == "" {
		opts.Keeper = TestKeeper
	}
	if opts.Nodes < 1 {
		t.Fatalf("chtest: a cluster of %s", english.Plural(opts.Nodes, "node"))
	}
	mu.Lock()
	defer mu.Unlock()
	c, err := clusters[opts], clusterErrs[opts]
	if c == nil && err == nil {
		if !mainRunning {
			t.Fatal("chtest: the package needs func TestMain(m *testing.M) { os.Exit(chtest.Main(m)) }")
		}
		c, err = startCluster(opts)
		clusters[opts], clusterErrs[opts] = c, err
	}
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("chtest: no ClickHouse cluster (CI=true forbids skipping): %v", err)
		}
		t.Skipf("chtest: no ClickHouse cluster, skipping: %v", err)
	}
	return c
}

// stopClusters stops the clusters this process started.
func stopClusters() error {
	var errs []error
	for _, c := range clusters {
		if c != nil && c.stop != nil {
			errs = append(errs, c.stop())
		}
	}
	return errors.Join(errs...)
}

func startCluster(opts ClusterOptions) (*LoopbackCluster, error) {
	if env := os.Getenv("CHSCHEMA_TEST_CLUSTER"); env != "" {
		c, err := envCluster(env)
		if err != nil {
			return nil, err
		}
		if len(c.Nodes) < opts.Nodes {
			return nil, fmt.Errorf("CHSCHEMA_TEST_CLUSTER has %s; the test needs %d", english.Plural(len(c.Nodes), "node"), opts.Nodes)
		}
		if c.Keeper != opts.Keeper {
			return nil, fmt.Errorf("CHSCHEMA_TEST_CLUSTER's keeper is %q; the test needs %q", c.Keeper, opts.Keeper)
		}
		return c, nil
	}
	return launchCluster(opts)
}

// envCluster reads CHSCHEMA_TEST_CLUSTER: a cluster directory, or DSNs.
func envCluster(env string) (*LoopbackCluster, error) {
	c := &LoopbackCluster{Source: "env", down: map[int]bool{}}
	if strings.Contains(env, "://") {
		for i, dsn := range strings.Split(env, ",") {
			c.Nodes = append(c.Nodes, Node{Index: i + 1, DSN: strings.TrimSpace(dsn)})
		}
		// A list of DSNs says nothing of the keeper: the cluster counts as
		// having the default one, and tests that need another skip.
		c.Keeper = TestKeeper
	} else {
		script, err := launcherScript()
		if err != nil {
			return nil, err
		}
		c.script, c.path = script, env
		if err := c.readLayout(); err != nil {
			return nil, err
		}
	}
	for _, n := range c.Nodes {
		if err := ping(n.DSN); err != nil {
			return nil, fmt.Errorf("CHSCHEMA_TEST_CLUSTER node %d (%s): %w", n.Index, n.DSN, err)
		}
	}
	return c, nil
}

// readLayout reads the nodes and keeper of the cluster in c.path from its
// cluster.env.
func (c *LoopbackCluster) readLayout() error {
	data, err := os.ReadFile(filepath.Join(c.path, "cluster.env"))
	if err != nil {
		return fmt.Errorf("chtest: no cluster in %s: %w", c.path, err)
	}
	vals := map[string]string{}
	for _, line := range strings.Split(string(data), "\n") {
		if k, v, ok := strings.Cut(line, "="); ok {
			vals[k] = v
		}
	}
	n, err1 := strconv.Atoi(vals["nodes"])
	tcp, err2 := strconv.Atoi(vals["tcp_base"])
	httpBase, err3 := strconv.Atoi(vals["http_base"])
	if err := errors.Join(err1, err2, err3); err != nil {
		return fmt.Errorf("chtest: %s/cluster.env: %w", c.path, err)
	}
	c.Keeper = Keeper(vals["keeper"])
	c.Nodes = nil
	for i := 1; i <= n; i++ {
		c.Nodes = append(c.Nodes, Node{Index: i, DSN: fmt.Sprintf("clickhouse://default@127.0.0.1:%d/default", tcp+i-1), HTTPPort: httpBase + i - 1})
	}
	return nil
}

// launchCluster starts a cluster with scripts/clickhouse on free ports and a
// temporary path.
func launchCluster(opts ClusterOptions) (*LoopbackCluster, error) {
	script, err := launcherScript()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "chschema-test-cluster-")
	if err != nil {
		return nil, err
	}
	c := &LoopbackCluster{Source: "launcher", script: script, path: dir, down: map[int]bool{}}
	var lastErr error
	// Free ports are found, then taken by the servers: another process may
	// take one in between, so try a few port ranges.
	for attempt := 0; attempt < 3; attempt++ {
		tcp, err1 := freePortRange(opts.Nodes + 1) // the nodes and ZooKeeper
		httpBase, err2 := freePortRange(opts.Nodes)
		if err := errors.Join(err1, err2); err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
		out, err := exec.Command(script, "cluster", "start", strconv.Itoa(opts.Nodes), "--path", dir,
			"--tcp-port", strconv.Itoa(tcp), "--http-port", strconv.Itoa(httpBase), "--keeper", string(opts.Keeper)).CombinedOutput()
		if err == nil {
			lastErr = nil
			break
		}
		lastErr = fmt.Errorf("%s cluster start: %v\n%s", script, err, out)
		if !strings.Contains(string(out), "already in use") {
			break
		}
	}
	if lastErr != nil {
		os.RemoveAll(dir)
		return nil, lastErr
	}
	c.stop = func() error {
		// The cluster's data is thrown away: kill rather than wait for
		// each node's clean shutdown (about 2 s).
		out, err := exec.Command(script, "cluster", "stop", "--kill", "--path", dir).CombinedOutput()
		if err != nil {
			return fmt.Errorf("%s cluster stop: %v\n%s", script, err, out)
		}
		return os.RemoveAll(dir)
	}
	if err := c.readLayout(); err != nil {
		_ = c.stop()
		return nil, err
	}
	for _, n := range c.Nodes {
		if err := ping(n.DSN); err != nil {
			_ = c.stop()
			return nil, fmt.Errorf("node %d: %w", n.Index, err)
		}
	}
	return c, nil
}

// freePortRange returns the first of n consecutive free loopback ports.
func freePortRange(n int) (int, error) {
	for try := 0; try < 50; try++ {
		base, err := freePort()
		if err != nil {
			return 0, err
		}
		if base+n > 65535 {
			continue
		}
		ok := true
		for p := base; p < base+n && ok; p++ {
			l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", p))
			if err != nil {
				ok = false
				break
			}
			l.Close()
		}
		if ok {
			return base, nil
		}
	}
	return 0, fmt.Errorf("chtest: no %d consecutive free ports", n)
}

// LogTail returns the end of node i's log (its warnings and errors, and
// the stack of a crash), as a paragraph to append to an error message;
// empty for a cluster given as DSNs.
func (c *LoopbackCluster) LogTail(i int) string {
	if c.path == "" {
		return ""
	}
	var text, file string
	for _, name := range []string{"clickhouse.log", "server.log"} {
		file = filepath.Join(c.path, fmt.Sprintf("node%d", i), name)
		if b, err := os.ReadFile(file); err == nil && len(strings.TrimSpace(string(b))) > 0 {
			text = strings.TrimSpace(string(b))
			break
		}
	}
	if text == "" {
		return ""
	}
	lines := strings.Split(text, "\n")
	if len(lines) > 20 {
		lines = lines[len(lines)-20:]
	}
	return fmt.Sprintf("\nnode %d's log (%s):\n%s", i, file, strings.Join(lines, "\n"))
}

// Path is the cluster's directory (for scripts/clickhouse cluster --path);
// empty for a cluster given as DSNs.
func (c *LoopbackCluster) Path() string { return c.path }

// Stop stops node i (1-based), and starts it again when t ends if the test
// has not. A node's data survives. Tests that stop nodes must not run in
// parallel with other tests of the cluster.
func (c *LoopbackCluster) Stop(t testing.TB, i int) {
	t.Helper()
	c.control(t, "stop", i)
	c.mu.Lock()
	c.down[i] = true
	c.mu.Unlock()
	t.Cleanup(func() {
		if c.isDown(i) {
			c.Start(t, i)
		}
	})
}

// Kill kills node i with SIGKILL, as a crash, and starts it again when t
// ends if the test has not. Like Stop, it must not be used in parallel
// with other tests of the cluster.
func (c *LoopbackCluster) Kill(t testing.TB, i int) {
	t.Helper()
	c.control(t, "stop", i, "--kill")
	c.mu.Lock()
	c.down[i] = true
	c.mu.Unlock()
	t.Cleanup(func() {
		if c.isDown(i) {
			c.Start(t, i)
		}
	})
}

// Start starts node i again after Stop, and waits until it answers.
func (c *LoopbackCluster) Start(t testing.TB, i int) {
	t.Helper()
	c.control(t, "start-node", i)
	if err := ping(c.Nodes[i-1].DSN); err != nil {
		t.Fatalf("chtest: node %d after start: %v%s", i, err, c.LogTail(i))
	}
	c.mu.Lock()
	delete(c.down, i)
	c.mu.Unlock()
}

func (c *LoopbackCluster) control(t testing.TB, cmd string, i int, flags ...string) {
	t.Helper()
	if i < 1 || i > len(c.Nodes) {
		t.Fatalf("chtest: no node %d in a cluster of %d", i, len(c.Nodes))
	}
	if c.script == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("chtest: the nodes of a cluster given as DSNs cannot be stopped")
		}
		t.Skipf("chtest: the nodes of a cluster given as DSNs cannot be stopped; set CHSCHEMA_TEST_CLUSTER to the cluster's directory")
	}
	args := append([]string{"cluster", cmd, strconv.Itoa(i), "--path", c.path}, flags...)
	out, err := exec.Command(c.script, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("chtest: cluster %s %d: %v\n%s", cmd, i, err, out)
	}
}

func (c *LoopbackCluster) isDown(i int) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.down[i]
}

// Stop stops node i of the test's cluster; see LoopbackCluster.Stop.
func (db *ClusterDB) Stop(i int) { db.t.Helper(); db.Cluster.Stop(db.t, i) }

// Kill kills node i of the test's cluster; see LoopbackCluster.Kill.
func (db *ClusterDB) Kill(i int) { db.t.Helper(); db.Cluster.Kill(db.t, i) }

// Start starts node i again; see LoopbackCluster.Start.
func (db *ClusterDB) Start(i int) { db.t.Helper(); db.Cluster.Start(db.t, i) }

// Node returns the test's database on node i (1-based).
func (db *ClusterDB) Node(i int) *NodeDB { return db.Nodes[i-1] }

// DSNs returns the DSN of every node, with the test's database.
func (db *ClusterDB) DSNs() []string {
	out := make([]string, len(db.Nodes))
	for i, n := range db.Nodes {
		out[i] = n.DSN
	}
	return out
}

// Connect opens a new connection to the node with database as the default
// (the node's default when empty), closed when t ends.
func (n Node) Connect(t testing.TB, database string) driver.Conn {
	t.Helper()
	c := n.connect(t, database)
	t.Cleanup(func() { c.Close() })
	return c
}

func (n Node) connect(t testing.TB, database string) driver.Conn {
	t.Helper()
	conn, err := n.open(database)
	if err != nil {
		t.Fatalf("chtest: node %d: %v", n.Index, err)
	}
	return conn
}

func (n Node) open(database string) (driver.Conn, error) {
	opts, err := clickhouse.ParseDSN(n.DSN)
	if err != nil {
		return nil, fmt.Errorf("DSN %q: %w", n.DSN, err)
	}
	if database != "" {
		opts.Auth.Database = database
	}
	opts.DialTimeout = 5 * time.Second
	return clickhouse.Open(opts)
}
