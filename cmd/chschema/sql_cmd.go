package main

import (
	"context"
	"encoding/json"

	"github.com/chschema/chschema"
)

// SQLCmd prints, without a server, the statements a migrate would run on a
// server with no history: init.sql, then every migration's up section up
// to the target, rendered with the template variables. It refuses what
// migrate would refuse offline (the seal, lint errors in those files).
type SQLCmd struct {
	projectFlags
	To      *uint64 `help:"Up to and including this version (with --service, of that service); it must name a migration." placeholder:"VERSION" env:"CHSCHEMA_SQL_TO"`
	Service string  `help:"Only this service's migrations; it must be a service of --dir." placeholder:"NAME" env:"CHSCHEMA_SERVICE"`
	formatFlag
}

// Run prints the script.
func (c *SQLCmd) Run(ctx context.Context, g *Globals, env *Env) error {
	p, err := openProject(g, env)
	if err != nil {
		return refusal(env, g, err, "sql")
	}
	var opts []chschema.RunOption
	if c.To != nil {
		opts = append(opts, chschema.ToVersion(*c.To))
	}
	if c.Service != "" {
		opts = append(opts, chschema.OnlyService(c.Service))
	}
	rep, err := p.Script(ctx, opts...)
	if err != nil {
		return refusal(env, g, err, "sql")
	}
	if g.Format == "json" {
		return json.NewEncoder(env.Stdout).Encode(rep)
	}
	printScript(env, rep)
	return nil
}
