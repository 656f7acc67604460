package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/chschema/chschema"
	"github.com/chschema/chschema/internal/english"
)

// FunctionsFile is the file of the dumped SQL functions.
const FunctionsFile = chschema.FunctionsFile

// DumpCmd writes the expected schema as a schema directory, the starting
// point of the declarative workflow.
type DumpCmd struct {
	projectFlags
	optionalDSNFlag
	schemaDirFlag
	Database []string `help:"With --dsn, also dump this database (repeatable; it must exist); the databases the migrations create are always dumped." placeholder:"DB" env:"CHSCHEMA_DUMP_DATABASE"`
	Force    bool     `help:"Replace the .sql files already in the schema directory." env:"CHSCHEMA_DUMP_FORCE"`
	formatFlag
	historyFlags
}

// Run computes the expected schema (or, with --dsn, reads the live one,
// without chschema's own tables) and writes one file per database, objects
// in dependency order, plus functions.sql for SQL functions.
func (c *DumpCmd) Run(ctx context.Context, g *Globals, env *Env) error {
	dir := c.schemaDir(g)
	existing, err := sqlFiles(dir)
	if err != nil {
		return err
	}
	if len(existing) > 0 && !c.Force {
		return fmt.Errorf("%s already holds %s (%s...): pass --force to replace them", dir, english.Plural(len(existing), ".sql file"), existing[0])
	}
	p, err := openProject(g, env, chschema.WithoutSumCheck())
	if err != nil {
		return fmt.Errorf("expected schema: %w", dirError(g, err))
	}
	opts := chschema.DumpOptions{Databases: c.Database}
	if g.DSN != "" {
		db, err := c.historyFlags.connect(ctx, g)
		if err != nil {
			return err
		}
		defer db.Close()
		opts.Server = db
	}
	res, err := p.Dump(ctx, opts)
	if res != nil && res.Expected != nil {
		printFindings(env, g.Dir, res.Expected.Findings)
	}
	if err != nil {
		return err
	}
	for _, n := range res.LiveNotes {
		fmt.Fprintf(env.Stderr, "chschema: note: %s\n", n)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, f := range existing {
		if err := os.Remove(filepath.Join(dir, f)); err != nil {
			return err
		}
	}
	written := []string{}
	for _, f := range res.Files {
		p := filepath.Join(dir, f.Name)
		if err := os.WriteFile(p, []byte(f.Text), 0o644); err != nil {
			return err
		}
		written = append(written, filepath.Join(displayDir(dir), f.Name))
	}
	if g.Format == "json" {
		return json.NewEncoder(env.Stdout).Encode(struct {
			Files []string `json:"files"`
		}{written})
	}
	for _, f := range written {
		fmt.Fprintln(env.Stdout, f)
	}
	return nil
}

// sqlFiles lists the .sql files directly in dir; none when dir is missing.
// A .sql entry that is not a regular file is an error.
func sqlFiles(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		if os.IsNotExist(err) {
			return nil, nil
		}
		return nil, err
	}
	var out []string
	for _, e := range entries {
		if filepath.Ext(e.Name()) != ".sql" {
			continue
		}
		if !e.Type().IsRegular() {
			// A FIFO would block the write, a symlink would redirect it.
			return nil, fmt.Errorf("%s is not a regular file (%s): remove it before dumping", filepath.Join(dir, e.Name()), e.Type())
		}
		out = append(out, e.Name())
	}
	return out, nil
}
