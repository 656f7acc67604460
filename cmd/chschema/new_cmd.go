package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// NewCmd creates the next migration of a service from the template.
type NewCmd struct {
	Service string `arg:"" help:"Service: a subdirectory of --dir, created if needed; \"default\" is the root sequence."`
	Name    string `arg:"" help:"Migration name: letters, digits, '_' and '-'."`
	dirFlag
	formatFlag
}

// createNextMigration creates the file and returns its path, under --dir
// as the user named it.
func createNextMigration(g *Globals, env *Env, service, name string, content []byte) (string, error) {
	if err := os.MkdirAll(g.Dir, 0o755); err != nil {
		return "", err
	}
	// New needs neither the template variables nor a valid directory.
	p, err := openProject(g, env)
	if p == nil {
		return "", err
	}
	rel, err := p.New(service, name, content)
	if err != nil {
		return "", err
	}
	return filepath.Join(displayDir(g.Dir), filepath.FromSlash(rel)), nil
}

// Run creates the file and prints its path.
func (c *NewCmd) Run(g *Globals, env *Env) error {
	return writeNextMigration(g, env, c.Service, c.Name, nil)
}

// writeNextMigration creates the next migration of service under --dir
// (creating --dir if needed), with content (nil: the template with empty
// sections), never replacing a file, and prints its path ({"path": ...}
// in JSON).
func writeNextMigration(g *Globals, env *Env, service, name string, content []byte) error {
	path, err := createNextMigration(g, env, service, name, content)
	if err != nil {
		return err
	}
	if g.Format == "json" {
		return json.NewEncoder(env.Stdout).Encode(struct {
			Path string `json:"path"`
		}{path})
	}
	fmt.Fprintln(env.Stdout, path)
	return nil
}
