package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/chschema/chschema"
	"github.com/chschema/chschema/apply"
	"github.com/chschema/chschema/diff"
)

// clusterOp is MigrateCluster or DownCluster.
type clusterOp func(ctx context.Context, p *chschema.Project, c *chschema.Cluster, opts []chschema.RunOption) (*chschema.ClusterReport, error)

// runCluster is migrate or down with --cluster: every node of the cluster
// is connected first, and the operation refuses unless all answer.
func (f *runnerFlags) runCluster(ctx context.Context, g *Globals, env *Env, p *chschema.Project, what, verb string, perNode, dryRun bool,
	opts []chschema.RunOption, op clusterOp) error {
	cl, err := f.connectCluster(ctx, g, f.Cluster)
	if err != nil {
		return err
	}
	defer cl.Close()
	if perNode {
		opts = append(opts, chschema.PerNode())
	}
	rep, err := op(ctx, p, cl, opts)
	if rep != nil && (err == nil || errors.Is(err, apply.ErrInterrupted) || hasReport(rep)) {
		if g.Format == "json" && err == nil {
			return json.NewEncoder(env.Stdout).Encode(rep)
		}
		if g.Format != "json" {
			printClusterReport(env, g, rep, dryRun, verb, err != nil)
		}
	}
	if err != nil {
		return clusterRefusal(env, g, err, what)
	}
	return nil
}

// hasReport reports whether some node ran something worth printing before
// the operation failed.
func hasReport(rep *chschema.ClusterReport) bool {
	for _, n := range rep.Nodes {
		if n.Report != nil && (len(n.Applied) > 0 || n.Statements > 0 || len(n.Resumed) > 0) {
			return true
		}
	}
	return false
}

// printClusterReport prints each node's report, under its name.
func printClusterReport(env *Env, g *Globals, rep *chschema.ClusterReport, dryRun bool, verb string, failed bool) {
	for _, n := range rep.Nodes {
		if n.Report == nil {
			continue
		}
		if dryRun {
			fmt.Fprintf(env.Stdout, "-- %s\n", n.Node)
			_ = printReport(env, g, n.Report, true, verb)
			continue
		}
		if failed && len(n.Applied) == 0 && n.Statements == 0 && len(n.Resumed) == 0 {
			continue
		}
		for _, line := range reportLines(n.Report, verb) {
			fmt.Fprintf(env.Stdout, "%s: %s\n", n.Node, line)
		}
	}
}

// clusterRefusal is refusal for cluster operations: the drift of each node
// that has some, printed the way diff --cluster prints a group.
func clusterRefusal(env *Env, g *Globals, err error, what string) error {
	var cd *chschema.ClusterDriftError
	if errors.As(err, &cd) {
		hint := ""
		if what == "migrate" {
			hint = "; fix the drift, or run with --allow-drift"
		}
		var nodes []nodeDriftJSON
		for _, n := range cd.Nodes {
			nodes = append(nodes, nodeDriftJSON{NodeInfo: n.Node, JSONReport: diff.Report(n.Err.Report.Result)})
		}
		return &refusedError{What: what, Reason: strings.TrimPrefix(err.Error(), "chschema: ") + " (see above); nothing was changed on any node" + hint,
			NodeDrift: nodes, err: err,
			text: func(w io.Writer) {
				for _, n := range cd.Nodes {
					fmt.Fprintf(w, "== %s ==\n", n.Node)
					_ = diff.WriteText(w, n.Err.Report.Result, diff.TextOptions{FromLabel: "expected (applied migrations in " + g.Dir + ")",
						ToLabel: "live (" + n.Node.String() + ")", Color: env.StderrTTY && !hasEnv(env.Environ, "NO_COLOR")})
				}
			}}
	}
	return refusal(env, g, err, what)
}

// nodeDriftJSON is one node's drift in a refusal's JSON error.
type nodeDriftJSON struct {
	chschema.NodeInfo
	diff.JSONReport
}
