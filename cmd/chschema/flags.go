package main

import (
	"github.com/alecthomas/kong"
	"github.com/chschema/chschema"
)

// The flag groups below are embedded by the commands that use them, so
// that each command shows only its own flags. Every flag has a CHSCHEMA_*
// environment variable (TestEveryFlagHasAnEnvVar holds every command to it):
// CHSCHEMA_<FLAG> for a flag that means the same in every command that has
// it, CHSCHEMA_<COMMAND>_<FLAG> for one whose meaning is the command's own
// (down --to, hash --force). --var is the one flag read from a family of
// variables, CHSCHEMA_VAR_<NAME>; its tag says so with envprefix.

// dirFlag is the migrations root.
type dirFlag struct {
	Dir string `help:"Migrations root: one subdirectory per service." env:"CHSCHEMA_DIR" default:"migrations" type:"path" placeholder:"DIR"`
}

// varFlag are the template variables.
type varFlag struct {
	Var map[string]string `help:"Template variable for $${NAME} in migrations; repeatable; wins over env CHSCHEMA_VAR_<NAME>. A value must not end or start a string, comment or statement of the SQL as written." placeholder:"NAME=VALUE" mapsep:"none" envprefix:"CHSCHEMA_VAR_"`
}

// projectFlags are the flags of the commands that read the migrations.
type projectFlags struct {
	dirFlag
	varFlag
}

// dsnFlag is a required server.
type dsnFlag struct {
	DSN string `name:"dsn" help:"ClickHouse DSN, for example clickhouse://user:pass@127.0.0.1:9000/db." env:"CHSCHEMA_DSN" placeholder:"DSN"`
}

// optionalDSNFlag is a server a command can do without.
type optionalDSNFlag struct {
	DSN string `name:"dsn" help:"ClickHouse DSN (optional), for example clickhouse://user:pass@127.0.0.1:9000/db." env:"CHSCHEMA_DSN" placeholder:"DSN"`
}

// formatFlag is the output format of a command that has no annotations.
type formatFlag struct {
	Format string `help:"Output format: text or json (one JSON document on stdout, errors included)." enum:"text,json" default:"text" env:"CHSCHEMA_FORMAT"`
}

// annotatedFormatFlag is the output format of a command whose findings
// can be GitHub Actions annotations.
type annotatedFormatFlag struct {
	Format string `help:"Output format: text, json (one JSON document on stdout, errors included) or github (GitHub Actions annotations)." enum:"text,json,github" default:"text" env:"CHSCHEMA_FORMAT"`
}

// Globals are the values of the flags that most commands share (--dir,
// --var, --dsn, --format), read from whichever of them the selected command
// has; run fills them in after parsing, and commands take them as *Globals.
type Globals struct {
	Dir    string
	DSN    string
	Var    map[string]string
	Format string

	// events receives the events of the command's operations (Env.event).
	events func(chschema.Event)
}

// globalsOf reads the shared flags of the selected command.
func globalsOf(kctx *kong.Context) Globals {
	g := Globals{Format: "text"}
	for _, f := range kctx.Flags() {
		v := kctx.FlagValue(f)
		switch f.Name {
		case "dir":
			g.Dir, _ = v.(string)
		case "dsn":
			g.DSN, _ = v.(string)
		case "var":
			g.Var, _ = v.(map[string]string)
		case "format":
			g.Format, _ = v.(string)
		}
	}
	return g
}

// Vars returns the template variables: CHSCHEMA_VAR_<NAME> from the
// environment, overridden by --var flags.
func (g *Globals) Vars(environ []string) map[string]string {
	vars := chschema.VarsFromEnviron(environ)
	for k, v := range g.Var {
		vars[k] = v
	}
	return vars
}
