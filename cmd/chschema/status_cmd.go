package main

import (
	"context"
	"encoding/json"
	"fmt"
	"text/tabwriter"
)

// StatusCmd shows each migration's state on the server.
type StatusCmd struct {
	historyFlags
}

// Run prints, per service, what is applied, pending, incomplete, edited since
// applied, or missing.
func (c *StatusCmd) Run(ctx context.Context, g *Globals, env *Env) error {
	units, _, err := loadUnits(g, env)
	if err != nil {
		return err
	}
	r, conn, err := newRunner(ctx, g, env, &c.historyFlags, nil, nil)
	if err != nil {
		return err
	}
	defer conn.Close()
	st, err := r.Status(ctx, units)
	if err != nil {
		return err
	}
	if g.Format == "json" {
		return json.NewEncoder(env.Stdout).Encode(st)
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SERVICE\tVERSION\tNAME\tSTATE\tNOTE")
	for _, s := range st {
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
