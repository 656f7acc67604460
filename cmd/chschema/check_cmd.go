package main

import (
	"github.com/chschema/chschema"
)

// CheckCmd fails when the migrations do not build the desired schema: a
// schema edit that no migration makes yet. It needs no server.
type CheckCmd struct {
	projectFlags
	schemaDirFlag
	ignoreFlags
	annotatedFormatFlag
}

// Run compares the expected schema (every migration) with the desired one
// and prints the typed diff; it returns errFindings when they differ.
func (c *CheckCmd) Run(g *Globals, env *Env) error {
	dir := c.schemaDir(g)
	p, err := openProject(g, env, append(c.ignoreFlags.options(env.Environ), chschema.WithoutSumCheck())...)
	if err != nil {
		return dirError(g, err)
	}
	res, err := p.Check(dir)
	printDeclarativeFindings(env, g, dir, res.Expected, res.Desired)
	if err != nil {
		return err
	}
	if err := writeDiff(env, g, env.Stdout, res.Result, "expected (migrations in "+g.Dir+")", "desired (schema in "+dir+")"); err != nil {
		return err
	}
	if res.Drift() {
		return errFindings
	}
	return nil
}
