package apply

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chschema/chschema/internal/chtest"
	"github.com/chschema/chschema/schema"
	"github.com/google/go-cmp/cmp"
)

func TestHistoryRoundTrip(t *testing.T) {
	db := chtest.New(t)
	ctx := context.Background()
	h, err := NewTableHistory(db.Conn, HistoryOptions{Database: db.Name + "_hist", Table: "chschema_migrations"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Conn.Exec(ctx, "DROP DATABASE IF EXISTS "+quoteIdent(db.Name+"_hist")) })
	for i := 0; i < 2; i++ { // Ensure is idempotent
		if err := h.Ensure(ctx); err != nil {
			t.Fatal(err)
		}
	}
	t0 := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	want := []Event{
		{Service: "xapi", Version: 1, Name: "init", Status: StatusStarted, Attempt: "a1", Total: 3, RawChecksum: "r1", RenderedChecksum: "x1", StartedAt: t0, ChschemaVersion: "v0", Host: "h"},
		{Service: "xapi", Version: 1, Name: "init", Status: StatusApplied, Attempt: "a1", Statements: 3, Total: 3, RawChecksum: "r1", RenderedChecksum: "x1", StartedAt: t0, FinishedAt: t0.Add(1500 * time.Millisecond), Duration: 1500 * time.Millisecond, ChschemaVersion: "v0", Host: "h"},
	}
	if err := h.Append(ctx, want...); err != nil {
		t.Fatal(err)
	}
	got, err := h.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || !got[0].EventTime.Before(got[1].EventTime) {
		t.Fatalf("events out of order or missing: %+v", got)
	}
	for i := range got {
		got[i].EventTime = time.Time{}
		got[i].StartedAt, got[i].FinishedAt = got[i].StartedAt.UTC(), got[i].FinishedAt.UTC()
	}
	want[0].FinishedAt = time.Unix(0, 0).UTC() // a zero DateTime64 reads back as the epoch
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("history (-want +got):\n%s", diff)
	}
	st := State(got)
	if r := st[Key{"xapi", 1}]; r.Status != StatusApplied || !r.Applied() || r.Incomplete() {
		t.Errorf("state = %+v, want applied", r)
	}
}

func TestState(t *testing.T) {
	at := func(s int) time.Time { return time.Unix(int64(s), 0) }
	ev := func(v uint64, s Status, attempt string, ts int) Event {
		return Event{Service: "svc", Version: v, Status: s, Attempt: attempt, EventTime: at(ts)}
	}
	tests := []struct {
		name     string
		events   []Event
		status   Status
		attempts []string
	}{
		{"applied", []Event{ev(1, StatusStarted, "a", 1), ev(1, StatusApplied, "a", 2)}, StatusApplied, nil},
		{"killed mid-way", []Event{ev(1, StatusStarted, "a", 1)}, StatusStarted, []string{"a"}},
		{"failed then resumed then killed", []Event{ev(1, StatusStarted, "a", 1), ev(1, StatusFailed, "a", 2), ev(1, StatusStarted, "b", 3)}, StatusStarted, []string{"a", "b"}},
		{"events out of order", []Event{ev(1, StatusStarted, "b", 3), ev(1, StatusStarted, "a", 1), ev(1, StatusFailed, "a", 2)}, StatusStarted, []string{"a", "b"}},
		{"reverting starts fresh attempts", []Event{ev(1, StatusStarted, "a", 1), ev(1, StatusApplied, "a", 2), ev(1, StatusReverting, "c", 3), ev(1, StatusRevertFailed, "c", 4)}, StatusRevertFailed, []string{"c"}},
		{"reverted", []Event{ev(1, StatusApplied, "a", 2), ev(1, StatusReverting, "c", 3), ev(1, StatusReverted, "c", 4)}, StatusReverted, nil},
		{"up again after a revert", []Event{ev(1, StatusReverted, "c", 4), ev(1, StatusStarted, "d", 5)}, StatusStarted, []string{"d"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := State(tt.events)[Key{"svc", 1}]
			if r.Status != tt.status {
				t.Errorf("status = %s, want %s", r.Status, tt.status)
			}
			if diff := cmp.Diff(tt.attempts, r.Attempts); diff != "" {
				t.Errorf("attempts (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseTableName(t *testing.T) {
	for in, want := range map[string][2]string{"xapi.chschema_migrations": {"xapi", "chschema_migrations"}, "hist": {"def", "hist"}} {
		db, table, err := ParseTableName(in, "def")
		if err != nil || db != want[0] || table != want[1] {
			t.Errorf("ParseTableName(%q) = %q, %q, %v", in, db, table, err)
		}
	}
	for _, bad := range []string{"", "a.", ".b", "a.b.c"} {
		if _, _, err := ParseTableName(bad, "def"); err == nil {
			t.Errorf("ParseTableName(%q) accepted", bad)
		}
	}
}

// recordingHistory is an in-memory HistoryStore that counts its writes.
type recordingHistory struct {
	mu     sync.Mutex
	writes int
	events []Event
}

func (h *recordingHistory) Ensure(context.Context) error          { return nil }
func (h *recordingHistory) Load(context.Context) ([]Event, error) { return h.events, nil }
func (h *recordingHistory) Append(_ context.Context, e ...Event) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.writes++
	h.events = append(h.events, e...)
	return nil
}

func TestEventWriterBatches(t *testing.T) {
	h := &recordingHistory{}
	w := newEventWriter(context.Background(), h, func() error { return nil })
	for i := 0; i < 100; i++ {
		w.add(Event{Version: uint64(i)})
	}
	if err := w.close(); err != nil {
		t.Fatal(err)
	}
	if len(h.events) != 100 {
		t.Fatalf("%d events written, want 100", len(h.events))
	}
	for i, e := range h.events {
		if e.Version != uint64(i) {
			t.Fatalf("event %d has version %d: order lost", i, e.Version)
		}
	}
	if h.writes > 2 {
		t.Errorf("%d writes for 100 quick events, want at most 2", h.writes)
	}
}

// TestHistoryOnCluster: with a cluster, the history and lock DDL go out ON
// CLUSTER (this server has no clusters and no Keeper, so it refuses them
// naming the cluster; the replicated form itself is left to a real cluster).
func TestHistoryOnCluster(t *testing.T) {
	db := chtest.New(t)
	ctx := context.Background()
	h, err := NewTableHistory(db.Conn, HistoryOptions{Database: db.Name, Table: "chschema_migrations", Cluster: "no_such_cluster"})
	if err != nil {
		t.Fatal(err)
	}
	if err := h.Ensure(ctx); err == nil || !strings.Contains(err.Error(), "no_such_cluster") {
		t.Errorf("Ensure ON CLUSTER: err = %v, want the server refusing the cluster", err)
	}
	l, err := NewTableLock(db.Conn, db.Name, "chschema_lock", LockOptions{OnCluster: "no_such_cluster"})
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Acquire(ctx); err == nil || !strings.Contains(err.Error(), "no_such_cluster") {
		t.Errorf("lock ON CLUSTER: err = %v", err)
	}
}

// TestIsOwnTable: chschema's tables are recognised by their shape, and a
// user's table that merely resembles a lock is not.
func TestIsOwnTable(t *testing.T) {
	holder := []*schema.Column{{Name: "holder", Type: "String"}}
	tests := []struct {
		t    *schema.Table
		want bool
	}{
		{&schema.Table{Name: "deploy_log", Comment: historyComment}, true},
		{&schema.Table{Name: "x_lock", Storage: schema.Storage{Engine: schema.Engine{Name: "Memory"}}, Columns: holder}, true},
		{&schema.Table{Name: "x_lock_expired_1f2e", Storage: schema.Storage{Engine: schema.Engine{Name: "Memory"}}, Columns: holder}, true},
		{&schema.Table{Name: "x_lock", Storage: schema.Storage{Engine: schema.Engine{Name: "MergeTree"}}, Columns: holder}, false},
		{&schema.Table{Name: "holders", Storage: schema.Storage{Engine: schema.Engine{Name: "Memory"}}, Columns: holder}, false},
		{&schema.Table{Name: "events", Comment: "chschema migration history"}, false},
		{nil, false},
	}
	for _, tt := range tests {
		if got := IsOwnTable(tt.t); got != tt.want {
			t.Errorf("IsOwnTable(%+v) = %v, want %v", tt.t, got, tt.want)
		}
	}
}

// TestAppliedAtSkipsTimelessEvents: an applied event written back after a
// failed down by an older version has no finish time (1970-01-01); the
// record still says when the migration was applied.
func TestAppliedAtSkipsTimelessEvents(t *testing.T) {
	at := time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)
	k := Key{"s", 1}
	events := []Event{
		{Service: k.Service, Version: k.Version, Status: StatusApplied, FinishedAt: at, EventTime: at},
		{Service: k.Service, Version: k.Version, Status: StatusReverting, EventTime: at.Add(time.Hour)},
		{Service: k.Service, Version: k.Version, Status: StatusApplied, FinishedAt: time.Unix(0, 0), EventTime: at.Add(2 * time.Hour)},
	}
	rec := State(events)[k]
	if !rec.Applied() || !rec.AppliedAt().Equal(at) {
		t.Errorf("record %s applied at %v, want applied at %v", rec.Status, rec.AppliedAt(), at)
	}
}
