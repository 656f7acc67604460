package main

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/chschema/chschema"
	"github.com/chschema/chschema/internal/english"
)

// BaselineCmd records migrations as applied without running them, for a
// database that already holds their schema.
type BaselineCmd struct {
	projectFlags
	dsnFlag
	runnerFlags
	Version uint64 `arg:"" help:"Record every migration up to and including this version; it must name a migration."`
	Service string `help:"Baseline only this service, comparing only its objects; it must be a service of --dir." placeholder:"NAME" env:"CHSCHEMA_SERVICE"`
	ignoreFlags
	formatFlag
}

// Run checks the sum file, verifies that the live schema equals the
// expected one at the version, then records the migrations; it refuses on
// any drift.
func (c *BaselineCmd) Run(ctx context.Context, g *Globals, env *Env) error {
	p, err := openProject(g, env, append(c.runnerFlags.options(), c.ignoreFlags.options(env.Environ)...)...)
	if err != nil {
		return refusal(env, g, err, "baseline")
	}
	db, err := c.runnerFlags.connect(ctx, g)
	if err != nil {
		return err
	}
	defer db.Close()
	var opts []chschema.RunOption
	if c.Service != "" {
		opts = append(opts, chschema.OnlyService(c.Service))
	}
	res, err := p.Baseline(ctx, db, c.Version, opts...)
	if err != nil {
		return refusal(env, g, err, "baseline")
	}
	if g.Format == "json" {
		return json.NewEncoder(env.Stdout).Encode(res)
	}
	fmt.Fprintf(env.Stdout, "baselined %s\n", english.Plural(len(res.Baselined), "migration"))
	return nil
}
