package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/chschema/chschema/migrations"
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

// writeNextMigration creates the next migration of service under --dir,
// with content (nil: the template with empty sections), never replacing a
// file, and prints its path.
func writeNextMigration(g *Globals, env *Env, service, name string, content []byte) error {
	if err := os.MkdirAll(g.Dir, 0o755); err != nil {
		return err
	}
	d, err := migrations.Open(migrations.DirFS(g.Dir))
	if d == nil {
		return err
	}
	nf, err := d.NewMigration(service, name)
	if err != nil {
		return err
	}
	if content == nil {
		content = nf.Content
	}
	if err := createFile(filepath.Join(g.Dir, filepath.FromSlash(nf.Path)), content); err != nil {
		return err
	}
	fmt.Fprintln(env.Stdout, filepath.Join(displayDir(g.Dir), filepath.FromSlash(nf.Path)))
	return nil
}
