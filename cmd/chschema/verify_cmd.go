package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/chschema/chschema"
	"github.com/chschema/chschema/apply"
	"github.com/chschema/chschema/internal/english"
)

// VerifyCmd runs the round trip on a scratch server: every migration up one
// at a time, all down to zero, all up again, comparing the live schema with
// the expected one after every step; then it drops what it created.
type VerifyCmd struct {
	projectFlags
	DevDSN string `name:"dev-dsn" help:"A scratch ClickHouse (with no chschema history) to run the round trip on." env:"CHSCHEMA_DEV_DSN" required:"" placeholder:"DSN"`
	runnerFlags
	ignoreFlags
	formatFlag
}

// Run performs the round trip and reports each step.
func (c *VerifyCmd) Run(ctx context.Context, g *Globals, env *Env) error {
	show := progress(env)
	steps := func(e chschema.Event) {
		if s, ok := e.(chschema.RoundTripStep); ok {
			if g.Format != "json" {
				fmt.Fprintln(env.Stdout, s)
			}
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
	if res != nil && len(res.CleanedUp) > 0 && g.Format != "json" {
		fmt.Fprintf(env.Stderr, "chschema: cleaned up %s: %s\n", english.Plural(len(res.CleanedUp), "object"), strings.Join(res.CleanedUp, ", "))
	}
	if err != nil {
		var stmt *apply.StmtError
		if errors.As(err, &stmt) {
			return err
		}
		return refusal(env, g, err, "verify")
	}
	if g.Format == "json" {
		return json.NewEncoder(env.Stdout).Encode(res)
	}
	fmt.Fprintf(env.Stdout, "verified %s: up, down to 0 and up again match the expected schema at every step\n", english.Plural(res.Migrations, "migration"))
	return nil
}
