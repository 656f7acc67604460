package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/chschema/chschema/diff"
	"github.com/chschema/chschema/schema"
)

// IgnoreFile is the ignore file's name in the migrations root.
const IgnoreFile = "chschema.ignore"

// ExpectedSource builds the expected schema: what the migrations under dir
// say the server should hold.
type ExpectedSource interface {
	ExpectedSchema(ctx context.Context, dir string, vars map[string]string) (*schema.Schema, error)
}

// errNoExpectedSchema is returned until the parser's statement-to-change
// conversion is merged: without it the migrations cannot be replayed into
// a model.
var errNoExpectedSchema = errors.New("the expected schema needs the parser's statement conversion (parser/convert*.go), which this build does not have yet")

// migrationsSource is the ExpectedSource of the real CLI.
type migrationsSource struct{}

var _ ExpectedSource = migrationsSource{}

// ExpectedSchema replays the migrations into a model.
func (migrationsSource) ExpectedSchema(ctx context.Context, dir string, vars map[string]string) (*schema.Schema, error) {
	return nil, errNoExpectedSchema
}

// DiffCmd reports drift between what the migrations say and what the
// server holds.
type DiffCmd struct {
	Database    []string `help:"Also read this database from the server, to report objects that no migration manages (repeatable)." placeholder:"DB"`
	Ignore      []string `help:"Leave out objects matching db.table or db.* (globs allowed; a name without a dot is a SQL function). Repeatable; also env CHSCHEMA_IGNORE and <dir>/chschema.ignore." placeholder:"PATTERN"`
	OfflineFrom string   `name:"offline-from" help:"Compare against a schema saved with 'chschema schema --format json' instead of a server." type:"existingfile" placeholder:"FILE"`
	Wait        waitFlag `embed:""`
}

// Run computes the expected schema, reads the live one and prints the
// drift; it returns errFindings when there is some.
func (c *DiffCmd) Run(ctx context.Context, g *Globals, env *Env, src ExpectedSource) error {
	ignore, err := c.ignore(g.Dir, env.Environ)
	if err != nil {
		return err
	}
	expected, err := src.ExpectedSchema(ctx, g.Dir, g.Vars(env.Environ))
	if err != nil {
		return fmt.Errorf("expected schema: %w", err)
	}
	databases := slices.Clone(c.Database)
	for _, d := range expected.Databases {
		if !slices.Contains(databases, d.Name) {
			databases = append(databases, d.Name)
		}
	}
	live, notes, err := c.live(ctx, g, databases)
	if err != nil {
		return err
	}
	opts := []diff.Option{diff.WithIgnore(ignore), diff.WithoutAddedFunctions()}
	for _, n := range notes {
		fmt.Fprintf(env.Stderr, "chschema: note: %s\n", n)
		opts = append(opts, diff.WithoutColumnParts(n.Skip))
	}
	res := diff.Schemas(expected, live, opts...)
	switch g.Format {
	case "json":
		err = diff.WriteJSON(env.Stdout, res)
	case "github":
		err = diff.WriteGitHub(env.Stdout, res)
	default:
		err = diff.WriteText(env.Stdout, res, diff.TextOptions{
			Color:     env.IsTTY && !hasEnv(env.Environ, "NO_COLOR"),
			FromLabel: "expected (migrations in " + g.Dir + ")",
			ToLabel:   c.liveLabel(),
		})
	}
	if err != nil {
		return err
	}
	if res.Drift() {
		return errFindings
	}
	return nil
}

// live reads the live schema of databases from the server, or from the
// --offline-from file.
func (c *DiffCmd) live(ctx context.Context, g *Globals, databases []string) (*schema.Schema, []schema.Note, error) {
	if c.OfflineFrom != "" {
		f, err := os.Open(c.OfflineFrom)
		if err != nil {
			return nil, nil, fmt.Errorf("--offline-from: %w", err)
		}
		defer f.Close()
		s, err := schema.DecodeJSON(f)
		if err != nil {
			return nil, nil, fmt.Errorf("--offline-from %s: %w", c.OfflineFrom, err)
		}
		s.KeepDatabases(databases)
		return s, nil, nil
	}
	if g.DSN == "" {
		return nil, nil, errors.New("diff needs --dsn (or CHSCHEMA_DSN), or --offline-from FILE")
	}
	conn, err := openConn(ctx, g.DSN, c.Wait.Wait)
	if err != nil {
		return nil, nil, err
	}
	defer conn.Close()
	return schema.Inspect(ctx, conn, schema.InspectOptions{Databases: databases})
}

func (c *DiffCmd) liveLabel() string {
	if c.OfflineFrom != "" {
		return "live (saved in " + c.OfflineFrom + ")"
	}
	return "live (server)"
}

// ignore gathers the ignore patterns from the flag, CHSCHEMA_IGNORE and the
// ignore file in dir, and reports every invalid one.
func (c *DiffCmd) ignore(dir string, environ []string) (*diff.Ignore, error) {
	var patterns []diff.Pattern
	for _, p := range c.Ignore {
		patterns = append(patterns, diff.SplitPatterns(p)...)
	}
	for _, kv := range environ {
		if v, ok := strings.CutPrefix(kv, "CHSCHEMA_IGNORE="); ok {
			patterns = append(patterns, diff.SplitPatterns(v)...)
		}
	}
	fromFile, err := diff.ReadIgnoreFile(os.DirFS(dir), IgnoreFile)
	if err != nil {
		return nil, err
	}
	for i := range fromFile {
		fromFile[i].Pos.File = filepath.Join(dir, IgnoreFile)
	}
	return diff.NewIgnore(append(patterns, fromFile...)...)
}

// hasEnv reports whether name is set to a non-empty value in environ, the
// way NO_COLOR is meant to be read.
func hasEnv(environ []string, name string) bool {
	for _, kv := range environ {
		if k, v, _ := strings.Cut(kv, "="); k == name && v != "" {
			return true
		}
	}
	return false
}
