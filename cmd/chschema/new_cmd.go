package main

import (
	"errors"
	"fmt"
	"io/fs"
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
	if err := os.MkdirAll(g.Dir, 0o755); err != nil {
		return err
	}
	d, err := migrations.Open(os.DirFS(g.Dir))
	if d == nil {
		return err
	}
	nf, err := d.NewMigration(c.Service, c.Name)
	if err != nil {
		return err
	}
	p := filepath.Join(g.Dir, filepath.FromSlash(nf.Path))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("%s already exists", p)
	}
	if err != nil {
		return err
	}
	if _, err := f.Write(nf.Content); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	fmt.Fprintln(env.Stdout, filepath.Join(displayDir(g.Dir), filepath.FromSlash(nf.Path)))
	return nil
}
