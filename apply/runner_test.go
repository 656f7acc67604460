package apply

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/chschema/chschema/internal/chtest"
	"github.com/google/go-cmp/cmp"
)

// unit builds a test migration whose raw checksum follows its text.
func unit(svc string, v uint64, up []string, down []string) *Unit {
	u := &Unit{Service: svc, Version: v, Name: fmt.Sprintf("m%d", v), File: fmt.Sprintf("%s/%04d_m%d.sql", svc, v, v)}
	h := sha256.New()
	for i, s := range up {
		u.Up = append(u.Up, Statement{SQL: s, File: u.File, Line: i + 2, Col: 1})
		fmt.Fprintln(h, s)
	}
	fmt.Fprintln(h, "-- +down")
	for i, s := range down {
		u.Down = append(u.Down, Statement{SQL: s, File: u.File, Line: len(up) + i + 3, Col: 1})
		fmt.Fprintln(h, s)
	}
	u.DownNoOp = len(down) == 0
	u.RawChecksum = hex.EncodeToString(h.Sum(nil))
	return u
}

type fixture struct {
	db      *chtest.DB
	history *TableHistory
}

func newFixture(t *testing.T) *fixture {
	db := chtest.New(t)
	h, err := NewTableHistory(db.Conn, HistoryOptions{Database: db.Name, Table: "chschema_migrations"})
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{db: db, history: h}
}

func (f *fixture) runner(t *testing.T, opts ...Option) *Runner {
	t.Helper()
	lock, err := NewTableLock(f.db.Conn, f.db.Name, LockTableName("chschema_migrations"), LockOptions{Timeout: 10 * time.Second, Poll: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	r, err := New(f.db.Conn, f.history, lock, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func (f *fixture) tables(t *testing.T) []string {
	t.Helper()
	rows, err := f.db.Conn.Query(context.Background(), "SELECT name FROM system.tables WHERE database = ? AND name NOT LIKE 'chschema%' ORDER BY name", f.db.Name)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		out = append(out, n)
	}
	return out
}

// executions counts, per statement text, how often the server finished it
// under a chschema query_id of this database's history.
func (f *fixture) executions(t *testing.T) map[string]int {
	t.Helper()
	ctx := context.Background()
	events, err := f.history.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	attempts := map[string]bool{}
	for _, e := range events {
		attempts[e.Attempt] = true
	}
	if err := f.db.Conn.Exec(ctx, "SYSTEM FLUSH LOGS"); err != nil {
		t.Fatal(err)
	}
	rows, err := f.db.Conn.Query(ctx, "SELECT query_id, query FROM system.query_log WHERE type = 'QueryFinish' AND startsWith(query_id, 'chschema:') AND has(databases, ?)", f.db.Name)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var id, q string
		if err := rows.Scan(&id, &q); err != nil {
			t.Fatal(err)
		}
		if a, _, _, _, ok := parseQueryID(id); ok && attempts[a] {
			out[q]++
		}
	}
	return out
}

// interrupted leaves u as a run killed after its first done statements:
// the 'started' event and those statements, run with the runner's query
// IDs, and nothing more.
func (f *fixture) interrupted(t *testing.T, r *Runner, u *Unit, done int) {
	t.Helper()
	ctx := context.Background()
	if err := f.history.Ensure(ctx); err != nil {
		t.Fatal(err)
	}
	attempt := newAttempt()
	started := r.event(u, StatusStarted, attempt, 0, len(u.Up), time.Now())
	started.Journal = JournalQueryLog
	if err := f.history.Append(clickhouse.Context(ctx, clickhouse.WithQueryID(sentinelQueryID(attempt))), started); err != nil {
		t.Fatal(err)
	}
	for i := range done {
		if err := f.db.Conn.Exec(clickhouse.Context(ctx, clickhouse.WithQueryID(queryID(attempt, u.Service, u.Version, i, u.Up[i])), clickhouse.WithSettings(r.settings)), u.Up[i].SQL); err != nil {
			t.Fatalf("statement %d: %v", i, err)
		}
	}
}

func (f *fixture) sql(format string) string {
	return strings.ReplaceAll(format, "DB", "`"+f.db.Name+"`")
}

func TestMigrateFreshThenNoOp(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	units := []*Unit{
		unit("xapi", 1, []string{f.sql("CREATE TABLE DB.a (id UInt64) ENGINE = MergeTree ORDER BY id")}, []string{f.sql("DROP TABLE DB.a")}),
		unit("xapi", 2, []string{f.sql("CREATE TABLE DB.b (id UInt64) ENGINE = MergeTree ORDER BY id"), f.sql("ALTER TABLE DB.b ADD COLUMN x String")}, []string{f.sql("DROP TABLE DB.b")}),
		unit("vector", 1, []string{f.sql("CREATE TABLE DB.c (id UInt64) ENGINE = Log")}, []string{f.sql("DROP TABLE DB.c")}),
	}
	r := f.runner(t)
	rep, err := r.Migrate(ctx, units, Target{}, Execute)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]Key{{"vector", 1}, {"xapi", 1}, {"xapi", 2}}, rep.Applied); diff != "" {
		t.Errorf("applied (-want +got):\n%s", diff)
	}
	if got := f.tables(t); !cmp.Equal(got, []string{"a", "b", "c"}) {
		t.Errorf("tables = %v", got)
	}
	rep, err = r.Migrate(ctx, units, Target{}, Execute)
	if err != nil || len(rep.Applied) != 0 || rep.Statements != 0 {
		t.Fatalf("second migrate: applied %v, %d statements, err %v", rep.Applied, rep.Statements, err)
	}
	st, err := r.Status(ctx, units)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range st {
		if s.State != StateApplied {
			t.Errorf("%s: state %s, want applied", s.Key, s.State)
		}
	}
	for q, n := range f.executions(t) {
		if n != 1 {
			t.Errorf("%q ran %d times", q, n)
		}
	}
}

func TestMigrateRefusesEditedAndMissing(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	u1 := unit("svc", 1, []string{f.sql("CREATE TABLE DB.a (id UInt64) ENGINE = Log")}, nil)
	u2 := unit("svc", 2, []string{f.sql("CREATE TABLE DB.b (id UInt64) ENGINE = Log")}, nil)
	r := f.runner(t)
	if _, err := r.Migrate(ctx, []*Unit{u1, u2}, Target{}, Execute); err != nil {
		t.Fatal(err)
	}
	edited := unit("svc", 1, []string{f.sql("CREATE TABLE DB.a (id UInt64, x String) ENGINE = Log")}, nil)
	_, err := r.Migrate(ctx, []*Unit{edited, u2}, Target{}, Execute)
	if !errors.Is(err, ErrEdited) || !strings.Contains(err.Error(), "svc/0001_m1.sql") {
		t.Errorf("edited: err = %v, want ErrEdited naming the file", err)
	}
	_, err = r.Migrate(ctx, []*Unit{u1}, Target{}, Execute)
	if !errors.Is(err, ErrMissing) || !strings.Contains(err.Error(), "svc/0002") {
		t.Errorf("missing: err = %v, want ErrMissing naming svc/0002", err)
	}
	st, _ := r.Status(ctx, []*Unit{edited})
	if len(st) != 2 || st[0].State != StateEdited || st[1].State != StateMissing {
		t.Errorf("status = %+v, want edited then missing", st)
	}
}

func TestMigrateFailureThenFixResumes(t *testing.T) {
	for _, journal := range []Journal{JournalQueryLog, JournalTable} {
		t.Run(fmt.Sprint("journal", journal), func(t *testing.T) {
			f := newFixture(t)
			ctx := context.Background()
			stmts := []string{
				f.sql("CREATE TABLE DB.s0 (id UInt64) ENGINE = Log"),
				f.sql("CREATE TABLE DB.s1 (id UInt64) ENGINE = Log"),
				f.sql("CREATE TABLE DB.s2 (id UInt64) ENGINE = NoSuchEngine"),
				f.sql("CREATE TABLE DB.s3 (id UInt64) ENGINE = Log"),
			}
			bad := unit("svc", 1, stmts, nil)
			later := unit("svc", 2, []string{f.sql("CREATE TABLE DB.s4 (id UInt64) ENGINE = Log")}, nil)
			r := f.runner(t, WithJournal(journal))
			_, err := r.Migrate(ctx, []*Unit{bad, later}, Target{}, Execute)
			var se *StmtError
			if !errors.As(err, &se) || se.Index != 2 || se.Stmt.Line != 4 {
				t.Fatalf("err = %v, want a StmtError at statement 3 (line 4)", err)
			}
			st, _ := r.Status(ctx, []*Unit{bad, later})
			if st[0].State != StateIncomplete || st[0].Done != 2 || st[1].State != StatePending {
				t.Errorf("status after failure = %+v", st)
			}

			stmts[2] = f.sql("CREATE TABLE DB.s2 (id UInt64) ENGINE = Log")
			fixed := unit("svc", 1, stmts, nil)
			rep, err := r.Migrate(ctx, []*Unit{fixed, later}, Target{}, Execute)
			if err != nil {
				t.Fatal(err)
			}
			if rep.ResumedAt(Key{"svc", 1}) != 2 || rep.Statements != 3 {
				t.Errorf("resumed %v with %d statements, want svc/1 after 2 and 3 statements", rep.Resumed, rep.Statements)
			}
			if got := f.tables(t); !cmp.Equal(got, []string{"s0", "s1", "s2", "s3", "s4"}) {
				t.Errorf("tables = %v", got)
			}
			runs := f.executions(t)
			for _, s := range append(stmts, later.Up[0].SQL) {
				if runs[s] != 1 {
					t.Errorf("%q finished %d times, want once", s, runs[s])
				}
			}
		})
	}
}

// TestMigrateResumesInterruptedRun stands for a run killed after two
// statements: its started event and the two statements' query_ids are on the
// server, and nothing else.
func TestMigrateResumesInterruptedRun(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	u := unit("svc", 1, []string{
		f.sql("CREATE TABLE DB.k0 (id UInt64) ENGINE = Log"),
		f.sql("CREATE TABLE DB.k1 (id UInt64) ENGINE = Log"),
		f.sql("CREATE TABLE DB.k2 (id UInt64) ENGINE = Log"),
	}, nil)
	r := f.runner(t)
	f.interrupted(t, r, u, 2)

	// A completed statement edited since: refuse.
	edited := unit("svc", 1, []string{f.sql("CREATE TABLE DB.k0 (id UInt64, x UInt8) ENGINE = Log"), u.Up[1].SQL, u.Up[2].SQL}, nil)
	if _, err := r.Migrate(ctx, []*Unit{edited}, Target{}, Execute); !errors.Is(err, ErrEdited) {
		t.Fatalf("resume of an edited completed statement: err = %v, want ErrEdited", err)
	}

	var seen map[Key]PartialUnit
	r = f.runner(t, WithVerifier(verifierFunc(func(_ context.Context, _ []*Unit, p map[Key]PartialUnit) error { seen = p; return nil })))
	rep, err := r.Migrate(ctx, []*Unit{u}, Target{}, Execute)
	if err != nil {
		t.Fatal(err)
	}
	if seen[Key{"svc", 1}].Done != 2 {
		t.Errorf("verifier saw %+v, want svc/1 with 2 statements done", seen)
	}
	if rep.ResumedAt(Key{"svc", 1}) != 2 || rep.Statements != 1 {
		t.Errorf("resumed %v, %d statements", rep.Resumed, rep.Statements)
	}
	for _, s := range u.Up {
		if n := f.executions(t)[s.SQL]; n != 1 {
			t.Errorf("%q finished %d times", s.SQL, n)
		}
	}
}

type verifierFunc func(context.Context, []*Unit, map[Key]PartialUnit) error

func (f verifierFunc) Verify(ctx context.Context, state AppliedState) error {
	return f(ctx, state.Applied, state.Partial)
}

func TestDownToZeroAndUpAgain(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	units := []*Unit{
		unit("svc", 1, []string{f.sql("CREATE TABLE DB.a (id UInt64) ENGINE = Log")}, []string{f.sql("DROP TABLE DB.a")}),
		unit("svc", 2, []string{f.sql("CREATE TABLE DB.b (id UInt64) ENGINE = Log")}, []string{f.sql("DROP TABLE DB.b")}),
		unit("svc", 3, []string{f.sql("CREATE TABLE DB.c (id UInt64) ENGINE = Log")}, nil),
	}
	r := f.runner(t)
	if _, err := r.Migrate(ctx, units, Target{}, Execute); err != nil {
		t.Fatal(err)
	}
	strict := f.runner(t, WithStrictDown(true))
	if _, err := strict.Down(ctx, units, Target{Steps: 1}, Execute); !errors.Is(err, ErrNoOpDown) {
		t.Fatalf("strict down over a no-op: err = %v", err)
	}
	rep, err := r.Down(ctx, units, Target{Steps: 2}, Execute)
	if err != nil {
		t.Fatal(err)
	}
	if !cmp.Equal(rep.Applied, []Key{{"svc", 3}, {"svc", 2}}) {
		t.Errorf("down steps 2 reverted %v", rep.Applied)
	}
	if got := f.tables(t); !cmp.Equal(got, []string{"a", "c"}) { // 3's down is a no-op
		t.Errorf("tables after down 2 = %v", got)
	}
	zero := uint64(0)
	if _, err := r.Down(ctx, units, Target{To: &zero}, Execute); err != nil {
		t.Fatal(err)
	}
	if got := f.tables(t); !cmp.Equal(got, []string{"c"}) {
		t.Errorf("tables after down to 0 = %v", got)
	}
	if err := f.db.Conn.Exec(ctx, f.sql("DROP TABLE DB.c")); err != nil {
		t.Fatal(err)
	}
	rep, err = r.Migrate(ctx, units, Target{}, Execute)
	if err != nil || len(rep.Applied) != 3 {
		t.Fatalf("up again: %v, %v", rep.Applied, err)
	}
	if got := f.tables(t); !cmp.Equal(got, []string{"a", "b", "c"}) {
		t.Errorf("tables after up again = %v", got)
	}
}

func TestMigrateToVersionAndDryRun(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	units := []*Unit{
		unit("svc", 1, []string{f.sql("CREATE TABLE DB.a (id UInt64) ENGINE = Log")}, nil),
		unit("svc", 2, []string{f.sql("CREATE TABLE DB.b (id UInt64) ENGINE = Log")}, nil),
	}
	r := f.runner(t)
	rep, err := r.Migrate(ctx, units, Target{}, DryRun)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Plan) != 2 || rep.Plan[1].Stmt.SQL != units[1].Up[0].SQL {
		t.Errorf("dry-run plan = %+v", rep.Plan)
	}
	var n uint64
	if err := f.db.Conn.QueryRow(ctx, "SELECT count() FROM system.tables WHERE database = ?", f.db.Name).Scan(&n); err != nil || n != 0 {
		t.Fatalf("dry run left %d tables (%v)", n, err)
	}
	one := uint64(1)
	if _, err := r.Migrate(ctx, units, Target{To: &one}, Execute); err != nil {
		t.Fatal(err)
	}
	if got := f.tables(t); !cmp.Equal(got, []string{"a"}) {
		t.Errorf("--to 1 tables = %v", got)
	}
}

func TestConcurrentMigrateOneWaits(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	slow := unit("svc", 1, []string{"SELECT sleepEachRow(0.5) FROM numbers(4) FORMAT Null", f.sql("CREATE TABLE DB.a (id UInt64) ENGINE = Log")}, nil)
	holder := f.runner(t)
	done := make(chan error, 1)
	go func() { _, err := holder.Migrate(ctx, []*Unit{slow}, Target{}, Execute); done <- err }()
	time.Sleep(500 * time.Millisecond)

	lock, _ := NewTableLock(f.db.Conn, f.db.Name, LockTableName("chschema_migrations"), LockOptions{Timeout: 300 * time.Millisecond, ID: "second"})
	impatient, _ := New(f.db.Conn, f.history, lock)
	_, err := impatient.Migrate(ctx, []*Unit{slow}, Target{}, Execute)
	var locked *LockedError
	if !errors.As(err, &locked) {
		t.Fatalf("second migrate: err = %v, want LockedError", err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	rep, err := f.runner(t).Migrate(ctx, []*Unit{slow}, Target{}, Execute)
	if err != nil || rep.Statements != 0 {
		t.Fatalf("after the holder: %d statements, %v", rep.Statements, err)
	}
}

func TestBaselineRecordsWithoutRunningAndRefusesDrift(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	units := []*Unit{
		unit("svc", 1, []string{f.sql("CREATE TABLE DB.a (id UInt64) ENGINE = Log")}, nil),
		unit("svc", 2, []string{f.sql("CREATE TABLE DB.b (id UInt64) ENGINE = Log")}, nil),
	}
	drift := errors.New("drift: DB.a is missing")
	r := f.runner(t, WithVerifier(verifierFunc(func(_ context.Context, applied []*Unit, _ map[Key]PartialUnit) error {
		if len(applied) != 1 {
			return fmt.Errorf("verifier got %d applied units, want 1", len(applied))
		}
		var n uint64
		if err := f.db.Conn.QueryRow(ctx, "SELECT count() FROM system.tables WHERE database = ? AND name = 'a'", f.db.Name).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return drift
		}
		return nil
	})))
	one := uint64(1)
	if _, err := r.Baseline(ctx, units, Target{To: &one}); !errors.Is(err, drift) {
		t.Fatalf("baseline on drift: err = %v", err)
	}
	if err := f.db.Conn.Exec(ctx, units[0].Up[0].SQL); err != nil { // the legacy schema, by hand
		t.Fatal(err)
	}
	keys, err := r.Baseline(ctx, units, Target{To: &one})
	if err != nil || !cmp.Equal(keys, []Key{{"svc", 1}}) {
		t.Fatalf("baseline = %v, %v", keys, err)
	}
	st, _ := r.Status(ctx, units)
	if st[0].State != StateBaselined || st[1].State != StatePending {
		t.Errorf("status = %+v", st)
	}
	rep, err := f.runner(t).Migrate(ctx, units, Target{}, Execute)
	if err != nil || !cmp.Equal(rep.Applied, []Key{{"svc", 2}}) {
		t.Errorf("migrate after baseline applied %v, %v", rep.Applied, err)
	}
}

func TestFailedMutationIsAnError(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	u := unit("svc", 1, []string{
		f.sql("CREATE TABLE DB.m (a Int32, b String) ENGINE = MergeTree ORDER BY a"),
		f.sql("INSERT INTO DB.m VALUES (1, 'x'), (2, 'y')"),
		f.sql("ALTER TABLE DB.m UPDATE b = toString(throwIf(a = 2)) WHERE 1"),
	}, nil)
	classify := func(s Statement) StmtInfo {
		if strings.HasPrefix(s.SQL, "ALTER") {
			return StmtInfo{Mutation: true, Database: f.db.Name, Table: "m"}
		}
		return StmtInfo{}
	}
	r := f.runner(t, WithClassifier(classify))
	_, err := r.Migrate(ctx, []*Unit{u}, Target{}, Execute)
	if !errors.Is(err, ErrMutationFailed) || !strings.Contains(err.Error(), "throwIf") {
		t.Fatalf("err = %v, want ErrMutationFailed with the reason", err)
	}
	_ = f.db.Conn.Exec(ctx, f.sql("KILL MUTATION WHERE database = '"+f.db.Name+"'"))
}

func TestQueryIDRoundTrip(t *testing.T) {
	s := Statement{SQL: "SELECT 1"}
	id := queryID("att", "svc:with:colons", 12, 3, s)
	a, k, idx, h, ok := parseQueryID(id)
	if !ok || a != "att" || k != (Key{"svc:with:colons", 12}) || idx != 3 || h != s.Hash() {
		t.Errorf("parseQueryID(%q) = %q %v %d %q %v", id, a, k, idx, h, ok)
	}
	for _, bad := range []string{"", "other:1", "chschema:a:b", "chschema:a:s:x:1:h"} {
		if _, _, _, _, ok := parseQueryID(bad); ok {
			t.Errorf("parseQueryID(%q) accepted", bad)
		}
	}
}

// TestResumeWaitsForTheInterruptedMutation stands for a run killed while it
// waited for a mutation: the ALTER finished (it only registers the
// mutation), the mutation did not. The resume sees it through before going
// on, and here it fails, so nothing after it runs.
func TestResumeWaitsForTheInterruptedMutation(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	u := unit("svc", 1, []string{
		f.sql("CREATE TABLE DB.m (a Int32, b String) ENGINE = MergeTree ORDER BY a"),
		f.sql("INSERT INTO DB.m VALUES (1, 'x'), (2, 'y')"),
		f.sql("ALTER TABLE DB.m UPDATE b = toString(throwIf(a = 2)) WHERE 1"),
		f.sql("CREATE TABLE DB.after (x UInt8) ENGINE = Log"),
	}, nil)
	t.Cleanup(func() { _ = f.db.Conn.Exec(ctx, "KILL MUTATION WHERE database = '"+f.db.Name+"'") })
	r := f.runner(t, WithClassifier(MutationClassifier))
	f.interrupted(t, r, u, 3)
	_, err := r.Migrate(ctx, []*Unit{u}, Target{}, Execute)
	var se *StmtError
	if !errors.Is(err, ErrMutationFailed) || !errors.As(err, &se) || se.Index != 2 {
		t.Fatalf("resume over a failed mutation: err = %v, want ErrMutationFailed at statement 3", err)
	}
	if got := f.tables(t); !cmp.Equal(got, []string{"m"}) {
		t.Errorf("tables = %v: nothing after the mutation may run", got)
	}
}

func TestServiceTargets(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	units := []*Unit{
		unit("a", 1, []string{"CREATE TABLE a1 (x UInt8) ENGINE = Log"}, []string{"DROP TABLE a1"}),
		unit("a", 2, []string{"CREATE TABLE a2 (x UInt8) ENGINE = Log"}, []string{"DROP TABLE a2"}),
		unit("b", 1, []string{"CREATE TABLE b1 (x UInt8) ENGINE = Log"}, []string{"DROP TABLE b1"}),
	}
	r := f.runner(t)
	if _, err := r.Migrate(ctx, units, Target{Service: "b"}, Execute); err != nil {
		t.Fatal(err)
	}
	if got := f.tables(t); !cmp.Equal(got, []string{"b1"}) {
		t.Fatalf("migrate --service b: tables %v", got)
	}
	if _, err := r.Migrate(ctx, units, Target{}, Execute); err != nil {
		t.Fatal(err)
	}
	zero := uint64(0)
	rep, err := r.Down(ctx, units, Target{Service: "a", To: &zero}, Execute)
	if err != nil || !cmp.Equal(rep.Applied, []Key{{"a", 2}, {"a", 1}}) {
		t.Fatalf("down --service a --to 0: %v, %v", rep.Applied, err)
	}
	if got := f.tables(t); !cmp.Equal(got, []string{"b1"}) {
		t.Errorf("after down --service a: tables %v", got)
	}
}

// TestEventsAndDownDryRun checks the events of a migrate, in order, and
// that a down dry run changes nothing.
func TestEventsAndDownDryRun(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	units := []*Unit{unit("svc", 1, []string{"CREATE TABLE p (x UInt8) ENGINE = Log", "INSERT INTO p VALUES (1)"}, []string{"DROP TABLE p"})}
	var kinds []string
	var started MigrationStarted
	var done []StatementDone
	init := []Statement{{SQL: "CREATE TABLE IF NOT EXISTS i (x UInt8) ENGINE = Log", File: "init.sql", Line: 1, Col: 1}}
	r := f.runner(t, WithInit(init), WithEvents(func(e RunEvent) {
		kinds = append(kinds, e.Kind())
		switch e := e.(type) {
		case MigrationStarted:
			started = e
		case StatementDone:
			done = append(done, e)
		}
	}))
	if _, err := r.Migrate(ctx, units, Target{}, Execute); err != nil {
		t.Fatal(err)
	}
	want := []string{"init_started", "init_done", "migration_started", "statement_started", "statement_done",
		"statement_started", "statement_done", "migration_done"}
	if diff := cmp.Diff(want, kinds); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
	if got := started.String(); got != "up svc 0001_m1: 2 statements" {
		t.Errorf("MigrationStarted.String() = %q", got)
	}
	if started.Index != 1 || started.Count != 1 || len(done) != 2 || done[1].Index != 2 || done[1].Count != 2 || done[1].Statement.SQL != units[0].Up[1].SQL {
		t.Errorf("started %+v, statements done %+v", started, done)
	}
	zero := uint64(0)
	rep, err := r.Down(ctx, units, Target{To: &zero}, DryRun)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Plan) != 1 || rep.Plan[0].Stmt.SQL != "DROP TABLE p" {
		t.Errorf("down dry-run plan = %+v", rep.Plan)
	}
	if got := f.tables(t); !cmp.Equal(got, []string{"i", "p"}) {
		t.Errorf("down --dry-run changed the server: tables %v", got)
	}
	st, _ := r.Status(ctx, units)
	if st[0].State != StateApplied {
		t.Errorf("down --dry-run changed the history: %+v", st[0])
	}
}

// TestMutationsAreWaitedForByDefault: a runner built without options waits
// for the mutations its statements start, and a failed one is an error;
// WithoutMutationWait goes on at once.
func TestMutationsAreWaitedForByDefault(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	t.Cleanup(func() { _ = f.db.Conn.Exec(ctx, "KILL MUTATION WHERE database = '"+f.db.Name+"'") })
	setup := unit("svc", 1, []string{
		f.sql("CREATE TABLE DB.m (a Int32, b String) ENGINE = MergeTree ORDER BY a"),
		f.sql("INSERT INTO DB.m VALUES (1, 'x'), (2, 'y')"),
	}, nil)
	failing := unit("svc", 2, []string{f.sql("ALTER TABLE DB.m UPDATE b = toString(throwIf(a = 2)) WHERE 1")}, nil)
	if _, err := f.runner(t, WithoutMutationWait()).Migrate(ctx, []*Unit{setup, failing}, Target{}, Execute); err != nil {
		t.Fatalf("WithoutMutationWait: %v, want no wait and so no error", err)
	}
	g := newFixture(t)
	t.Cleanup(func() { _ = g.db.Conn.Exec(ctx, "KILL MUTATION WHERE database = '"+g.db.Name+"'") })
	setup = unit("svc", 1, []string{
		g.sql("CREATE TABLE DB.m (a Int32, b String) ENGINE = MergeTree ORDER BY a"),
		g.sql("INSERT INTO DB.m VALUES (1, 'x'), (2, 'y')"),
	}, nil)
	failing = unit("svc", 2, []string{g.sql("ALTER TABLE DB.m UPDATE b = toString(throwIf(a = 2)) WHERE 1")}, nil)
	var waited []MutationWaiting
	r := g.runner(t, WithEvents(func(e RunEvent) {
		if m, ok := e.(MutationWaiting); ok {
			waited = append(waited, m)
		}
	}))
	_, err := r.Migrate(ctx, []*Unit{setup, failing}, Target{}, Execute)
	if !errors.Is(err, ErrMutationFailed) {
		t.Fatalf("default runner: err = %v, want ErrMutationFailed", err)
	}
	if len(waited) == 0 || waited[0].Table != "m" || waited[0].MutationID == "" || waited[0].Key != failing.Key() {
		t.Errorf("mutation events = %+v", waited)
	}
}

// TestStatementHook: the hook sees every statement before it runs, and an
// error from it stops the run there, recorded as failed.
func TestStatementHook(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	u := unit("svc", 1, []string{f.sql("CREATE TABLE DB.h1 (x UInt8) ENGINE = Log"), f.sql("CREATE TABLE DB.h2 (x UInt8) ENGINE = Log")}, nil)
	lost := errors.New("lease lost")
	var seen []int
	r := f.runner(t, WithStatementHook(func(_ context.Context, s StatementStarted) error {
		seen = append(seen, s.Index)
		if s.Index == 2 {
			return lost
		}
		return nil
	}))
	_, err := r.Migrate(ctx, []*Unit{u}, Target{}, Execute)
	var se *StmtError
	if !errors.Is(err, lost) || !errors.As(err, &se) || se.Index != 1 {
		t.Fatalf("err = %v, want the hook's error on statement 2", err)
	}
	if !cmp.Equal(seen, []int{1, 2}) || !cmp.Equal(f.tables(t), []string{"h1"}) {
		t.Errorf("hook saw %v, tables %v", seen, f.tables(t))
	}
	st, _ := r.Status(ctx, []*Unit{u})
	if st[0].State != StateIncomplete || st[0].Done != 1 {
		t.Errorf("status = %+v, want incomplete after 1 statement", st[0])
	}
}

// TestPreflightRunsBeforeInit: a preflight error stops the run before
// init.sql or any migration runs.
func TestPreflightRunsBeforeInit(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	init := []Statement{{SQL: f.sql("CREATE TABLE IF NOT EXISTS DB.from_init (x UInt8) ENGINE = Log"), File: "init.sql", Line: 1, Col: 1}}
	u := unit("svc", 1, []string{f.sql("CREATE TABLE DB.p (x UInt8) ENGINE = Log")}, nil)
	stop := errors.New("refused")
	var got Preflight
	r := f.runner(t, WithInit(init), WithPreflight(func(_ context.Context, p Preflight) error { got = p; return stop }))
	if _, err := r.Migrate(ctx, []*Unit{u}, Target{}, Execute); !errors.Is(err, stop) {
		t.Fatalf("err = %v", err)
	}
	if got.Op != "migrate" || len(got.Units) != 1 || got.DryRun {
		t.Errorf("preflight saw %+v", got)
	}
	if tables := f.tables(t); len(tables) != 0 {
		t.Errorf("tables after a refused preflight: %v", tables)
	}
}

func TestNewValidatesOptions(t *testing.T) {
	f := newFixture(t)
	lock, err := NewTableLock(f.db.Conn, f.db.Name, "l", LockOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for name, opts := range map[string][]Option{
		"nil option":             {nil},
		"nil classifier":         {WithClassifier(nil)},
		"classifier and no wait": {WithClassifier(MutationClassifier), WithoutMutationWait()},
		"no wait and classifier": {WithoutMutationWait(), WithClassifier(MutationClassifier)},
		"nil events":             {WithEvents(nil)},
		"nil verifier":           {WithVerifier(nil)},
		"nil hook":               {WithStatementHook(nil)},
		"nil preflight":          {WithPreflight(nil)},
		"unknown journal":        {WithJournal(Journal(9))},
	} {
		if _, err := New(f.db.Conn, f.history, lock, opts...); err == nil {
			t.Errorf("%s: New accepted it", name)
		}
	}
	if _, err := New(nil, f.history, lock); err == nil {
		t.Error("New accepted a nil connection")
	}
	r, err := New(f.db.Conn, f.history, lock)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Migrate(context.Background(), nil, Target{}, Mode(7)); err == nil {
		t.Error("Migrate accepted an unknown mode")
	}
}
