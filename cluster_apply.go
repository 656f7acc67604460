package chschema

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/chschema/chschema/apply"
	"github.com/chschema/chschema/drift"
	"github.com/chschema/chschema/internal/english"
	"github.com/chschema/chschema/parser"
)

// PerNode makes MigrateCluster and DownCluster apply every statement on
// the nodes themselves, without ON CLUSTER: each node keeps its own,
// non-replicated history and is resumed from it; statement k runs on every
// node before statement k+1 runs on any; a statement that a
// Replicated*MergeTree table passes on to its other replicas runs on one
// replica of each group (see MigrateCluster). Without it, they run on the
// DSN's server with the history and lock ON CLUSTER, after checking the
// drift of every node.
func PerNode() RunOption {
	return runOption{"PerNode", func(c *runConfig) error { c.perNode = true; return nil }}
}

// NodeEvent is an event of one node's run in a cluster operation. Events of
// the nodes' runs arrive one at a time, but interleaved.
type NodeEvent struct {
	Node  NodeInfo
	Event Event
}

// Kind is the node's event's kind.
func (e NodeEvent) Kind() string { return e.Event.Kind() }

// String is the node's event's line after the node's name.
func (e NodeEvent) String() string { return e.Node.String() + ": " + e.Event.String() }

// ClusterReport says what MigrateCluster or DownCluster did (or, for a dry
// run, would do) on each node.
type ClusterReport struct {
	// Cluster is the cluster's name.
	Cluster string
	// PerNode is true for per-node apply; otherwise Nodes holds the one
	// server the statements ran on, ON CLUSTER.
	PerNode bool
	Nodes   []NodeReport
}

// NodeReport is one node's report; Report is nil when the node's run did
// not get as far as one.
type NodeReport struct {
	Node NodeInfo
	*Report
	// Err is how the node's run ended, when it failed.
	Err error
}

// MarshalJSON encodes the report as `chschema migrate --cluster --format
// json` prints it: "cluster", "per_node", and "nodes", each node's address
// fields followed by its Report's and, when it failed, "error".
func (r *ClusterReport) MarshalJSON() ([]byte, error) {
	nodes := make([]json.RawMessage, 0, len(r.Nodes))
	for _, n := range r.Nodes {
		b, err := n.MarshalJSON()
		if err != nil {
			return nil, err
		}
		nodes = append(nodes, b)
	}
	return json.Marshal(struct {
		Cluster string            `json:"cluster"`
		PerNode bool              `json:"per_node"`
		Nodes   []json.RawMessage `json:"nodes"`
	}{r.Cluster, r.PerNode, nodes})
}

// MarshalJSON encodes the node's fields, then its Report's, then "error".
func (n NodeReport) MarshalJSON() ([]byte, error) {
	parts := []any{n.Node}
	if n.Report != nil {
		parts = append(parts, n.Report)
	}
	if n.Err != nil {
		parts = append(parts, struct {
			Error string `json:"error"`
		}{n.Err.Error()})
	}
	return mergeObjects(parts...)
}

// mergeObjects encodes each value as a JSON object and joins their fields.
func mergeObjects(values ...any) ([]byte, error) {
	var out bytes.Buffer
	out.WriteByte('{')
	first := true
	for _, v := range values {
		b, err := json.Marshal(v)
		if err != nil {
			return nil, err
		}
		b = bytes.TrimSpace(b)
		if len(b) < 2 || b[0] != '{' {
			return nil, fmt.Errorf("chschema: %T is not a JSON object", v)
		}
		inner := bytes.TrimSpace(b[1 : len(b)-1])
		if len(inner) == 0 {
			continue
		}
		if !first {
			out.WriteByte(',')
		}
		out.Write(inner)
		first = false
	}
	out.WriteByte('}')
	return out.Bytes(), nil
}

// Applied counts the migrations applied (or reverted) on all nodes.
func (r *ClusterReport) Applied() int {
	n := 0
	for _, x := range r.Nodes {
		if x.Report != nil {
			n += len(x.Applied)
		}
	}
	return n
}

// NodeError is what went wrong on one node of a cluster operation.
type NodeError struct {
	Node NodeInfo
	Err  error
}

func (e *NodeError) Error() string { return e.Node.String() + ": " + e.Err.Error() }

// Unwrap returns the node's error.
func (e *NodeError) Unwrap() error { return e.Err }

// ClusterDriftError is migrate's refusal when nodes of the cluster have
// drift: each node's *drift.Error. It unwraps to them.
type ClusterDriftError struct {
	Cluster string
	Nodes   []NodeDrift
}

// NodeDrift is one node's drift.
type NodeDrift struct {
	Node NodeInfo
	Err  *drift.Error
}

func (e *ClusterDriftError) Error() string {
	var nodes Nodes
	changes := 0
	for _, n := range e.Nodes {
		nodes = append(nodes, n.Node)
		changes += len(n.Err.Report.Changes)
	}
	return fmt.Sprintf("chschema: drift on %s of cluster %s (%s in all)", nodes, e.Cluster, english.Plural(changes, "change"))
}

// Unwrap returns each node's *drift.Error.
func (e *ClusterDriftError) Unwrap() []error {
	out := make([]error, len(e.Nodes))
	for i, n := range e.Nodes {
		out[i] = n.Err
	}
	return out
}

// MigrateCluster applies the pending migrations on the cluster c; every
// node must be reachable, or it refuses (a *NodesUnreachableError) before
// changing anything. Options: those of Migrate, and PerNode.
//
// Without PerNode (ON CLUSTER mode) it is Migrate on the DSN's server with
// the history and lock created ON CLUSTER c.Name, except that the drift
// check reads every node, and refuses (a *ClusterDriftError naming the
// nodes) when any differs from the expected schema.
//
// With PerNode, each node is a server of its own: its own history table
// and journal (non-replicated), its own resume. The runs go in lockstep:
//
//   - the lock of every node is taken first, in address order, and held
//     until every node is done (apply.ClusterLock);
//   - every node's history, pre-flight and drift are checked before
//     anything runs on any node (on a cluster where some node has no
//     history yet, also before the lock is taken), and the run is refused
//     when a planned statement carries ON CLUSTER (it would run on every
//     node from every node) or when the nodes' plans order the migrations
//     differently;
//   - statement k of the plan runs on every node that has it pending, and
//     its mutations are waited for there, before statement k+1 runs on any
//     node; a node that resumes a half-applied migration runs its remaining
//     statements while the others wait at the next statement they share;
//   - a statement that writes to a Replicated*MergeTree table in a way the
//     engine replicates (parser.ReplicatedWrite: INSERT, most ALTERs,
//     OPTIMIZE, TRUNCATE, DELETE), where the live engine (system.replicas)
//     shows the table on several of the nodes as replicas of one keeper
//     path, runs on the first of those nodes only; the others run a marker
//     query under the statement's query_id once it succeeded there (so
//     their journals record it), or fail with its error;
//   - when a node fails, the others stop before their next statement, each
//     recording how far it got; the next run resumes each node from its
//     own history, query log or live schema.
//
// ResumeAt is refused with PerNode: resume the node alone with Migrate and
// its own DSN, then run MigrateCluster again.
func (p *Project) MigrateCluster(ctx context.Context, c *Cluster, opts ...RunOption) (*ClusterReport, error) {
	if err := p.ready(); err != nil {
		return nil, err
	}
	rc, err := newRunConfig("MigrateCluster", opts, "ToVersion", "OnlyService", "DryRun", "ResumeAt", "StopOn", "PerNode")
	if err != nil {
		return nil, err
	}
	if c == nil {
		return nil, errors.New("chschema: nil *Cluster")
	}
	if err := p.checkTarget("migrate", rc, rc.to, false); err != nil {
		return nil, err
	}
	if err := c.requireAll("migrate"); err != nil {
		return nil, err
	}
	if !rc.perNode {
		return p.migrateOnCluster(ctx, c, rc)
	}
	if len(rc.resumeAt) > 0 {
		return nil, errors.New("chschema: ResumeAt with PerNode: resume the node alone (Migrate with its own DSN, ResumeAt and ToVersion), then migrate the cluster again")
	}
	return (&clusterRun{p: p, c: c, rc: rc, op: "migrate"}).run(ctx)
}

// DownCluster reverts applied migrations on the cluster c; see
// MigrateCluster for the two modes and Down for the options. With PerNode,
// each node reverts what its own history says (Steps counts per node), in
// lockstep, and the down refuses before running anything when the data it
// would destroy on any node is not allowed (AllowDataLoss).
func (p *Project) DownCluster(ctx context.Context, c *Cluster, opts ...RunOption) (*ClusterReport, error) {
	if err := p.ready(); err != nil {
		return nil, err
	}
	rc, err := newRunConfig("DownCluster", opts, "ToVersion", "Steps", "OnlyService", "StrictDown", "DryRun", "ResumeAt", "StopOn", "AllowDataLoss", "PerNode")
	if err != nil {
		return nil, err
	}
	if (rc.to == nil) == (rc.steps == 0) {
		return nil, errors.New("chschema: DownCluster needs exactly one of ToVersion and Steps")
	}
	if c == nil {
		return nil, errors.New("chschema: nil *Cluster")
	}
	if err := p.checkTarget("down", rc, rc.to, true); err != nil {
		return nil, err
	}
	if err := c.requireAll("down"); err != nil {
		return nil, err
	}
	if !rc.perNode {
		db := c.onClusterDB()
		rep, err := p.Down(ctx, db, rc.asRunOptions()...)
		return &ClusterReport{Cluster: c.Name, Nodes: []NodeReport{{Node: c.entryInfo(), Report: rep, Err: err}}}, err
	}
	if len(rc.resumeAt) > 0 {
		return nil, errors.New("chschema: ResumeAt with PerNode: resume the node alone (Down with its own DSN and ResumeAt), then go down on the cluster again")
	}
	return (&clusterRun{p: p, c: c, rc: rc, op: "down"}).run(ctx)
}

// onClusterDB is the DSN's server with the history and lock ON CLUSTER.
func (c *Cluster) onClusterDB() *DB {
	db := *c.entry
	db.cluster = c.Name
	db.owned = false
	return &db
}

// entryInfo names the DSN's server: its node when it is one.
func (c *Cluster) entryInfo() NodeInfo {
	for _, n := range c.Nodes {
		if n.DB == c.entry {
			return n.NodeInfo
		}
	}
	return NodeInfo{Host: strings.Join(c.entry.addr, ",")}
}

// asRunOptions turns a checked configuration back into options, for Down.
func (rc *runConfig) asRunOptions() []RunOption {
	var opts []RunOption
	if rc.to != nil {
		opts = append(opts, ToVersion(*rc.to))
	}
	if rc.steps > 0 {
		opts = append(opts, Steps(rc.steps))
	}
	if rc.service != "" {
		opts = append(opts, OnlyService(rc.service))
	}
	if rc.strict {
		opts = append(opts, StrictDown())
	}
	if rc.dryRun {
		opts = append(opts, DryRun())
	}
	if len(rc.resumeAt) > 0 {
		opts = append(opts, ResumeAt(rc.resumeAt...))
	}
	if rc.stop != nil {
		opts = append(opts, StopOn(rc.stop))
	}
	if rc.allowDataLoss {
		opts = append(opts, AllowDataLoss())
	}
	return opts
}

// migrateOnCluster is MigrateCluster without PerNode: Migrate on the DSN's
// server, ON CLUSTER, with the drift check on every node.
func (p *Project) migrateOnCluster(ctx context.Context, c *Cluster, rc *runConfig) (*ClusterReport, error) {
	db := c.onClusterDB()
	v, err := p.verifier(db)
	if err != nil {
		return nil, err
	}
	extra := append(rc.options(), apply.WithPreflight(p.preflight(db, "migrate")), apply.WithStateMatcher(v))
	if !p.cfg.noDriftCheck {
		nv := &nodesVerifier{cluster: c.Name}
		for _, n := range c.Nodes {
			v, err := p.verifier(n.DB)
			if err != nil {
				return nil, err
			}
			nv.nodes = append(nv.nodes, n.NodeInfo)
			nv.verifiers = append(nv.verifiers, v)
		}
		extra = append(extra, apply.WithVerifier(nv))
	}
	r, err := p.runner(db, extra...)
	if err != nil {
		return nil, err
	}
	rep, err := r.Migrate(ctx, p.units, rc.target(), rc.mode())
	return &ClusterReport{Cluster: c.Name, Nodes: []NodeReport{{Node: c.entryInfo(), Report: rep, Err: err}}}, err
}

// nodesVerifier is the drift check of every node against one state: the
// ON CLUSTER history, which every node holds.
type nodesVerifier struct {
	cluster   string
	nodes     []NodeInfo
	verifiers []*apply.DriftVerifier
}

var (
	_ apply.Verifier   = (*nodesVerifier)(nil)
	_ apply.UnitsAware = (*nodesVerifier)(nil)
)

func (v *nodesVerifier) SetUnits(units []*apply.Unit) {
	for _, x := range v.verifiers {
		x.SetUnits(units)
	}
}

// Verify checks every node concurrently; drift on any node is a
// *ClusterDriftError, any other failure the node's error.
func (v *nodesVerifier) Verify(ctx context.Context, state apply.AppliedState) error {
	errs := make([]error, len(v.verifiers))
	var wg sync.WaitGroup
	for i, x := range v.verifiers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = x.Verify(ctx, state)
		}()
	}
	wg.Wait()
	cd := &ClusterDriftError{Cluster: v.cluster}
	var other []error
	for i, err := range errs {
		var de *drift.Error
		switch {
		case err == nil:
		case errors.As(err, &de):
			cd.Nodes = append(cd.Nodes, NodeDrift{Node: v.nodes[i], Err: de})
		default:
			other = append(other, &NodeError{Node: v.nodes[i], Err: err})
		}
	}
	if len(other) > 0 {
		return errors.Join(other...)
	}
	if len(cd.Nodes) > 0 {
		return cd
	}
	return nil
}

// clusterRun is one per-node MigrateCluster or DownCluster.
type clusterRun struct {
	p  *Project
	c  *Cluster
	rc *runConfig
	op string

	evMu sync.Mutex
	// nodes are the per-node pieces, in c.Nodes order.
	nodes []*nodeRun
}

// nodeRun is one node's part of a clusterRun.
type nodeRun struct {
	node   *ClusterNode
	conn   *routedConn
	db     *DB
	lock   *apply.TableLock
	events func(Event)
}

// events delivers a node's event, one at a time.
func (cr *clusterRun) nodeEvents(n NodeInfo) func(Event) {
	return func(e Event) {
		cr.evMu.Lock()
		defer cr.evMu.Unlock()
		cr.p.cfg.events(NodeEvent{Node: n, Event: e})
	}
}

func (cr *clusterRun) run(ctx context.Context) (*ClusterReport, error) {
	for _, n := range cr.c.Nodes {
		conn := &routedConn{Conn: n.DB.conn}
		db := *n.DB
		db.conn, db.owned, db.cluster = conn, false, ""
		db.sessions = conn.sessions(n.DB.sessions)
		nr := &nodeRun{node: n, conn: conn, db: &db, events: cr.nodeEvents(n.NodeInfo)}
		lock, err := cr.p.tableLock(nr.db, nr.events)
		if err != nil {
			return nil, err
		}
		nr.lock = lock
		cr.nodes = append(cr.nodes, nr)
	}
	report := &ClusterReport{Cluster: cr.c.Name, PerNode: true, Nodes: make([]NodeReport, len(cr.nodes))}
	for i, nr := range cr.nodes {
		report.Nodes[i].Node = nr.node.NodeInfo
	}
	if cr.rc.dryRun {
		plans, err := cr.dryRun(ctx)
		if err == nil {
			err = cr.check(plans)
		}
		for i := range report.Nodes {
			report.Nodes[i].Report = plans[i]
		}
		return report, err
	}
	// A node with no history yet would get one (and its database) from the
	// lock: check everything before it, so that a refusal changes nothing.
	fresh, err := cr.anyFresh(ctx)
	if err != nil {
		return report, err
	}
	if fresh {
		plans, err := cr.dryRun(ctx)
		if err == nil {
			err = cr.check(plans)
		}
		if err != nil {
			return report, err
		}
	}
	locks := make([]apply.Locker, len(cr.nodes))
	names := make([]string, len(cr.nodes))
	order := make([]int, len(cr.nodes))
	for i := range cr.nodes {
		order[i] = i
	}
	// Every run takes the locks of the servers it shares with another run in
	// the same order: by address.
	sort.SliceStable(order, func(a, b int) bool {
		return cr.nodes[order[a]].node.Address() < cr.nodes[order[b]].node.Address()
	})
	member := make([]int, len(cr.nodes))
	for k, i := range order {
		locks[k], names[k], member[i] = cr.nodes[i].lock, cr.nodes[i].node.String(), k
	}
	cl, err := apply.NewClusterLock(locks, names)
	if err != nil {
		return report, err
	}
	if err := cl.Acquire(ctx); err != nil {
		return report, err
	}
	defer func() { _ = cl.Release(context.WithoutCancel(ctx)) }()
	plans, err := cr.dryRun(ctx)
	if err != nil {
		return report, err
	}
	if err := cr.check(plans); err != nil {
		return report, err
	}
	return report, cr.execute(ctx, cl, member, plans, report)
}

// anyFresh reports whether some node has no history yet.
func (cr *clusterRun) anyFresh(ctx context.Context) (bool, error) {
	for _, nr := range cr.nodes {
		h, err := apply.NewTableHistory(nr.db.conn, apply.HistoryOptions{Database: nr.db.history.database, Table: nr.db.history.table})
		if err != nil {
			return false, err
		}
		events, err := h.Load(ctx)
		if err != nil {
			return false, &NodeError{Node: nr.node.NodeInfo, Err: err}
		}
		if len(events) == 0 {
			return true, nil
		}
	}
	return false, nil
}

// runnerOptions are a node's runner options for the operation, as Migrate
// and Down set them.
func (cr *clusterRun) runnerOptions(nr *nodeRun) ([]apply.Option, error) {
	p := cr.p
	v, err := p.verifier(nr.db)
	if err != nil {
		return nil, err
	}
	opts := append(cr.rc.options(), apply.WithPreflight(p.preflight(nr.db, cr.op)), apply.WithStateMatcher(v))
	switch cr.op {
	case "migrate":
		if !p.cfg.noDriftCheck {
			opts = append(opts, apply.WithVerifier(v))
		}
	case "down":
		opts = append(opts, apply.WithStrictDown(cr.rc.strict))
	}
	return opts, nil
}

// operate runs the operation on one node's runner.
func (cr *clusterRun) operate(ctx context.Context, r *apply.Runner, mode apply.Mode) (*Report, error) {
	if cr.op == "down" {
		return r.Down(ctx, cr.p.units, cr.rc.target(), mode)
	}
	return r.Migrate(ctx, cr.p.units, cr.rc.target(), mode)
}

// dryRun plans the operation on every node, concurrently, with every check
// a run makes before it changes anything (history, pre-flight, drift, data
// loss), and changes nothing.
func (cr *clusterRun) dryRun(ctx context.Context) ([]*Report, error) {
	plans := make([]*Report, len(cr.nodes))
	errs := make([]error, len(cr.nodes))
	var wg sync.WaitGroup
	for i, nr := range cr.nodes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			opts, err := cr.runnerOptions(nr)
			if err != nil {
				errs[i] = err
				return
			}
			r, err := cr.p.runnerWith(nr.db, nr.lock, nr.events, opts...)
			if err != nil {
				errs[i] = err
				return
			}
			plans[i], errs[i] = cr.operate(ctx, r, apply.DryRun)
		}()
	}
	wg.Wait()
	var failed []error
	drifted := &ClusterDriftError{Cluster: cr.c.Name}
	for i, err := range errs {
		var de *drift.Error
		switch {
		case err == nil:
		case errors.As(err, &de):
			drifted.Nodes = append(drifted.Nodes, NodeDrift{Node: cr.nodes[i].node.NodeInfo, Err: de})
		default:
			failed = append(failed, &NodeError{Node: cr.nodes[i].node.NodeInfo, Err: err})
		}
	}
	if len(drifted.Nodes) > 0 {
		failed = append([]error{drifted}, failed...)
	}
	return plans, errors.Join(failed...)
}

// stmtRef is one statement of a plan: a migration's section and the
// statement's 0-based index in it.
type stmtRef struct {
	Key   apply.Key
	Down  bool
	Index int
}

// check refuses what per-node apply cannot do safely, before anything
// runs: data loss not allowed on any node, statements with ON CLUSTER, and
// plans whose order differs between nodes (the lockstep would wait for
// ever).
func (cr *clusterRun) check(plans []*Report) error {
	if !cr.rc.allowDataLoss {
		var losses []error
		for i, pl := range plans {
			if len(pl.DataLoss) > 0 {
				losses = append(losses, &NodeError{Node: cr.nodes[i].node.NodeInfo, Err: &apply.DataLossError{Losses: pl.DataLoss}})
			}
		}
		if len(losses) > 0 {
			return errors.Join(losses...)
		}
	}
	var errs []error
	seen := map[string]bool{}
	onCluster := func(st apply.Statement, what string) {
		if name, ok := parser.OnCluster(parser.Statement{Text: st.SQL}); ok && !seen[st.Pos()] {
			seen[st.Pos()] = true
			errs = append(errs, fmt.Errorf("%s: %s carries ON CLUSTER %s: per-node apply runs each statement on every node itself, and ON CLUSTER would run it on every node from every node; remove the clause (or apply without --per-node)", st.Pos(), what, name))
		}
	}
	for _, pl := range plans {
		for _, st := range pl.Init {
			onCluster(st, "a statement of init.sql")
		}
		for _, ps := range pl.Plan {
			onCluster(ps.Stmt, fmt.Sprintf("%s statement %d", ps.Key, ps.Index+1))
		}
	}
	if len(errs) > 0 {
		return &PreflightError{Op: cr.op, Reason: errors.Join(errs...).Error()}
	}
	seqs := make([][]stmtRef, len(plans))
	for i, pl := range plans {
		for _, ps := range pl.Plan {
			seqs[i] = append(seqs[i], stmtRef{Key: ps.Key, Down: cr.op == "down", Index: ps.Index})
		}
	}
	if _, err := mergeOrders(seqs); err != nil {
		return &PreflightError{Op: cr.op, Reason: err.Error() + "; bring the nodes' histories in line (run the operation on one node with its own DSN)"}
	}
	return nil
}

// mergeOrders returns one order of every statement of seqs that keeps the
// order of each, or an error when none does.
func mergeOrders(seqs [][]stmtRef) ([]stmtRef, error) {
	next := map[stmtRef]map[stmtRef]bool{}
	indeg := map[stmtRef]int{}
	var all []stmtRef
	add := func(s stmtRef) {
		if _, ok := indeg[s]; !ok {
			indeg[s] = 0
			all = append(all, s)
		}
	}
	for _, seq := range seqs {
		for k, s := range seq {
			add(s)
			if k > 0 {
				prev := seq[k-1]
				if next[prev] == nil {
					next[prev] = map[stmtRef]bool{}
				}
				if !next[prev][s] {
					next[prev][s] = true
					indeg[s]++
				}
			}
		}
	}
	var out []stmtRef
	done := map[stmtRef]bool{}
	for len(out) < len(all) {
		progressed := false
		for _, s := range all {
			if done[s] || indeg[s] > 0 {
				continue
			}
			done[s] = true
			out = append(out, s)
			for t := range next[s] {
				indeg[t]--
			}
			progressed = true
			break
		}
		if !progressed {
			var stuck []string
			for _, s := range all {
				if !done[s] {
					stuck = append(stuck, s.Key.String())
				}
			}
			return nil, fmt.Errorf("the nodes would run %s in different orders (their histories differ)", strings.Join(uniqueStrings(stuck), ", "))
		}
	}
	return out, nil
}

func uniqueStrings(in []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range in {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// execute runs every node's operation in lockstep under the held cluster
// lock.
func (cr *clusterRun) execute(ctx context.Context, cl *apply.ClusterLock, member []int, plans []*Report, report *ClusterReport) error {
	ls := newLockstep(cr, plans)
	errs := make([]error, len(cr.nodes))
	var wg sync.WaitGroup
	for i, nr := range cr.nodes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			opts, err := cr.runnerOptions(nr)
			if err != nil {
				errs[i] = err
				ls.end(i, err)
				return
			}
			opts = append(opts, apply.WithStatementHook(func(ctx context.Context, ev apply.StatementStarted) error {
				step, err := ls.arrive(ctx, i, stmtRef{Key: ev.Key, Down: ev.Down, Index: ev.Index - 1})
				if err != nil {
					return err
				}
				nr.conn.arm(step)
				return nil
			}))
			r, err := cr.p.runnerWith(nr.db, cl.Member(member[i]), nr.events, opts...)
			if err != nil {
				errs[i] = err
				ls.end(i, err)
				return
			}
			rep, err := cr.operate(ctx, r, apply.Execute)
			report.Nodes[i].Report = rep
			errs[i] = err
			ls.end(i, err)
		}()
	}
	wg.Wait()
	var causes, followers []error
	for i, err := range errs {
		if err == nil {
			continue
		}
		report.Nodes[i].Err = err
		ne := &NodeError{Node: cr.nodes[i].node.NodeInfo, Err: err}
		var pf *peerFailedError
		if errors.As(err, &pf) {
			followers = append(followers, ne)
		} else {
			causes = append(causes, ne)
		}
	}
	return errors.Join(append(causes, followers...)...)
}

// peerFailedError is a node stopped before a statement because another
// node's run ended first.
type peerFailedError struct {
	Peer NodeInfo
	Err  error
}

func (e *peerFailedError) Error() string {
	return fmt.Sprintf("not run here: %s ended first (%v), and per-node apply stops every node before its next statement", e.Peer, e.Err)
}

// Unwrap returns the peer's error, so that an interruption there counts as
// one here too.
func (e *peerFailedError) Unwrap() error { return e.Err }

// lockstep makes statement k run on every node that has it pending before
// statement k+1 runs on any: each node's runner waits, before each
// statement, until every node whose plan has it arrived there.
type lockstep struct {
	cr       *clusterRun
	expected map[stmtRef][]int
	stmts    map[stmtRef]apply.Statement

	mu       sync.Mutex
	arrived  map[stmtRef]map[int]bool
	released map[stmtRef]chan struct{}
	steps    map[stmtRef]map[int]*routeStep
	routeErr map[stmtRef]error
	ended    map[int]bool
	failed   chan struct{}
	failure  *peerFailedError
}

func newLockstep(cr *clusterRun, plans []*Report) *lockstep {
	ls := &lockstep{cr: cr, expected: map[stmtRef][]int{}, stmts: map[stmtRef]apply.Statement{},
		arrived: map[stmtRef]map[int]bool{}, released: map[stmtRef]chan struct{}{}, steps: map[stmtRef]map[int]*routeStep{},
		routeErr: map[stmtRef]error{}, ended: map[int]bool{}, failed: make(chan struct{})}
	for i, pl := range plans {
		for _, ps := range pl.Plan {
			ref := stmtRef{Key: ps.Key, Down: cr.op == "down", Index: ps.Index}
			ls.expected[ref] = append(ls.expected[ref], i)
			ls.stmts[ref] = ps.Stmt
		}
	}
	return ls
}

// fail records the first node whose run ended before the others, and wakes
// every waiting node. Call with ls.mu held.
func (ls *lockstep) fail(i int, err error) {
	if ls.failure != nil {
		return
	}
	ls.failure = &peerFailedError{Peer: ls.cr.nodes[i].node.NodeInfo, Err: err}
	close(ls.failed)
}

// arrive is node i before statement ref: it returns when every node whose
// plan has ref is there, with how node i is to run it.
func (ls *lockstep) arrive(ctx context.Context, i int, ref stmtRef) (*routeStep, error) {
	ls.mu.Lock()
	if ls.failure != nil {
		err := ls.failure
		ls.mu.Unlock()
		return nil, err
	}
	who, ok := ls.expected[ref]
	if !ok || !containsInt(who, i) {
		ls.mu.Unlock()
		return nil, fmt.Errorf("chschema: the run reached %s statement %d, which the plan made under the lock did not have", ref.Key, ref.Index+1)
	}
	if ls.arrived[ref] == nil {
		ls.arrived[ref] = map[int]bool{}
		ls.released[ref] = make(chan struct{})
	}
	ls.arrived[ref][i] = true
	release := ls.released[ref]
	all := len(ls.arrived[ref]) == len(who)
	ls.mu.Unlock()
	if all {
		steps, err := ls.cr.route(ctx, ref, ls.stmts[ref], who)
		ls.mu.Lock()
		ls.steps[ref], ls.routeErr[ref] = steps, err
		close(release)
		ls.mu.Unlock()
	} else {
		select {
		case <-release:
		case <-ls.failed:
			ls.mu.Lock()
			err := ls.failure
			ls.mu.Unlock()
			return nil, err
		case <-ls.cr.rc.stop:
			return nil, fmt.Errorf("%w: stopped on request while waiting for the other nodes before %s statement %d", apply.ErrInterrupted, ref.Key, ref.Index+1)
		case <-ctx.Done():
			return nil, fmt.Errorf("%w (%w): while waiting for the other nodes before %s statement %d", apply.ErrInterrupted, ctx.Err(), ref.Key, ref.Index+1)
		}
	}
	ls.mu.Lock()
	defer ls.mu.Unlock()
	if err := ls.routeErr[ref]; err != nil {
		return nil, err
	}
	return ls.steps[ref][i], nil
}

// end is node i's run ending. A node that ends with an error, or before a
// statement its plan had, stops the others at their next statement.
func (ls *lockstep) end(i int, err error) {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	ls.ended[i] = true
	if err != nil {
		var pf *peerFailedError
		if !errors.As(err, &pf) {
			ls.fail(i, err)
		}
		return
	}
	for ref, who := range ls.expected {
		if containsInt(who, i) && !ls.arrived[ref][i] {
			ls.fail(i, fmt.Errorf("its run ended before %s statement %d, which its plan had", ref.Key, ref.Index+1))
			return
		}
	}
}

func containsInt(s []int, x int) bool {
	for _, v := range s {
		if v == x {
			return true
		}
	}
	return false
}
