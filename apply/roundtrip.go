package apply

import (
	"context"
	"errors"
	"fmt"
	"sort"
)

// RoundTripStep is one step of RoundTrip, reported as an event (see
// WithEvents) as it completes.
type RoundTripStep struct {
	// Phase is "up", "down" or "up again".
	Phase string
	// Key is the migration the step applied or reverted (zero for "up again").
	Key Key
	// Applied is how many migrations the server holds after the step.
	Applied int
}

// RoundTrip is `chschema verify`: on a scratch server it applies every unit
// one at a time, reverts them one at a time down to none, and applies them
// all again, checking after every step that the live schema equals the
// expected one (v). It stops at the first difference, naming the step.
// Each step is reported as a RoundTripStep event.
func (r *Runner) RoundTrip(ctx context.Context, units []*Unit, v Verifier) error {
	if v == nil {
		return errors.New("apply: RoundTrip needs a verifier")
	}
	setUnits(v, units)
	order := append([]*Unit(nil), units...)
	sort.SliceStable(order, func(i, j int) bool {
		if order[i].Service != order[j].Service {
			return order[i].Service < order[j].Service
		}
		return order[i].Version < order[j].Version
	})
	st, err := r.Status(ctx, units)
	if err != nil {
		return err
	}
	for _, s := range st {
		if s.State != StatePending {
			return fmt.Errorf("apply: verify needs a scratch server with no migration history; %s is %s", s.Key, s.State)
		}
	}
	check := func(phase string, k Key, applied []*Unit) error {
		if err := r.verifyWith(ctx, v, AppliedState{Init: r.init, Applied: applied}); err != nil {
			return fmt.Errorf("after %s %s: %w", phase, k, err)
		}
		r.events(RoundTripStep{Phase: phase, Key: k, Applied: len(applied)})
		return nil
	}
	for i, u := range order {
		to := u.Version
		if _, err := r.Migrate(ctx, units, Target{Service: u.Service, To: &to}, Execute); err != nil {
			return fmt.Errorf("up %s: %w", u.Key(), err)
		}
		if err := check("up", u.Key(), order[:i+1]); err != nil {
			return err
		}
	}
	for i := len(order) - 1; i >= 0; i-- {
		u := order[i]
		// A scratch server: the data the migrations inserted may go.
		rep, err := r.down(ctx, units, Target{Steps: 1}, Execute, true)
		if err != nil {
			return fmt.Errorf("down %s: %w", u.Key(), err)
		}
		if len(rep.Applied) != 1 || rep.Applied[0] != u.Key() {
			return fmt.Errorf("down reverted %v, want %s", rep.Applied, u.Key())
		}
		if err := check("down", u.Key(), order[:i]); err != nil {
			return err
		}
	}
	if _, err := r.Migrate(ctx, units, Target{}, Execute); err != nil {
		return fmt.Errorf("up again: %w", err)
	}
	return check("up again", Key{}, order)
}
