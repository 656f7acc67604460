package chschema

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/ClickHouse/clickhouse-go/v2"
)

// ErrUnknownCluster: the DSN's server has no cluster of that name in
// system.clusters.
var ErrUnknownCluster = errors.New("chschema: unknown cluster")

// ErrNodeUnreachable: a node of the cluster could not be reached. Cluster
// operations never leave a node out silently: DiffCluster reports it (and
// the CLI exits 2), MigrateCluster and DownCluster refuse before changing
// anything on any node.
var ErrNodeUnreachable = errors.New("chschema: node unreachable")

// Cluster is every node of a cluster, each on a connection of its own: the
// servers system.clusters lists for the cluster on the DSN's server. Get
// one from ConnectCluster; close it when done.
type Cluster struct {
	// Name is the cluster's name, as in system.clusters.
	Name string
	// Nodes are in system.clusters order (shard, then replica), each server
	// once.
	Nodes []*ClusterNode
	// entry is the DSN's server, which ON CLUSTER runs use.
	entry *DB
}

// ClusterNode is one node of a Cluster.
type ClusterNode struct {
	NodeInfo
	// DB is the node's connection, with the DSN's user, password, database,
	// settings and TLS; nil when the node could not be reached.
	DB *DB
	// Err says why the node could not be reached (a
	// *NodeUnreachableError); nil when DB is set.
	Err error
}

// NodeInfo names a node of a cluster.
type NodeInfo struct {
	// Index is the node's number in the cluster, from 1, in system.clusters
	// order.
	Index int `json:"node"`
	// Shard and Replica are its shard_num and replica_num.
	Shard   uint32 `json:"shard"`
	Replica uint32 `json:"replica"`
	// Host and Port are where system.clusters says it is (host_name, port).
	Host string `json:"host"`
	Port uint16 `json:"port"`
}

// Address is host:port.
func (n NodeInfo) Address() string { return net.JoinHostPort(n.Host, strconv.Itoa(int(n.Port))) }

// String is "node 2 (10.0.0.2:9000)".
func (n NodeInfo) String() string { return fmt.Sprintf("node %d (%s)", n.Index, n.Address()) }

// ConnectCluster connects to the server dsn names, reads the nodes of the
// cluster name from its system.clusters, and connects to each node at the
// host and port listed there, with the DSN's credentials, database and
// settings, concurrently. The options are Connect's (WithWait applies to
// every node; WithCluster does not apply: the cluster is name). The DSN's
// server must answer (an error otherwise, as Connect); a node that does not
// answer is kept with its Err set, for the operations to report. The node
// the DSN reaches (is_local) reuses the DSN's connection.
func ConnectCluster(ctx context.Context, dsn, name string, opts ...ConnectOption) (*Cluster, error) {
	if name == "" {
		return nil, errors.New("chschema: ConnectCluster: empty cluster name")
	}
	cfg, err := newConnectConfig(opts)
	if err != nil {
		return nil, err
	}
	if cfg.cluster != "" {
		return nil, errors.New("chschema: ConnectCluster does not take WithCluster: the cluster is its name argument")
	}
	if cfg.sessions != nil {
		return nil, errors.New("chschema: WithSessionOpener is for NewDB: ConnectCluster opens every node's sessions from its DSN")
	}
	o, err := clickhouse.ParseDSN(dsn)
	if err != nil {
		return nil, &DSNError{Err: err}
	}
	// Events come from one goroutine per node: deliver them one at a time.
	var mu sync.Mutex
	events := cfg.events
	cfg.events = func(e Event) {
		mu.Lock()
		defer mu.Unlock()
		events(e)
	}
	entry, err := connectWith(ctx, o, cfg)
	if err != nil {
		return nil, err
	}
	c := &Cluster{Name: name, entry: entry}
	rows, err := readClusterRows(ctx, entry, name)
	if err != nil {
		entry.Close()
		return nil, err
	}
	usedEntry := false
	var wg sync.WaitGroup
	for _, r := range rows {
		n := &ClusterNode{NodeInfo: r.NodeInfo}
		c.Nodes = append(c.Nodes, n)
		if r.local && !usedEntry {
			n.DB, usedEntry = entry, true
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			no := *o
			no.Addr = []string{n.Address()}
			db, err := connectWith(ctx, &no, cfg)
			if err != nil {
				n.Err = &NodeUnreachableError{Node: n.NodeInfo, Err: err}
				return
			}
			n.DB = db
		}()
	}
	wg.Wait()
	return c, nil
}

type clusterRow struct {
	NodeInfo
	local bool
}

// readClusterRows reads the nodes of the cluster from system.clusters: each
// server once, in shard then replica order.
func readClusterRows(ctx context.Context, db *DB, name string) ([]clusterRow, error) {
	rows, err := db.conn.Query(ctx, `SELECT shard_num, replica_num, host_name, port, is_local
		FROM system.clusters WHERE cluster = ? ORDER BY shard_num, replica_num`, name)
	if err != nil {
		return nil, fmt.Errorf("read system.clusters: %w", err)
	}
	defer rows.Close()
	var out []clusterRow
	seen := map[string]bool{}
	for rows.Next() {
		var r clusterRow
		var local uint8
		if err := rows.Scan(&r.Shard, &r.Replica, &r.Host, &r.Port, &local); err != nil {
			return nil, fmt.Errorf("read system.clusters: %w", err)
		}
		r.local = local == 1
		if seen[r.Address()] {
			continue
		}
		seen[r.Address()] = true
		r.Index = len(out) + 1
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read system.clusters: %w", err)
	}
	if len(out) == 0 {
		return nil, unknownCluster(ctx, db, name)
	}
	return out, nil
}

// unknownCluster is the error for a cluster the server does not define,
// naming the ones it does.
func unknownCluster(ctx context.Context, db *DB, name string) error {
	var names []string
	rows, err := db.conn.Query(ctx, "SELECT DISTINCT cluster FROM system.clusters ORDER BY cluster")
	if err == nil {
		for rows.Next() {
			var n string
			if rows.Scan(&n) == nil {
				names = append(names, n)
			}
		}
		rows.Close()
	}
	known := "it defines none"
	if len(names) > 0 {
		known = "it defines " + strings.Join(names, ", ")
	}
	return fmt.Errorf("%w: the server at %s has no cluster %s in system.clusters (%s)", ErrUnknownCluster, db.server, name, known)
}

// Reachable are the nodes with a connection.
func (c *Cluster) Reachable() []*ClusterNode {
	var out []*ClusterNode
	for _, n := range c.Nodes {
		if n.DB != nil {
			out = append(out, n)
		}
	}
	return out
}

// Unreachable are the nodes that could not be reached.
func (c *Cluster) Unreachable() []*ClusterNode {
	var out []*ClusterNode
	for _, n := range c.Nodes {
		if n.DB == nil {
			out = append(out, n)
		}
	}
	return out
}

// Close closes every node's connection and the DSN's.
func (c *Cluster) Close() error {
	var errs []error
	closed := false
	for _, n := range c.Nodes {
		if n.DB != nil {
			closed = closed || n.DB == c.entry
			errs = append(errs, n.DB.Close())
		}
	}
	if !closed && c.entry != nil {
		errs = append(errs, c.entry.Close())
	}
	return errors.Join(errs...)
}

// NodeUnreachableError is a node that could not be reached; it wraps
// ErrNodeUnreachable and the connection's error.
type NodeUnreachableError struct {
	Node NodeInfo
	Err  error
}

func (e *NodeUnreachableError) Error() string {
	return e.Node.String() + " unreachable: " + e.Err.Error()
}

// Unwrap returns ErrNodeUnreachable and the connection's error.
func (e *NodeUnreachableError) Unwrap() []error { return []error{ErrNodeUnreachable, e.Err} }

// NodesUnreachableError lists the nodes an operation could not reach; it
// wraps ErrNodeUnreachable.
type NodesUnreachableError struct {
	// Cluster is the cluster's name.
	Cluster string
	// Op is what could not be done: "diff", "migrate", "down".
	Op    string
	Nodes []*ClusterNode
}

func (e *NodesUnreachableError) Error() string {
	what := make([]string, len(e.Nodes))
	for i, n := range e.Nodes {
		what[i] = n.Err.Error()
	}
	msg := fmt.Sprintf("chschema: %s of cluster %s: %s", e.Op, e.Cluster, strings.Join(what, "; "))
	if e.Op == "migrate" || e.Op == "down" {
		msg += "; nothing was changed on any node"
	}
	return msg
}

// Unwrap returns ErrNodeUnreachable.
func (e *NodesUnreachableError) Unwrap() error { return ErrNodeUnreachable }

// requireAll fails with a *NodesUnreachableError unless every node is
// reachable.
func (c *Cluster) requireAll(op string) error {
	if down := c.Unreachable(); len(down) > 0 {
		return &NodesUnreachableError{Cluster: c.Name, Op: op, Nodes: down}
	}
	return nil
}

// Nodes is a list of nodes, as messages name them.
type Nodes []NodeInfo

// String is "node 2", "nodes 2 and 3" or "nodes 1, 2 and 4".
func (ns Nodes) String() string {
	idx := make([]int, len(ns))
	for i, n := range ns {
		idx[i] = n.Index
	}
	slices.Sort(idx)
	words := make([]string, len(idx))
	for i, x := range idx {
		words[i] = strconv.Itoa(x)
	}
	switch len(words) {
	case 0:
		return "no node"
	case 1:
		return "node " + words[0]
	}
	return "nodes " + strings.Join(words[:len(words)-1], ", ") + " and " + words[len(words)-1]
}

// Addresses are the nodes' host:port, comma-separated.
func (ns Nodes) Addresses() string {
	out := make([]string, len(ns))
	for i, n := range ns {
		out[i] = n.Address()
	}
	return strings.Join(out, ", ")
}

// NodeUnlock is one node's part of Cluster.Unlock.
type NodeUnlock struct {
	Node NodeInfo `json:"node"`
	// Result is the node's Unlock; nil when Err is set.
	Result *UnlockResult `json:"result,omitempty"`
	// Err says why the node's lock could not be released: the node was
	// unreachable, or the release failed.
	Err error `json:"-"`
}

// Unlock forces the release of every reachable node's migration lock, the
// locks a per-node run (MigrateCluster, DownCluster) takes, whoever holds
// them: after a run that crashed, so that the next does not wait for the
// leases to run out. It returns every node's part, in node order, and an
// error naming the nodes whose lock it could not release (an unreachable
// node among them): those keep their lock until its lease runs out.
func (c *Cluster) Unlock(ctx context.Context) ([]NodeUnlock, error) {
	out := make([]NodeUnlock, len(c.Nodes))
	var wg sync.WaitGroup
	for i, n := range c.Nodes {
		out[i].Node = n.NodeInfo
		if n.DB == nil {
			out[i].Err = n.Err
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i].Result, out[i].Err = n.DB.Unlock(ctx)
			if out[i].Err != nil {
				out[i].Err = fmt.Errorf("%s: %w", n.NodeInfo, out[i].Err)
			}
		}()
	}
	wg.Wait()
	var errs []error
	var msgs []string
	for _, u := range out {
		if u.Err != nil {
			errs = append(errs, u.Err)
			msgs = append(msgs, u.Err.Error())
		}
	}
	if len(errs) > 0 {
		return out, &clusterUnlockError{msg: fmt.Sprintf("chschema: unlock of cluster %s: %s; the lock of each node named stays until its lease runs out", c.Name, strings.Join(msgs, "; ")), errs: errs}
	}
	return out, nil
}

// clusterUnlockError is Cluster.Unlock's error: one message, every node's
// error wrapped (errors.Is(err, ErrNodeUnreachable) for an unreachable
// node).
type clusterUnlockError struct {
	msg  string
	errs []error
}

func (e *clusterUnlockError) Error() string   { return e.msg }
func (e *clusterUnlockError) Unwrap() []error { return e.errs }
