package chschema

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/chschema/chschema/diff"
	"github.com/chschema/chschema/schema"
)

// ClusterDiffResult is the drift of every node of a cluster: each node's
// live schema compared with the schema the migrations describe at that
// node's own history, the nodes grouped by identical drift, and where the
// nodes' live schemas disagree with each other on what the migrations say
// nothing about.
type ClusterDiffResult struct {
	// Cluster is the cluster's name.
	Cluster string `json:"cluster"`
	// Nodes holds every node of the cluster, in its order, reachable or
	// not.
	Nodes []NodeDiff `json:"nodes"`
	// Groups are the compared nodes grouped by identical drift (the same
	// changes and unverified objects), in the order of each group's first
	// node; a group whose Result has no change has no drift.
	Groups []DriftGroup `json:"groups"`
	// Disagreements are differences between a node's live schema and the
	// reference node's (the first compared node) on objects that neither
	// node's drift covers: objects the migrations say nothing about where
	// they are compared (unverified ones: statements the model cannot
	// follow), so that nodes that differ from each other are reported even
	// where neither differs from anything expected. Nodes with the same
	// differences are grouped.
	Disagreements []Disagreement `json:"disagreements"`
}

// NodeDiff is one node's drift.
type NodeDiff struct {
	Node NodeInfo `json:"node"`
	// Result is nil when the node could not be reached or read (Err).
	*DiffResult `json:"-"`
	Err         error `json:"-"`
}

// DriftGroup is nodes whose drift is the same.
type DriftGroup struct {
	Nodes Nodes `json:"nodes"`
	// Result is their drift: expected (From) against the first node's live
	// schema (To).
	*diff.Result `json:"-"`
}

// Disagreement is nodes whose live schema differs from the reference node's
// in the same way, on objects their drift does not cover.
type Disagreement struct {
	Reference NodeInfo `json:"reference"`
	Nodes     Nodes    `json:"nodes"`
	// Result turns the reference's live schema (From) into the nodes' (To).
	*diff.Result `json:"-"`
}

// Drift reports whether any compared node has drift or the nodes disagree.
func (r *ClusterDiffResult) Drift() bool {
	for _, g := range r.Groups {
		if g.Result.Drift() {
			return true
		}
	}
	return len(r.Disagreements) > 0
}

// Failed are the nodes that could not be reached or read.
func (r *ClusterDiffResult) Failed() []NodeDiff {
	var out []NodeDiff
	for _, n := range r.Nodes {
		if n.Err != nil {
			out = append(out, n)
		}
	}
	return out
}

// DiffCluster is Diff on every node of c, concurrently, each on its own
// connection and read as Diff reads one server (one query per system
// table, never one per table): each node's expected schema comes from its
// own history (with per-node apply every node has one; with an ON CLUSTER
// history, the replicated table every node holds). Nodes with the same
// drift are grouped, and the nodes' live schemas are compared with each
// other (see ClusterDiffResult.Disagreements).
//
// A node that cannot be reached or read is never left out silently: the
// result still covers the others, and the error is a
// *NodesUnreachableError (ErrNodeUnreachable) naming the unreachable ones,
// joined with the errors of nodes that failed otherwise.
func (p *Project) DiffCluster(ctx context.Context, c *Cluster, opts ...DiffOption) (*ClusterDiffResult, error) {
	if err := p.ready(); err != nil {
		return nil, err
	}
	if c == nil {
		return nil, errors.New("chschema: nil *Cluster")
	}
	cfg, err := newDiffConfig(opts)
	if err != nil {
		return nil, err
	}
	res := &ClusterDiffResult{Cluster: c.Name, Nodes: make([]NodeDiff, len(c.Nodes)), Groups: []DriftGroup{}, Disagreements: []Disagreement{}}
	lives := make([]*schema.Schema, len(c.Nodes))
	var wg sync.WaitGroup
	for i, n := range c.Nodes {
		res.Nodes[i] = NodeDiff{Node: n.NodeInfo, Err: n.Err}
		if n.DB == nil {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			d, live, err := p.diffOn(ctx, n.DB, cfg)
			if err != nil {
				res.Nodes[i].Err = fmt.Errorf("%s: %w", n.NodeInfo, err)
				return
			}
			res.Nodes[i].DiffResult, lives[i] = d, live
		}()
	}
	wg.Wait()
	res.group()
	res.compareNodes(lives, p.ignore)

	var down []*ClusterNode
	var errs []error
	for i, n := range res.Nodes {
		switch {
		case c.Nodes[i].DB == nil:
			down = append(down, c.Nodes[i])
		case n.Err != nil:
			errs = append(errs, n.Err)
		}
	}
	if len(down) > 0 {
		errs = append([]error{&NodesUnreachableError{Cluster: c.Name, Op: "diff", Nodes: down}}, errs...)
	}
	return res, errors.Join(errs...)
}

// group puts the compared nodes with identical drift together.
func (r *ClusterDiffResult) group() {
	index := map[string]int{}
	for _, n := range r.Nodes {
		if n.DiffResult == nil {
			continue
		}
		key := entriesKey(n.DiffResult.Result)
		if i, ok := index[key]; ok {
			r.Groups[i].Nodes = append(r.Groups[i].Nodes, n.Node)
			continue
		}
		index[key] = len(r.Groups)
		r.Groups = append(r.Groups, DriftGroup{Nodes: Nodes{n.Node}, Result: n.DiffResult.Result})
	}
}

// entriesKey identifies a diff by what it says.
func entriesKey(r *diff.Result) string {
	b, _ := json.Marshal(diff.Entries(r))
	return string(b)
}

// compareNodes compares every compared node's live schema with the first
// one's, in the databases every node read, and keeps what neither node's
// drift covers.
func (r *ClusterDiffResult) compareNodes(lives []*schema.Schema, ignore *diff.Ignore) {
	ref := -1
	var common []string
	for i, n := range r.Nodes {
		if n.DiffResult == nil {
			continue
		}
		if ref < 0 {
			ref, common = i, slices.Clone(n.Databases)
			continue
		}
		common = slices.DeleteFunc(common, func(db string) bool { return !slices.Contains(n.Databases, db) })
	}
	if ref < 0 {
		return
	}
	for _, l := range lives {
		if l != nil {
			l.KeepDatabases(common)
		}
	}
	index := map[string]int{}
	for i, n := range r.Nodes {
		if n.DiffResult == nil || i == ref {
			continue
		}
		d := diff.Schemas(lives[ref], lives[i], diff.WithIgnore(ignore))
		d = withoutObjects(d, driftObjects(r.Nodes[ref].DiffResult.Result), driftObjects(n.DiffResult.Result))
		if !d.Drift() {
			continue
		}
		key := entriesKey(d)
		if j, ok := index[key]; ok {
			r.Disagreements[j].Nodes = append(r.Disagreements[j].Nodes, n.Node)
			continue
		}
		index[key] = len(r.Disagreements)
		r.Disagreements = append(r.Disagreements, Disagreement{Reference: r.Nodes[ref].Node, Nodes: Nodes{n.Node}, Result: d})
	}
}

// objectKey names an entry's object: its database, and its name (empty
// for the database itself).
func objectKey(e diff.Entry) string { return e.Database + "\x00" + e.Object }

// driftObjects are the objects a node's drift reports as changed (not the
// unverified ones: those are what the nodes are compared on).
func driftObjects(r *diff.Result) map[string]bool {
	out := map[string]bool{}
	for _, e := range diff.Entries(r) {
		if e.Action != "unverified" {
			out[objectKey(e)] = true
		}
	}
	return out
}

// withoutObjects is r without the changes to objects in any of the sets,
// and without unverified objects (each node's drift reports those).
func withoutObjects(r *diff.Result, sets ...map[string]bool) *diff.Result {
	out := &diff.Result{From: r.From, To: r.To, Ignored: r.Ignored}
	for _, c := range r.Changes {
		covered := false
		for _, e := range diff.Entries(&diff.Result{Changes: []schema.Change{c}, From: r.From, To: r.To}) {
			for _, s := range sets {
				covered = covered || s[objectKey(e)]
			}
		}
		if !covered {
			out.Changes = append(out.Changes, c)
		}
	}
	return out
}

// nodeDiffJSON is a node in ClusterDiffResult's JSON: where it is, and its
// drift as `chschema diff --format json` reports one server's, or the error
// that kept it out.
type nodeDiffJSON struct {
	NodeInfo
	*diff.JSONReport
	Error string `json:"error,omitempty"`
}

type groupJSON struct {
	Nodes []int `json:"nodes"`
	diff.JSONReport
}

type disagreementJSON struct {
	Reference int   `json:"reference"`
	Nodes     []int `json:"nodes"`
	diff.JSONReport
}

// MarshalJSON encodes the result as `chschema diff --cluster --format json`
// prints it: "cluster", "drift" (any drift or disagreement), "nodes" (each
// with its address and its drift as diff's JSON report, or "error"),
// "groups" and "disagreements" (node numbers, and the changes; for a
// disagreement the "from" side is the reference node's live schema).
func (r *ClusterDiffResult) MarshalJSON() ([]byte, error) {
	nums := func(nodes Nodes) []int {
		out := make([]int, len(nodes))
		for i, n := range nodes {
			out[i] = n.Index
		}
		return out
	}
	doc := struct {
		Cluster       string             `json:"cluster"`
		Drift         bool               `json:"drift"`
		Nodes         []nodeDiffJSON     `json:"nodes"`
		Groups        []groupJSON        `json:"groups"`
		Disagreements []disagreementJSON `json:"disagreements"`
	}{Cluster: r.Cluster, Drift: r.Drift(), Nodes: []nodeDiffJSON{}, Groups: []groupJSON{}, Disagreements: []disagreementJSON{}}
	for _, n := range r.Nodes {
		j := nodeDiffJSON{NodeInfo: n.Node}
		if n.DiffResult != nil {
			rep := diff.Report(n.DiffResult.Result)
			j.JSONReport = &rep
		}
		if n.Err != nil {
			j.Error = n.Err.Error()
		}
		doc.Nodes = append(doc.Nodes, j)
	}
	for _, g := range r.Groups {
		doc.Groups = append(doc.Groups, groupJSON{Nodes: nums(g.Nodes), JSONReport: diff.Report(g.Result)})
	}
	for _, d := range r.Disagreements {
		doc.Disagreements = append(doc.Disagreements, disagreementJSON{Reference: d.Reference.Index, Nodes: nums(d.Nodes), JSONReport: diff.Report(d.Result)})
	}
	return json.Marshal(doc)
}
