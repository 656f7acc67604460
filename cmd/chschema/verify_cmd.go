package main

import (
	"context"
	"errors"
	"fmt"

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
	units, init, err := loadUnits(g, env)
	if err != nil {
		return err
	}
	dev := *g
	dev.DSN = c.DevDSN
	r, conn, dsnDB, err := newRunnerDB(ctx, &dev, env, &c.historyFlags, &c.runnerFlags, nil, init)
	if err != nil {
		return err
	}
	defer conn.Close()
	v, err := driftVerifier(ctx, g, env, conn, &c.historyFlags, &c.ignoreFlags, dsnDB, init)
	if err != nil {
		return err
	}
	err = r.RoundTrip(ctx, units, v, func(s apply.RoundTripStep) {
		if s.Phase == "up again" {
			fmt.Fprintf(env.Stdout, "ok  up again: all %d migrations\n", s.Applied)
			return
		}
		fmt.Fprintf(env.Stdout, "ok  %-4s %s (%d applied)\n", s.Phase, s.Key, s.Applied)
	})
	if err != nil {
		var stmt *apply.StmtError
		if errors.As(err, &stmt) {
			return err
		}
		return refusal(env, g, err, "verify")
	}
	fmt.Fprintf(env.Stdout, "verified %d migrations: up, down to 0 and up again match the expected schema at every step\n", len(units))
	return nil
}
