package main

import (
	"fmt"
	"os"
	"path/filepath"
)

// NewCmd creates the next migration of a service from the template.
type NewCmd struct {
	Service string `arg:"" help:"Service: a subdirectory of --dir, created if needed; \"default\" is the root sequence."`
	Name    string `arg:"" help:"Migration name: letters, digits, '_' and '-'."`
}

// Run creates the file and prints its path.
func (c *NewCmd) Run(g *Globals, env *Env) error {
	return writeNextMigration(g, env, c.Service, c.Name, nil)
}

// writeNextMigration creates the next migration of service under --dir
// (creating --dir if needed), with content (nil: the template with empty
// sections), never replacing a file, and prints its path.
func writeNextMigration(g *Globals, env *Env, service, name string, content []byte) error {
	if err := os.MkdirAll(g.Dir, 0o755); err != nil {
		return err
	}
	// New needs neither the template variables nor a valid directory.
	p, err := openProject(g, env)
	if p == nil {
		return err
	}
	rel, err := p.New(service, name, content)
	if err != nil {
		return err
	}
	fmt.Fprintln(env.Stdout, filepath.Join(displayDir(g.Dir), filepath.FromSlash(rel)))
	return nil
}
