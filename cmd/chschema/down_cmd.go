package main

import (
	"context"
	"errors"

	"github.com/chschema/chschema"
	"github.com/chschema/chschema/apply"
)

// DownCmd reverts applied migrations by running their down sections.
type DownCmd struct {
	projectFlags
	dsnFlag
	runnerFlags
	To      *uint64 `help:"Revert every migration above this version (0 reverts all); it must name a migration." placeholder:"VERSION" xor:"target" env:"CHSCHEMA_DOWN_TO"`
	Steps   int     `help:"Revert this many migrations, most recently applied first." placeholder:"N" xor:"target" env:"CHSCHEMA_DOWN_STEPS"`
	Service string  `help:"Revert only this service's migrations; it must be a service of --dir." placeholder:"NAME" env:"CHSCHEMA_SERVICE"`
	Strict  bool    `help:"Refuse down sections marked -- no-op instead of recording them as reverted." env:"CHSCHEMA_DOWN_STRICT"`
	DryRun  bool    `help:"Print the statements that would run, and the data they would destroy, and change nothing." env:"CHSCHEMA_DRY_RUN"`
	formatFlag
	perNodeFlag
	AllowDataLoss bool `help:"Run statements that destroy data (drop a database, table, column or partition that holds rows, truncate, delete, update). Without it such a down lists the data and refuses." env:"CHSCHEMA_ALLOW_DATA_LOSS"`
	resumeFlag
}

// Run checks the sum file, then reverts in reverse order and records each
// step.
func (c *DownCmd) Run(ctx context.Context, g *Globals, env *Env) error {
	if c.To == nil && c.Steps == 0 {
		return errors.New("down needs --to VERSION or --steps N")
	}
	if c.PerNode && c.Cluster == "" {
		return errors.New("--per-node needs --cluster NAME: the nodes to apply on")
	}
	resume, err := c.resumeFlag.options()
	if err != nil {
		return err
	}
	p, err := openProject(g, env, c.runnerFlags.options()...)
	if err != nil {
		return refusal(env, g, err, "down")
	}
	if c.PerNode {
		run := func(ctx context.Context, p *chschema.Project, cl *chschema.Cluster, opts []chschema.RunOption) (*chschema.ClusterReport, error) {
			return p.DownCluster(ctx, cl, opts...)
		}
		return c.runnerFlags.runCluster(ctx, g, env, p, "down", "reverted", true, c.DryRun,
			append(append(c.target(), resume...), env.stopOptions()...), run)
	}
	db, err := c.runnerFlags.connect(ctx, g)
	if err != nil {
		return err
	}
	defer db.Close()
	rep, err := p.Down(ctx, db, append(append(c.target(), resume...), env.stopOptions()...)...)
	if errors.Is(err, apply.ErrInterrupted) && rep != nil {
		_ = printReport(env, g, rep, false, "reverted")
	}
	if err != nil {
		return refusal(env, g, err, "down")
	}
	return printReport(env, g, rep, c.DryRun, "reverted")
}

func (c *DownCmd) target() []chschema.RunOption {
	var opts []chschema.RunOption
	if c.To != nil {
		opts = append(opts, chschema.ToVersion(*c.To))
	}
	if c.Steps != 0 {
		opts = append(opts, chschema.Steps(c.Steps))
	}
	if c.Service != "" {
		opts = append(opts, chschema.OnlyService(c.Service))
	}
	if c.Strict {
		opts = append(opts, chschema.StrictDown())
	}
	if c.DryRun {
		opts = append(opts, chschema.DryRun())
	}
	if c.AllowDataLoss {
		opts = append(opts, chschema.AllowDataLoss())
	}
	return opts
}
