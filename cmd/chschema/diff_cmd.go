package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/chschema/chschema/diff"
	"github.com/chschema/chschema/migrations"
	"github.com/chschema/chschema/parser"
	"github.com/chschema/chschema/schema"
)

// IgnoreFile is the ignore file's name in the migrations root.
const IgnoreFile = "chschema.ignore"

// ExpectedSource builds the expected schema: what the migrations under dir
// say the server should hold. Notes are printed (statements the model
// cannot follow, whose objects are then unverified).
type ExpectedSource interface {
	ExpectedSchema(ctx context.Context, dir string, vars map[string]string) (s *schema.Schema, notes []string, err error)
}

// migrationsSource replays every migration of dir (init.sql, then each
// service's up sections) offline.
type migrationsSource struct{}

var _ ExpectedSource = migrationsSource{}

// ExpectedSchema implements ExpectedSource.
func (migrationsSource) ExpectedSchema(ctx context.Context, dir string, vars map[string]string) (*schema.Schema, []string, error) {
	d, err := migrations.Open(os.DirFS(dir))
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", dir, err)
	}
	s, findings, err := parser.ExpectedSchema(d, parser.ExpectedOptions{Vars: vars})
	if err != nil {
		return nil, nil, err
	}
	notes := make([]string, len(findings))
	for i, f := range findings {
		notes[i] = filepath.Join(dir, f.String())
	}
	return s, notes, nil
}

// managedDatabases are the databases the expected schema holds, without
// the default database when no migration put anything in it (every server
// has one, and the expected schema starts with it), plus extra.
func managedDatabases(expected *schema.Schema, extra []string) []string {
	var out []string
	for _, d := range expected.Databases {
		if d.Name == "default" && len(d.Tables)+len(d.Views)+len(d.Dictionaries)+len(d.Uncertain) == 0 {
			continue
		}
		out = append(out, d.Name)
	}
	for _, d := range extra {
		if !slices.Contains(out, d) {
			out = append(out, d)
		}
	}
	return out
}

// DiffCmd reports drift between what the migrations say and what the
// server holds.
type DiffCmd struct {
	Database    []string `help:"Also read this database from the server, to report objects that no migration manages (repeatable)." placeholder:"DB"`
	Ignore      []string `help:"Leave out objects matching db.table or db.* (globs allowed; a name without a dot is a SQL function). Repeatable; also env CHSCHEMA_IGNORE and <dir>/chschema.ignore." placeholder:"PATTERN"`
	OfflineFrom string   `name:"offline-from" help:"Compare against a schema saved with 'chschema schema --format json' instead of a server." type:"existingfile" placeholder:"FILE"`
	CacheDir    string   `name:"cache-dir" help:"Where to keep the table definitions already read from a server, keyed by metadata modification time, to make later runs fast (default: the user cache directory)." type:"path" placeholder:"DIR"`
	NoCache     bool     `name:"no-cache" help:"Read every table definition from the server, and keep none."`
	Wait        waitFlag `embed:""`
}

// Run computes the expected schema, reads the live one and prints the
// drift; it returns errFindings when there is some.
func (c *DiffCmd) Run(ctx context.Context, g *Globals, env *Env, src ExpectedSource) error {
	ignore, err := c.ignore(g.Dir, env.Environ)
	if err != nil {
		return err
	}
	expected, expectedNotes, err := src.ExpectedSchema(ctx, g.Dir, g.Vars(env.Environ))
	if err != nil {
		return fmt.Errorf("expected schema: %w", err)
	}
	for _, n := range expectedNotes {
		fmt.Fprintf(env.Stderr, "chschema: note: %s\n", n)
	}
	databases := managedDatabases(expected, c.Database)
	expected.KeepDatabases(databases)
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
	opts := schema.LiveOptions{Databases: databases, Parser: parser.CreateReader{}, ParserVersion: parserVersion()}
	var notes []schema.Note
	cacheFile := ""
	if !c.NoCache {
		cacheFile, err = c.cacheFile(g.DSN)
		if err != nil {
			notes = append(notes, schema.Note{Message: "definition cache not used: " + err.Error()})
		} else {
			cache, err := loadCache(cacheFile)
			if err != nil {
				notes = append(notes, schema.Note{Message: "definition cache " + cacheFile + " unreadable, starting afresh: " + err.Error()})
				cache = schema.NewMemoryCache()
			}
			opts.Cache = cache
		}
	}
	live, inspectNotes, err := schema.ReadLive(ctx, conn, opts)
	if err != nil {
		return nil, nil, err
	}
	if cacheFile != "" {
		if err := saveCache(cacheFile, opts.Cache.(*schema.MemoryCache)); err != nil {
			notes = append(notes, schema.Note{Message: "definition cache not saved: " + err.Error()})
		}
	}
	return live, append(notes, inspectNotes...), nil
}

// parserVersion names this build's parser for the definition cache, which
// keeps parsed definitions only for a release or a clean VCS revision: a
// development build parses every definition again.
func parserVersion() string {
	if v := Version(); v != "devel" {
		return v
	}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	rev, modified := "", false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	if modified {
		return ""
	}
	return rev
}

// cacheFile is the definition cache of the server dsn names: one file per
// server address, never holding credentials.
func (c *DiffCmd) cacheFile(dsn string) (string, error) {
	dir := c.CacheDir
	if dir == "" {
		base, err := os.UserCacheDir()
		if err != nil {
			return "", err
		}
		dir = filepath.Join(base, "chschema")
	}
	opts, err := clickhouse.ParseDSN(dsn)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256([]byte(strings.Join(opts.Addr, ",")))
	return filepath.Join(dir, "definitions-"+hex.EncodeToString(sum[:8])+".json"), nil
}

// loadCache reads the cache file; a missing file is an empty cache.
func loadCache(path string) (*schema.MemoryCache, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return schema.NewMemoryCache(), nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return schema.LoadMemoryCache(f)
}

// saveCache writes the cache through a temporary file, so that concurrent
// runs never read a half-written one.
func saveCache(path string, c *schema.MemoryCache) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".definitions-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := c.Save(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
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
