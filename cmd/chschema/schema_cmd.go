package main

import (
	"encoding/json"
	"fmt"

	"github.com/chschema/chschema/migrations"
	"github.com/chschema/chschema/parser"
	"github.com/chschema/chschema/schema"
)

// SchemaCmd prints the expected schema: what the server holds after
// init.sql and every migration, computed offline.
type SchemaCmd struct {
	Service string `help:"Only this service's migrations (after init.sql)." placeholder:"S"`
	Upto    int    `help:"Stop after the migration with this version." placeholder:"VERSION"`
}

// Run replays the migrations and prints the schema as canonical SQL, or as
// JSON with --format json. Unsupported statements are reported on stderr;
// statements the server would refuse fail the command.
func (c *SchemaCmd) Run(g *Globals, env *Env) error {
	d, err := migrations.Open(migrations.DirFS(g.Dir))
	if err != nil {
		return fmt.Errorf("%s:\n%w", g.Dir, err)
	}
	if c.Service != "" {
		if _, ok := d.Service(c.Service); !ok {
			return fmt.Errorf("--service: no service %q in %s", c.Service, g.Dir)
		}
	}
	s, findings, err := parser.ExpectedSchema(d, parser.ExpectedOptions{
		Vars: g.Vars(env.Environ), Service: c.Service, Upto: c.Upto,
	})
	for _, f := range findings {
		fmt.Fprintf(env.Stderr, "%s\n", f)
	}
	if err != nil {
		return fmt.Errorf("the migrations do not replay:\n%w", err)
	}
	if g.Format == "json" {
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(s)
	}
	fmt.Fprint(env.Stdout, schema.Render(s))
	return nil
}
