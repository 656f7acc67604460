package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"

	"github.com/alecthomas/kong"
	"github.com/chschema/chschema"
	"golang.org/x/sys/unix"
)

// Exit codes, the same for every command.
const (
	exitOK       = 0 // nothing to report
	exitFindings = 1 // findings: drift, lint errors
	exitError    = 2 // usage or runtime error
)

// errFindings is returned by a command that has printed its findings (drift,
// lint errors) and wants the process to exit 1 without a further message.
var errFindings = errors.New("chschema: findings reported")

// version is chschema's own version; release builds set it with
// -ldflags "-X main.version=v1.2.3".
var version = ""

// Version reports chschema's version: the -X flag, else the module version
// recorded at build time, else "devel".
func Version() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "devel"
}

// Globals are the flags every command shares.
type Globals struct {
	Dir    string            `help:"Migrations root: one subdirectory per service." env:"CHSCHEMA_DIR" default:"migrations" type:"path" placeholder:"DIR"`
	DSN    string            `name:"dsn" help:"ClickHouse DSN, for example clickhouse://user:pass@127.0.0.1:9000/db." env:"CHSCHEMA_DSN" placeholder:"DSN"`
	Var    map[string]string `help:"Template variable for $${NAME} in migrations; repeatable. Also from env CHSCHEMA_VAR_<NAME>." placeholder:"NAME=VALUE" mapsep:"none"`
	Format string            `help:"Output format: text, json or github (GitHub Actions annotations)." enum:"text,json,github" default:"text"`
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

// Env is what commands receive from the process: output streams and the
// environment. Tests build their own.
type Env struct {
	Ctx     context.Context
	Stdout  io.Writer
	Stderr  io.Writer
	Environ []string
	// IsTTY reports whether Stdout is a terminal (for colour).
	IsTTY bool
	// StderrTTY reports whether Stderr is a terminal (for progress).
	StderrTTY bool
	// interrupts handles SIGINT and SIGTERM (nil in tests that run
	// commands in-process).
	interrupts *interrupts
}

func newEnv() *Env {
	ctx, in := notifyInterrupts(context.Background(), os.Stderr)
	return &Env{Ctx: ctx, Stdout: os.Stdout, Stderr: os.Stderr, Environ: os.Environ(),
		IsTTY: isTerminal(os.Stdout), StderrTTY: isTerminal(os.Stderr), interrupts: in}
}

// isTerminal reports whether f is a terminal (not merely a character
// device such as /dev/null).
func isTerminal(f *os.File) bool {
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil
}

// CLI is the root command.
type CLI struct {
	Globals

	Version  VersionCmd  `cmd:"" help:"Print chschema's version, and with --dsn the server's."`
	New      NewCmd      `cmd:"" help:"Create the next migration of a service, with -- +up and -- +down sections."`
	Hash     HashCmd     `cmd:"" help:"Seal the current migrations into <dir>/chschema.sum (the release step)."`
	Lint     LintCmd     `cmd:"" help:"Check the migrations offline (with --dsn, also with the server's parser); exit 1 on findings."`
	Schema   SchemaCmd   `cmd:"" help:"Print the expected schema (init.sql, then every migration) as canonical SQL, or JSON with --format json."`
	Migrate  MigrateCmd  `cmd:"" help:"Apply the pending migrations: check chschema.sum, wait for the server, lock, run init.sql, verify, apply in order, record."`
	Down     DownCmd     `cmd:"" help:"Revert applied migrations, most recent first, with their down sections (after checking chschema.sum); refuses to destroy data without --allow-data-loss."`
	Status   StatusCmd   `cmd:"" help:"Show each migration's state: applied, pending, incomplete, edited or missing."`
	Baseline BaselineCmd `cmd:"" help:"Record migrations up to VERSION as applied without running them, after checking chschema.sum and the schema."`
	Verify   VerifyCmd   `cmd:"" help:"On a scratch server (--dev-dsn): apply all, down to 0, apply again, comparing the schema after each step."`
	Unlock   UnlockCmd   `cmd:"" help:"Force the release of the migration lock (after a crashed migrate)."`
	Diff     DiffCmd     `cmd:"" help:"Report drift between what the migrations say and what the server holds."`
	Dump     DumpCmd     `cmd:"" help:"Write the expected schema (with --dsn, the live one) as the desired schema directory: one .sql file per database."`
	Plan     PlanCmd     `cmd:"" help:"Generate the next migration of SERVICE from the expected schema to the desired one (--schema-dir), with a down section."`
	Check    CheckCmd    `cmd:"" help:"Exit 1, printing the diff, when the migrations do not build the desired schema (--schema-dir)."`
}

// exitPanic carries kong's requested exit code out of kong.Parse.
type exitPanic int

// run parses args, runs the command and returns the process exit code.
// Options after the defaults can replace bindings (tests bind their own
// ExpectedSource).
func run(args []string, env *Env, opts ...kong.Option) (code int) {
	var cli CLI
	parser, err := kong.New(&cli, append([]kong.Option{
		kong.Name("chschema"),
		kong.Description("Manage ClickHouse schemas: sequential raw-SQL migrations, checksums and drift detection."),
		kong.UsageOnError(),
		kong.Writers(env.Stdout, env.Stderr),
		kong.Exit(func(code int) { panic(exitPanic(code)) }),
		kong.Bind(&cli.Globals, env),
		kong.BindTo(env.Ctx, (*context.Context)(nil)),
		kong.BindTo(ExpectedSource(migrationsSource{}), (*ExpectedSource)(nil)),
		kong.Bind(newPrompter(env)),
	}, opts...)...)
	if err != nil {
		fmt.Fprintf(env.Stderr, "chschema: %v\n", err)
		return exitError
	}
	defer func() {
		if r := recover(); r != nil {
			p, ok := r.(exitPanic)
			if !ok {
				panic(r)
			}
			code = int(p)
			if code != exitOK {
				code = exitError
			}
		}
	}()
	kctx, err := parser.Parse(args)
	if err != nil {
		fmt.Fprintf(env.Stderr, "chschema: %v\n", err)
		return exitError
	}
	if err := kctx.Run(); err != nil {
		if errors.Is(err, errFindings) {
			return exitFindings
		}
		fmt.Fprintf(env.Stderr, "chschema: %v\n", err)
		if code, ok := env.interruptedCode(err); ok {
			return code
		}
		return exitError
	}
	return exitOK
}
