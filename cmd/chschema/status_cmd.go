package main

import (
	"context"
	"encoding/json"
	"fmt"
	"text/tabwriter"

	"github.com/chschema/chschema"
)

// StatusCmd shows each migration's state on the server.
type StatusCmd struct {
	historyFlags
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
	res, err := p.Status(ctx, db)
	if err != nil {
		return err
	}
	if g.Format == "json" {
		return json.NewEncoder(env.Stdout).Encode(res.Migrations)
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SERVICE\tVERSION\tNAME\tSTATE\tNOTE")
	for _, s := range res.Migrations {
		note := s.Note
		if s.State == "incomplete" {
			note = fmt.Sprintf("%d/%d statements done; %s", s.Done, s.Total, note)
		} else if !s.AppliedAt.IsZero() {
			note = s.AppliedAt.UTC().Format("2006-01-02 15:04:05Z") + " " + note
		}
		fmt.Fprintf(tw, "%s\t%04d\t%s\t%s\t%s\n", s.Service, s.Version, s.Name, s.State, note)
	}
	return tw.Flush()
}
