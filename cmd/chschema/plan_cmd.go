package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/chschema/chschema/diff"
	"github.com/chschema/chschema/plan"
)

// PlanCmd generates the next migration of a service from the difference
// between the expected schema (every migration) and the desired one (the
// schema directory).
type PlanCmd struct {
	Service string `arg:"" help:"Service: a subdirectory of --dir, created if needed; \"default\" is the root sequence."`
	Name    string `arg:"" help:"Migration name: letters, digits, '_' and '-'."`
	schemaDirFlag
	DryRun        bool     `name:"dry-run" help:"Print the migration instead of writing it."`
	AllowRecreate bool     `name:"allow-recreate" help:"Rebuild tables ClickHouse cannot change in place (new table, INSERT SELECT, EXCHANGE TABLES, DROP) instead of stopping."`
	Rename        []string `help:"A rename, not a drop and an add: old=new, table.old=new or db.table.old=new for a column, db.old=db.new for a table or dictionary (repeatable)." placeholder:"OLD=NEW"`
	Cluster       string   `help:"Write every statement ON CLUSTER NAME (a macro such as '{cluster}', or a template variable as the migrations write it, works too). A table rebuild is refused: its INSERT ... SELECT has no ON CLUSTER." placeholder:"NAME"`
	ignoreFlags
}

// Run plans the migration, lists its destructive steps and warnings on
// stderr, and writes it (or prints it with --dry-run). No change writes
// nothing.
func (c *PlanCmd) Run(ctx context.Context, g *Globals, env *Env, src ExpectedSource, prompt *Prompter) error {
	var renames []plan.Rename
	for _, r := range c.Rename {
		h, err := plan.ParseRename(r)
		if err != nil {
			return err
		}
		renames = append(renames, h)
	}
	ignore, err := c.ignore(g.Dir, env.Environ)
	if err != nil {
		return err
	}
	expected, desired, err := declarativeSchemas(ctx, g, env, src, c.schemaDir(g))
	if err != nil {
		return err
	}
	m, err := plan.Plan(expected, desired, plan.Options{AllowRecreate: c.AllowRecreate, Renames: renames, Confirm: prompt.Confirm, Cluster: c.Cluster,
		Diff: []diff.Option{diff.WithIgnore(ignore)}})
	if err != nil {
		return err
	}
	if m.Empty() {
		fmt.Fprintln(env.Stderr, "chschema: no changes: the migrations already build the desired schema")
		return nil
	}
	for _, w := range m.Warnings {
		fmt.Fprintf(env.Stderr, "chschema: warning: %s\n", w)
	}
	for _, d := range m.Destructive {
		fmt.Fprintf(env.Stderr, "chschema: destructive: %s\n", d)
	}
	if c.DryRun {
		fmt.Fprint(env.Stdout, m.Render())
		return nil
	}
	return writeNextMigration(g, env, c.Service, c.Name, []byte(m.Render()))
}

// createFile writes a new file, never replacing one.
func createFile(p string, data []byte) error {
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
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
