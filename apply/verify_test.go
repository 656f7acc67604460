package apply

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/chschema/chschema/diff"
	"github.com/chschema/chschema/drift"
)

func newDriftVerifier(t *testing.T, f *fixture) *DriftVerifier {
	t.Helper()
	v, err := NewDriftVerifier(f.db.Conn, drift.Options{Own: OwnTable(f.db.Name, "chschema_migrations"), Session: f.db.Name})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func driftText(err error) string {
	var de *drift.Error
	if !errors.As(err, &de) {
		return ""
	}
	var b strings.Builder
	if err := diff.WriteText(&b, de.Report.Result, diff.TextOptions{}); err != nil {
		return err.Error()
	}
	return b.String()
}

func TestDriftVerifierOnTheServer(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	units := []*Unit{
		unit("svc", 1, []string{
			"CREATE TABLE events (id UInt64, ts DateTime DEFAULT now() CODEC(Delta, ZSTD(3)), name LowCardinality(String) COMMENT 'who') ENGINE = MergeTree PARTITION BY toYYYYMM(ts) ORDER BY (id, ts) TTL ts + INTERVAL 1 YEAR",
		}, []string{"DROP TABLE events"}),
		unit("svc", 2, []string{
			"ALTER TABLE events ADD COLUMN kind String DEFAULT 'x' AFTER id",
			"CREATE TABLE counts (id UInt64, n UInt64) ENGINE = SummingMergeTree ORDER BY id",
		}, []string{"DROP TABLE counts", "ALTER TABLE events DROP COLUMN kind"}),
	}
	v := newDriftVerifier(t, f)
	r := f.runner(t, WithVerifier(v))
	if _, err := r.Migrate(ctx, units, Target{}, Execute); err != nil {
		t.Fatalf("migrate over an empty database: %v\n%s", err, driftText(err))
	}
	if err := v.Verify(ctx, AppliedState{Applied: units}); err != nil {
		t.Fatalf("no drift expected after migrate, got %v\n%s", err, driftText(err))
	}

	// A hand-made change is drift, naming the object.
	if err := f.db.Conn.Exec(ctx, "ALTER TABLE events ADD COLUMN extra UInt8"); err != nil {
		t.Fatal(err)
	}
	err := v.Verify(ctx, AppliedState{Applied: units})
	if text := driftText(err); !strings.Contains(text, "events") || !strings.Contains(text, "extra") {
		t.Fatalf("drift after a hand-added column: %v\n%s", err, text)
	}
	// And migrate refuses to go on over it.
	more := append(units, unit("svc", 3, []string{"CREATE TABLE later (id UInt64) ENGINE = Log"}, []string{"DROP TABLE later"}))
	if _, err := r.Migrate(ctx, more, Target{}, Execute); driftText(err) == "" {
		t.Fatalf("migrate over drift: err = %v, want a drift error", err)
	}
	if got := f.tables(t); strings.Contains(strings.Join(got, ","), "later") {
		t.Error("migrate applied over drift")
	}
	if err := f.db.Conn.Exec(ctx, "ALTER TABLE events DROP COLUMN extra"); err != nil {
		t.Fatal(err)
	}

	// Completed statements of a half-applied migration count as expected.
	half := unit("svc", 3, []string{"CREATE TABLE later (id UInt64) ENGINE = Log", "CREATE TABLE later2 (id UInt64) ENGINE = Log"}, nil)
	if err := f.db.Conn.Exec(ctx, half.Up[0].SQL); err != nil {
		t.Fatal(err)
	}
	if err := v.Verify(ctx, AppliedState{Applied: units, Partial: map[Key]PartialUnit{half.Key(): {Unit: half, Done: 1}}}); err != nil {
		t.Errorf("half-applied migration counted as drift: %v\n%s", err, driftText(err))
	}
	if err := v.Verify(ctx, AppliedState{Applied: units}); !strings.Contains(driftText(err), "later") {
		t.Errorf("without the partial, the table is drift: %v", err)
	}
}
