package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/chschema/chschema/apply"
	"github.com/chschema/chschema/drift"
	"github.com/chschema/chschema/parser"
	"github.com/chschema/chschema/schema"
)

// FunctionsFile is the file of the dumped SQL functions.
const FunctionsFile = "functions.sql"

// DumpCmd writes the expected schema as a schema directory, the starting
// point of the declarative workflow.
type DumpCmd struct {
	schemaDirFlag
	Database []string `help:"With --dsn, also dump this database (repeatable); the databases the migrations create are always dumped." placeholder:"DB"`
	Force    bool     `help:"Replace the .sql files already in the schema directory."`
	historyFlags
}

// Run computes the expected schema (or, with --dsn, reads the live one,
// without chschema's own tables) and writes one file per database, objects
// in dependency order, plus functions.sql for SQL functions.
func (c *DumpCmd) Run(ctx context.Context, g *Globals, env *Env, src ExpectedSource) error {
	dir := c.schemaDir(g)
	existing, err := sqlFiles(dir)
	if err != nil {
		return err
	}
	if len(existing) > 0 && !c.Force {
		return fmt.Errorf("%s already holds %d .sql file(s) (%s...): pass --force to replace them", dir, len(existing), existing[0])
	}
	s, notes, err := expectedOffline(ctx, g, env, src)
	if err != nil {
		return fmt.Errorf("expected schema: %w", err)
	}
	for _, n := range notes {
		fmt.Fprintf(env.Stderr, "chschema: note: %s\n", n)
	}
	databases := drift.ManagedDatabases(s, "default", c.Database)
	if g.DSN != "" {
		conn, dsnDB, err := c.connect(ctx, g)
		if err != nil {
			return err
		}
		defer conn.Close()
		hdb, htable, err := c.historyTable(dsnDB)
		if err != nil {
			return err
		}
		live, liveNotes, err := schema.ReadLive(ctx, conn, schema.LiveOptions{Databases: databases, Parser: parser.CreateReader{}})
		if err != nil {
			return err
		}
		for _, n := range liveNotes {
			fmt.Fprintf(env.Stderr, "chschema: note: %s\n", n)
		}
		// Server-wide functions may belong to other projects: keep those
		// the migrations define.
		live.Functions = slices.DeleteFunc(live.Functions, func(f *schema.Function) bool {
			_, ok := s.Function(f.Name)
			return !ok
		})
		// chschema's own history, lock and lock tombstones are not part
		// of the desired schema: plan would generate them.
		apply.DropOwnTables(live, apply.OwnTable(hdb, htable))
		s = live
	}
	s.KeepDatabases(databases)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, f := range existing {
		if err := os.Remove(filepath.Join(dir, f)); err != nil {
			return err
		}
	}
	files := DumpFiles(s)
	for _, f := range files {
		p := filepath.Join(dir, f.Name)
		if err := os.WriteFile(p, []byte(f.Text), 0o644); err != nil {
			return err
		}
		fmt.Fprintln(env.Stdout, filepath.Join(displayDir(dir), f.Name))
	}
	return nil
}

// DumpFile is one file of a dumped schema directory.
type DumpFile struct {
	Name string
	Text string
}

// DumpFiles splits a schema into the files of a schema directory: one per
// database (its CREATE DATABASE, then its objects in dependency order) and
// functions.sql.
func DumpFiles(s *schema.Schema) []DumpFile {
	var out []DumpFile
	for _, d := range s.Databases {
		one := &schema.Schema{Databases: []*schema.Database{d}}
		out = append(out, DumpFile{Name: d.Name + ".sql", Text: "-- Desired schema of database " + d.Name + ", written by chschema dump.\n" + schema.Render(one)})
	}
	if len(s.Functions) > 0 {
		fns := &schema.Schema{Functions: s.Functions}
		out = append(out, DumpFile{Name: FunctionsFile, Text: "-- SQL functions, written by chschema dump.\n" + schema.Render(fns)})
	}
	return out
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
