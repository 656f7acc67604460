package apply

import (
	"context"
	"strings"
	"testing"
)

func TestRoundTrip(t *testing.T) {
	good := func() []*Unit {
		return []*Unit{
			unit("a", 1, []string{"CREATE TABLE t (id UInt64) ENGINE = MergeTree ORDER BY id"}, []string{"DROP TABLE t"}),
			unit("a", 2, []string{"ALTER TABLE t ADD COLUMN x String DEFAULT 'x'"}, []string{"ALTER TABLE t DROP COLUMN x"}),
			unit("b", 1, []string{"CREATE VIEW v AS SELECT id FROM t"}, []string{"DROP VIEW v"}),
		}
	}
	t.Run("reversible", func(t *testing.T) {
		f := newFixture(t)
		var steps []string
		r := f.runner(t, WithEvents(func(e RunEvent) {
			if s, ok := e.(RoundTripStep); ok {
				steps = append(steps, s.Phase+" "+s.Key.String())
			}
		}))
		err := r.RoundTrip(context.Background(), good(), newDriftVerifier(t, f))
		if err != nil {
			t.Fatal(err)
		}
		want := "up a/0001,up a/0002,up b/0001,down b/0001,down a/0002,down a/0001,up again /0000"
		if got := strings.Join(steps, ","); got != want {
			t.Errorf("steps = %s\nwant    %s", got, want)
		}
		if got := f.tables(t); strings.Join(got, ",") != "t,v" {
			t.Errorf("tables after the round trip = %v", got)
		}
	})
	t.Run("down that forgets a column", func(t *testing.T) {
		f := newFixture(t)
		units := good()
		units[1] = unit("a", 2, []string{"ALTER TABLE t ADD COLUMN x String DEFAULT 'x'"}, nil) // -- no-op down
		err := f.runner(t).RoundTrip(context.Background(), units, newDriftVerifier(t, f))
		if err == nil || !strings.Contains(err.Error(), "after down a/0002") || !strings.Contains(driftText(err), "x") {
			t.Fatalf("err = %v\n%s", err, driftText(err))
		}
	})
	t.Run("refuses a server with history", func(t *testing.T) {
		f := newFixture(t)
		units := good()
		if _, err := f.runner(t).Migrate(context.Background(), units[:1], Target{}, Execute); err != nil {
			t.Fatal(err)
		}
		err := f.runner(t).RoundTrip(context.Background(), units, newDriftVerifier(t, f))
		if err == nil || !strings.Contains(err.Error(), "scratch server") {
			t.Fatalf("err = %v", err)
		}
	})
}
