package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/chschema/chschema"
	"github.com/chschema/chschema/diff"
	"github.com/chschema/chschema/internal/english"
	"github.com/chschema/chschema/migrations"
	"github.com/chschema/chschema/schema"
)

// ExpectedSource is where diff takes the expected schema from: nil means
// the migrations (chschema.Project.Diff replays them at the server's
// history); tests bind a fixed schema.
type ExpectedSource interface {
	ExpectedSchema() *schema.Schema
}

// migrationsSource is the expected schema of the migrations.
type migrationsSource struct{}

var _ ExpectedSource = migrationsSource{}

// ExpectedSchema implements ExpectedSource: nil, the migrations.
func (migrationsSource) ExpectedSchema() *schema.Schema { return nil }

// DiffCmd reports drift between what the migrations say and what the
// server holds.
type DiffCmd struct {
	projectFlags
	optionalDSNFlag
	Database    []string `help:"Also read this database from the server, to report objects that no migration manages (repeatable); it must exist." placeholder:"DB" env:"CHSCHEMA_DIFF_DATABASE"`
	OfflineFrom string   `name:"offline-from" help:"Compare against a schema saved with 'chschema schema --format json' instead of a server." type:"existingfile" placeholder:"FILE" env:"CHSCHEMA_DIFF_OFFLINE_FROM"`
	CacheDir    string   `name:"cache-dir" help:"Where to keep the table definitions already read from a server, keyed by metadata modification time, to make later runs fast (default: the user cache directory)." type:"path" placeholder:"DIR" env:"CHSCHEMA_CACHE_DIR"`
	NoCache     bool     `name:"no-cache" help:"Read every table definition from the server, and keep none." env:"CHSCHEMA_NO_CACHE"`
	Cluster     string   `help:"Read every node of this cluster (the servers system.clusters lists for it on the DSN's server, each reached with the DSN's credentials) and report drift per node, nodes with the same drift grouped, and nodes whose schemas differ from each other; an unreachable node is reported and makes the exit code 2." placeholder:"NAME" env:"CHSCHEMA_CLUSTER"`
	ignoreFlags
	historyFlags
	annotatedFormatFlag
}

// Run computes the expected schema, reads the live one and prints the
// drift; it returns errFindings when there is some.
func (c *DiffCmd) Run(ctx context.Context, g *Globals, env *Env, src ExpectedSource) error {
	p, err := openProject(g, env, append(c.ignoreFlags.options(env.Environ), chschema.WithoutSumCheck())...)
	if err != nil {
		return dirError(g, err)
	}
	var opts []chschema.DiffOption
	if len(c.Database) > 0 {
		opts = append(opts, chschema.DiffDatabases(c.Database...))
	}
	if s := src.ExpectedSchema(); s != nil {
		opts = append(opts, chschema.AgainstSchema(s))
	}
	if c.Cluster != "" {
		if c.OfflineFrom != "" {
			return errors.New("--cluster reads the nodes of a cluster; --offline-from reads no server: give one of them")
		}
		return c.runCluster(ctx, g, env, p, opts)
	}
	var res *chschema.DiffResult
	if c.OfflineFrom != "" {
		live, err := readSchemaFile(c.OfflineFrom)
		if err != nil {
			return err
		}
		res, err = p.DiffOffline(live, opts...)
		if err != nil {
			return err
		}
	} else {
		db, err := c.connect(ctx, g)
		if err != nil {
			return fmt.Errorf("%w (or compare with --offline-from FILE)", err)
		}
		defer db.Close()
		noteMissingDatabase(env, g, db)
		if !c.NoCache {
			opts = append(opts, chschema.WithDefinitionCache(c.CacheDir))
		}
		if res, err = p.Diff(ctx, db, opts...); err != nil {
			return err
		}
	}
	printDiffNotes(env, g, res)
	inDir(res.Result, positionsDir(g, env))
	if err := writeDiff(env, g, env.Stdout, res.Result, "expected (migrations in "+g.Dir+")", c.liveLabel()); err != nil {
		return err
	}
	if res.Drift() {
		return errFindings
	}
	return nil
}

// printDiffNotes prints what the comparison left out or could not read.
func printDiffNotes(env *Env, g *Globals, res *chschema.DiffResult) {
	printDiffNotesFor(env, g, res, "")
}

// printDiffNotesFor is printDiffNotes with each note after prefix (the
// node of a cluster it is about).
func printDiffNotesFor(env *Env, g *Globals, res *chschema.DiffResult, prefix string) {
	note := func(format string, args ...any) {
		fmt.Fprintf(env.Stderr, "chschema: note: "+prefix+format+"\n", args...)
	}
	if res.NoHistory {
		note("no migration history on the server: comparing with every migration")
	}
	if len(res.NotApplied) > 0 {
		names := make([]string, len(res.NotApplied))
		for i, k := range res.NotApplied {
			names[i] = k.String()
		}
		note("%s not applied on the server, left out of the expected schema: %s", english.Plural(len(names), "migration"), strings.Join(names, ", "))
	}
	for _, h := range res.HalfApplied {
		verb := "count"
		if h.Done == 1 {
			verb = "counts"
		}
		note("%s is half-applied: its %s %s as expected", h.Key, english.Plural(h.Done, "completed statement"), verb)
	}
	for _, h := range res.HalfReverted {
		note("%s is half-reverted: its up section and its %s count as expected", h.Key, english.Plural(h.Done, "completed down statement"))
	}
	for _, f := range res.Findings {
		note("%s", filepath.Join(g.Dir, f.String()))
	}
	for _, n := range res.LiveNotes {
		note("%s", n)
	}
}

// maxOfflineSchema is the largest --offline-from file diff reads.
const maxOfflineSchema = 1 << 30

// readSchemaFile reads a schema saved by 'chschema schema --format json'
// (regular files only, at most maxOfflineSchema bytes).
func readSchemaFile(path string) (*schema.Schema, error) {
	data, err := migrations.ReadFile(migrations.DirFS(filepath.Dir(path)), filepath.Base(path), maxOfflineSchema)
	if err != nil {
		return nil, fmt.Errorf("--offline-from %s: %w", path, err)
	}
	s, err := schema.DecodeJSON(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("--offline-from %s: %w", path, err)
	}
	return s, nil
}

func (c *DiffCmd) liveLabel() string {
	if c.OfflineFrom != "" {
		return "live (saved in " + c.OfflineFrom + ")"
	}
	return "live (server)"
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

// inDir makes the positions of a diff of the migrations in dir, relative
// to the migrations root, paths that name their files from the working
// directory.
func inDir(r *diff.Result, dir string) {
	if r == nil {
		return
	}
	join := func(p *schema.Position) {
		if p.File != "" && !filepath.IsAbs(p.File) {
			p.File = filepath.Join(dir, p.File)
		}
	}
	for i := range r.Unverified {
		for j := range r.Unverified[i].Reasons {
			join(&r.Unverified[i].Reasons[j].Pos)
		}
	}
	if r.Origins == nil {
		return
	}
	moved := make(schema.Origins, len(r.Origins))
	for name, pos := range r.Origins {
		join(&pos)
		moved[name] = pos
	}
	r.Origins = moved
}

// positionsDir is the migrations directory as a diff's positions name it:
// for GitHub annotations relative to the workspace (or the working
// directory), as lint's; else as --dir says.
func positionsDir(g *Globals, env *Env) string {
	if g.Format == "github" {
		return workspaceDir(g.Dir, env.Environ)
	}
	return g.Dir
}
