package main

import (
	"fmt"
	"path"

	"github.com/chschema/chschema"
)

// HashCmd seals the current migrations into chschema.sum: the release step.
type HashCmd struct {
	Force bool `help:"Reseal even when sealed migrations were edited, removed or reordered."`
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
	if !res.Changed {
		fmt.Fprintf(env.Stdout, "%s is up to date: %d migrations sealed\n", file, res.Sealed)
		return nil
	}
	fmt.Fprintf(env.Stdout, "%s: %d migrations sealed\n", file, res.Sealed)
	return nil
}
