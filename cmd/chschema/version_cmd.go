package main

import (
	"context"
	"encoding/json"
	"fmt"
)

// VersionCmd prints chschema's version and, with --dsn, the server's.
type VersionCmd struct {
	Wait waitFlag `embed:""`
}

// Run prints the versions.
func (c *VersionCmd) Run(ctx context.Context, g *Globals, env *Env) error {
	out := struct {
		Chschema string `json:"chschema"`
		Server   string `json:"server,omitempty"`
	}{Chschema: Version()}
	if g.DSN != "" {
		db, err := connect(ctx, g.DSN, c.Wait.Wait, g.eventOptions()...)
		if err != nil {
			return err
		}
		defer db.Close()
		if out.Server, err = db.ServerVersion(ctx); err != nil {
			return err
		}
	}
	if g.Format == "json" {
		enc := json.NewEncoder(env.Stdout)
		return enc.Encode(out)
	}
	fmt.Fprintf(env.Stdout, "chschema %s\n", out.Chschema)
	if out.Server != "" {
		fmt.Fprintf(env.Stdout, "clickhouse %s\n", out.Server)
	}
	return nil
}
