package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/chschema/chschema"
	"github.com/chschema/chschema/diff"
	"github.com/chschema/chschema/internal/english"
)

// connectCluster connects to every node of --cluster, waiting as --wait
// says, with the history table of --history-table.
func (h *historyFlags) connectCluster(ctx context.Context, g *Globals, name string) (*chschema.Cluster, error) {
	if g.DSN == "" {
		return nil, errors.New("--dsn (or CHSCHEMA_DSN) is required: the cluster's nodes are read from its server's system.clusters")
	}
	opts := append(g.eventOptions(), chschema.WithHistoryTable(h.HistoryTable), chschema.WithWait(h.Wait))
	c, err := chschema.ConnectCluster(ctx, g.DSN, name, opts...)
	var de *chschema.DSNError
	if errors.As(err, &de) {
		return nil, fmt.Errorf("--dsn: %w", err)
	}
	return c, err
}

// runCluster is diff --cluster: every node's drift, grouped, and where the
// nodes disagree. An unreachable node is printed with the others and makes
// the exit code 2.
func (c *DiffCmd) runCluster(ctx context.Context, g *Globals, env *Env, p *chschema.Project, opts []chschema.DiffOption) error {
	cl, err := c.connectCluster(ctx, g, c.Cluster)
	if err != nil {
		return err
	}
	defer cl.Close()
	if !c.NoCache {
		opts = append(opts, chschema.WithDefinitionCache(c.CacheDir))
	}
	res, derr := p.DiffCluster(ctx, cl, opts...)
	if res == nil {
		return derr
	}
	for _, n := range res.Nodes {
		if n.DiffResult != nil {
			printDiffNotesFor(env, g, n.DiffResult, n.Node.String()+": ")
			inDir(n.DiffResult.Result, positionsDir(g, env)) // the groups share these results
		}
	}
	var out bytes.Buffer
	switch g.Format {
	case "json":
		doc, err := json.Marshal(res)
		if err != nil {
			return err
		}
		if derr != nil {
			doc = withJSONError(doc, derr)
		}
		var indented bytes.Buffer
		if err := json.Indent(&indented, doc, "", "  "); err != nil {
			return err
		}
		indented.WriteByte('\n')
		if _, err := env.Stdout.Write(indented.Bytes()); err != nil {
			return err
		}
		if derr != nil {
			return &printedError{err: derr}
		}
	case "github":
		writeClusterGitHub(&out, res)
	default:
		writeClusterText(&out, res, g.Dir, env.IsTTY && !hasEnv(env.Environ, "NO_COLOR"))
	}
	if _, err := env.Stdout.Write(out.Bytes()); err != nil {
		return err
	}
	if derr != nil {
		return derr
	}
	if res.Drift() {
		return errFindings
	}
	return nil
}

// withJSONError adds the error object every failing command's JSON has to
// a document: {"error": {"message", "exit_code"}}.
func withJSONError(doc []byte, err error) []byte {
	body, _ := json.Marshal(jsonErrorBody{Message: strings.TrimPrefix(err.Error(), "chschema: "), ExitCode: exitCode(err)})
	doc = bytes.TrimSpace(doc)
	return append(append(doc[:len(doc)-1:len(doc)-1], []byte(`,"error":`)...), append(body, '}')...)
}

// writeClusterText prints each group of nodes with the same drift, each
// unreachable node, and each disagreement between nodes, then a summary.
func writeClusterText(w io.Writer, res *chschema.ClusterDiffResult, dir string, color bool) {
	heading := func(s string) {
		if color {
			s = "\x1b[1m" + s + "\x1b[0m"
		}
		fmt.Fprintln(w, s)
	}
	var drifted, clean chschema.Nodes
	for _, gr := range res.Groups {
		heading(fmt.Sprintf("== %s (%s) ==", gr.Nodes, gr.Nodes.Addresses()))
		_ = diff.WriteText(w, gr.Result, diff.TextOptions{Color: color,
			FromLabel: "expected (migrations in " + dir + ", at each node's history)", ToLabel: "live (" + gr.Nodes.String() + ")"})
		if gr.Result.Drift() {
			drifted = append(drifted, gr.Nodes...)
		} else {
			clean = append(clean, gr.Nodes...)
		}
	}
	var failed chschema.Nodes
	for _, n := range res.Failed() {
		heading(fmt.Sprintf("== %s: not compared ==", n.Node))
		fmt.Fprintln(w, n.Err)
		failed = append(failed, n.Node)
	}
	var disagree chschema.Nodes
	for _, d := range res.Disagreements {
		heading(fmt.Sprintf("== %s %s from %s where the migrations say nothing ==", d.Nodes, verb(len(d.Nodes), "differs", "differ"), d.Reference))
		_ = diff.WriteText(w, d.Result, diff.TextOptions{Color: color, FromLabel: "live (" + d.Reference.String() + ")", ToLabel: "live (" + d.Nodes.String() + ")"})
		disagree = append(disagree, d.Nodes...)
	}
	var parts []string
	if len(drifted) > 0 {
		parts = append(parts, "drift on "+drifted.String())
	}
	if len(clean) > 0 {
		parts = append(parts, "no drift on "+clean.String())
	}
	if len(disagree) > 0 {
		parts = append(parts, disagree.String()+" "+verb(len(disagree), "disagrees", "disagree")+" with "+res.Disagreements[0].Reference.String())
	}
	if len(failed) > 0 {
		parts = append(parts, failed.String()+" not compared (unreachable or unreadable)")
	}
	fmt.Fprintf(w, "cluster %s, %s: %s\n", res.Cluster, english.Plural(len(res.Nodes), "node"), strings.Join(parts, "; "))
}

// writeClusterGitHub writes GitHub Actions annotations: each group's drift
// titled with its nodes, each disagreement, each node not compared.
func writeClusterGitHub(w io.Writer, res *chschema.ClusterDiffResult) {
	for _, gr := range res.Groups {
		_ = diff.WriteGitHubWith(w, gr.Result, diff.GitHubOptions{Where: gr.Nodes.String()})
	}
	for _, d := range res.Disagreements {
		_ = diff.WriteGitHubWith(w, d.Result, diff.GitHubOptions{Title: "nodes disagree", Where: d.Nodes.String() + " against " + d.Reference.String()})
	}
	for _, n := range res.Failed() {
		fmt.Fprintf(w, "::error title=node not compared::%s\n", strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(n.Err.Error()))
	}
}

// printedError is an error whose JSON document the command has printed
// already (diff --cluster prints its result with the error in it): the
// exit code is the error's, and nothing more goes to stdout.
type printedError struct{ err error }

func (e *printedError) Error() string { return e.err.Error() }
func (e *printedError) Unwrap() error { return e.err }

// verb is the verb's form for n subjects.
func verb(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
