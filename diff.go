package chschema

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/chschema/chschema/apply"
	"github.com/chschema/chschema/diff"
	"github.com/chschema/chschema/drift"
	"github.com/chschema/chschema/parser"
	"github.com/chschema/chschema/schema"
)

// DiffOption tunes Diff and DiffOffline.
type DiffOption interface {
	applyDiff(*diffConfig) error
}

type diffConfig struct {
	databases []string
	cache     bool
	cacheDir  string
	against   *schema.Schema
	used      map[string]bool
}

type diffOption struct {
	name string
	fn   func(*diffConfig) error
}

func (o diffOption) applyDiff(c *diffConfig) error {
	if c.used[o.name] {
		return fmt.Errorf("chschema: %s given twice", o.name)
	}
	c.used[o.name] = true
	return o.fn(c)
}

// DiffDatabases also reads these databases from the server, to report the
// objects no migration manages. By default only the databases the
// migrations create are read.
func DiffDatabases(names ...string) DiffOption {
	return diffOption{"DiffDatabases", func(c *diffConfig) error {
		for _, n := range names {
			if n == "" {
				return errors.New("chschema: DiffDatabases: empty database name")
			}
		}
		c.databases = names
		return nil
	}}
}

// WithDefinitionCache keeps the table definitions Diff reads from a server
// in dir (one file per server address, never holding credentials; "" is
// the user cache directory's chschema), keyed by table UUID, name and
// metadata modification time, so that later runs read only what changed.
// Problems with the cache are notes, never errors. Without this option
// Diff reads every definition and writes nothing.
func WithDefinitionCache(dir string) DiffOption {
	return diffOption{"WithDefinitionCache", func(c *diffConfig) error { c.cache, c.cacheDir = true, dir; return nil }}
}

// AgainstSchema compares the live schema with s instead of the schema the
// migrations build: for example a schema saved with `chschema schema
// --format json` at a release, or one read with ReadLive from another
// server. s is not modified.
func AgainstSchema(s *schema.Schema) DiffOption {
	return diffOption{"AgainstSchema", func(c *diffConfig) error {
		if s == nil {
			return errors.New("chschema: AgainstSchema: nil schema")
		}
		c.against = s
		return nil
	}}
}

func newDiffConfig(opts []DiffOption) (*diffConfig, error) {
	c := &diffConfig{used: map[string]bool{}}
	for i, o := range opts {
		if o == nil {
			return nil, fmt.Errorf("chschema: diff option %d is nil", i+1)
		}
		if err := o.applyDiff(c); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// DiffResult is the drift between the expected schema and the live one.
// Its embedded *diff.Result holds the typed changes (Drift reports whether
// there are any), the unverified objects and the count of ignored ones.
type DiffResult struct {
	*diff.Result
	// Databases are the databases compared.
	Databases []string
	// NoHistory is true when the server has no chschema history: every
	// migration counts as expected.
	NoHistory bool
	// NotApplied lists the migrations the server's history does not record
	// as applied; they are left out of the expected schema.
	NotApplied []Key
	// HalfApplied lists the half-applied migrations, with the number of
	// their statements that completed and count as expected.
	HalfApplied []apply.Resumed
	// HalfReverted lists the migrations a down left half-done: their up
	// section and the completed down statements count as expected.
	HalfReverted []apply.Resumed
	// Findings are the statements the model cannot follow, relative to the
	// migrations root.
	Findings []parser.Finding
	// LiveNotes say what could not be read in full from the server (older
	// servers) or happened to the definition cache.
	LiveNotes []schema.Note
}

// Diff compares the schema the migrations describe with the one db holds.
// The expected side is replayed from init.sql, the migrations the server's
// history records as applied and the completed statements of a half-applied
// one (every migration when the server has no history), unqualified names
// in db's session database; the live side is read from the system tables of
// the databases the migrations manage, without chschema's own tables. Both
// leave out the ignored objects (WithIgnore, chschema.ignore).
func (p *Project) Diff(ctx context.Context, db *DB, opts ...DiffOption) (*DiffResult, error) {
	if err := p.ready(); err != nil {
		return nil, err
	}
	if db == nil {
		return nil, errors.New("chschema: nil *DB")
	}
	cfg, err := newDiffConfig(opts)
	if err != nil {
		return nil, err
	}
	res, _, err := p.diffOn(ctx, db, cfg)
	return res, err
}

// diffOn is Diff on a checked configuration; it also returns the live
// schema it compared, as narrowed for the comparison.
func (p *Project) diffOn(ctx context.Context, db *DB, cfg *diffConfig) (*DiffResult, *schema.Schema, error) {
	if err := requireDatabases(ctx, db, cfg.databases); err != nil {
		return nil, nil, err
	}
	res := &DiffResult{}
	var err error
	var expected *schema.Schema
	var origins schema.Origins
	if cfg.against != nil {
		if expected, err = cloneSchema(cfg.against); err != nil {
			return nil, nil, err
		}
	} else {
		r, err := p.runner(db)
		if err != nil {
			return nil, nil, err
		}
		progress, err := r.Progress(ctx, p.units)
		if err != nil {
			return nil, nil, err
		}
		state := apply.AppliedState{Init: p.init, Applied: p.units}
		if progress == nil {
			res.NoHistory = true
		} else {
			applied, partial, left := progress.Split(p.units)
			state.Applied, state.Partial = applied, partial
			res.NotApplied = left
			for _, k := range apply.SortedKeys(partial) {
				if partial[k].Down {
					res.HalfReverted = append(res.HalfReverted, apply.Resumed{Key: k, Done: partial[k].Done})
					continue
				}
				res.HalfApplied = append(res.HalfApplied, apply.Resumed{Key: k, Done: partial[k].Done})
			}
		}
		exp, err := p.replay(state, db.database)
		if err != nil {
			return nil, nil, fmt.Errorf("expected schema: %w", err)
		}
		expected, res.Findings, origins = exp.Schema, exp.Findings, exp.Origins
	}
	// Every database a migration touches at any version is read: what a
	// down left behind is drift too.
	footprint := apply.MigrationsFootprint(p.init, p.units, db.database)
	managed := drift.ManagedDatabases(expected, db.database, cfg.databases)
	res.Databases = footprint.Read(managed)
	expected.KeepDatabases(res.Databases)

	lo := schema.LiveOptions{Databases: res.Databases, Parser: parser.CreateReader{}, ParserVersion: parserVersion(p.cfg.version)}
	var cacheFile string
	if cfg.cache {
		cacheFile, err = definitionCacheFile(cfg.cacheDir, db.addr)
		if err != nil {
			res.LiveNotes = append(res.LiveNotes, schema.Note{Message: "definition cache not used: " + err.Error()})
		} else {
			cache, err := loadCache(cacheFile)
			if err != nil {
				res.LiveNotes = append(res.LiveNotes, schema.Note{Message: "definition cache " + cacheFile + " unreadable, starting afresh: " + err.Error()})
				cache = schema.NewMemoryCache()
			}
			lo.Cache = cache
		}
	}
	live, inspectNotes, err := schema.ReadLive(ctx, db.conn, lo)
	if err != nil {
		return nil, nil, err
	}
	if cacheFile != "" {
		if err := saveCache(cacheFile, lo.Cache.(*schema.MemoryCache)); err != nil {
			res.LiveNotes = append(res.LiveNotes, schema.Note{Message: "definition cache not saved: " + err.Error()})
		}
	}
	res.LiveNotes = append(res.LiveNotes, inspectNotes...)
	drift.DropOwn(live, db.own(), expected)
	footprint.Narrow(expected, live, managed)
	if _, err := drift.Canonicalize(ctx, db.conn, expected, live); err != nil {
		res.LiveNotes = append(res.LiveNotes, schema.Note{Message: err.Error() + "; compared as computed offline"})
	}
	res.Result = drift.Diff(expected, live, res.LiveNotes, p.ignore, res.Databases).Result
	res.Result.Origins = origins
	return res, live, nil
}

// ErrUnknownDatabase: a database named to be read is not on the server.
var ErrUnknownDatabase = errors.New("chschema: unknown database")

// requireDatabases refuses names of databases the server does not have:
// reading them would silently read nothing.
func requireDatabases(ctx context.Context, db *DB, names []string) error {
	var missing []string
	for _, n := range names {
		ok, err := databaseExists(ctx, db.conn, n)
		if err != nil {
			return err
		}
		if !ok {
			missing = append(missing, n)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("%w: the server has no database %s", ErrUnknownDatabase, strings.Join(missing, ", "))
	}
	return nil
}

// DiffOffline compares the schema every migration builds (unqualified
// names in the database default) with live, a schema read earlier: for
// example one saved with `chschema schema --format json` at the last
// release, so that CI can check without a server. live is narrowed to the
// databases the migrations manage.
func (p *Project) DiffOffline(live *schema.Schema, opts ...DiffOption) (*DiffResult, error) {
	if err := p.ready(); err != nil {
		return nil, err
	}
	if live == nil {
		return nil, errors.New("chschema: DiffOffline: nil live schema")
	}
	cfg, err := newDiffConfig(opts)
	if err != nil {
		return nil, err
	}
	if cfg.cache {
		return nil, errors.New("chschema: DiffOffline reads no server: WithDefinitionCache does not apply")
	}
	res := &DiffResult{}
	var expected *schema.Schema
	var origins schema.Origins
	if cfg.against != nil {
		if expected, err = cloneSchema(cfg.against); err != nil {
			return nil, err
		}
	} else {
		exp, err := p.replay(apply.AppliedState{Init: p.init, Applied: p.units}, "default")
		if err != nil {
			return nil, fmt.Errorf("expected schema: %w", err)
		}
		expected, res.Findings, origins = exp.Schema, exp.Findings, exp.Origins
	}
	footprint := apply.MigrationsFootprint(p.init, p.units, "default")
	managed := drift.ManagedDatabases(expected, "default", cfg.databases)
	res.Databases = footprint.Read(managed)
	expected.KeepDatabases(res.Databases)
	live.KeepDatabases(res.Databases)
	footprint.Narrow(expected, live, managed)
	// Values only a server computes (a dictionary source's tcpPort()) cannot
	// be compared offline.
	drift.MarkServerEvaluated(expected)
	res.Result = drift.Diff(expected, live, nil, p.ignore, res.Databases).Result
	res.Result.Origins = origins
	return res, nil
}

// definitionCacheFile is the definition cache of the server at addr: one
// file per server address, never holding credentials.
func definitionCacheFile(dir string, addr []string) (string, error) {
	if len(addr) == 0 {
		return "", errors.New("the connection's server address is unknown (a DB from NewDB)")
	}
	if dir == "" {
		base, err := os.UserCacheDir()
		if err != nil {
			return "", err
		}
		dir = filepath.Join(base, "chschema")
	}
	sum := sha256.Sum256([]byte(strings.Join(addr, ",")))
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

// cloneSchema deep-copies a schema through its JSON encoding, which
// DecodeJSON links back into a pointer graph.
func cloneSchema(s *schema.Schema) (*schema.Schema, error) {
	data, err := json.Marshal(s)
	if err != nil {
		return nil, fmt.Errorf("chschema: copy the schema: %w", err)
	}
	c, err := schema.DecodeJSON(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("chschema: copy the schema: %w", err)
	}
	return c, nil
}
