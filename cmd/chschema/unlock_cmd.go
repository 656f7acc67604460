package main

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/chschema/chschema"
)

// UnlockCmd forces the release of the migration lock, for a holder that
// crashed and whose lease has not run out yet.
type UnlockCmd struct {
	dsnFlag
	historyFlags
	formatFlag
	Cluster string `help:"Release the lock of every node of this cluster (the locks migrate --per-node takes), each node's result printed under its name. A node that cannot be reached keeps its lock until its lease runs out, and the exit code is 2." placeholder:"NAME" env:"CHSCHEMA_CLUSTER"`
}

// Run drops the lock and says whose it was.
func (c *UnlockCmd) Run(ctx context.Context, g *Globals, env *Env) error {
	if c.Cluster != "" {
		return c.runCluster(ctx, g, env)
	}
	db, err := c.connect(ctx, g)
	if err != nil {
		return err
	}
	defer db.Close()
	res, err := db.Unlock(ctx)
	if err != nil {
		return err
	}
	if g.Format == "json" {
		return json.NewEncoder(env.Stdout).Encode(res)
	}
	fmt.Fprintln(env.Stdout, unlockLine(res))
	return nil
}

// unlockLine says what an unlock did.
func unlockLine(res *chschema.UnlockResult) string {
	if !res.Released {
		return "no lock was held"
	}
	return fmt.Sprintf("released the lock held by %s", res.Holder)
}

// runCluster is unlock --cluster: every node's lock, one line per node.
func (c *UnlockCmd) runCluster(ctx context.Context, g *Globals, env *Env) error {
	cl, err := c.connectCluster(ctx, g, c.Cluster)
	if err != nil {
		return err
	}
	defer cl.Close()
	nodes, err := cl.Unlock(ctx)
	if g.Format == "json" {
		type node struct {
			chschema.NodeUnlock
			Error string `json:"error,omitempty"`
		}
		doc := struct {
			Cluster string `json:"cluster"`
			Nodes   []node `json:"nodes"`
		}{Cluster: cl.Name}
		for _, n := range nodes {
			e := ""
			if n.Err != nil {
				e = n.Err.Error()
			}
			doc.Nodes = append(doc.Nodes, node{n, e})
		}
		b, jerr := json.Marshal(doc)
		if jerr != nil {
			return jerr
		}
		if err != nil {
			b = withJSONError(b, err)
		}
		if _, jerr := env.Stdout.Write(append(b, '\n')); jerr != nil {
			return jerr
		}
		if err != nil {
			return &printedError{err: err}
		}
		return nil
	}
	for _, n := range nodes {
		if n.Err != nil {
			continue
		}
		fmt.Fprintf(env.Stdout, "%s: %s\n", n.Node, unlockLine(n.Result))
	}
	return err
}
