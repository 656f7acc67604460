package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/chschema/chschema"
	"github.com/chschema/chschema/apply"
	"github.com/chschema/chschema/internal/english"
)

// StatusCmd shows each migration's state on the server.
type StatusCmd struct {
	projectFlags
	dsnFlag
	historyFlags
	Service  string `help:"Show only this service's migrations; it must be a service of --dir." placeholder:"NAME" env:"CHSCHEMA_SERVICE"`
	ExitCode bool   `name:"exit-code" help:"Exit 1 unless every migration is applied or baselined (none pending, incomplete, edited or missing): for CI and readiness checks." env:"CHSCHEMA_STATUS_EXIT_CODE"`
	formatFlag
}

// Run prints, per service, what is applied, pending, incomplete, edited since
// applied, or missing. Edited sealed migrations are shown, not refused.
func (c *StatusCmd) Run(ctx context.Context, g *Globals, env *Env) error {
	p, err := openProject(g, env, chschema.WithoutSumCheck())
	if err != nil {
		return dirError(g, err)
	}
	db, err := c.connect(ctx, g)
	if err != nil {
		return err
	}
	defer db.Close()
	noteMissingDatabase(env, g, db)
	var opts []chschema.RunOption
	if c.Service != "" {
		opts = append(opts, chschema.OnlyService(c.Service))
	}
	res, err := p.Status(ctx, db, opts...)
	if err != nil {
		return err
	}
	if g.Format == "json" {
		if err := json.NewEncoder(env.Stdout).Encode(res); err != nil {
			return err
		}
	} else if err := writeStatus(env, res); err != nil {
		return err
	}
	if c.ExitCode && !res.Settled() {
		return errFindings
	}
	return nil
}

// writeStatus prints the table, without trailing blanks.
func writeStatus(env *Env, res *chschema.StatusResult) error {
	var buf bytes.Buffer
	tw := tabwriter.NewWriter(&buf, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SERVICE\tVERSION\tNAME\tSTATE\tNOTE")
	for _, s := range res.Migrations {
		note := s.Note
		if s.State == apply.StateIncomplete {
			note = fmt.Sprintf("%d/%d %s done; %s", s.Done, s.Total, english.Noun(s.Total, "statement"), note)
		} else if !s.AppliedAt.IsZero() {
			note = strings.TrimSpace(s.AppliedAt.UTC().Format("2006-01-02 15:04:05Z") + " " + note)
		}
		fmt.Fprintf(tw, "%s\t%04d\t%s\t%s\t%s\n", s.Service, s.Version, s.Name, s.State, note)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, line := range strings.SplitAfter(buf.String(), "\n") {
		if line == "" {
			continue
		}
		if _, err := fmt.Fprintln(env.Stdout, strings.TrimRight(line, " \n")); err != nil {
			return err
		}
	}
	return nil
}
