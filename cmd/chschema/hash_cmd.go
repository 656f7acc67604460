package main

import (
	"encoding/json"
	"fmt"
	"path"

	"github.com/chschema/chschema"
	"github.com/chschema/chschema/internal/english"
)

// HashCmd seals the current migrations into chschema.sum: the release step.
type HashCmd struct {
	projectFlags
	Force bool `help:"Reseal even when sealed migrations were edited, removed or reordered." env:"CHSCHEMA_HASH_FORCE"`
	formatFlag
}

// Run writes chschema.sum when it changes.
func (c *HashCmd) Run(g *Globals, env *Env) error {
	var opts []chschema.Option
	if c.Force {
		opts = append(opts, chschema.WithoutSumCheck())
	}
	// Hash needs neither the template variables nor valid SQL: only a nil
	// project (an unreadable root) stops it here.
	p, err := openProject(g, env, opts...)
	if p == nil {
		return err
	}
	res, err := p.Hash()
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
