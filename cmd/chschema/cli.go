package main

import (
	"context"
	"errors"
	"io"
	"os"
	"strings"

	"github.com/alecthomas/kong"
	"golang.org/x/sys/unix"
)

// Exit codes, the same for every command.
const (
	exitOK       = 0 // nothing to report
	exitFindings = 1 // findings: drift, lint errors, refusals, pending migrations with status --exit-code
	exitError    = 2 // usage or runtime error
)

// errFindings is returned by a command that has printed its findings (drift,
// lint errors) and wants the process to exit 1 without a further message.
var errFindings = errors.New("chschema: findings reported")

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
	logState
	// interrupts handles SIGINT and SIGTERM (nil in tests that run
	// commands in-process).
	interrupts *interrupts
}

func newEnv() *Env {
	ctx, in := notifyInterrupts(context.Background(), os.Stderr)
	env := &Env{Ctx: ctx, Stdout: os.Stdout, Stderr: os.Stderr, Environ: os.Environ(),
		IsTTY: isTerminal(os.Stdout), StderrTTY: isTerminal(os.Stderr), interrupts: in}
	emit := env.event
	in.emit.Store(&emit)
	return env
}

// isTerminal reports whether f is a terminal (not merely a character
// device such as /dev/null).
func isTerminal(f *os.File) bool {
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil
}

// CLI is the root command. It has no flags of its own: each command
// declares the flags it uses (see flags.go).
type CLI struct {
	Version  VersionCmd  `cmd:"" help:"Print chschema's version and build (module version, VCS revision), and with --dsn the server's."`
	New      NewCmd      `cmd:"" help:"Create the next migration of a service, with -- +up and -- +down sections."`
	Hash     HashCmd     `cmd:"" help:"Seal the current migrations into <dir>/chschema.sum (the release step); refuses, exit 1, what lint rejects."`
	Lint     LintCmd     `cmd:"" help:"Check the migrations offline (with --dsn, also with the server's parser; with --base REF, also against the release at git revision REF); exit 1 on error findings (warnings, such as the cluster rules, and notes do not fail it)."`
	Schema   SchemaCmd   `cmd:"" help:"Print the expected schema (init.sql, then every migration) as canonical SQL, or JSON with --format json."`
	SQL      SQLCmd      `cmd:"" name:"sql" help:"Print, offline, the statements a first migrate would run: init.sql, then the up sections, rendered."`
	Migrate  MigrateCmd  `cmd:"" help:"Apply the pending migrations: check chschema.sum, wait for the server, lock, pre-flight checks, init.sql, apply in order, record. Each section (init.sql, an up section) runs in one ClickHouse session, as clickhouse-client would run the file: its USE, SET and temporary tables reach the statements after them, and no other section."`
	Down     DownCmd     `cmd:"" help:"Revert applied migrations, most recent first, with their down sections (after checking chschema.sum), each in one ClickHouse session; refuses to destroy data without --allow-data-loss."`
	Status   StatusCmd   `cmd:"" help:"Show each migration's state: applied, baselined, pending, incomplete, edited or missing; --exit-code for CI."`
	Baseline BaselineCmd `cmd:"" help:"Record migrations up to VERSION as applied without running them, after checking chschema.sum and the schema."`
	Verify   VerifyCmd   `cmd:"" help:"On a scratch server (--dev-dsn): apply all, down to 0, apply again, comparing the schema after each step; then clean up."`
	Unlock   UnlockCmd   `cmd:"" help:"Force the release of the migration lock (after a crashed migrate)."`
	Diff     DiffCmd     `cmd:"" help:"Report drift between what the migrations say and what the server holds, in every database the migrations touch."`
	Dump     DumpCmd     `cmd:"" help:"Write the expected schema (with --dsn, the live one, without chschema's own tables) as the desired schema directory: one .sql file per database."`
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
	env.logStart()
	g := &Globals{Format: formatBeforeParse(args), events: env.event}
	base := []kong.Option{
		kong.Name("chschema"),
		kong.Description("Manage ClickHouse schemas: sequential raw-SQL migrations, checksums and drift detection. Every flag can also be set by a CHSCHEMA_* environment variable (shown in each command's --help)."),
		kong.Writers(env.Stdout, env.Stderr),
		kong.Exit(func(code int) { panic(exitPanic(code)) }),
		kong.Bind(g, env),
		kong.BindTo(env.Ctx, (*context.Context)(nil)),
		kong.BindTo(ExpectedSource(migrationsSource{}), (*ExpectedSource)(nil)),
		kong.Bind(newPrompter(env)),
	}
	if g.Format != "json" {
		// Usage goes to stdout, which in JSON mode holds one document.
		base = append(base, kong.UsageOnError())
	}
	parser, err := kong.New(&cli, append(base, opts...)...)
	if err != nil {
		return reportError(env, g, err, false)
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
		return reportError(env, g, err, false)
	}
	*g = globalsOf(kctx)
	g.events = env.event
	env.LogFormat = logFormatOf(kctx)
	err = kctx.Run()
	code = exitCode(err)
	if c, ok := env.interruptedCode(err); ok {
		code = c
	}
	logged := env.logEnd(kctx.Command(), err, code)
	if err != nil {
		reportError(env, g, err, logged)
	}
	return code
}

// formatBeforeParse is the --format the arguments (or CHSCHEMA_FORMAT)
// ask for, for the errors of a command line that does not parse.
func formatBeforeParse(args []string) string {
	format := os.Getenv("CHSCHEMA_FORMAT")
	for i, a := range args {
		if a == "--" {
			break
		}
		if v, ok := strings.CutPrefix(a, "--format="); ok {
			format = v
		} else if a == "--format" && i+1 < len(args) {
			format = args[i+1]
		}
	}
	if format == "" {
		return "text"
	}
	return format
}
