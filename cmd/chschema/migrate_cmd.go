package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/chschema/chschema"
	"github.com/chschema/chschema/apply"
	"github.com/chschema/chschema/internal/english"
)

// MigrateCmd applies the pending migrations.
type MigrateCmd struct {
	projectFlags
	dsnFlag
	runnerFlags
	To         *uint64 `help:"Apply up to and including this version (with --service, of that service); it must name a migration." placeholder:"VERSION" env:"CHSCHEMA_MIGRATE_TO"`
	Service    string  `help:"Apply only this service's migrations; it must be a service of --dir." placeholder:"NAME" env:"CHSCHEMA_SERVICE"`
	DryRun     bool    `help:"Print the statements that would run (init.sql, then the pending migrations), rendered, and change nothing." env:"CHSCHEMA_DRY_RUN"`
	AllowDrift bool    `help:"Apply even when the live schema differs from the expected one." env:"CHSCHEMA_ALLOW_DRIFT"`
	perNodeFlag
	resumeFlag
	ignoreFlags
	formatFlag
}

// resumeFlag is --resume-at, of migrate and down.
type resumeFlag struct {
	ResumeAt []string `help:"Where to resume a half-applied migration when chschema cannot tell how far an interrupted run got (it refuses and says which points fit): the 1-based statement to run next, as SERVICE/VERSION:N (N past the last statement: the section is complete). Repeatable." placeholder:"SERVICE/VERSION:N" env:"CHSCHEMA_RESUME_AT"`
}

// options parses --resume-at.
func (f *resumeFlag) options() ([]chschema.RunOption, error) {
	if len(f.ResumeAt) == 0 {
		return nil, nil
	}
	var points []chschema.ResumePoint
	for _, s := range f.ResumeAt {
		p, err := chschema.ParseResumePoint(s)
		if err != nil {
			return nil, fmt.Errorf("--resume-at: %w", err)
		}
		points = append(points, p)
	}
	return []chschema.RunOption{chschema.ResumeAt(points...)}, nil
}

// Run checks the sum file, waits for the server, takes the lock, runs the
// pre-flight and drift checks, runs init.sql, applies the pending
// migrations in order and records them.
func (c *MigrateCmd) Run(ctx context.Context, g *Globals, env *Env) error {
	if c.PerNode && c.Cluster == "" {
		return errors.New("--per-node needs --cluster NAME: the nodes to apply on")
	}
	opts := append(c.runnerFlags.options(), c.ignoreFlags.options(env.Environ)...)
	if c.AllowDrift {
		opts = append(opts, chschema.WithoutDriftCheck())
	}
	resume, err := c.resumeFlag.options()
	if err != nil {
		return err
	}
	p, err := openProject(g, env, opts...)
	if err != nil {
		return refusal(env, g, err, "migrate")
	}
	if c.Cluster != "" {
		run := func(ctx context.Context, p *chschema.Project, cl *chschema.Cluster, opts []chschema.RunOption) (*chschema.ClusterReport, error) {
			return p.MigrateCluster(ctx, cl, opts...)
		}
		return c.runnerFlags.runCluster(ctx, g, env, p, "migrate", "applied", c.PerNode, c.DryRun,
			append(append(c.target(), resume...), env.stopOptions()...), run)
	}
	db, err := c.runnerFlags.connect(ctx, g)
	if err != nil {
		return err
	}
	defer db.Close()
	rep, err := p.Migrate(ctx, db, append(append(c.target(), resume...), env.stopOptions()...)...)
	if errors.Is(err, apply.ErrInterrupted) && rep != nil {
		_ = printReport(env, g, rep, false, "applied")
	}
	if err != nil {
		return refusal(env, g, err, "migrate")
	}
	return printReport(env, g, rep, c.DryRun, "applied")
}

func (c *MigrateCmd) target() []chschema.RunOption {
	var opts []chschema.RunOption
	if c.To != nil {
		opts = append(opts, chschema.ToVersion(*c.To))
	}
	if c.Service != "" {
		opts = append(opts, chschema.OnlyService(c.Service))
	}
	if c.DryRun {
		opts = append(opts, chschema.DryRun())
	}
	return opts
}

// printReport prints what a run did or, for a dry run, would do.
func printReport(env *Env, g *Globals, rep *chschema.Report, dryRun bool, verb string) error {
	if g.Format == "json" {
		return json.NewEncoder(env.Stdout).Encode(rep)
	}
	if dryRun {
		for _, l := range rep.DataLoss {
			fmt.Fprintf(env.Stdout, "-- destroys data: %s\n", l)
		}
		printScript(env, rep)
		return nil
	}
	for _, l := range reportLines(rep, verb) {
		fmt.Fprintln(env.Stdout, l)
	}
	return nil
}

// reportLines are the lines of what a run did, in text.
func reportLines(rep *chschema.Report, verb string) []string {
	var out []string
	for _, r := range rep.Resumed {
		from := ""
		if r.From != "" {
			from = " (from the " + r.From + ")"
			if r.From == apply.FromResumeAt {
				from = " (as --resume-at says)"
			}
		}
		out = append(out, fmt.Sprintf("resumed %s after %s%s", r.Key, english.Plural(r.Done, "completed statement"), from))
	}
	for _, l := range rep.DataLoss {
		out = append(out, fmt.Sprintf("destroyed data (allowed): %s", l))
	}
	return append(out, fmt.Sprintf("%s %s (%s)", verb, english.Plural(len(rep.Applied), "migration"), english.Plural(rep.Statements, "statement")))
}

// printScript prints a dry run's statements as SQL: init.sql's, then each
// migration's under a comment naming it.
func printScript(env *Env, rep *chschema.Report) {
	if len(rep.Init) == 0 && len(rep.Plan) == 0 {
		fmt.Fprintln(env.Stdout, "-- nothing to do")
		return
	}
	if len(rep.Init) > 0 {
		fmt.Fprintf(env.Stdout, "-- %s (runs first, every time)\n", rep.Init[0].File)
		for _, st := range rep.Init {
			fmt.Fprintf(env.Stdout, "%s;\n", st.SQL)
		}
	}
	if len(rep.Plan) == 0 {
		fmt.Fprintln(env.Stdout, "-- no pending migration")
	}
	var last apply.Key
	for _, p := range rep.Plan {
		if p.Key != last {
			fmt.Fprintf(env.Stdout, "-- %s (%s)\n", p.Key, p.Stmt.File)
			last = p.Key
		}
		fmt.Fprintf(env.Stdout, "%s;\n", p.Stmt.SQL)
	}
}
