package difftest

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
)

// Placeholders in generated SQL, substituted when a statement runs and kept
// as template variables in the migration files and the printed corpus
// blocks (the oracle corpus substitutes the same names).
const (
	// DBVar is the session's database.
	DBVar = "${db}"
	// FnVar prefixes SQL function names, which are server-wide.
	FnVar = "${fn}"
)

// Use is one catalog entry a statement exercises.
type Use struct {
	Surface Surface
	Name    string
}

// Stmt is one generated statement.
type Stmt struct {
	// SQL holds ${db} and ${fn} placeholders.
	SQL string
	// Construct names the generator function that made it, for refusal
	// rates.
	Construct string
	// Uses are the catalog entries it exercises.
	Uses []Use
	// Settings are session settings the statement needs (a profile's).
	Settings map[string]any
	// apply records the statement's effect in the generator's state once
	// the server has accepted it.
	apply func(*state)
}

// Construct is one kind of statement the generator can make: adding a
// construct is adding one of these.
type Construct struct {
	Name   string
	Weight int
	// Gen returns a statement, or false when the state has nothing for it
	// to work on (no table to alter, say).
	Gen func(g *Gen) (Stmt, bool)
}

// Gen generates statements from a catalog, deterministically from its seed.
type Gen struct {
	cat  *Catalog
	rnd  *rand.Rand
	st   *state
	uses []Use
	// fresh counts names handed out.
	fresh int
}

// NewGen returns a generator over cat seeded with seed.
func NewGen(cat *Catalog, seed uint64) *Gen {
	g := &Gen{cat: cat, rnd: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
	g.st = &state{dbs: []*gdb{{ref: DBVar, engine: "Atomic", session: true}}}
	return g
}

// Next returns the next statement. It never returns an empty statement.
func (g *Gen) Next() Stmt {
	total := 0
	for _, c := range constructs {
		total += c.Weight
	}
	for {
		n := g.rnd.IntN(total)
		for _, c := range constructs {
			if n -= c.Weight; n >= 0 {
				continue
			}
			g.uses = nil
			s, ok := c.Gen(g)
			if !ok {
				break
			}
			if s.Construct == "" {
				s.Construct = c.Name
			}
			s.Uses = append(s.Uses, g.uses...)
			return s
		}
	}
}

// Accept records that the server ran s.
func (g *Gen) Accept(s Stmt) {
	if s.apply != nil {
		s.apply(g.st)
	}
}

// use records a catalog entry the statement being built exercises.
func (g *Gen) use(s Surface, name string) { g.uses = append(g.uses, Use{s, name}) }

// Random helpers.

func (g *Gen) chance(p float64) bool { return g.rnd.Float64() < p }
func (g *Gen) intn(n int) int {
	if n <= 0 {
		return 0
	}
	return g.rnd.IntN(n)
}
func (g *Gen) between(lo, hi int) int { return lo + g.intn(hi-lo+1) }

func pick[T any](g *Gen, xs []T) T { return xs[g.intn(len(xs))] }

func (g *Gen) oneOf(xs ...string) string { return pick(g, xs) }

// sp is the white space between two clauses: usually a space, sometimes a
// newline with indentation or a comment, so that positions and comment
// handling are exercised.
func (g *Gen) sp() string {
	switch n := g.intn(40); {
	case n < 30:
		return " "
	case n < 36:
		return "\n    "
	case n < 37:
		return " /* " + g.commentText() + " */ "
	case n < 38:
		return " -- " + g.commentText() + "\n"
	case n < 39:
		return "\n\t"
	default:
		return "  "
	}
}

func (g *Gen) commentText() string {
	return g.oneOf("note", "a; b", "it's", "'quoted'", "ünïcode", "TODO: fix", "`x`")
}

// state is what the generator knows the server holds: only what the server
// accepted.
type state struct {
	dbs       []*gdb
	objects   []*gobj
	functions []string
	// stmtFixture counts the inventory's fixture tables created
	// (genStatementForm).
	stmtFixture int
	// detached are the databases DETACH DATABASE took away, with their
	// objects, for ATTACH DATABASE to bring back.
	detached []detachedDB
}

// detachedDB is a detached database and its objects.
type detachedDB struct {
	db      *gdb
	objects []*gobj
}

// gdb is a database: the session's (ref ${db}) or one the case created.
type gdb struct {
	ref     string // as written in SQL, placeholders included
	engine  string
	session bool
}

type objKind int

const (
	kTable objKind = iota
	kView
	kMV
	kDict
)

// gobj is a table, view, materialized view or dictionary.
type gobj struct {
	db     *gdb
	name   string
	kind   objKind
	engine string
	cols   []*gcol
	// key holds the columns the sorting, partition, primary or sampling
	// key reads, which ALTERs must not drop or retype.
	key         map[string]bool
	indexes     []string
	projections []string
	constraints []string
	ttl         bool
	settings    []string
	dictKey     []string
	// refresh is "append" or "replace" for a refreshable materialized
	// view, "" for any other object.
	refresh string
	// readers are objects that read this one (views, dictionaries).
	readers int
	// slow says reading it may never end or wait on an outside system
	// (GenerateRandom, Merge, URL, a view over one): no statement of the
	// case reads it.
	slow bool
}

type gcol struct {
	name string
	t    gtype
	kind string // "", DEFAULT, MATERIALIZED, ALIAS, EPHEMERAL
}

// ref returns the object's name as SQL: unqualified (the session's
// database), or qualified with its database.
func (g *Gen) ref(o *gobj) string {
	if o.db.session && g.chance(0.6) {
		return g.ident(o.name)
	}
	return g.dbRef(o.db) + "." + g.ident(o.name)
}

// dbRef writes a database reference, sometimes quoted.
func (g *Gen) dbRef(d *gdb) string {
	if g.chance(0.2) {
		return "`" + d.ref + "`"
	}
	return d.ref
}

// qualified always qualifies.
func (g *Gen) qualified(o *gobj) string { return g.dbRef(o.db) + "." + g.ident(o.name) }

// ident writes an identifier: bare when it can be, sometimes back-quoted or
// double-quoted anyway; keywords are quoted unless the dice say to try them
// bare (the server accepts many).
func (g *Gen) ident(name string) string {
	plain := isPlain(name)
	switch {
	case plain && !g.isKeyword(name) && g.chance(0.8):
		return name
	case plain && g.chance(0.3):
		return name
	case g.chance(0.15) && !strings.ContainsAny(name, `"\`):
		return `"` + name + `"`
	}
	return "`" + strings.NewReplacer(`\`, `\\`, "`", "\\`").Replace(name) + "`"
}

func isPlain(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		switch {
		case r == '_', r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z':
		case r >= '0' && r <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}

func (g *Gen) isKeyword(s string) bool {
	_, ok := slices.BinarySearchFunc(g.cat.Keywords, strings.ToUpper(s), strings.Compare)
	return ok
}

// newName returns a fresh object or column name that taken does not
// reject: mostly t1, c2 and the like, sometimes a keyword, or a name that
// needs quoting.
func (g *Gen) newName(prefix string, taken func(string) bool) string {
	for {
		g.fresh++
		name := fmt.Sprintf("%s%d", prefix, g.fresh)
		switch n := g.intn(30); {
		case n == 0 && len(g.cat.Keywords) > 0:
			kw := pick(g, g.cat.Keywords)
			g.use(SurfaceKeyword, kw)
			name = kw
			if g.chance(0.5) {
				name = strings.ToLower(kw)
			}
		case n == 1:
			name = fmt.Sprintf("%s %d", prefix, g.fresh)
		case n == 2:
			name = fmt.Sprintf("%s.%d", prefix, g.fresh)
		case n == 3:
			name = fmt.Sprintf("%s`q%d", prefix, g.fresh)
		case n == 4:
			name = fmt.Sprintf("%sé%d", prefix, g.fresh)
		case n == 5:
			name = fmt.Sprintf("%d%s", g.fresh, prefix)
		case n == 6:
			name = fmt.Sprintf("%s%d_X", strings.ToUpper(prefix), g.fresh)
		}
		if taken == nil || !taken(name) {
			return name
		}
	}
}

// objectNameTaken reports whether a name is used by an object of db.
func (g *Gen) objectNameTaken(db *gdb) func(string) bool {
	return func(n string) bool {
		for _, o := range g.st.objects {
			if o.db == db && strings.EqualFold(o.name, n) {
				return true
			}
		}
		return false
	}
}

// Object lookups.

func (s *state) find(db *gdb, name string) *gobj {
	for _, o := range s.objects {
		if o.db == db && o.name == name {
			return o
		}
	}
	return nil
}

func (s *state) remove(o *gobj) {
	s.objects = slices.DeleteFunc(s.objects, func(x *gobj) bool { return x == o })
}

func (g *Gen) objectsOf(kinds ...objKind) []*gobj {
	var out []*gobj
	for _, o := range g.st.objects {
		if slices.Contains(kinds, o.kind) {
			out = append(out, o)
		}
	}
	return out
}

// table picks a table, optionally one whose engine passes ok.
func (g *Gen) table(ok func(*gobj) bool) (*gobj, bool) {
	var ts []*gobj
	for _, o := range g.objectsOf(kTable) {
		if ok == nil || ok(o) {
			ts = append(ts, o)
		}
	}
	if len(ts) == 0 {
		return nil, false
	}
	return pick(g, ts), true
}

// database picks a database for a new object: the session's mostly.
func (g *Gen) database() *gdb {
	if len(g.st.dbs) > 1 && g.chance(0.3) {
		return pick(g, g.st.dbs[1:])
	}
	return g.st.dbs[0]
}

func (o *gobj) col(name string) *gcol {
	for _, c := range o.cols {
		if c.name == name {
			return c
		}
	}
	return nil
}

// storedCols are the columns a SELECT * returns.
func (o *gobj) storedCols() []*gcol {
	var out []*gcol
	for _, c := range o.cols {
		if c.kind == "" || c.kind == "DEFAULT" {
			out = append(out, c)
		}
	}
	return out
}

func isMergeTree(engine string) bool { return strings.HasSuffix(engine, "MergeTree") }

// slowEngine reports whether reading a table of the engine may never end
// or wait on an outside system.
func slowEngine(engine string) bool {
	return endless[engine] || readsOthers[engine] || slices.Contains(bonusEngines, engine)
}
