package main

import (
	"context"
	"errors"

	"github.com/chschema/chschema/apply"
)

// DownCmd reverts applied migrations by running their down sections.
type DownCmd struct {
	runnerFlags
	To      *uint64 `help:"Revert every migration above this version (0 reverts all)." placeholder:"VERSION" xor:"target"`
	Steps   int     `help:"Revert this many migrations, most recently applied first." placeholder:"N" xor:"target"`
	Service string  `help:"Revert only this service's migrations." placeholder:"NAME"`
	Strict  bool    `help:"Refuse down sections marked -- no-op instead of recording them as reverted."`
	DryRun  bool    `help:"Print the statements that would run and change nothing."`
}

// Run reverts in reverse order and records each step.
func (c *DownCmd) Run(ctx context.Context, g *Globals, env *Env) error {
	if c.To == nil && c.Steps == 0 {
		return errors.New("down needs --to VERSION or --steps N")
	}
	units, _, err := loadUnits(g, env)
	if err != nil {
		return err
	}
	r, conn, err := c.newRunner(ctx, g, env, nil, apply.WithStrictDown(c.Strict))
	if err != nil {
		return err
	}
	defer conn.Close()
	rep, err := r.Down(ctx, units, apply.Target{Service: c.Service, To: c.To, Steps: c.Steps}, c.DryRun)
	if err != nil {
		return refusal(env, g, err, "down")
	}
	return printReport(env, g, rep, c.DryRun, "reverted")
}
