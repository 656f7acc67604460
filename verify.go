package chschema

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/chschema/chschema/apply"
	"github.com/chschema/chschema/parser"
	"github.com/chschema/chschema/schema"
)

// VerifyResult says what Verify checked.
type VerifyResult struct {
	// Migrations counts the migrations applied, reverted and applied again.
	Migrations int `json:"migrations"`
	// CleanedUp lists what Verify dropped afterwards, in the order it did:
	// the objects and databases the round trip created, and chschema's
	// history and lock tables. It encodes as [], never null.
	CleanedUp []string `json:"cleaned_up"`
}

// Verify is the round trip to run before merging, on a scratch server with
// no chschema history (db): it applies every migration one at a time,
// reverts them one at a time down to none, and applies them all again,
// comparing the live schema with the expected one after every step (each a
// RoundTripStep event). A down section that does not undo its up fails it
// with a *drift.Error naming the step.
//
// Afterwards, whether it passed or not, it drops what it created: every
// database, table, view, dictionary and SQL function that init.sql or a
// migration names and that did not exist before it started, and the
// history and lock tables (and their database, when it created it), so
// that it can run again on the same server. Objects that existed before
// are left alone. A failure to clean up is returned with the round trip's
// result.
func (p *Project) Verify(ctx context.Context, db *DB) (*VerifyResult, error) {
	if err := p.ready(); err != nil {
		return nil, err
	}
	if err := p.checkTarget("verify", &runConfig{}, nil, false); err != nil {
		return nil, err
	}
	r, err := p.runner(db)
	if err != nil {
		return nil, err
	}
	v, err := p.verifier(db)
	if err != nil {
		return nil, err
	}
	names, err := p.namedObjects(db.database)
	if err != nil {
		return nil, err
	}
	before, err := readCatalog(ctx, db)
	if err != nil {
		return nil, err
	}
	res := &VerifyResult{Migrations: len(p.units), CleanedUp: []string{}}
	runErr := r.RoundTrip(ctx, p.units, v)
	cleaned, cleanErr := cleanUp(context.WithoutCancel(ctx), db, before, names)
	res.CleanedUp = append(res.CleanedUp, cleaned...)
	if cleanErr != nil {
		cleanErr = fmt.Errorf("chschema: verify could not clean up after itself: %w", cleanErr)
	}
	if err := errors.Join(runErr, cleanErr); err != nil {
		return res, err
	}
	return res, nil
}

// namedSet is what init.sql and the migrations name at any point of the
// round trip.
type namedSet struct {
	databases map[string]bool
	objects   map[schema.QualifiedName]bool
	functions map[string]bool
}

// namedObjects replays init.sql and the up sections, and collects the names
// of every database, object and function that exists after any statement.
func (p *Project) namedObjects(session string) (*namedSet, error) {
	n := &namedSet{databases: map[string]bool{}, objects: map[schema.QualifiedName]bool{}, functions: map[string]bool{}}
	s := parser.StartingSchema(session)
	r, err := parser.NewReplayer(s, session)
	if err != nil {
		return nil, err
	}
	collect := func() {
		for _, d := range s.Databases {
			n.databases[d.Name] = true
			for _, o := range d.Tables {
				n.objects[schema.QualifiedName{Database: d.Name, Name: o.Name}] = true
			}
			for _, o := range d.Views {
				n.objects[schema.QualifiedName{Database: d.Name, Name: o.Name}] = true
			}
			for _, o := range d.Dictionaries {
				n.objects[schema.QualifiedName{Database: d.Name, Name: o.Name}] = true
			}
		}
		for _, f := range s.Functions {
			n.functions[f.Name] = true
		}
	}
	replay := func(stmts []apply.Statement) {
		r.UseDatabase(session) // each file starts in the session database, as ReplayApplied's
		for _, st := range stmts {
			r.ReplayStatement(schema.Position{File: st.File, Line: st.Line, Col: st.Col}, st.SQL)
			collect()
		}
	}
	replay(p.init)
	for _, u := range p.units {
		replay(u.Up)
	}
	return n, nil
}

// catalog is what a server holds, by name.
type catalog struct {
	databases map[string]bool
	// objects maps each table, view and dictionary to its engine.
	objects   map[schema.QualifiedName]string
	functions map[string]bool
}

func readCatalog(ctx context.Context, db *DB) (*catalog, error) {
	c := &catalog{databases: map[string]bool{}, objects: map[schema.QualifiedName]string{}, functions: map[string]bool{}}
	rows, err := db.conn.Query(ctx, "SELECT name FROM system.databases")
	if err != nil {
		return nil, fmt.Errorf("read system.databases: %w", err)
	}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			rows.Close()
			return nil, err
		}
		c.databases[name] = true
	}
	rows.Close()
	rows, err = db.conn.Query(ctx, "SELECT database, name, engine FROM system.tables WHERE NOT is_temporary AND database NOT IN ('system', 'INFORMATION_SCHEMA', 'information_schema')")
	if err != nil {
		return nil, fmt.Errorf("read system.tables: %w", err)
	}
	for rows.Next() {
		var q schema.QualifiedName
		var engine string
		if err := rows.Scan(&q.Database, &q.Name, &engine); err != nil {
			rows.Close()
			return nil, err
		}
		c.objects[q] = engine
	}
	rows.Close()
	rows, err = db.conn.Query(ctx, "SELECT name FROM system.functions WHERE origin = 'SQLUserDefined'")
	if err != nil {
		return nil, fmt.Errorf("read system.functions: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, err
		}
		c.functions[name] = true
	}
	return c, rows.Err()
}

// cleanUp drops what the round trip created: the named objects, databases
// and functions that are on the server now and were not before, and
// chschema's own tables. Views go first (they read the others), then
// dictionaries, then tables, then databases and functions.
func cleanUp(ctx context.Context, db *DB, before *catalog, names *namedSet) ([]string, error) {
	after, err := readCatalog(ctx, db)
	if err != nil {
		return nil, err
	}
	own := db.own()
	type drop struct {
		rank     int
		database string // of a table; the database itself for rank 3
		what     string
		sql      string
	}
	var drops []drop
	for q, engine := range after.objects {
		if _, existed := before.objects[q]; existed {
			continue
		}
		if !names.objects[q] && !own(q) && !(names.databases[q.Database] && !before.databases[q.Database]) {
			continue
		}
		rank, kind := 2, "TABLE"
		switch engine {
		case "View", "MaterializedView", "LiveView", "WindowView":
			rank, kind = 0, "VIEW"
		case "Dictionary":
			rank, kind = 1, "DICTIONARY"
		}
		drops = append(drops, drop{rank, q.Database, strings.ToLower(kind) + " " + q.String(), fmt.Sprintf("DROP %s IF EXISTS %s SYNC", kind, q)})
	}
	for name := range after.databases {
		created := !before.databases[name] && (names.databases[name] || name == db.history.database)
		if created {
			drops = append(drops, drop{3, name, "database " + schema.QuoteIdent(name), "DROP DATABASE IF EXISTS " + schema.QuoteIdent(name) + " SYNC"})
		}
	}
	for name := range after.functions {
		if !before.functions[name] && names.functions[name] {
			drops = append(drops, drop{4, "", "function " + schema.QuoteIdent(name), "DROP FUNCTION IF EXISTS " + schema.QuoteIdent(name)})
		}
	}
	sort.SliceStable(drops, func(i, j int) bool {
		if drops[i].rank != drops[j].rank {
			return drops[i].rank < drops[j].rank
		}
		return drops[i].what < drops[j].what
	})
	var done []string
	var errs []error
	for _, d := range drops {
		if d.rank < 3 && slices.ContainsFunc(drops, func(o drop) bool { return o.rank == 3 && o.database == d.database }) {
			continue // dropped with its database
		}
		if err := db.conn.Exec(ctx, d.sql); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", d.sql, err))
			continue
		}
		done = append(done, d.what)
	}
	return done, errors.Join(errs...)
}
