package apply

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/google/go-cmp/cmp"
)

// crashed leaves u as a run that the server's crash cut short after its
// first done statements: the 'started' event is in the history, but the
// query log holds neither the opening insert nor the statements (they ran
// under ids of no attempt), as after a restart that lost the log's tail.
func (f *fixture) crashed(t *testing.T, r *Runner, u *Unit, done int, journal Journal) {
	t.Helper()
	ctx := context.Background()
	if err := f.history.Ensure(ctx); err != nil {
		t.Fatal(err)
	}
	started := r.event(u, StatusStarted, newAttempt(), 0, len(u.Up), time.Now())
	started.Journal = journal
	if err := f.history.Append(ctx, started); err != nil {
		t.Fatal(err)
	}
	for i := range done {
		if err := f.db.Conn.Exec(clickhouse.Context(ctx, clickhouse.WithQueryID("lost-"+newAttempt()), clickhouse.WithSettings(r.settings)), u.Up[i].SQL); err != nil {
			t.Fatalf("statement %d: %v", i, err)
		}
	}
}

func TestParseResumePoint(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want ResumePoint
		err  bool
	}{
		{in: "xapi/0003:4", want: ResumePoint{Key{"xapi", 3}, 4}},
		{in: "event-sink.v2/12:1", want: ResumePoint{Key{"event-sink.v2", 12}, 1}},
		{in: "default/0001:7", want: ResumePoint{Key{"default", 1}, 7}},
		{in: "xapi/0003", err: true},
		{in: "xapi:4", err: true},
		{in: "xapi/0003:0", err: true},
		{in: "xapi/00x3:1", err: true},
		{in: "xapi/3:-1", err: true},
		{in: "/3:1", err: true},
	} {
		got, err := ParseResumePoint(tt.in)
		if (err != nil) != tt.err || (!tt.err && got != tt.want) {
			t.Errorf("ParseResumePoint(%q) = %v, %v; want %v (error %v)", tt.in, got, err, tt.want, tt.err)
		}
	}
}

// TestResumeFromTheLiveSchema: when the query log does not hold the
// interrupted run, the completed count is the one whose schema the server
// holds; without a way to compare, or when several counts fit, the run
// refuses and says which --resume-at points fit; a point before a
// statement known to be done is refused.
func TestResumeFromTheLiveSchema(t *testing.T) {
	ctx := context.Background()
	t.Run("one state fits", func(t *testing.T) {
		f := newFixture(t)
		u := unit("svc", 1, []string{
			f.sql("CREATE TABLE DB.a (x UInt8) ENGINE = Log"),
			f.sql("CREATE TABLE DB.b (x UInt8) ENGINE = MergeTree ORDER BY x"),
			f.sql("ALTER TABLE DB.b ADD COLUMN y UInt8"),
			f.sql("CREATE TABLE DB.c (x UInt8) ENGINE = Log"),
		}, nil)
		r := f.runner(t)
		f.crashed(t, r, u, 3, JournalQueryLog)

		// Without the live schema, the run cannot tell.
		_, err := r.Migrate(ctx, []*Unit{u}, Target{}, Execute)
		var re *ResumeError
		if !errors.As(err, &re) || !errors.Is(err, ErrUndecided) || re.Known != 0 || len(re.Candidates) != 5 {
			t.Fatalf("migrate without a matcher: %v, want a ResumeError with 0 known and 5 candidates", err)
		}
		var decided []ResumeDecided
		r = f.runner(t, WithStateMatcher(newDriftVerifier(t, f)), WithEvents(func(e RunEvent) {
			if d, ok := e.(ResumeDecided); ok {
				decided = append(decided, d)
			}
		}))
		rep, err := r.Migrate(ctx, []*Unit{u}, Target{}, Execute)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]Resumed{{Key: u.Key(), Done: 3, From: FromLiveSchema}}, rep.Resumed); diff != "" {
			t.Errorf("resumed (-want +got):\n%s", diff)
		}
		if len(decided) != 1 || decided[0].From != FromLiveSchema || decided[0].Done != 3 || !strings.Contains(decided[0].Detail, "after statement 3") {
			t.Errorf("decisions = %+v", decided)
		}
		if diff := cmp.Diff([]string{"a", "b", "c"}, f.tables(t)); diff != "" {
			t.Errorf("tables (-want +got):\n%s", diff)
		}
	})

	t.Run("data statements leave it open", func(t *testing.T) {
		f := newFixture(t)
		u := unit("svc", 1, []string{
			f.sql("CREATE TABLE DB.a (x UInt8) ENGINE = Log"),
			f.sql("INSERT INTO DB.a VALUES (1)"),
			f.sql("INSERT INTO DB.a VALUES (2)"),
			f.sql("CREATE TABLE DB.b (x UInt8) ENGINE = Log"),
		}, nil)
		r := f.runner(t, WithStateMatcher(newDriftVerifier(t, f)))
		f.crashed(t, r, u, 2, JournalQueryLog)
		_, err := r.Migrate(ctx, []*Unit{u}, Target{}, Execute)
		var re *ResumeError
		if !errors.As(err, &re) || !re.SchemaChecked {
			t.Fatalf("migrate: %v, want a ResumeError after the schema check", err)
		}
		if diff := cmp.Diff([]int{1, 2, 3}, re.Candidates); diff != "" {
			t.Errorf("candidates (-want +got):\n%s", diff)
		}
		for _, want := range []string{"2. svc/0001_m1.sql:3:1: INSERT INTO", "(changes data, not the schema)", "--resume-at svc/0001:2   (1 completed)", "--resume-at svc/0001:4   (3 completed)"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("the refusal lacks %q:\n%v", want, err)
			}
		}

		// The user checked: a holds one row, so the first INSERT ran and
		// the second did not.
		r = f.runner(t, WithStateMatcher(newDriftVerifier(t, f)), WithResumeAt(ResumePoint{u.Key(), 3}))
		rep, err := r.Migrate(ctx, []*Unit{u}, Target{}, Execute)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]Resumed{{Key: u.Key(), Done: 2, From: FromResumeAt}}, rep.Resumed); diff != "" {
			t.Errorf("resumed (-want +got):\n%s", diff)
		}
		var n uint64
		if err := f.db.Conn.QueryRow(ctx, f.sql("SELECT count() FROM DB.a")).Scan(&n); err != nil || n != 2 {
			t.Errorf("a holds %d rows (%v), want 2: each INSERT once", n, err)
		}
	})

	t.Run("a resume point before a completed statement", func(t *testing.T) {
		f := newFixture(t)
		u := unit("svc", 1, []string{f.sql("CREATE TABLE DB.a (x UInt8) ENGINE = Log"), f.sql("CREATE TABLE DB.b (x UInt8) ENGINE = Log")}, nil)
		r := f.runner(t)
		f.interrupted(t, r, u, 1) // the query log holds it: 1 done
		r = f.runner(t, WithResumeAt(ResumePoint{u.Key(), 1}))
		if _, err := r.Migrate(ctx, []*Unit{u}, Target{}, Execute); err == nil || !strings.Contains(err.Error(), "would run statement 1 again, which is known to have completed") {
			t.Fatalf("migrate --resume-at before a done statement: %v", err)
		}
		r = f.runner(t, WithResumeAt(ResumePoint{Key{"svc", 2}, 1}))
		if _, err := r.Migrate(ctx, []*Unit{u}, Target{}, Execute); err == nil || !strings.Contains(err.Error(), "svc/0002 is not half-applied") {
			t.Fatalf("migrate --resume-at of another migration: %v", err)
		}
		if diff := cmp.Diff([]string{"a"}, f.tables(t)); diff != "" {
			t.Errorf("a refused run changed the tables (-want +got):\n%s", diff)
		}
	})

	t.Run("the table journal bounds the doubt to one statement", func(t *testing.T) {
		f := newFixture(t)
		u := unit("svc", 1, []string{
			f.sql("CREATE TABLE DB.a (x UInt8) ENGINE = Log"),
			f.sql("INSERT INTO DB.a VALUES (1)"),
			f.sql("CREATE TABLE DB.b (x UInt8) ENGINE = Log"),
			f.sql("INSERT INTO DB.b VALUES (1)"),
		}, nil)
		r := f.runner(t, WithStateMatcher(newDriftVerifier(t, f)))
		f.crashed(t, r, u, 3, JournalTable)
		// The table journal's event after statement 2 survived; 3 ran
		// without its event.
		ev := r.event(u, StatusStarted, State(mustLoad(t, f))[u.Key()].Attempt, 2, len(u.Up), time.Now())
		ev.Journal = JournalTable
		if err := f.history.Append(ctx, ev); err != nil {
			t.Fatal(err)
		}
		rep, err := r.Migrate(ctx, []*Unit{u}, Target{}, Execute)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]Resumed{{Key: u.Key(), Done: 3, From: FromLiveSchema}}, rep.Resumed); diff != "" {
			t.Errorf("resumed (-want +got):\n%s", diff)
		}
	})
}

func mustLoad(t *testing.T, f *fixture) []Event {
	t.Helper()
	events, err := f.history.Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return events
}

// TestRunOrderNarrowsTheDoubt: a run starts a migration only once the one
// before it completed, so when the server cannot say how far the first
// got, the second (planned after it, nothing of it done) is not in doubt;
// and statements done in the second complete the first.
func TestRunOrderNarrowsTheDoubt(t *testing.T) {
	at := time.Now()
	ev := func(v uint64, attempt string, done int, i int) Event {
		return Event{Service: "svc", Version: v, Status: StatusStarted, Attempt: attempt, Statements: uint32(done), EventTime: at.Add(time.Duration(i) * time.Microsecond)}
	}
	events := []Event{ev(1, "A", 0, 0), ev(2, "A", 0, 1), ev(3, "A", 0, 2)}
	mk := func(v uint64, lo, hi int) *halfUnit {
		return &halfUnit{key: Key{"svc", v}, last: "A", stmts: make([]Statement, 3), lo: lo, hi: hi}
	}
	t.Run("an incomplete migration blocks the later ones", func(t *testing.T) {
		hs := []*halfUnit{mk(3, 0, 3), mk(1, 1, 2), mk(2, 0, 3)}
		hs[1].exact = false
		// 1 is in doubt between 1 and 2 done: it did not complete, so 2
		// and 3 ran nothing.
		chainOrder(events, hs)
		for _, h := range []*halfUnit{hs[0], hs[2]} { // svc/0003 and svc/0002
			if !h.exact || h.lo != 0 {
				t.Errorf("%s: exact %v at %d, want exactly 0", h.key, h.exact, h.lo)
			}
		}
	})
	t.Run("progress in a later one completes the earlier ones", func(t *testing.T) {
		// 2 has statements done: 1 completed; 2 may have completed, so 3
		// stays in doubt.
		hs := []*halfUnit{mk(1, 0, 3), mk(2, 2, 3), mk(3, 0, 3)}
		chainOrder(events, hs)
		if !hs[0].exact || hs[0].lo != 3 {
			t.Errorf("svc/0001: exact %v at %d, want complete", hs[0].exact, hs[0].lo)
		}
		if hs[2].exact {
			t.Errorf("svc/0003: exact at %d, want still in doubt: svc/0002 may have completed", hs[2].lo)
		}
	})
}
