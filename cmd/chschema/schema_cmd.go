package main

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/chschema/chschema"
	"github.com/chschema/chschema/migrations"
	"github.com/chschema/chschema/schema"
)

// SchemaCmd prints the expected schema: what the server holds after
// init.sql and every migration, computed offline.
type SchemaCmd struct {
	projectFlags
	Service string `help:"Only this service's migrations (after init.sql); it must be a service of --dir." placeholder:"S" env:"CHSCHEMA_SERVICE"`
	Upto    uint64 `help:"Stop after the migration with this version; it must name a migration." placeholder:"VERSION" env:"CHSCHEMA_SCHEMA_UPTO"`
	formatFlag
}

// Run replays the migrations and prints the schema as canonical SQL, or as
// JSON with --format json. Unsupported statements are reported on stderr;
// statements the server would refuse fail the command.
func (c *SchemaCmd) Run(g *Globals, env *Env) error {
	p, err := openProject(g, env, chschema.WithoutSumCheck())
	if err != nil {
		return fmt.Errorf("%s:\n%w", g.Dir, err)
	}
	res, err := p.Expected(chschema.ExpectedOptions{Service: c.Service, Upto: c.Upto})
	if errors.Is(err, migrations.ErrUnknownService) {
		return fmt.Errorf("--service: no service %q in %s", c.Service, g.Dir)
	}
	if errors.Is(err, chschema.ErrUnknownVersion) {
		return fmt.Errorf("--upto: %w", err)
	}
	if res != nil {
		for _, f := range res.Findings {
			fmt.Fprintf(env.Stderr, "%s\n", f)
		}
	}
	if err != nil {
		return fmt.Errorf("the migrations do not replay:\n%w", err)
	}
	if g.Format == "json" {
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(res.Schema)
	}
	fmt.Fprint(env.Stdout, schema.Render(res.Schema))
	return nil
}
