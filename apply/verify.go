package apply

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/chschema/chschema/diff"
	"github.com/chschema/chschema/drift"
	"github.com/chschema/chschema/parser"
	"github.com/chschema/chschema/schema"
)

// DriftVerifier is the Verifier of migrate and baseline: it replays init.sql,
// the applied migrations and the completed statements of half-applied ones
// into the expected schema (ReplayApplied), reads the live schema, and fails
// with a *drift.Error when they differ.
type DriftVerifier struct {
	check    *drift.Check
	database string
	// units are every unit of the directory (SetUnits), for the footprint:
	// what the units touch at any version.
	units []*Unit
}

var (
	_ Verifier   = (*DriftVerifier)(nil)
	_ UnitsAware = (*DriftVerifier)(nil)
)

// UnitsAware is a Verifier that wants to know every unit of the
// directory, not only the applied ones: the runner tells it before it
// verifies.
type UnitsAware interface {
	SetUnits(units []*Unit)
}

// SetUnits implements UnitsAware: the check reads every database the
// units touch at any version, so that what a reverted migration left
// behind is seen.
func (v *DriftVerifier) SetUnits(units []*Unit) {
	v.units = units
}

// NewDriftVerifier returns a verifier that reads the live schema from q and
// compares as opts say. opts.Session, the session's database (the DSN's), is
// also the database of unqualified names in the migrations; "default" when
// empty.
func NewDriftVerifier(q schema.Querier, opts drift.Options) (*DriftVerifier, error) {
	if opts.Session == "" {
		opts.Session = "default"
	}
	check, err := drift.New(q, opts)
	if err != nil {
		return nil, err
	}
	return &DriftVerifier{check: check, database: opts.Session}, nil
}

// Verify implements Verifier. The live schema is compared as it will be
// once init.sql has run: init.sql is replayed onto it first (it runs on
// every migrate, before any migration, and must be idempotent), so an
// object init.sql creates that the server does not have yet is not drift,
// and the check can run before init.sql changes anything. With
// state.Only, only the objects those units create, change or drop count.
func (v *DriftVerifier) Verify(ctx context.Context, state AppliedState) error {
	expected, _, err := ReplayApplied(state, v.database)
	if err != nil {
		return err
	}
	var fp *drift.Footprint
	if v.units != nil {
		fp = MigrationsFootprint(state.Init, v.units, v.database)
	}
	rep, err := v.check.CompareAfter(ctx, expected, fp, func(live *schema.Schema) error {
		return replayInit(live, state.Init, v.database)
	})
	if err != nil {
		return err
	}
	if state.Only != nil {
		if rep, err = v.scope(rep, state); err != nil {
			return err
		}
	}
	if rep.Drift() {
		return &drift.Error{Report: rep}
	}
	return nil
}

// replayInit replays init.sql's statements onto the live schema, the way
// the server is about to run them. A statement the model says the server
// would refuse is an error: init.sql would fail on this server.
func replayInit(live *schema.Schema, init []Statement, session string) error {
	if len(init) == 0 {
		return nil
	}
	for _, name := range []string{"default", session} {
		if _, ok := live.Database(name); !ok {
			live.AddDatabase(parser.ImplicitDatabase(name))
		}
	}
	r, err := parser.NewReplayer(live, session)
	if err != nil {
		return err
	}
	for _, st := range init {
		r.ReplayStatement(schema.Position{File: st.File, Line: st.Line, Col: st.Col}, st.SQL)
	}
	if err := r.Err(); err != nil {
		return fmt.Errorf("apply: init.sql cannot run on the server's current schema:\n%w", err)
	}
	return nil
}

// scope keeps, of a drift report, the changes of the objects the units of
// state.Only create, change or drop: the objects that differ between the
// expected schema without those units and with them.
func (v *DriftVerifier) scope(rep *drift.Report, state AppliedState) (*drift.Report, error) {
	only := map[Key]bool{}
	for _, u := range state.Only {
		only[u.Key()] = true
	}
	without := state
	without.Applied, without.Only = nil, nil
	for _, u := range state.Applied {
		if !only[u.Key()] {
			without.Applied = append(without.Applied, u)
		}
	}
	before, _, err := ReplayApplied(without, v.database)
	if err != nil {
		return nil, err
	}
	after, _, err := ReplayApplied(state, v.database)
	if err != nil {
		return nil, err
	}
	objects, databases := map[string]bool{}, map[string]bool{}
	for _, e := range diff.Entries(diff.Schemas(before, after)) {
		if e.Object == "" {
			databases[e.Database] = true
		}
		objects[e.Database+"\x00"+e.Object] = true
	}
	inScope := func(e diff.Entry) bool {
		return objects[e.Database+"\x00"+e.Object] || e.Object == "" && databases[e.Database]
	}
	res := *rep.Result
	res.Changes, res.Unverified = nil, nil
	for _, c := range rep.Changes {
		for _, e := range diff.Entries(&diff.Result{Changes: []schema.Change{c}, From: rep.From, To: rep.To}) {
			if inScope(e) {
				res.Changes = append(res.Changes, c)
				break
			}
		}
	}
	for _, u := range rep.Unverified {
		if inScope(diff.Entry{Database: u.Name.Database, Object: u.Name.Name}) {
			res.Unverified = append(res.Unverified, u)
		}
	}
	out := *rep
	out.Result = &res
	return &out, nil
}

// ReplayApplied replays state into the schema the server should hold:
// init.sql, then the applied units and the first Done statements of the
// partial ones, and the whole up section then the first Done down
// statements of the half-reverted ones, services in name order and
// versions in order. database is the session database, reset for every file. The
// findings are the statements the model cannot follow (their objects are
// marked uncertain). It is the expected schema of units already rendered;
// parser.ExpectedSchema computes the same from a migrations directory.
func ReplayApplied(state AppliedState, database string) (*schema.Schema, []parser.Finding, error) {
	r, err := Replay(state, database)
	if err != nil {
		return nil, nil, err
	}
	return r.Schema, r.Findings, nil
}

// Replayed is the expected schema of an AppliedState.
type Replayed struct {
	Schema *schema.Schema
	// Findings are the statements the model cannot follow (their objects
	// are marked uncertain).
	Findings []parser.Finding
	// Origins say which statement last touched each object.
	Origins schema.Origins
}

// Replay is ReplayApplied with the origin of every object.
func Replay(state AppliedState, database string) (*Replayed, error) {
	type step struct {
		u *Unit
		n int
		// down is how many down statements ran after the whole up.
		down int
	}
	var steps []step
	for _, u := range state.Applied {
		steps = append(steps, step{u: u, n: len(u.Up)})
	}
	for _, p := range state.Partial {
		switch {
		case p.Down:
			steps = append(steps, step{u: p.Unit, n: len(p.Unit.Up), down: p.Done})
		case p.Done > 0:
			steps = append(steps, step{u: p.Unit, n: p.Done})
		}
	}
	sort.SliceStable(steps, func(i, j int) bool {
		a, b := steps[i].u, steps[j].u
		if a.Service != b.Service {
			return a.Service < b.Service
		}
		return a.Version < b.Version
	})
	if database == "" {
		database = "default"
	}
	s := parser.StartingSchema(database)
	r, err := parser.NewReplayer(s, database)
	if err != nil {
		return nil, err
	}
	if !state.Strict {
		// The server ran these statements (or, without a history, is
		// taken to have): what the model refuses is its own failure.
		r.TrustStatements()
	}
	replay := func(stmts []Statement) {
		r.UseDatabase(database)
		for _, st := range stmts {
			r.ReplayStatement(schema.Position{File: st.File, Line: st.Line, Col: st.Col}, st.SQL)
		}
	}
	replay(state.Init)
	for _, st := range steps {
		replay(st.u.Up[:st.n])
		if st.down > 0 {
			replay(st.u.Down[:min(st.down, len(st.u.Down))])
		}
	}
	if err := r.Err(); err != nil {
		return nil, err
	}
	return &Replayed{Schema: s, Findings: r.Findings(), Origins: r.Origins()}, nil
}

// Progress is how far the server got with the migrations, per its history:
// each migration's record, and how many up statements of each half-applied
// one completed.
type Progress struct {
	State   map[Key]Record
	Partial map[Key]PartialUnit
}

// Split sorts units by progress: the applied ones, the half-applied and
// half-reverted ones (with the statements of their section that completed),
// and the keys of the rest.
func (p *Progress) Split(units []*Unit) (applied []*Unit, partial map[Key]PartialUnit, left []Key) {
	partial = map[Key]PartialUnit{}
	for _, u := range units {
		k := u.Key()
		switch pu, half := p.Partial[k]; {
		case p.State[k].Applied():
			applied = append(applied, u)
		case half:
			partial[k] = pu
		default:
			left = append(left, k)
		}
	}
	return applied, partial, left
}

// Progress reads the history and, for half-applied migrations, the query log
// (or the table journal), without taking the lock or changing anything but
// flushing the server's logs. It is nil when the server has no history.
func (r *Runner) Progress(ctx context.Context, units []*Unit) (*Progress, error) {
	events, err := r.history.Load(ctx)
	if err != nil || len(events) == 0 {
		return nil, err
	}
	state := State(events)
	partial, err := r.resolvePartial(ctx, events, state, indexUnits(units))
	var re *ResumeError
	if errors.As(err, &re) {
		// Undecided: what is certain is what completed.
		partial, err = re.Certain, nil
	}
	if err != nil {
		return nil, err
	}
	return &Progress{State: state, Partial: partial}, nil
}

// MigrationsFootprint is what init and every section of units (up or
// down, at any version) touch, database being the session's at the start
// of each: the databases they name, and those and the objects their up
// sections create (see drift.Footprint).
func MigrationsFootprint(init []Statement, units []*Unit, database string) *drift.Footprint {
	fp := &drift.Footprint{CreatedDatabases: map[string]bool{}, Created: map[schema.QualifiedName]bool{}}
	seen := map[string]bool{}
	section := func(stmts []Statement, up bool) {
		db := database
		for _, st := range stmts {
			f := parser.Footprint(st.SQL, db)
			for _, d := range f.Databases {
				if !seen[d] {
					seen[d] = true
					fp.Databases = append(fp.Databases, d)
				}
			}
			if up {
				for _, d := range f.CreatedDatabases {
					fp.CreatedDatabases[d] = true
				}
				for _, o := range f.Created {
					fp.Created[o] = true
				}
			}
			if f.Use != "" {
				db = f.Use
			}
		}
	}
	section(init, true)
	for _, u := range units {
		section(u.Up, true)
		section(u.Down, false)
	}
	sort.Strings(fp.Databases)
	return fp
}

var _ StateMatcher = (*DriftVerifier)(nil)

// Match implements StateMatcher: it replays each state and asks the live
// schema which one it is, on the objects where they differ (drift.Check.Match).
func (v *DriftVerifier) Match(ctx context.Context, states []AppliedState) ([]bool, error) {
	schemas := make([]*schema.Schema, len(states))
	for i, st := range states {
		s, _, err := ReplayApplied(st, v.database)
		if err != nil {
			return nil, err
		}
		schemas[i] = s
	}
	return v.check.Match(ctx, schemas)
}
