package chschema

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/chschema/chschema/apply"
	"github.com/chschema/chschema/diff"
	"github.com/chschema/chschema/drift"
	"github.com/chschema/chschema/migrations"
	"github.com/chschema/chschema/parser"
	"github.com/chschema/chschema/plan"
	"github.com/chschema/chschema/schema"
)

// ExpectedOptions select what Expected replays.
type ExpectedOptions struct {
	// Service, when set, replays only that service (after init.sql).
	Service string
	// Upto, when positive, stops each replayed service after the migration
	// with that version.
	Upto uint64
	// Database is the session database, in which unqualified names are
	// created; "default" when empty.
	Database string
	// Lenient takes the statements as ones a server has run, as Diff and
	// Migrate do: a statement the model cannot replay is a finding, and
	// the objects it names are uncertain, instead of an error.
	Lenient bool
}

// ExpectedResult is the expected schema and what the model could not
// follow.
type ExpectedResult struct {
	Schema *schema.Schema
	// Findings are the statements the model cannot follow, at their
	// file:line:col relative to the migrations root; the objects they touch
	// are marked uncertain in Schema, and drift checks skip them.
	Findings []parser.Finding
	// Origins say where the statement that last touched each object is,
	// relative to the migrations root.
	Origins schema.Origins
}

// Expected computes, without a server, the schema ClickHouse holds after
// init.sql and every migration's up section (services in name order,
// migrations in version order), or the part opts select. A statement the
// server would refuse (an ALTER of a table that does not exist, a column
// added twice) is an error, a parser.ReplayErrors listing every such
// statement at its file:line:col; the result still holds the findings.
func (p *Project) Expected(opts ExpectedOptions) (*ExpectedResult, error) {
	if err := p.ready(); err != nil {
		return nil, err
	}
	if opts.Service != "" {
		if _, ok := p.dir.Service(opts.Service); !ok {
			return nil, fmt.Errorf("%w: no service %q in the migrations", migrations.ErrUnknownService, opts.Service)
		}
	}
	if opts.Upto > 0 {
		rc := &runConfig{service: opts.Service}
		if err := p.checkTarget("schema", rc, &opts.Upto, false); err != nil && !errors.Is(err, ErrNoMigrations) {
			return nil, err
		}
	}
	var units []*apply.Unit
	for _, u := range p.units {
		if (opts.Service == "" || u.Service == opts.Service) && (opts.Upto == 0 || u.Version <= opts.Upto) {
			units = append(units, u)
		}
	}
	return p.replay(apply.AppliedState{Init: p.init, Applied: units, Strict: !opts.Lenient}, opts.Database)
}

// replay is the one way the Project computes an expected schema.
func (p *Project) replay(state apply.AppliedState, database string) (*ExpectedResult, error) {
	r, err := apply.Replay(state, database)
	if err != nil {
		return &ExpectedResult{}, err
	}
	r.Schema.Sort()
	return &ExpectedResult{Schema: r.Schema, Findings: r.Findings, Origins: r.Origins}, nil
}

// DesiredResult is the desired schema of a schema directory and what the
// model could not follow there.
type DesiredResult struct {
	Schema *schema.Schema
	// Findings are at their file:line:col relative to the schema directory.
	Findings []parser.Finding
}

// desired reads the schema directory dir.
func desired(dir string) (*DesiredResult, error) {
	s, findings, err := parser.DesiredSchema(migrations.DirFS(dir), parser.DesiredOptions{})
	res := &DesiredResult{Schema: s, Findings: findings}
	if err != nil {
		return res, fmt.Errorf("desired schema in %s:\n%w", dir, err)
	}
	return res, nil
}

// expectedAndDesired is the declarative pair: every migration, and the
// schema directory.
func (p *Project) expectedAndDesired(schemaDir string) (*ExpectedResult, *DesiredResult, error) {
	exp, err := p.Expected(ExpectedOptions{Lenient: true})
	if err != nil {
		return exp, nil, fmt.Errorf("expected schema: %w", err)
	}
	des, err := desired(schemaDir)
	return exp, des, err
}

// CheckResult is the difference between the schema the migrations build and
// the desired one.
type CheckResult struct {
	*diff.Result
	// Expected and Desired are the two schemas and their findings.
	Expected *ExpectedResult
	Desired  *DesiredResult
}

// Check compares the schema the migrations build (every migration) with the
// desired schema in schemaDir (a directory of CREATE statements, any
// layout), leaving out ignored objects. Drift() on the result reports
// whether they differ. On an error the result, when not nil, still holds the
// findings read so far.
func (p *Project) Check(schemaDir string) (*CheckResult, error) {
	exp, des, err := p.expectedAndDesired(schemaDir)
	res := &CheckResult{Expected: exp, Desired: des}
	if err != nil {
		return res, err
	}
	res.Result = diff.Schemas(exp.Schema, des.Schema, diff.WithIgnore(p.ignore))
	return res, nil
}

// PlanOptions tune Plan.
type PlanOptions struct {
	// AllowRecreate rebuilds tables ClickHouse cannot change in place
	// instead of stopping with a plan.RecreateError.
	AllowRecreate bool
	// Renames are hints: a rename, not a drop and an add.
	Renames []plan.Rename
	// Confirm, when set, is asked about likely renames.
	Confirm plan.RenameConfirmer
	// Cluster, when set, writes every statement ON CLUSTER Cluster (a
	// table rebuild is then an error wrapping plan.ErrCluster).
	Cluster string
}

// PlanResult is a generated migration.
type PlanResult struct {
	// Migration is the up and down sections, its destructive steps and
	// warnings; Migration.Empty() when the migrations already build the
	// desired schema.
	Migration *plan.Migration
	Expected  *ExpectedResult
	Desired   *DesiredResult
}

// Plan generates the migration from the schema the migrations build to the
// desired one in schemaDir, with a down section that reverses it. Write it
// with New. On an error the result, when not nil, still holds the findings
// read so far.
func (p *Project) Plan(schemaDir string, opts PlanOptions) (*PlanResult, error) {
	exp, des, err := p.expectedAndDesired(schemaDir)
	res := &PlanResult{Expected: exp, Desired: des}
	if err != nil {
		return res, err
	}
	m, err := plan.Plan(exp.Schema, des.Schema, plan.Options{AllowRecreate: opts.AllowRecreate, Renames: opts.Renames,
		Confirm: opts.Confirm, Cluster: opts.Cluster, Diff: []diff.Option{diff.WithIgnore(p.ignore)},
		DatabaseVars: parser.DatabaseVariables(p.dir, p.cfg.vars)})
	if err != nil {
		return res, err
	}
	res.Migration = m
	return res, nil
}

// FunctionsFile is the file of the dumped SQL functions.
const FunctionsFile = "functions.sql"

// DumpFile is one file of a dumped schema directory.
type DumpFile struct {
	Name string `json:"name"`
	Text string `json:"text"`
}

// DumpOptions tune Dump.
type DumpOptions struct {
	// Server, when set, dumps the live schema of the migrations' databases
	// from it instead of the expected one.
	Server *DB
	// Databases are dumped too (from Server).
	Databases []string
}

// DumpResult is a schema as the files of a schema directory.
type DumpResult struct {
	// Files are one per database (its CREATE DATABASE, then its objects in
	// dependency order), then FunctionsFile.
	Files    []DumpFile
	Expected *ExpectedResult
	// LiveNotes say what the server's schema could not be read in full.
	LiveNotes []schema.Note
}

// Dump returns the expected schema (every migration), or with
// opts.Server the live schema of the databases the migrations create, as
// the files of a schema directory: the starting point of the declarative
// workflow (Check, Plan).
func (p *Project) Dump(ctx context.Context, opts DumpOptions) (*DumpResult, error) {
	exp, err := p.Expected(ExpectedOptions{Lenient: true})
	res := &DumpResult{Expected: exp}
	if err != nil {
		return res, fmt.Errorf("expected schema: %w", err)
	}
	s := exp.Schema
	databases := drift.ManagedDatabases(s, "default", opts.Databases)
	if opts.Server == nil && len(opts.Databases) > 0 {
		return res, errors.New("chschema: Dump: Databases are read from a server, and no Server was given")
	}
	if opts.Server != nil {
		if err := requireDatabases(ctx, opts.Server, opts.Databases); err != nil {
			return res, err
		}
		live, notes, err := schema.ReadLive(ctx, opts.Server.conn, schema.LiveOptions{Databases: databases, Parser: parser.CreateReader{}})
		if err != nil {
			return res, err
		}
		res.LiveNotes = notes
		// Server-wide functions may belong to other projects: keep those
		// the migrations define.
		live.Functions = slices.DeleteFunc(live.Functions, func(f *schema.Function) bool {
			_, ok := s.Function(f.Name)
			return !ok
		})
		// chschema's own history, lock and lock tombstones are not part
		// of a desired schema: plan would generate them.
		apply.DropOwnTables(live, opts.Server.own())
		s = live
	}
	s.KeepDatabases(databases)
	res.Files = DumpFiles(s)
	return res, nil
}

// DumpFiles splits a schema into the files of a schema directory: one per
// database (its CREATE DATABASE, then its objects in dependency order) and
// FunctionsFile.
func DumpFiles(s *schema.Schema) []DumpFile {
	var out []DumpFile
	for _, d := range s.Databases {
		one := &schema.Schema{Databases: []*schema.Database{d}}
		out = append(out, DumpFile{Name: d.Name + ".sql", Text: "-- Desired schema of database " + d.Name + ", written by chschema dump.\n" + schema.Render(one)})
	}
	if len(s.Functions) > 0 {
		fns := &schema.Schema{Functions: s.Functions}
		out = append(out, DumpFile{Name: FunctionsFile, Text: "-- SQL functions, written by chschema dump.\n" + schema.Render(fns)})
	}
	return out
}
