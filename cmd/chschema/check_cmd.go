package main

import (
	"context"

	"github.com/chschema/chschema/diff"
)

// CheckCmd fails when the migrations do not build the desired schema: a
// schema edit that no migration makes yet. It needs no server.
type CheckCmd struct {
	schemaDirFlag
	ignoreFlags
}

// Run compares the expected schema (every migration) with the desired one
// and prints the typed diff; it returns errFindings when they differ.
func (c *CheckCmd) Run(ctx context.Context, g *Globals, env *Env, src ExpectedSource) error {
	dir := c.schemaDir(g)
	expected, desired, err := declarativeSchemas(ctx, g, env, src, dir)
	if err != nil {
		return err
	}
	ignore, err := c.ignore(g.Dir, env.Environ)
	if err != nil {
		return err
	}
	res := diff.Schemas(expected, desired, diff.WithIgnore(ignore))
	if err := writeDiff(env, g, env.Stdout, res, "expected (migrations in "+g.Dir+")", "desired (schema in "+dir+")"); err != nil {
		return err
	}
	if res.Drift() {
		return errFindings
	}
	return nil
}
