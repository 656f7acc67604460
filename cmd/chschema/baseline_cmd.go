package main

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/chschema/chschema/apply"
)

// BaselineCmd records migrations as applied without running them, for a
// database that already holds their schema.
type BaselineCmd struct {
	runnerFlags
	Version uint64 `arg:"" help:"Record every migration up to and including this version."`
	Service string `help:"Baseline only this service." placeholder:"NAME"`
	ignoreFlags
}

// Run verifies that the live schema equals the expected one at the version,
// then records the migrations; it refuses on any drift.
func (c *BaselineCmd) Run(ctx context.Context, g *Globals, env *Env) error {
	units, init, err := loadUnits(g, env)
	if err != nil {
		return err
	}
	r, conn, err := c.newVerifyingRunner(ctx, g, env, &c.ignoreFlags, init)
	if err != nil {
		return err
	}
	defer conn.Close()
	keys, err := r.Baseline(ctx, units, apply.Target{Service: c.Service, To: &c.Version})
	if err != nil {
		return refusal(env, g, err, "baseline")
	}
	if g.Format == "json" {
		return json.NewEncoder(env.Stdout).Encode(struct {
			Baselined []apply.Key `json:"baselined"`
		}{keys})
	}
	fmt.Fprintf(env.Stdout, "baselined %d migrations\n", len(keys))
	return nil
}
