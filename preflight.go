package chschema

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/chschema/chschema/apply"
	"github.com/chschema/chschema/internal/english"
	"github.com/chschema/chschema/lint"
	"github.com/chschema/chschema/migrations"
	"github.com/chschema/chschema/parser"
	"github.com/chschema/chschema/schema"
)

// ErrNoMigrations: the directory has no migration and no init.sql, so an
// operation that runs them would do nothing (a wrong --dir, most likely).
var ErrNoMigrations = errors.New("chschema: no migrations")

// PreflightError is an operation refused before it changed anything on the
// server, because of what it was about to run: lint errors in the files of
// those migrations or in init.sql (an empty section, a syntax error, a
// statement that cannot replay onto the schema before it, ...), or, on a
// first deploy, a session database that init.sql does not create.
type PreflightError struct {
	// Op is "migrate", "down" or "baseline".
	Op string
	// Findings are the lint errors, sorted, at their file:line:col
	// relative to the migrations root.
	Findings []lint.Finding
	// Reason, when set, is a refusal that is not a lint finding.
	Reason string
}

func (e *PreflightError) Error() string {
	if e.Reason != "" {
		return fmt.Sprintf("chschema: %s refused before changing anything: %s", e.Op, e.Reason)
	}
	lines := make([]string, len(e.Findings))
	for i, f := range e.Findings {
		at := f.File
		if f.Line > 0 {
			at = fmt.Sprintf("%s:%d:%d", f.File, f.Line, f.Col)
		}
		lines[i] = fmt.Sprintf("%s: %s: %s", at, f.Rule, f.Message)
	}
	return fmt.Sprintf("chschema: %s refused before changing anything: lint reports %s in what it would run:\n%s",
		e.Op, english.Plural(len(e.Findings), "error"), strings.Join(lines, "\n"))
}

// sumRules are the lint rules about chschema.sum: the seal is checked by
// Open (and WithoutSumCheck turns that off), not by the pre-flight.
var sumRules = []lint.Rule{lint.RuleSealedEdited, lint.RuleSealedRemoved, lint.RuleSealedRenamed,
	lint.RuleSealedReordered, lint.RuleInsertedBefore, lint.RuleSumFile}

// preflight is the check Migrate, Down and Baseline run once they know what
// they are about to run, before the drift check, init.sql or any migration
// (apply.WithPreflight): lint's errors in the files of the migrations that
// will run, and in init.sql when it runs, refuse the run; so does, on a
// first deploy whose DSN names a database the server does not have yet,
// an init.sql that does not create it before anything would need it.
func (p *Project) preflight(db *DB, op string) func(context.Context, apply.Preflight) error {
	var (
		once   sync.Once
		report *lint.Report
		lerr   error
	)
	files := p.migrationFiles()
	return func(ctx context.Context, pf apply.Preflight) error {
		if pf.Init && db != nil && db.sessionPending() {
			if err := p.checkSessionCreated(db.database); err != nil {
				return &PreflightError{Op: op, Reason: err.Error()}
			}
		}
		run := map[string]bool{}
		for _, u := range pf.Run {
			for _, f := range files[u.Key()] {
				run[f] = true
			}
		}
		if pf.Init && p.dir.Init != nil {
			run[p.dir.Init.File] = true
		}
		if len(run) == 0 {
			return nil
		}
		once.Do(func() {
			// The replay rule resolves unqualified names in the session
			// database, as the server will; offline (Script) it is unknown.
			lo := LintOptions{}
			if db != nil {
				lo.Database = db.database
				// The server at hand judges the syntax of what AfterShip's
				// parser rejects, as lint --dsn does: valid ClickHouse the
				// offline parser does not know never blocks a deploy.
				lo.Server = db
			}
			report, lerr = p.Lint(ctx, lo)
		})
		if lerr != nil {
			return lerr
		}
		var blocking []lint.Finding
		for _, f := range report.Findings {
			if f.Severity == lint.Error && run[f.File] && !slices.Contains(sumRules, f.Rule) {
				blocking = append(blocking, f)
			}
		}
		if len(blocking) > 0 {
			return &PreflightError{Op: op, Findings: blocking}
		}
		return nil
	}
}

// migrationFiles are the files of each migration.
func (p *Project) migrationFiles() map[apply.Key][]string {
	out := map[apply.Key][]string{}
	for _, m := range p.dir.Migrations() {
		out[apply.Key{Service: m.Service.Name, Version: uint64(m.Version)}] = m.Files
	}
	return out
}

// checkSessionCreated checks, offline, that init.sql creates the session
// database before any of its statements needs it: replayed on a server
// that has only default, every statement must replay and the database must
// exist at the end.
func (p *Project) checkSessionCreated(database string) error {
	s := schema.New()
	s.AddDatabase(&schema.Database{Name: "default", Engine: schema.Engine{Name: "Atomic"}})
	r, err := parser.NewReplayer(s, database)
	if err != nil {
		return err
	}
	for _, st := range p.init {
		r.ReplayStatement(schema.Position{File: st.File, Line: st.Line, Col: st.Col}, st.SQL)
	}
	if err := r.Err(); err != nil {
		return fmt.Errorf("the DSN's database %s does not exist on the server yet, and init.sql does not run without it:\n%w", database, err)
	}
	if _, ok := s.Database(database); !ok {
		return fmt.Errorf("the DSN's database %s does not exist on the server, and init.sql does not create it (create it, or add CREATE DATABASE IF NOT EXISTS %s to init.sql)", database, schema.QuoteIdent(database))
	}
	return nil
}

// checkTarget refuses options that select nothing: a service the
// directory does not have, a version no migration has, a directory without
// migrations.
func (p *Project) checkTarget(op string, rc *runConfig, version *uint64, allowZero bool) error {
	if len(p.units) == 0 && len(p.init) == 0 {
		return fmt.Errorf("%w in %s (and no init.sql): %s has nothing to do", ErrNoMigrations, p.where(), op)
	}
	if rc.service != "" {
		if _, ok := p.dir.Service(rc.service); !ok {
			return fmt.Errorf("%w: no service %q in %s (services: %s)", migrations.ErrUnknownService, rc.service, p.where(), p.serviceNames())
		}
	}
	if version == nil || allowZero && *version == 0 {
		return nil
	}
	for _, u := range p.units {
		if u.Version == *version && (rc.service == "" || u.Service == rc.service) {
			return nil
		}
	}
	in := "any service"
	if rc.service != "" {
		in = "service " + rc.service
	}
	return fmt.Errorf("%w: no migration with version %d in %s of %s", ErrUnknownVersion, *version, in, p.where())
}

// ErrUnknownVersion: a version option names no migration.
var ErrUnknownVersion = errors.New("chschema: unknown version")

// where names the directory in messages.
func (p *Project) where() string {
	if p.path == "" {
		return "the migrations"
	}
	return p.path
}

// serviceNames lists the directory's services, for messages.
func (p *Project) serviceNames() string {
	var names []string
	for _, s := range p.dir.Services {
		names = append(names, s.Name)
	}
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

// Script returns, without a server, what Migrate would run on a server
// with no history yet: init.sql (Report.Init) and the up statements of
// every migration (Report.Plan), services in name order, each in version
// order, up to ToVersion, of OnlyService's migrations only when it is
// given. Like Migrate, it refuses lint errors in those files (a
// *PreflightError) and options that select nothing.
func (p *Project) Script(ctx context.Context, opts ...RunOption) (*Report, error) {
	if err := p.ready(); err != nil {
		return nil, err
	}
	rc, err := newRunConfig("Script", opts, "ToVersion", "OnlyService")
	if err != nil {
		return nil, err
	}
	if err := p.checkTarget("sql", rc, rc.to, false); err != nil {
		return nil, err
	}
	rep := &Report{Init: p.init}
	var run []*apply.Unit
	for _, u := range p.units {
		if (rc.service == "" || u.Service == rc.service) && (rc.to == nil || u.Version <= *rc.to) {
			run = append(run, u)
			for i, st := range u.Up {
				rep.Plan = append(rep.Plan, apply.PlannedStatement{Key: u.Key(), Index: i, Stmt: st})
			}
		}
	}
	check := p.preflight(nil, "sql")
	if err := check(ctx, apply.Preflight{Op: "migrate", DryRun: true, Units: p.units, Run: run, Init: true}); err != nil {
		return nil, err
	}
	return rep, nil
}
