package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path"

	"github.com/chschema/chschema"
	"github.com/chschema/chschema/internal/english"
)

// HashCmd seals the current migrations into chschema.sum: the release step.
type HashCmd struct {
	projectFlags
	optionalDSNFlag
	waitFlag
	Force bool `help:"Reseal even when sealed migrations were edited, removed or reordered (never what lint rejects)." env:"CHSCHEMA_HASH_FORCE"`
	annotatedFormatFlag
}

// Run writes chschema.sum when it changes. It refuses (exit 1, with lint's
// findings) when lint reports an error in a migration it would seal anew;
// with --dsn the server's parser checks what AfterShip's rejects, as lint's.
func (c *HashCmd) Run(ctx context.Context, g *Globals, env *Env) error {
	var opts []chschema.Option
	if c.Force {
		opts = append(opts, chschema.WithoutSumCheck())
	}
	// Hash needs neither the template variables nor valid SQL to run: only
	// a nil project (an unreadable root) stops it here; what lint rejects
	// comes back from Hash as an *UnsealableError.
	p, err := openProject(g, env, opts...)
	if p == nil {
		return err
	}
	var lo chschema.LintOptions
	if g.DSN != "" {
		db, err := connect(ctx, g.DSN, c.Wait, g.eventOptions()...)
		if err != nil {
			return err
		}
		defer db.Close()
		lo.Server = db
	}
	res, err := p.Hash(ctx, lo)
	var unsealable *chschema.UnsealableError
	if errors.As(err, &unsealable) {
		if g.Format == "json" {
			return &refusedError{What: "hash", Reason: "not sealed: lint rejects these migrations; fix them, then hash again",
				Findings: underDir(g, unsealable.Report.Findings), err: err}
		}
		fmt.Fprintf(env.Stderr, "chschema hash: not sealed: lint rejects these migrations; fix them, then hash again\n")
		return writeReport(g, env, "chschema hash", unsealable.Report)
	}
	if _, ok := err.(*chschema.SealError); ok {
		return fmt.Errorf("sealed migrations changed; released migrations must stay as they are (reseal anyway with --force):\n%w", err)
	}
	if err != nil {
		return fmt.Errorf("cannot seal %s; fix these first:\n%w", g.Dir, err)
	}
	file := path.Join(displayDir(g.Dir), res.Path)
	if g.Format == "json" {
		res.Path = file
		return json.NewEncoder(env.Stdout).Encode(res)
	}
	if !res.Changed {
		fmt.Fprintf(env.Stdout, "%s is up to date: %s sealed\n", file, english.Plural(res.Sealed, "migration"))
		return nil
	}
	fmt.Fprintf(env.Stdout, "%s: %s sealed\n", file, english.Plural(res.Sealed, "migration"))
	return nil
}
