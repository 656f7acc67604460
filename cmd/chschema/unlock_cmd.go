package main

import (
	"context"
	"encoding/json"
	"fmt"
)

// UnlockCmd forces the release of the migration lock, for a holder that
// crashed and whose lease has not run out yet.
type UnlockCmd struct {
	dsnFlag
	historyFlags
	formatFlag
}

// Run drops the lock and says whose it was.
func (c *UnlockCmd) Run(ctx context.Context, g *Globals, env *Env) error {
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
	if !res.Released {
		fmt.Fprintln(env.Stdout, "no lock was held")
		return nil
	}
	fmt.Fprintf(env.Stdout, "released the lock held by %s\n", res.Holder)
	return nil
}
