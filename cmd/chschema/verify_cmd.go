package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/chschema/chschema"
	"github.com/chschema/chschema/apply"
)

// VerifyCmd runs the round trip on a scratch server: every migration up one
// at a time, all down to zero, all up again, comparing the live schema with
// the expected one after every step.
type VerifyCmd struct {
	DevDSN string `name:"dev-dsn" help:"A scratch ClickHouse (with no chschema history) to run the round trip on." env:"CHSCHEMA_DEV_DSN" required:"" placeholder:"DSN"`
	runnerFlags
	ignoreFlags
}

// Run performs the round trip and reports each step.
func (c *VerifyCmd) Run(ctx context.Context, g *Globals, env *Env) error {
	show := progress(env)
	steps := func(e chschema.Event) {
		if s, ok := e.(chschema.RoundTripStep); ok {
			fmt.Fprintln(env.Stdout, s)
			return
		}
		show(e)
	}
	opts := append(c.runnerFlags.options(), c.ignoreFlags.options(env.Environ)...)
	p, err := openWithEvents(g, env, steps, append(opts, chschema.WithoutSumCheck())...)
	if err != nil {
		return dirError(g, err)
	}
	dev := *g
	dev.DSN = c.DevDSN
	db, err := c.runnerFlags.connect(ctx, &dev)
	if err != nil {
		return err
	}
	defer db.Close()
	res, err := p.Verify(ctx, db)
	if err != nil {
		var stmt *apply.StmtError
		if errors.As(err, &stmt) {
			return err
		}
		return refusal(env, g, err, "verify")
	}
	fmt.Fprintf(env.Stdout, "verified %d migrations: up, down to 0 and up again match the expected schema at every step\n", res.Migrations)
	return nil
}
