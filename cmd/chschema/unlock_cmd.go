package main

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/chschema/chschema/apply"
)

// UnlockCmd forces the release of the migration lock, for a holder that
// crashed and whose lease has not run out yet.
type UnlockCmd struct {
	historyFlags
}

// Run drops the lock and says whose it was.
func (c *UnlockCmd) Run(ctx context.Context, g *Globals, env *Env) error {
	conn, db, err := c.connect(ctx, g)
	if err != nil {
		return err
	}
	defer conn.Close()
	hdb, htable, err := c.historyTable(db)
	if err != nil {
		return err
	}
	holder, ok, err := apply.ForceUnlock(ctx, conn, hdb, apply.LockTableName(htable))
	if err != nil {
		return err
	}
	if g.Format == "json" {
		out := struct {
			Released bool              `json:"released"`
			Holder   *apply.LockHolder `json:"holder,omitempty"`
		}{Released: ok}
		if ok {
			out.Holder = &holder
		}
		return json.NewEncoder(env.Stdout).Encode(out)
	}
	if !ok {
		fmt.Fprintln(env.Stdout, "no lock was held")
		return nil
	}
	fmt.Fprintf(env.Stdout, "released the lock held by %s\n", holder)
	return nil
}
