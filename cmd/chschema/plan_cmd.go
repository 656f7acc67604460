package main

import (
	"encoding/json"
	"fmt"

	"github.com/chschema/chschema"
	"github.com/chschema/chschema/plan"
)

// PlanCmd generates the next migration of a service from the difference
// between the expected schema (every migration) and the desired one (the
// schema directory).
type PlanCmd struct {
	Service string `arg:"" help:"Service: a subdirectory of --dir, created if needed; \"default\" is the root sequence."`
	Name    string `arg:"" help:"Migration name: letters, digits, '_' and '-'."`
	schemaDirFlag
	DryRun        bool     `name:"dry-run" help:"Print the migration instead of writing it." env:"CHSCHEMA_DRY_RUN"`
	AllowRecreate bool     `name:"allow-recreate" help:"Rebuild tables ClickHouse cannot change in place (new table, INSERT SELECT, EXCHANGE TABLES, DROP) instead of stopping." env:"CHSCHEMA_PLAN_ALLOW_RECREATE"`
	Rename        []string `help:"A rename, not a drop and an add: old=new, table.old=new or db.table.old=new for a column, db.old=db.new for a table or dictionary (repeatable)." placeholder:"OLD=NEW" env:"CHSCHEMA_PLAN_RENAME"`
	Cluster       string   `help:"Write every statement ON CLUSTER NAME (a macro such as '{cluster}', or a template variable as the migrations write it, works too). A table rebuild is refused: its INSERT ... SELECT has no ON CLUSTER." placeholder:"NAME" env:"CHSCHEMA_PLAN_CLUSTER"`
	ignoreFlags
	projectFlags
	formatFlag
}

// Run plans the migration, lists its destructive steps and warnings on
// stderr, and writes it (or prints it with --dry-run). No change writes
// nothing.
func (c *PlanCmd) Run(g *Globals, env *Env, prompt *Prompter) error {
	var renames []plan.Rename
	for _, r := range c.Rename {
		h, err := plan.ParseRename(r)
		if err != nil {
			return err
		}
		renames = append(renames, h)
	}
	p, err := openProject(g, env, append(c.ignoreFlags.options(env.Environ), chschema.WithoutSumCheck())...)
	if err != nil {
		return dirError(g, err)
	}
	dir := c.schemaDir(g)
	res, err := p.Plan(dir, chschema.PlanOptions{AllowRecreate: c.AllowRecreate, Renames: renames, Confirm: prompt.Confirm, Cluster: c.Cluster})
	printDeclarativeFindings(env, g, dir, res.Expected, res.Desired)
	if err != nil {
		return err
	}
	m := res.Migration
	if m.Empty() {
		if g.Format == "json" {
			return json.NewEncoder(env.Stdout).Encode(planJSON{Destructive: []string{}, Warnings: []string{}})
		}
		fmt.Fprintln(env.Stderr, "chschema: no changes: the migrations already build the desired schema")
		return nil
	}
	for _, w := range m.Warnings {
		fmt.Fprintf(env.Stderr, "chschema: warning: %s\n", w)
	}
	for _, d := range m.Destructive {
		fmt.Fprintf(env.Stderr, "chschema: destructive: %s\n", d)
	}
	if g.Format == "json" {
		out := planJSON{Migration: m.Render(), Destructive: []string{}, Warnings: []string{}}
		for _, w := range m.Warnings {
			out.Warnings = append(out.Warnings, fmt.Sprint(w))
		}
		for _, d := range m.Destructive {
			out.Destructive = append(out.Destructive, fmt.Sprint(d))
		}
		if !c.DryRun {
			if out.Path, err = createNextMigration(g, env, c.Service, c.Name, []byte(m.Render())); err != nil {
				return err
			}
		}
		return json.NewEncoder(env.Stdout).Encode(out)
	}
	if c.DryRun {
		fmt.Fprint(env.Stdout, m.Render())
		return nil
	}
	return writeNextMigration(g, env, c.Service, c.Name, []byte(m.Render()))
}

// planJSON is plan's --format json document: the migration's text, and
// the file it was written to (none for --dry-run or no change).
type planJSON struct {
	Path        string   `json:"path,omitempty"`
	Migration   string   `json:"migration"`
	Destructive []string `json:"destructive"`
	Warnings    []string `json:"warnings"`
}
