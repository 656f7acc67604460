// Package drift compares what the migrations say with what a server holds:
// it reads the live schema of the databases an expected schema manages and
// returns their typed differences. It is the check behind `chschema diff` and
// behind migrate's refusal to apply over drift.
package drift

import (
	"context"
	"errors"
	"slices"

	"github.com/chschema/chschema/diff"
	"github.com/chschema/chschema/internal/english"
	"github.com/chschema/chschema/parser"
	"github.com/chschema/chschema/schema"
)

// Check reads live schemas and compares them with expected ones.
type Check struct {
	q    schema.Querier
	opts Options
}

// Options tune a Check.
type Options struct {
	// Databases are read from the server besides the ones the expected
	// schema manages, to report objects no migration manages.
	Databases []string
	// Ignore leaves matching objects out of the comparison.
	Ignore *diff.Ignore
	// Cache keeps table definitions between runs (see schema.LiveOptions).
	Cache schema.DefinitionCache
	// ParserVersion names the parser for the cache.
	ParserVersion string
	// Own reports the tables chschema itself keeps (history, lock): they
	// are removed from the live side and never reported, not even as
	// ignored.
	Own func(schema.QualifiedName) bool
	// Session is the session's database (the DSN's). Like default, it exists
	// before any migration, so it counts as managed only when the
	// migrations put something in it.
	Session string
}

// New returns a Check reading from q.
func New(q schema.Querier, opts Options) (*Check, error) {
	if q == nil {
		return nil, errors.New("drift: New: nil Querier")
	}
	return &Check{q: q, opts: opts}, nil
}

// Report is the outcome of a comparison.
type Report struct {
	*diff.Result
	// Notes say what the live reader could not read in full (older servers).
	Notes []schema.Note
	// Databases are the databases compared.
	Databases []string
}

// Compare reads the live schema of the databases expected manages, of
// Options.Databases and of fp (the migrations' footprint; nil: none), and
// diffs expected against it. expected is narrowed to those databases.
func (c *Check) Compare(ctx context.Context, expected *schema.Schema, fp *Footprint) (*Report, error) {
	return c.CompareAfter(ctx, expected, fp, nil)
}

// CompareAfter is Compare with prepare applied to the live schema, as read,
// before the comparison; nil is Compare. Migrate's check before init.sql
// uses it to replay init.sql onto the live schema: init.sql runs next, so
// what it creates is not missing, and what it would find different is.
func (c *Check) CompareAfter(ctx context.Context, expected *schema.Schema, fp *Footprint, prepare func(live *schema.Schema) error) (*Report, error) {
	managed := ManagedDatabases(expected, c.opts.Session, c.opts.Databases)
	dbs := fp.Read(managed)
	expected.KeepDatabases(dbs)
	if len(dbs) == 0 && len(expected.Functions) == 0 {
		// Nothing is managed yet (a first deploy): there is nothing to read.
		return Diff(expected, schema.New(), nil, c.opts.Ignore, dbs), nil
	}
	// Functions only the server has are not drift, so with none expected
	// there is nothing to read.
	live, notes, err := schema.ReadLive(ctx, c.q, schema.LiveOptions{
		Databases: dbs, Parser: parser.CreateReader{}, Cache: c.opts.Cache, ParserVersion: c.opts.ParserVersion,
		NoFunctions: len(expected.Functions) == 0})
	if err != nil {
		return nil, err
	}
	DropOwn(live, c.opts.Own, expected)
	if prepare != nil {
		if err := prepare(live); err != nil {
			return nil, err
		}
		live.KeepDatabases(dbs)
		DropOwn(live, c.opts.Own, expected)
	}
	fp.Narrow(expected, live, managed)
	if _, err := Canonicalize(ctx, c.q, expected, live); err != nil {
		notes = append(notes, schema.Note{Message: err.Error() + "; compared as computed offline"})
	}
	return Diff(expected, live, notes, c.opts.Ignore, dbs), nil
}

// DropOwn removes from s, a live schema, the tables own reports (nil:
// none). A database they leave empty that expected does not have is
// removed too: it holds chschema's history, nothing of the migrations'.
// With a nil expected no database is removed.
func DropOwn(s *schema.Schema, own func(schema.QualifiedName) bool, expected *schema.Schema) {
	if own == nil {
		return
	}
	var names []schema.QualifiedName
	for _, d := range s.Databases {
		for _, t := range d.Tables {
			if q := (schema.QualifiedName{Database: d.Name, Name: t.Name}); own(q) {
				names = append(names, q)
			}
		}
	}
	for _, q := range names {
		_ = s.Apply(&schema.DropObject{Name: q, Kind: schema.KindTable, IfExists: true})
		if expected == nil {
			continue
		}
		d, _ := s.Database(q.Database)
		if _, ok := expected.Database(q.Database); !ok && len(d.Tables)+len(d.Views)+len(d.Dictionaries) == 0 {
			_ = s.Apply(&schema.DropDatabase{Name: q.Database, IfExists: true})
		}
	}
}

// Diff compares two schemas already read, the way Compare does: functions
// only on the live side are not drift, and column parts an old server cannot
// report (notes) are left out.
func Diff(expected, live *schema.Schema, notes []schema.Note, ignore *diff.Ignore, dbs []string) *Report {
	opts := []diff.Option{diff.WithIgnore(ignore), diff.WithoutAddedFunctions()}
	for _, n := range notes {
		opts = append(opts, diff.WithoutColumnParts(n.Skip))
	}
	return &Report{Result: diff.Schemas(expected, live, opts...), Notes: notes, Databases: dbs}
}

// ManagedDatabases are the databases expected holds, plus extra. The
// default database and the session's are left out when no migration put
// anything in them: they exist before any migration (an expected schema
// starts with them), so they are not the migrations' to manage.
func ManagedDatabases(expected *schema.Schema, session string, extra []string) []string {
	var out []string
	for _, d := range expected.Databases {
		empty := len(d.Tables)+len(d.Views)+len(d.Dictionaries)+len(d.Uncertain) == 0
		if empty && (d.Name == "default" || d.Name == session) {
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

// Error is returned by a check that found drift.
type Error struct {
	Report *Report
}

func (e *Error) Error() string {
	return "drift: the live schema differs from the expected one in " + english.Plural(len(e.Report.Changes), "place")
}

// objectKey names an object (Object empty: a whole database; Database
// empty: a SQL function) in Match.
type objectKey struct{ Database, Object string }

// Match tells which of several candidate schemas the server holds, reading
// the live schema once. Only the objects where the candidates differ from
// one another are compared, so that drift elsewhere does not hide which
// one it is: candidate i matches when the live schema has none of those
// objects different from it. Candidates that differ nowhere all match.
// It is how a resume finds how far an interrupted migration got.
func (c *Check) Match(ctx context.Context, candidates []*schema.Schema) ([]bool, error) {
	match := make([]bool, len(candidates))
	if len(candidates) == 0 {
		return match, nil
	}
	touched := map[objectKey]bool{}
	for _, cand := range candidates[1:] {
		for _, e := range diff.Entries(diff.Schemas(candidates[0], cand)) {
			if e.Action != "unverified" {
				touched[objectKey{e.Database, e.Object}] = true
			}
		}
	}
	if len(touched) == 0 {
		for i := range match {
			match[i] = true
		}
		return match, nil
	}
	var dbs []string
	functions := false
	add := func(d string) {
		if !slices.Contains(dbs, d) {
			dbs = append(dbs, d)
		}
	}
	for _, cand := range candidates {
		for _, d := range ManagedDatabases(cand, c.opts.Session, c.opts.Databases) {
			add(d)
		}
		functions = functions || len(cand.Functions) > 0
	}
	for k := range touched {
		if k.Database != "" {
			add(k.Database)
		} else {
			functions = true
		}
	}
	slices.Sort(dbs)
	live, notes, err := schema.ReadLive(ctx, c.q, schema.LiveOptions{
		Databases: dbs, Parser: parser.CreateReader{}, Cache: c.opts.Cache, ParserVersion: c.opts.ParserVersion,
		NoFunctions: !functions})
	if err != nil {
		return nil, err
	}
	// A database that holds nothing but chschema's own tables may be one a
	// candidate lacks: the history's, created by chschema, not a migration.
	hadOwn := map[string]bool{}
	for _, d := range live.Databases {
		for _, t := range d.Tables {
			if c.opts.Own != nil && c.opts.Own(schema.QualifiedName{Database: d.Name, Name: t.Name}) {
				hadOwn[d.Name] = true
			}
		}
	}
	DropOwn(live, c.opts.Own, nil)
	ownOnly := map[string]bool{}
	for _, d := range live.Databases {
		if hadOwn[d.Name] && len(d.Tables)+len(d.Views)+len(d.Dictionaries) == 0 {
			ownOnly[d.Name] = true
		}
	}
	var cand *schema.Schema
	relevant := func(e diff.Entry) bool {
		if e.Action == "unverified" {
			return false
		}
		if e.Object == "" && ownOnly[e.Database] {
			if _, ok := cand.Database(e.Database); !ok {
				return false
			}
		}
		if touched[objectKey{e.Database, e.Object}] || (e.Database != "" && touched[objectKey{e.Database, ""}]) {
			return true
		}
		if e.Object == "" && e.Database != "" {
			for k := range touched {
				if k.Database == e.Database {
					return true
				}
			}
		}
		return false
	}
	for i := range candidates {
		cand = candidates[i]
		match[i] = true
		for _, e := range diff.Entries(Diff(cand, live, notes, c.opts.Ignore, dbs).Result) {
			if relevant(e) {
				match[i] = false
				break
			}
		}
	}
	return match, nil
}
