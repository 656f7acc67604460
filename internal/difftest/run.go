package difftest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"runtime/debug"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/chschema/chschema/drift"
	"github.com/chschema/chschema/parser"
	"github.com/chschema/chschema/schema"
)

// Runner runs generated cases on a real server, one fresh database each.
type Runner struct {
	cat    *Catalog
	dsn    string
	admin  driver.Conn
	prefix string
	n      int
	// Stats gathers refusal rates and coverage over the run.
	Stats *Stats
	// Statements is how many statements a case tries.
	Statements int
	// Mutations is how many live-side changes a clean case tries.
	Mutations int
	// Trace, when set, is told every generated statement and the server's
	// answer.
	Trace func(sql string, err error)
}

// NewRunner returns a runner on the server dsn reaches, with admin as a
// connection to it.
func NewRunner(cat *Catalog, dsn string, admin driver.Conn) (*Runner, error) {
	if cat == nil || admin == nil {
		return nil, errors.New("difftest: NewRunner: nil catalog or connection")
	}
	b := make([]byte, 3)
	_, _ = rand.Read(b)
	return &Runner{cat: cat, dsn: dsn, admin: admin, prefix: "difftest_" + hex.EncodeToString(b), Stats: NewStats(cat),
		Statements: 24, Mutations: 2}, nil
}

// Open connects to the server with database as the default and the
// catalog's opt-in settings.
func Open(dsn, database string, settings map[string]any) (driver.Conn, error) {
	opts, err := clickhouse.ParseDSN(dsn)
	if err != nil {
		return nil, err
	}
	if database != "" {
		opts.Auth.Database = database
	}
	if opts.Settings == nil {
		opts.Settings = clickhouse.Settings{}
	}
	for k, v := range settings {
		opts.Settings[k] = v
	}
	// A generated statement that reads a lot (INSERT SELECT from an endless
	// source) is stopped by the server, which then cleans up after it.
	opts.Settings["max_execution_time"] = 10
	opts.ReadTimeout = 2 * statementTimeout
	opts.DialTimeout = 10 * time.Second
	opts.MaxOpenConns = 4
	return clickhouse.Open(opts)
}

// sandbox is one case's fresh database, its connection, and the names its
// placeholders stand for.
type sandbox struct {
	db, fn string
	conn   driver.Conn
	// detached are the databases a DETACH DATABASE of the case took away:
	// close attaches them to drop them.
	detached []string
}

func (r *Runner) newSandbox(ctx context.Context) (*sandbox, error) {
	r.n++
	db := fmt.Sprintf("%s_%d", r.prefix, r.n)
	if err := r.admin.Exec(ctx, "CREATE DATABASE "+db); err != nil {
		return nil, fmt.Errorf("difftest: create database %s: %w", db, err)
	}
	conn, err := Open(r.dsn, db, r.cat.SessionSettings)
	if err != nil {
		return nil, err
	}
	return &sandbox{db: db, fn: db + "_", conn: conn}, nil
}

// close drops every database and function the case made.
func (r *Runner) close(ctx context.Context, s *sandbox) {
	s.conn.Close()
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	for _, n := range s.detached {
		_ = r.admin.Exec(ctx, "ATTACH DATABASE IF NOT EXISTS `"+n+"`")
	}
	for _, q := range []string{
		"SELECT name FROM system.databases WHERE startsWith(name, {p:String}) ORDER BY length(name) DESC",
		"SELECT name FROM system.functions WHERE origin = 'SQLUserDefined' AND startsWith(name, {p:String})",
	} {
		rows, err := r.admin.Query(clickhouse.Context(ctx, clickhouse.WithParameters(clickhouse.Parameters{"p": s.db})), q)
		if err != nil {
			continue
		}
		var names []string
		for rows.Next() {
			var n string
			if rows.Scan(&n) == nil {
				names = append(names, n)
			}
		}
		rows.Close()
		for _, n := range names {
			if strings.Contains(q, "databases") {
				_ = r.admin.Exec(ctx, "DROP DATABASE IF EXISTS `"+n+"` SYNC")
			} else {
				_ = r.admin.Exec(ctx, "DROP FUNCTION IF EXISTS `"+n+"`")
			}
		}
	}
}

// statementTimeout bounds one statement; the server's max_execution_time
// (see Open) stops it first.
const statementTimeout = 20 * time.Second

// exec runs a generated statement in sb.
func (r *Runner) exec(ctx context.Context, sb *sandbox, st Stmt) error {
	ctx, cancel := context.WithTimeout(ctx, statementTimeout)
	defer cancel()
	if st.Settings != nil {
		ctx = clickhouse.Context(ctx, clickhouse.WithSettings(st.Settings))
	}
	sql := st.SQL
	start := time.Now()
	err := sb.conn.Exec(ctx, Substitute(sql, sb.db, sb.fn))
	if rest, ok := strings.CutPrefix(Substitute(sql, sb.db, sb.fn), "DETACH DATABASE "); ok && err == nil {
		sb.detached = append(sb.detached, strings.Trim(strings.TrimPrefix(rest, "IF EXISTS "), "`"))
	}
	if d := time.Since(start); d > 2*time.Second {
		r.Stats.mu.Lock()
		r.Stats.Slow = append(r.Stats.Slow, fmt.Sprintf("%.1fs %s (%v)", d.Seconds(), sql, err))
		r.Stats.mu.Unlock()
	}
	if err == nil && strings.Contains(sql, " REFRESH ") {
		waitRefreshes(ctx, sb)
	}
	return err
}

// waitRefreshes waits (at most a few seconds) until no refreshable
// materialized view of the case is refreshing. A refresh replaces its
// target table with a copy made when it started: an ALTER of the target
// that ran meanwhile would be lost on the server, a race a deploy can lose
// too (see the README's known limits), which the tester does not play.
func waitRefreshes(ctx context.Context, sb *sandbox) {
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		var busy uint64
		err := sb.conn.QueryRow(ctx, `SELECT count() FROM system.view_refreshes
			WHERE startsWith(database, ?) AND (status NOT IN ('Scheduled', 'Disabled') OR last_refresh_time IS NULL)`, sb.db).Scan(&busy)
		if err != nil || busy == 0 {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Case is a generated statement sequence: what the server accepted, in
// order.
type Case struct {
	Seed  uint64
	Stmts []Stmt
}

// SQL returns the statements' text.
func (c *Case) SQL() []string {
	out := make([]string, len(c.Stmts))
	for i, s := range c.Stmts {
		out[i] = s.SQL
	}
	return out
}

// RunCase generates a case from seed on a fresh database, checks it, and
// when the comparison is clean tries the mutations.
func (r *Runner) RunCase(ctx context.Context, seed uint64) (*Result, error) {
	sb, err := r.newSandbox(ctx)
	if err != nil {
		return nil, err
	}
	defer r.close(ctx, sb)
	g := NewGen(r.cat, seed)
	c := &Case{Seed: seed}
	for range r.Statements {
		st := g.Next()
		// A statement of several commands may be applied in part before
		// the server refuses it (ALTER t MODIFY COMMENT 'x', UPDATE ... on
		// an engine without UPDATE): then what the server holds is no
		// longer what the accepted statements say, and the case is void.
		var before string
		// (Or a DROP DATABASE that dropped the tables before it failed, or
		// a CREATE ... POPULATE or AS SELECT that created the object before
		// its query failed.)
		multi := strings.HasPrefix(st.Construct, "alter/multi") || st.Construct == "drop-database" ||
			strings.Contains(st.SQL, " POPULATE") || st.Construct == "create-table-as-select"
		if multi {
			before, _ = fingerprint(ctx, sb, nil)
		}
		err := r.exec(ctx, sb, st)
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if code := errorCode(err); code == 1001 || code == 49 {
			// STD_EXCEPTION or LOGICAL_ERROR: the server failed inside the
			// statement (a RENAME of a File table into an Ordinary
			// database fails in the file system after the table left its
			// database), not a refusal before acting: what it did is
			// unknown.
			r.Stats.mu.Lock()
			r.Stats.Void++
			r.Stats.mu.Unlock()
			return &Result{Case: c, Void: "failed inside the server: " + st.SQL}, nil
		}
		if err != nil && multi {
			if after, ferr := fingerprint(ctx, sb, nil); ferr == nil && after != before {
				r.Stats.mu.Lock()
				r.Stats.Void++
				r.Stats.mu.Unlock()
				return &Result{Case: c, Void: "refused but applied in part: " + st.SQL}, nil
			}
		}
		if r.Trace != nil {
			r.Trace(st.SQL, err)
		}
		if err != nil && errorCode(err) == 0 {
			if perr := r.admin.Ping(ctx); perr != nil {
				// The statement took the server down (a server bug):
				// nothing more can run.
				return nil, fmt.Errorf("difftest: the server stopped answering after this statement (case %d): %s\n%v", seed, st.SQL, perr)
			}
			// Not the server's answer (a timeout, a lost connection):
			// what the statement did is unknown, so the case is void.
			r.Stats.mu.Lock()
			r.Stats.Void++
			r.Stats.mu.Unlock()
			return &Result{Case: c, Void: err.Error()}, nil
		}
		r.Stats.record(st, err)
		if err != nil {
			continue
		}
		g.Accept(st)
		c.Stmts = append(c.Stmts, st)
	}
	res := r.check(ctx, sb, c)
	// Mutation testing needs a comparison without failures of its own.
	if len(res.Failures) == 0 && res.err == nil {
		for i := range r.Mutations {
			if f, ok := r.mutate(ctx, sb, res, seed+uint64(i)); ok {
				res.Failures = append(res.Failures, f)
				break
			}
		}
	}
	return res, res.err
}

// Reproduce runs stmts on a fresh database and checks them. ok is false
// when the server refuses one of them (the sequence is not a case).
func (r *Runner) Reproduce(ctx context.Context, seed uint64, stmts []Stmt, mutation string) (res *Result, ok bool, err error) {
	sb, err := r.newSandbox(ctx)
	if err != nil {
		return nil, false, err
	}
	defer r.close(ctx, sb)
	for _, st := range stmts {
		if err := r.exec(ctx, sb, st); err != nil {
			return nil, false, ctx.Err()
		}
	}
	c := &Case{Seed: seed, Stmts: stmts}
	res = r.check(ctx, sb, c)
	if mutation != "" && len(res.Failures) == 0 && res.err == nil {
		if f, ok := r.mutateWith(ctx, sb, res, mutation); ok {
			res.Failures = append(res.Failures, f)
		}
	}
	return res, true, res.err
}

// Failure is one way the model and the server disagree.
type Failure struct {
	// Kind is the class: see the Kind* constants.
	Kind string
	// Object names what it is about, e.g. `db`.`t`.
	Object string
	// Detail says what differs.
	Detail string
	// Mutation is, for KindMissedMutation, the live-side statement.
	Mutation string
	// Stmt is, when the failure is at a statement (lint, model errors),
	// the statement as generated.
	Stmt string
}

// The failure kinds.
const (
	KindFalseDrift     = "false-drift"     // diff reports a difference the server does not have
	KindSilentDrop     = "silent-drop"     // the server has it, the model lacks it and does not say so
	KindModelError     = "model-error"     // the expected schema fails (exit 2) on SQL the server ran
	KindPanic          = "panic"           // a panic anywhere in chschema
	KindLintRejects    = "lint-rejects"    // offline lint calls SQL the server ran a syntax error
	KindLiveError      = "live-error"      // reading the live schema fails
	KindLiveUnreadable = "live-unreadable" // the live reader marks uncertain what the model knows
	KindFieldMismatch  = "field-mismatch"  // go-cmp sees a difference the diff does not report
	KindBadPosition    = "bad-position"    // an uncertainty without a valid file:line:col
	KindMissedMutation = "missed-mutation" // a live-side change the diff does not report
)

// Signature identifies a failure across cases and after shrinking: its kind
// and what differs, without the values on either side, with names,
// numbers, literals and positions taken out, so that one defect met on many
// objects is reported once.
func (f Failure) Signature() string {
	d, _, _ := strings.Cut(normalizeNames(f.Detail), "\n")
	d = sigPosition.ReplaceAllLiteralString(d, "F:L:C")
	if f.Kind == KindLintRejects {
		// The token a syntax error names ("WHEN") tells one gap from
		// another.
		d = sigSingleQuoted.ReplaceAllLiteralString(d, "Q")
	} else {
		d = sigQuoted.ReplaceAllLiteralString(d, "Q")
	}
	d = sigNumber.ReplaceAllLiteralString(d, "N")
	if f.Kind == KindMissedMutation {
		m := sigQuoted.ReplaceAllLiteralString(normalizeNames(f.Mutation), "Q")
		d = sigNumber.ReplaceAllLiteralString(m, "N")
	}
	return f.Kind + ": " + d
}

var (
	caseNames   = regexp.MustCompile(`difftest_[0-9a-f]{6}_\d+`)
	sigPosition = regexp.MustCompile(`[\w./]+\.sql:\d+:\d+`)
	sigQuoted   = regexp.MustCompile("`(?:[^`\\\\]|\\\\.)*`|'(?:[^'\\\\]|\\\\.)*'|\"[^\"]*\"")
	sigNumber   = regexp.MustCompile(`\b\d+\b`)

	sigSingleQuoted = regexp.MustCompile("`(?:[^`\\\\]|\\\\.)*`|'(?:[^'\\\\]|\\\\.)*'")
)

func normalizeNames(s string) string { return caseNames.ReplaceAllLiteralString(s, DBVar) }

var (
	reasonQuoted = regexp.MustCompile("(^|[^A-Za-z])(?:`(?:[^`\\\\]|\\\\.)*`|'(?:[^'\\\\]|\\\\.)*'|\"[^\"]*\")")
	reasonWords  = regexp.MustCompile(`\b[a-z_]*[0-9]+[a-z_0-9]*(\.[A-Za-z_0-9]+)?\b|\$\{db\}(\.[A-Za-z_0-9]+)?`)
)

// reasonKind shortens an uncertainty's reason to its kind: names, quoted
// text and numbers become placeholders, and only its start is kept, so
// that the reasons of a run can be counted.
func reasonKind(reason string) string {
	r := reasonQuoted.ReplaceAllString(normalizeNames(reason), "$1…")
	r = reasonWords.ReplaceAllString(r, "x")
	if len(r) > 90 {
		r = r[:90] + "…"
	}
	return r
}

func (f Failure) String() string {
	s := f.Kind
	if f.Object != "" {
		s += " " + normalizeNames(f.Object)
	}
	s += ": " + normalizeNames(f.Detail)
	if f.Mutation != "" {
		s += "\n  live-side change: " + normalizeNames(f.Mutation)
	}
	return s
}

// Result is the outcome of checking one case.
type Result struct {
	Case     *Case
	Failures []Failure
	// Verified and Unverified count the objects compared and those left
	// out as uncertain.
	Verified, Unverified int
	// Why are the reasons the objects were left out, one per object
	// (its first), as reasonKind shortens them.
	Why []string
	// Findings are the statements the model says it cannot follow.
	Findings []string
	// Files are the migration files the case was written as.
	Files map[string]string
	// Placed is each statement's position in Files.
	Placed []Placed
	// Void says why the case was abandoned: a statement got no answer
	// from the server, so what it did is unknown.
	Void string
	// Mutations are the live-side changes tried, and Caught how many the
	// diff reported.
	Mutations, Caught int
	err               error
	// checked holds, for mutation testing, the objects compared clean,
	// with the two schemas (expected before the offline comparison left
	// out what only the server evaluates) and the databases compared, and
	// what diff needs to compare again.
	checked   []checkedObject
	expected  *schema.Schema
	live      *schema.Schema
	dbs       []string
	findings  []parser.Finding
	footprint *drift.Footprint
	managed   []string
	notes     []schema.Note
}

type checkedObject struct {
	db, name string
	kind     string
}

// guard runs f, turning a panic into a failure.
func guard(res *Result, where string, f func()) {
	defer func() {
		if p := recover(); p != nil {
			res.Failures = append(res.Failures, Failure{Kind: KindPanic, Detail: fmt.Sprintf("%s: %v\n%s", where, p, trimStack(debug.Stack()))})
		}
	}()
	f()
}

func trimStack(b []byte) string {
	lines := strings.Split(string(b), "\n")
	var out []string
	for _, l := range lines {
		if strings.Contains(l, "chschema/") && !strings.Contains(l, "difftest") {
			out = append(out, strings.TrimSpace(l))
		}
		if len(out) >= 8 {
			break
		}
	}
	return strings.Join(out, "\n")
}

// Stats gathers, over a run, how often each construct was accepted and
// which catalog entries the server accepted at least once.
type Stats struct {
	mu       sync.Mutex
	cat      *Catalog
	tried    map[string]int
	accepted map[string]int
	refusals map[string]map[string]int // construct -> error code -> count
	Covered  map[Surface]map[string]int
	Cases    int
	Void     int
	// Slow lists the statements that took more than two seconds.
	Slow     []string
	Stmts    int
	Failures map[string]int // kind -> count
	Verified int
	Unverify int
	// Why counts the objects left out as uncertain by reason (reasonKind).
	Why       map[string]int
	Mutations int
	Caught    int
}

// NewStats returns empty statistics over cat.
func NewStats(cat *Catalog) *Stats {
	s := &Stats{cat: cat, tried: map[string]int{}, accepted: map[string]int{}, refusals: map[string]map[string]int{},
		Covered: map[Surface]map[string]int{}, Failures: map[string]int{}, Why: map[string]int{}}
	for _, x := range Surfaces {
		s.Covered[x] = map[string]int{}
	}
	return s
}

func (s *Stats) record(st Stmt, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tried[st.Construct]++
	if err != nil {
		code := "other"
		if c := errorCode(err); c != 0 {
			code = fmt.Sprintf("code%d", c)
		}
		if s.refusals[st.Construct] == nil {
			s.refusals[st.Construct] = map[string]int{}
		}
		s.refusals[st.Construct][code]++
		return
	}
	s.Stmts++
	s.accepted[st.Construct]++
	for _, u := range st.Uses {
		s.Covered[u.Surface][u.Name]++
	}
}

// Refusals describes, per construct, how often the server refused it and
// why, most refused first.
func (s *Stats) Refusals() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	names := make([]string, 0, len(s.tried))
	for n := range s.tried {
		names = append(names, n)
	}
	rate := func(n string) float64 { return 1 - float64(s.accepted[n])/float64(s.tried[n]) }
	sort.Slice(names, func(i, j int) bool {
		if rate(names[i]) != rate(names[j]) {
			return rate(names[i]) > rate(names[j])
		}
		return names[i] < names[j]
	})
	var b strings.Builder
	for _, n := range names {
		fmt.Fprintf(&b, "  %-40s %5d tried, %3.0f%% refused", n, s.tried[n], 100*rate(n))
		type kv struct {
			k string
			v int
		}
		var codes []kv
		for k, v := range s.refusals[n] {
			codes = append(codes, kv{k, v})
		}
		sort.Slice(codes, func(i, j int) bool {
			return codes[i].v > codes[j].v || codes[i].v == codes[j].v && codes[i].k < codes[j].k
		})
		for i, c := range codes {
			if i == 3 {
				break
			}
			fmt.Fprintf(&b, " %s×%d", c.k, c.v)
		}
		b.WriteString("\n")
	}
	return b.String()
}

// Coverage returns, for one surface, the entries exercised (accepted at
// least once), the entries counted (listed and not excluded) and the
// counted ones missed.
func (s *Stats) Coverage(x Surface) (exercised, counted int, missed []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, n := range s.cat.Usable(x) {
		counted++
		if s.Covered[x][n] > 0 {
			exercised++
		} else {
			missed = append(missed, n)
		}
	}
	return exercised, counted, missed
}

// mainSurfaces are the surfaces whose missed entries are always listed.
var mainSurfaces = []Surface{SurfaceType, SurfaceEngine, SurfaceIndex, SurfaceCodec, SurfaceLayout, SurfaceSource, SurfaceDBEngine}

// CoverageReport prints the coverage of every surface and the missed
// entries; verbose adds the excluded ones, grouped by rule.
func (s *Stats) CoverageReport(verbose bool) string {
	var b strings.Builder
	for _, x := range Surfaces {
		ex, n, missed := s.Coverage(x)
		pct := 0.0
		if n > 0 {
			pct = 100 * float64(ex) / float64(n)
		}
		fmt.Fprintf(&b, "  %-24s %4d of %4d (%5.1f%%)", x, ex, n, pct)
		if len(s.cat.Excluded[x]) > 0 {
			fmt.Fprintf(&b, ", %d excluded", len(s.cat.Excluded[x]))
		}
		b.WriteString("\n")
		limit := 10
		if slices.Contains(mainSurfaces, x) {
			limit = len(missed)
		}
		if len(missed) > limit {
			fmt.Fprintf(&b, "      missed: %s, ... (%d more)\n", strings.Join(missed[:limit], ", "), len(missed)-limit)
		} else if len(missed) > 0 {
			fmt.Fprintf(&b, "      missed: %s\n", strings.Join(missed, ", "))
		}
		if verbose {
			byRule := map[string][]string{}
			for n, why := range s.cat.Excluded[x] {
				byRule[why] = append(byRule[why], n)
			}
			rules := make([]string, 0, len(byRule))
			for r := range byRule {
				rules = append(rules, r)
			}
			slices.Sort(rules)
			for _, r := range rules {
				ns := byRule[r]
				slices.Sort(ns)
				if len(ns) > 12 {
					ns = append(ns[:12], fmt.Sprintf("... (%d more)", len(ns)-12))
				}
				fmt.Fprintf(&b, "      excluded, %s: %s\n", r, strings.Join(ns, ", "))
			}
		}
	}
	return b.String()
}
