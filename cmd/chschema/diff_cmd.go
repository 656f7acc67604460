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
	"strings"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/chschema/chschema/apply"
	"github.com/chschema/chschema/drift"
	"github.com/chschema/chschema/parser"
	"github.com/chschema/chschema/schema"
)

// ExpectedSource builds the expected schema: what the migrations say the
// server should hold. With a history's progress, only the migrations it
// records as applied count, with the completed statements of half-applied
// ones; with none, all of them. Notes are printed (migrations left out,
// statements the model cannot follow).
type ExpectedSource interface {
	ExpectedSchema(ctx context.Context, dir string, units []*apply.Unit, init []apply.Statement, progress *apply.Progress, database string) (s *schema.Schema, notes []string, err error)
}

// migrationsSource replays the migrations (init.sql, then each service's up
// sections) offline.
type migrationsSource struct{}

var _ ExpectedSource = migrationsSource{}

// ExpectedSchema implements ExpectedSource.
func (migrationsSource) ExpectedSchema(ctx context.Context, dir string, units []*apply.Unit, init []apply.Statement, progress *apply.Progress, database string) (*schema.Schema, []string, error) {
	var notes []string
	applied, partial := units, map[apply.Key]apply.PartialUnit(nil)
	if progress != nil {
		var left []apply.Key
		applied, partial, left = progress.Split(units)
		if len(left) > 0 {
			names := make([]string, len(left))
			for i, k := range left {
				names[i] = k.String()
			}
			notes = append(notes, fmt.Sprintf("%d migration(s) not applied on the server, left out of the expected schema: %s", len(left), strings.Join(names, ", ")))
		}
		for _, k := range apply.SortedKeys(partial) {
			if partial[k].Down {
				notes = append(notes, fmt.Sprintf("%s is half-reverted: its up section and its %d completed down statement(s) count as expected", k, partial[k].Done))
				continue
			}
			notes = append(notes, fmt.Sprintf("%s is half-applied: its %d completed statement(s) count as expected", k, partial[k].Done))
		}
	}
	s, findings, err := apply.ExpectedSchema(init, applied, partial, database)
	if err != nil {
		return nil, nil, err
	}
	for _, f := range findings {
		notes = append(notes, filepath.Join(dir, f.String()))
	}
	return s, notes, nil
}

// DiffCmd reports drift between what the migrations say and what the
// server holds.
type DiffCmd struct {
	Database    []string `help:"Also read this database from the server, to report objects that no migration manages (repeatable)." placeholder:"DB"`
	OfflineFrom string   `name:"offline-from" help:"Compare against a schema saved with 'chschema schema --format json' instead of a server." type:"existingfile" placeholder:"FILE"`
	CacheDir    string   `name:"cache-dir" help:"Where to keep the table definitions already read from a server, keyed by metadata modification time, to make later runs fast (default: the user cache directory)." type:"path" placeholder:"DIR"`
	NoCache     bool     `name:"no-cache" help:"Read every table definition from the server, and keep none."`
	ignoreFlags
	historyFlags
}

// Run computes the expected schema, reads the live one and prints the
// drift; it returns errFindings when there is some.
func (c *DiffCmd) Run(ctx context.Context, g *Globals, env *Env, src ExpectedSource) error {
	ignore, err := c.ignore(g.Dir, env.Environ) // reported before any connection
	if err != nil {
		return err
	}
	units, init, err := loadUnits(g, env)
	if err != nil {
		return err
	}
	var conn driver.Conn
	var progress *apply.Progress
	var own func(schema.QualifiedName) bool
	dsnDB := "default"
	if c.OfflineFrom == "" {
		conn, dsnDB, err = c.connect(ctx, g)
		if err != nil {
			return fmt.Errorf("%w (or compare with --offline-from FILE)", err)
		}
		defer conn.Close()
		r, err := historyReader(conn, &c.historyFlags, dsnDB)
		if err != nil {
			return err
		}
		if progress, err = r.Progress(ctx, units); err != nil {
			return err
		}
		hdb, htable, err := c.historyTable(dsnDB)
		if err != nil {
			return err
		}
		own = apply.OwnTable(hdb, htable)
		if progress == nil {
			fmt.Fprintf(env.Stderr, "chschema: note: no migration history on the server: comparing with every migration\n")
		}
	}
	expected, expectedNotes, err := src.ExpectedSchema(ctx, g.Dir, units, init, progress, dsnDB)
	if err != nil {
		return fmt.Errorf("expected schema: %w", err)
	}
	for _, n := range expectedNotes {
		fmt.Fprintf(env.Stderr, "chschema: note: %s\n", n)
	}
	// Every database a migration touches at any version is read: what a
	// down left behind is drift too.
	footprint := apply.MigrationsFootprint(init, units, dsnDB)
	managed := drift.ManagedDatabases(expected, dsnDB, c.Database)
	databases := footprint.Read(managed)
	expected.KeepDatabases(databases)
	live, notes, err := c.live(ctx, g, conn, databases)
	if err != nil {
		return err
	}
	for _, n := range notes {
		fmt.Fprintf(env.Stderr, "chschema: note: %s\n", n)
	}
	drift.DropOwn(live, own, expected)
	footprint.Narrow(expected, live, managed)
	if conn != nil {
		if _, err := drift.Canonicalize(ctx, conn, expected, live); err != nil {
			fmt.Fprintf(env.Stderr, "chschema: note: %v; compared as computed offline\n", err)
		}
	} else {
		drift.MarkServerEvaluated(expected)
	}
	res := drift.Diff(expected, live, notes, ignore, databases).Result
	// Positions in the expected schema are relative to the migrations root.
	for i := range res.Unverified {
		for j := range res.Unverified[i].Reasons {
			if p := &res.Unverified[i].Reasons[j].Pos; p.File != "" && !filepath.IsAbs(p.File) {
				p.File = filepath.Join(g.Dir, p.File)
			}
		}
	}
	if err := writeDiff(env, g, env.Stdout, res, "expected (migrations in "+g.Dir+")", c.liveLabel()); err != nil {
		return err
	}
	if res.Drift() {
		return errFindings
	}
	return nil
}

// live reads the live schema of databases from conn, or from the
// --offline-from file.
func (c *DiffCmd) live(ctx context.Context, g *Globals, conn driver.Conn, databases []string) (*schema.Schema, []schema.Note, error) {
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
	var err error
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

// expectedOffline is the expected schema of every migration, without a
// server: unqualified names in the default database.
func expectedOffline(ctx context.Context, g *Globals, env *Env, src ExpectedSource) (*schema.Schema, []string, error) {
	units, init, err := loadUnits(g, env)
	if err != nil {
		return nil, nil, err
	}
	return src.ExpectedSchema(ctx, g.Dir, units, init, nil, "default")
}
